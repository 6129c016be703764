using System;
using ModelCompiler.Common;

namespace ModelCompiler.IR;

/// <summary>How a tensor's elements are ordered in memory. <see cref="Dense"/> is row-major in the shape's
/// order (NCHW for activations, PyTorch's layout for weights); other layouts are named by the step that makes
/// them (a kernel's panel layout), with its parameters.</summary>
public sealed record TensorLayout(string Name, EquatableArray<int> Parameters)
{
    public static readonly TensorLayout Dense = new("dense", EquatableArray<int>.Empty);

    public override string ToString() => Parameters.IsEmpty ? Name : Name + "(" + string.Join(",", Parameters) + ")";
}

/// <summary>A tensor's element type, shape and layout.</summary>
public sealed record TensorType(DataType DataType, Shape Shape, TensorLayout Layout)
{
    public static TensorType Float32(Shape shape) => new(DataType.F32, shape, TensorLayout.Dense);

    /// <summary>Bytes per sample for an activation, or in total for a weight; open sizes make it a formula.</summary>
    public Dim Bytes => DataType.Bits % 8 == 0 ? Shape.Size * (DataType.Bits / 8) : Dim.CeilDiv(Shape.Size * DataType.Bits, 8);

    public override string ToString() => DataType + Shape.ToString() + (Layout == TensorLayout.Dense ? string.Empty : " " + Layout);
}
