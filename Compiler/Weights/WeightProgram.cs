using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;

namespace ModelCompiler.Weights;

/// <summary>How one packed weight tensor is made from the tensors of the weights file: an expression whose
/// leaves load source tensors and whose root encodes the result in the kernel's element type and layout.
/// It depends only on the declaration and the passes (never on weight values), so the generator and the
/// weight-linking task build the same program; the build task runs it (<see cref="WeightProgramRunner"/>), the
/// interpreter decodes its output back to canonical floats, and the layout hash covers its text.
/// Intermediate values are computed in double precision and rounded once, when encoded.</summary>
public abstract record WeightExpr
{
    /// <summary>Canonical (PyTorch-layout) shape of the tensor this expression computes.</summary>
    public abstract EquatableArray<int> Shape { get; }

    public abstract IEnumerable<WeightExpr> Children { get; }

    public long Count => Shape.Aggregate(1L, (p, d) => checked(p * d));

    /// <summary>Every tensor of the weights file this expression reads.</summary>
    public IEnumerable<LoadTensor> Sources => this is LoadTensor load ? [load] : Children.SelectMany(c => c.Sources);

    protected static string ShapeText(EquatableArray<int> shape) => "[" + string.Join(",", shape) + "]";
}

/// <summary>A tensor of the weights file, read as floats (F32, F16 and BF16 files alike).</summary>
public sealed record LoadTensor(string Name, EquatableArray<int> TensorShape) : WeightExpr
{
    public override EquatableArray<int> Shape => TensorShape;

    public override IEnumerable<WeightExpr> Children => [];

    public override string ToString() => "load(" + Name + " " + ShapeText(Shape) + ")";
}

/// <summary>A tensor of zeros (the bias of a convolution declared without one, once a BatchNorm is folded in).</summary>
public sealed record ZeroTensor(EquatableArray<int> TensorShape) : WeightExpr
{
    public override EquatableArray<int> Shape => TensorShape;

    public override IEnumerable<WeightExpr> Children => [];

    public override string ToString() => "zeros(" + ShapeText(Shape) + ")";
}

/// <summary>BatchNorm's per-channel scale: gamma / sqrt(running_var + eps).</summary>
public sealed record BatchNormScale(WeightExpr Gamma, WeightExpr Variance, float Epsilon) : WeightExpr
{
    public override EquatableArray<int> Shape => Gamma.Shape;

    public override IEnumerable<WeightExpr> Children => [Gamma, Variance];

    public override string ToString() => "bn_scale(" + Gamma + ", " + Variance + ", eps=" + Epsilon.ToString("R", CultureInfo.InvariantCulture) + ")";
}

/// <summary>BatchNorm's per-channel shift: beta - running_mean * scale.</summary>
public sealed record BatchNormShift(WeightExpr Beta, WeightExpr Mean, WeightExpr Scale) : WeightExpr
{
    public override EquatableArray<int> Shape => Beta.Shape;

    public override IEnumerable<WeightExpr> Children => [Beta, Mean, Scale];

    public override string ToString() => "bn_shift(" + Beta + ", " + Mean + ", " + Scale + ")";
}

/// <summary>x[o, ...] * scale[o] + shift[o] (shift optional): folds a per-output-channel affine into weights or bias.</summary>
public sealed record ScaleRows(WeightExpr X, WeightExpr Scale, WeightExpr? Shift) : WeightExpr
{
    public override EquatableArray<int> Shape => X.Shape;

    public override IEnumerable<WeightExpr> Children => Shift is null ? [X, Scale] : [X, Scale, Shift];

    public override string ToString() => "scale_rows(" + X + ", " + Scale + (Shift is null ? string.Empty : ", " + Shift) + ")";
}

/// <summary>The root of every program: the tensor stored as <see cref="DataType"/> in <see cref="Layout"/>.
/// F32 dense is a plain copy; the packed layouts and quantized types of the kernels to come are more encodings.</summary>
public sealed record Encode(WeightExpr X, DataType DataType, TensorLayout Layout) : WeightExpr
{
    public override EquatableArray<int> Shape => X.Shape;

    public override IEnumerable<WeightExpr> Children => [X];

    /// <summary>Bytes of the encoded tensor.</summary>
    public long Bytes => DataType.ByteCount(Count);

    public static Encode Float32(WeightExpr x) => new(x, DataType.F32, TensorLayout.Dense);

    public override string ToString() => "encode(" + X + ", " + DataType + ", " + Layout + ")";
}

/// <summary>One weight tensor of a node: its role for the kernel ("weight", "bias", "scale", "shift") and its program.</summary>
public sealed record NodeWeight(string Role, Encode Program)
{
    public TensorType Type => new(Program.DataType, new Shape(Program.Shape.Select(d => (long)d).ToArray()), Program.Layout);
}
