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
    public IEnumerable<LoadTensor> Sources => Steps<LoadTensor>();

    /// <summary>Every step of type <typeparamref name="T"/> in this expression, outermost first.</summary>
    public IEnumerable<T> Steps<T>()
        where T : WeightExpr =>
        (this is T step ? [step] : Enumerable.Empty<T>()).Concat(Children.SelectMany(c => c.Steps<T>()));

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

/// <summary>The channels <see cref="Indices"/> of <see cref="X"/> along <see cref="Axis"/>, in that order (structured
/// pruning keeps a subset; ordering by importance makes every prefix a valid smaller variant).</summary>
public sealed record SelectChannels(WeightExpr X, int Axis, EquatableArray<int> Indices) : WeightExpr
{
    public override EquatableArray<int> Shape => X.Shape.Select((d, i) => i == Axis ? Indices.Count : d).ToEquatableArray();

    public override IEnumerable<WeightExpr> Children => [X];

    public override string ToString() => "select(" + X + ", axis=" + Axis.ToString(CultureInfo.InvariantCulture) + ", [" + string.Join(",", Indices) + "])";
}

/// <summary>One tensor whose slices along <see cref="Axis"/> belong to a channel group: the group's channel c is
/// indices [<see cref="Offset"/> + c·<see cref="Repeat"/>, <see cref="Offset"/> + (c+1)·<see cref="Repeat"/>) of that axis
/// (a Linear after a Flatten sees each channel as Repeat = H·W features).</summary>
public sealed record ImportanceSource(WeightExpr X, int Axis, int Offset, int Repeat)
{
    public override string ToString() => X + " axis " + Axis.ToString(CultureInfo.InvariantCulture)
        + (Offset == 0 ? string.Empty : " @" + Offset.ToString(CultureInfo.InvariantCulture))
        + (Repeat == 1 ? string.Empty : " x" + Repeat.ToString(CultureInfo.InvariantCulture));
}

/// <summary>Channels pruned together (structured pruning): the output channels of the layers that produce them and
/// every channel coupled to those (BatchNorm, residual Add, Concat offsets, Flatten). <see cref="Keep"/> of its
/// <see cref="Size"/> channels survive: the most important by <see cref="Criterion"/> over <see cref="Sources"/>,
/// ordered by importance, so that every prefix is itself a valid smaller selection. The count depends on the
/// declaration; which channels, on the weights (the build task ranks them).</summary>
public sealed record ChannelGroup(string Id, int Size, int Keep, string Criterion, EquatableArray<ImportanceSource> Sources)
{
    public override string ToString() => Id + " " + Keep.ToString(CultureInfo.InvariantCulture) + "/" + Size.ToString(CultureInfo.InvariantCulture) + " " + Criterion;
}

/// <summary>A run of <see cref="Count"/> channels of an axis, each <see cref="Repeat"/> consecutive indices wide:
/// a pruned group's channels when <see cref="Group"/> is set (then Count is the group's size), else channels kept as
/// they are.</summary>
public sealed record ChannelSegment(ChannelGroup? Group, int Count, int Repeat)
{
    /// <summary>Indices of the axis this segment keeps.</summary>
    public int Kept => (Group?.Keep ?? Count) * Repeat;

    public override string ToString() => (Group is null ? "all " + Count.ToString(CultureInfo.InvariantCulture) : Group.ToString())
        + (Repeat == 1 ? string.Empty : " x" + Repeat.ToString(CultureInfo.InvariantCulture));
}

/// <summary>The indices of <see cref="X"/> along <see cref="Axis"/> that the channel groups of <see cref="Segments"/>
/// keep, segment after segment (structured pruning). Which indices is decided from the weights when the program runs
/// (<see cref="WeightProgramRunner.Ranking"/>); how many, here.</summary>
public sealed record SelectKept(WeightExpr X, int Axis, EquatableArray<ChannelSegment> Segments) : WeightExpr
{
    public override EquatableArray<int> Shape => X.Shape.Select((d, i) => i == Axis ? Segments.Sum(s => s.Kept) : d).ToEquatableArray();

    public override IEnumerable<WeightExpr> Children => [X];

    public override string ToString() => "select_kept(" + X + ", axis=" + Axis.ToString(CultureInfo.InvariantCulture) + ", [" + string.Join(", ", Segments) + "])";
}

/// <summary>A pruned layer's tensor refitted on calibration data (weight reformation): the least-squares solution that
/// makes the layer, reading the pruned network's activations, reproduce the unpruned layer's output. <see cref="X"/> is
/// the tensor before the refit (its shape, and the starting point); the refitted values depend on the whole network and
/// the calibration inputs, so the build task computes them (<see cref="Linking.Reformation"/>) and serves them as the
/// source tensor <see cref="SourceName"/>.</summary>
public sealed record Reformed(string Layer, string Role, WeightExpr X) : WeightExpr
{
    public override EquatableArray<int> Shape => X.Shape;

    public override IEnumerable<WeightExpr> Children => [X];

    /// <summary>The name the refitted tensor is served under; no safetensors name can take this form.</summary>
    public string SourceName => "@reformed/" + Layer + "." + Role;

    public override string ToString() => "reformed(" + X + ")";
}

/// <summary>The layouts a tensor can be encoded in. Rows are dimension 0 of the canonical shape (output channels or
/// features), K the product of the others.</summary>
public static class WeightLayouts
{
    /// <summary>Row-major in the canonical shape.</summary>
    public const string Dense = "dense";

    /// <summary>Panels of <c>mr</c> rows for a GEMM microkernel: [ceil(rows / mr)][K][mr], the last panel zero-padded
    /// (parameter: mr).</summary>
    public const string Panel = "panel";

    /// <summary>Symmetric integers with one float32 scale per row: the rows' scales, then each row's values packed
    /// tightly (two's complement, least significant bits first) and padded to a whole byte.</summary>
    public const string RowScaled = "row-scaled";

    /// <summary>A 3×3 convolution's weights [out, in, 3, 3] transformed for Winograd's F(m×m, 3×3) (parameters: m, 2 or
    /// 4, and mr): U = G·g·Gᵀ of every (out, in) filter, stored as (m+2)² matrices [out × in], one per frequency
    /// (row-major over the (m+2)×(m+2) points), each in panels of <c>mr</c> rows as <see cref="Panel"/> lays them out:
    /// [(m+2)²][ceil(out / mr)][in][mr], the last panel of each zero-padded. F32 only.</summary>
    public const string Winograd = "winograd";

    public static TensorLayout PanelOf(int rows) => new(Panel, EquatableArray.Create(rows));

    public static TensorLayout WinogradOf(int tile, int panelRows) => new(Winograd, EquatableArray.Create(tile, panelRows));

    public static readonly TensorLayout RowScaledLayout = new(RowScaled, EquatableArray<int>.Empty);
}

/// <summary>The root of every program: the tensor stored as <see cref="DataType"/> in <see cref="Layout"/>: F32,
/// F16 or BF16 dense; F32 in a kernel's panel layout or transformed for Winograd; 2..8-bit integers with per-row
/// scales.</summary>
public sealed record Encode(WeightExpr X, DataType DataType, TensorLayout Layout) : WeightExpr
{
    public override EquatableArray<int> Shape => X.Shape;

    public override IEnumerable<WeightExpr> Children => [X];

    /// <summary>Rows (dimension 0) of the tensor.</summary>
    public int Rows => Shape.Count == 0 ? 1 : Shape[0];

    /// <summary>Elements per row.</summary>
    public long RowLength => Rows == 0 ? 0 : Count / Rows;

    /// <summary>Bytes of the encoded tensor, scales and padding included.</summary>
    public long Bytes => Layout.Name switch
    {
        WeightLayouts.Panel => DataType.ByteCount(checked((Rows + Layout.Parameters[0] - 1) / Layout.Parameters[0] * Layout.Parameters[0] * RowLength)),
        WeightLayouts.RowScaled => checked((4L * Rows) + (Rows * DataType.ByteCount(RowLength))),
        WeightLayouts.Winograd => DataType.ByteCount(checked((long)WinogradFilter.Points(Layout.Parameters[0]) * WinogradFilter.Points(Layout.Parameters[0])
            * ((Rows + Layout.Parameters[1] - 1) / Layout.Parameters[1] * Layout.Parameters[1]) * (RowLength / 9))),
        _ => DataType.ByteCount(Count),
    };

    public static Encode Float32(WeightExpr x) => new(x, DataType.F32, TensorLayout.Dense);

    /// <summary>The stored tensor's type as text: element type, canonical dimensions (a weight has no batch axis) and
    /// any layout other than dense, e.g. <c>f32[64, 3, 3, 3] panel(6)</c>.</summary>
    public string TypeText => DataType + "[" + string.Join(", ", Shape) + "]" + (Layout == TensorLayout.Dense ? string.Empty : " " + Layout);

    public override string ToString() => "encode(" + X + ", " + DataType + ", " + Layout + ")";
}

/// <summary>One weight tensor of a node: its role for the kernel ("weight", "bias", "scale", "shift") and its program.</summary>
public sealed record NodeWeight(string Role, Encode Program);
