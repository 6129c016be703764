using System;
using System.Collections.Generic;
using System.Linq;
using MnistTrainer.Layers;

namespace MnistTrainer.Models;

/// <summary>
/// Small residual CNN on [N, 1, 28, 28]:
/// conv1-bn1-relu-pool1 (16x14x14) ; conv2-bn2-relu-conv3-bn3 ; + pool1 ; relu ; pool2 (16x7x7) ; flatten ; fc(784, 10).
/// </summary>
internal sealed class CnnModel : IModel
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1 = new("bn1", 16);
    private readonly Relu _relu1 = new();
    private readonly MaxPool2d _pool1 = new();
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2 = new("bn2", 16);
    private readonly Relu _relu2 = new();
    private readonly Conv2d _conv3;
    private readonly BatchNorm2d _bn3 = new("bn3", 16);
    private readonly Relu _relu3 = new();
    private readonly MaxPool2d _pool2 = new();
    private readonly Linear _fc;
    private Tensor? _sum;

    public CnnModel(Rng rng)
    {
        _conv1 = new Conv2d("conv1", 1, 16, inputGrad: false, rng);
        _conv2 = new Conv2d("conv2", 16, 16, inputGrad: true, rng);
        _conv3 = new Conv2d("conv3", 16, 16, inputGrad: true, rng);
        _fc = new Linear("fc", 16 * 7 * 7, 10, reluAfter: false, inputGrad: true, rng);
        Parameters =
        [
            .. _conv1.Parameters, .. _bn1.Parameters,
            .. _conv2.Parameters, .. _bn2.Parameters,
            .. _conv3.Parameters, .. _bn3.Parameters,
            .. _fc.Parameters,
        ];
    }

    public string Name => "cnn";

    public IReadOnlyList<Parameter> Parameters { get; }

    public int[] InputShape(int n) => [n, 1, 28, 28];

    public Tensor Forward(Tensor x, bool training)
    {
        Tensor p1 = _pool1.Forward(_relu1.Forward(_bn1.Forward(_conv1.Forward(x, training), training), training), training);
        Tensor h = _relu2.Forward(_bn2.Forward(_conv2.Forward(p1, training), training), training);
        Tensor b3 = _bn3.Forward(_conv3.Forward(h, training), training);

        // Residual: pool1 + bn3, then ReLU.
        Tensor sum = Tensor.Reuse(ref _sum, b3.Shape);
        p1.Data.CopyTo(sum.Data, 0);
        Kernels.Add(b3.Data, sum.Data);

        Tensor p2 = _pool2.Forward(_relu3.Forward(sum, training), training);
        return _fc.Forward(p2.Reshape(p2.N, 16 * 7 * 7), training);
    }

    public void Backward(Tensor dLogits)
    {
        Tensor dFlat = Required(_fc.Backward(dLogits));
        Tensor dSum = _relu3.Backward(_pool2.Backward(dFlat.Reshape(dFlat.N, 16, 7, 7)));

        // The sum feeds both bn3 (residual branch) and pool1 (skip path).
        Tensor dP1 = Required(_conv2.Backward(_bn2.Backward(_relu2.Backward(Required(_conv3.Backward(_bn3.Backward(dSum)))))));
        Kernels.Add(dSum.Data, dP1.Data);

        _conv1.Backward(_bn1.Backward(_relu1.Backward(_pool1.Backward(dP1))));
    }

    public IEnumerable<SafeTensor> StateDict() =>
        ModelFactory.ParameterTensors(Parameters)
            .Concat(ModelFactory.BatchNormBuffers(_bn1))
            .Concat(ModelFactory.BatchNormBuffers(_bn2))
            .Concat(ModelFactory.BatchNormBuffers(_bn3));

    private static Tensor Required(Tensor? t) => t ?? throw new InvalidOperationException("Missing input gradient.");
}
