using System;

namespace MnistTrainer;

/// <summary>A trainable tensor with its gradient and optimizer state, named as in the PyTorch state_dict.</summary>
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
        Velocity = new float[size];
    }

    public string Name { get; }

    public int[] Shape { get; }

    /// <summary>Weights of conv/linear layers are decayed; biases and BatchNorm affine terms are not.</summary>
    public bool WeightDecay { get; }

    public float[] Value { get; }

    public float[] Grad { get; }

    public float[] Velocity { get; }

    public void ZeroGrad() => Array.Clear(Grad);
}
