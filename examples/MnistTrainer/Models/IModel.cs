using System;
using System.Collections.Generic;
using System.Linq;
using MnistTrainer.Layers;

namespace MnistTrainer.Models;

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
