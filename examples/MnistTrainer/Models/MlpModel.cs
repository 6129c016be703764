using System;
using System.Collections.Generic;
using MnistTrainer.Layers;

namespace MnistTrainer.Models;

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
