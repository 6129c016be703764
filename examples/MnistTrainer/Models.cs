using System;
using System.Collections.Generic;
using System.Linq;
using MnistTrainer.Layers;

namespace MnistTrainer;

/// <summary>A network trained end to end: logits out, explicit backward.</summary>
internal interface IModel
{
    string Name { get; }

    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Input tensor shape for a batch of <paramref name="n"/> images.</summary>
    int[] InputShape(int n);

    Tensor Forward(Tensor x, bool training);

    /// <summary>Back-propagates d(loss)/d(logits), accumulating parameter gradients.</summary>
    void Backward(Tensor dLogits);

    /// <summary>Tensors named and shaped as the equivalent PyTorch module's state_dict().</summary>
    IEnumerable<SafeTensor> StateDict();
}

internal static class ModelFactory
{
    public static IModel Create(string name, Rng rng) => name switch
    {
        "mlp" => new MlpModel(rng),
        "cnn" => new CnnModel(rng),
        _ => throw new ArgumentException($"Unknown model '{name}'."),
    };

    public static IEnumerable<SafeTensor> ParameterTensors(IEnumerable<Parameter> parameters) =>
        parameters.Select(p => SafeTensor.F32(p.Name, p.Shape, p.Value));

    public static IEnumerable<SafeTensor> BatchNormBuffers(BatchNorm2d bn)
    {
        int[] shape = [bn.RunningMean.Length];
        yield return SafeTensor.F32(bn.Name + ".running_mean", shape, bn.RunningMean);
        yield return SafeTensor.F32(bn.Name + ".running_var", shape, bn.RunningVar);
        yield return SafeTensor.I64Scalar(bn.Name + ".num_batches_tracked", bn.NumBatchesTracked);
    }
}

/// <summary>
/// fc1 Linear(784, 128) - ReLU - fc2 Linear(128, 64) - ReLU - fc3 Linear(64, 10) on the flattened image.
/// </summary>
internal sealed class MlpModel : IModel
{
    private readonly Linear _fc1;
    private readonly Relu _relu1 = new();
    private readonly Linear _fc2;
    private readonly Relu _relu2 = new();
    private readonly Linear _fc3;

    public MlpModel(Rng rng)
    {
        _fc1 = new Linear("fc1", 784, 128, reluAfter: true, inputGrad: false, rng);
        _fc2 = new Linear("fc2", 128, 64, reluAfter: true, inputGrad: true, rng);
        _fc3 = new Linear("fc3", 64, 10, reluAfter: false, inputGrad: true, rng);
        Parameters = [.. _fc1.Parameters, .. _fc2.Parameters, .. _fc3.Parameters];
    }

    public string Name => "mlp";

    public IReadOnlyList<Parameter> Parameters { get; }

    public int[] InputShape(int n) => [n, 784];

    public Tensor Forward(Tensor x, bool training)
    {
        Tensor h = _relu1.Forward(_fc1.Forward(x, training), training);
        h = _relu2.Forward(_fc2.Forward(h, training), training);
        return _fc3.Forward(h, training);
    }

    public void Backward(Tensor dLogits)
    {
        Tensor d = Required(_fc3.Backward(dLogits));
        d = Required(_fc2.Backward(_relu2.Backward(d)));
        _fc1.Backward(_relu1.Backward(d));
    }

    public IEnumerable<SafeTensor> StateDict() => ModelFactory.ParameterTensors(Parameters);

    private static Tensor Required(Tensor? t) => t ?? throw new InvalidOperationException("Missing input gradient.");
}

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

    public static readonly double[] T = new double[32];
    private static Tensor Time(int i, Func<Tensor> f) { long t0 = System.Diagnostics.Stopwatch.GetTimestamp(); var r = f(); T[i] += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds; return r; }
    public Tensor Forward(Tensor x, bool training)
    {
        Tensor c1 = Time(0, () => _conv1.Forward(x, training));
        Tensor b1 = Time(1, () => _bn1.Forward(c1, training));
        Tensor r1 = Time(2, () => _relu1.Forward(b1, training));
        Tensor p1 = Time(3, () => _pool1.Forward(r1, training));
        Tensor c2 = Time(4, () => _conv2.Forward(p1, training));
        Tensor b2 = Time(5, () => _bn2.Forward(c2, training));
        Tensor h = Time(2, () => _relu2.Forward(b2, training));
        Tensor c3 = Time(6, () => _conv3.Forward(h, training));
        Tensor b3 = Time(5, () => _bn3.Forward(c3, training));
        Tensor sum = Tensor.Reuse(ref _sum, b3.Shape);
        p1.Data.CopyTo(sum.Data, 0);
        Kernels.Add(b3.Data, sum.Data);
        Tensor r3 = Time(2, () => _relu3.Forward(sum, training));
        Tensor p2 = Time(3, () => _pool2.Forward(r3, training));
        return Time(7, () => _fc.Forward(p2.Reshape(p2.N, 16 * 7 * 7), training));
    }

    public void Backward(Tensor dLogits)
    {
        Tensor dFlat = Time(10, () => Required(_fc.Backward(dLogits)));
        Tensor dp2 = Time(11, () => _pool2.Backward(dFlat.Reshape(dFlat.N, 16, 7, 7)));
        Tensor dSum = Time(12, () => _relu3.Backward(dp2));
        Tensor dc3 = Time(13, () => _bn3.Backward(dSum));
        Tensor dr2 = Time(14, () => Required(_conv3.Backward(dc3)));
        Tensor db2 = Time(12, () => _relu2.Backward(dr2));
        Tensor dc2 = Time(13, () => _bn2.Backward(db2));
        Tensor dP1 = Time(15, () => Required(_conv2.Backward(dc2)));
        Kernels.Add(dSum.Data, dP1.Data);
        Tensor dr1 = Time(11, () => _pool1.Backward(dP1));
        Tensor db1 = Time(12, () => _relu1.Backward(dr1));
        Tensor dc1 = Time(16, () => _bn1.Backward(db1));
        Time(17, () => { _conv1.Backward(dc1); return dc1; });
    }

    public IEnumerable<SafeTensor> StateDict() =>
        ModelFactory.ParameterTensors(Parameters)
            .Concat(ModelFactory.BatchNormBuffers(_bn1))
            .Concat(ModelFactory.BatchNormBuffers(_bn2))
            .Concat(ModelFactory.BatchNormBuffers(_bn3));

    private static Tensor Required(Tensor? t) => t ?? throw new InvalidOperationException("Missing input gradient.");
}
