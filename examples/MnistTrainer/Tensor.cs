using System;

namespace MnistTrainer;

/// <summary>Dense row-major float tensor: [N, C, H, W] for images, [N, F] for vectors.</summary>
internal sealed class Tensor
{
    public Tensor(params int[] shape)
        : this(new float[Volume(shape)], shape)
    {
    }

    private Tensor(float[] data, int[] shape)
    {
        Data = data;
        Shape = shape;
    }

    public float[] Data { get; }

    public int[] Shape { get; }

    /// <summary>Batch size (first dimension).</summary>
    public int N => Shape[0];

    /// <summary>Number of elements per sample.</summary>
    public int SampleSize => Data.Length / Shape[0];

    /// <summary>Same storage, new shape (e.g. flatten [N,C,H,W] to [N,C*H*W]; NCHW order is what PyTorch's flatten gives).</summary>
    public Tensor Reshape(params int[] shape)
    {
        if (Volume(shape) != Data.Length)
        {
            throw new ArgumentException("Reshape must keep the number of elements.", nameof(shape));
        }

        return new Tensor(Data, shape);
    }

    /// <summary>
    /// Returns <paramref name="cache"/> when it already has this shape, else a new tensor stored there.
    /// Layers use it for their output buffers so a training step does not allocate megabytes.
    /// Contents are stale: callers overwrite or clear.
    /// </summary>
    public static Tensor Reuse(ref Tensor? cache, params int[] shape)
    {
        if (cache is null || !cache.Shape.AsSpan().SequenceEqual(shape))
        {
            cache = new Tensor(shape);
        }

        return cache;
    }

    public static int Volume(int[] shape)
    {
        int v = 1;
        foreach (int d in shape)
        {
            v = checked(v * d);
        }

        return v;
    }

    /// <summary>Grows a scratch array to at least <paramref name="size"/> elements (contents unspecified).</summary>
    public static float[] Ensure(ref float[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            buffer = new float[size];
        }

        return buffer;
    }
}
