using System;

namespace MnistTrainer;

/// <summary>A trainable tensor and its gradient, named as in the PyTorch state_dict.</summary>
internal sealed class Parameter
{
    public Parameter(string name, int[] shape, bool weightDecay)
    {
        Name = name;
        Shape = shape;
        WeightDecay = weightDecay;
        int size = Tensor.Volume(shape);
        Value = new float[size];
        Grad = new float[size];
    }

    public string Name { get; }

    public int[] Shape { get; }

    /// <summary>Weights of conv/linear layers are decayed; biases and BatchNorm affine terms are not.</summary>
    public bool WeightDecay { get; }

    public float[] Value { get; }

    public float[] Grad { get; }

    public void ZeroGrad() => Array.Clear(Grad);
}
