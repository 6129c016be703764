using ModelCompiler.IR;

namespace ModelCompiler.Ops;

/// <summary>A sliding window along one spatial axis (convolution and pooling): the input and output extents,
/// the zero padding before and after, and the kernel size, stride and dilation.</summary>
public sealed record WindowAxis(Dim Input, Dim Output, Dim PadBefore, Dim PadAfter, int Kernel, int Stride, int Dilation)
{
    /// <summary>Input positions one window covers: dilation * (kernel - 1) + 1.</summary>
    public long Extent => ((long)Dilation * (Kernel - 1)) + 1;

    /// <summary>Explicit padding: out = floor((in + before + after - extent) / stride) + 1.</summary>
    public static WindowAxis Explicit(Dim input, int kernel, int stride, int dilation, int before, int after)
    {
        long extent = ((long)dilation * (kernel - 1)) + 1;
        Dim output = Dim.FloorDiv(input + before + after - extent, stride) + 1;
        return new WindowAxis(input, output, before, after, kernel, stride, dilation);
    }

    /// <summary>"same" padding (TensorFlow's SAME, ONNX's SAME_UPPER, PyTorch's padding="same"): out = ceil(in / stride),
    /// with the total padding split evenly and any odd one on the end (or on the start, <paramref name="lower"/>:
    /// ONNX's SAME_LOWER).</summary>
    public static WindowAxis Same(Dim input, int kernel, int stride, int dilation, bool lower)
    {
        long extent = ((long)dilation * (kernel - 1)) + 1;
        Dim output = Dim.CeilDiv(input, stride);
        Dim total = Dim.Max(((output - 1) * stride) + extent - input, Dim.Zero);
        Dim before = lower ? Dim.CeilDiv(total, 2) : Dim.FloorDiv(total, 2);
        return new WindowAxis(input, output, before, total - before, kernel, stride, dilation);
    }

    /// <summary>Whether the padded input is shorter than one window (known only for constant sizes).</summary>
    public bool KnownTooSmall => (Input + PadBefore + PadAfter).IsConstant && (Input + PadBefore + PadAfter).Value < Extent;
}
