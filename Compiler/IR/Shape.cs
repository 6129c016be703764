using System;
using System.Linq;

namespace ModelCompiler.IR;

/// <summary>A per-sample tensor shape (the batch dimension is a run-time argument): rank 1 [features] or
/// rank 3 [channels, height, width], NCHW as in PyTorch. Dimensions may be open (<see cref="Dim"/>), e.g.
/// [64, H, W] for a model whose input size is chosen at run time.</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly Dim[] _dims;

    public Shape(params Dim[] dims) => _dims = (Dim[])dims.Clone();

    public Shape(params long[] dims) => _dims = dims.Select(Dim.Constant).ToArray();

    public int Rank => _dims.Length;

    public Dim this[int index] => _dims[index];

    public Dim C => _dims[0];

    public Dim H => _dims[1];

    public Dim W => _dims[2];

    /// <summary>Elements per sample.</summary>
    public Dim Size => Dim.Product(_dims);

    public bool IsConstant => _dims.All(d => d.IsConstant);

    public Dim[] ToArray() => (Dim[])_dims.Clone();

    /// <summary>The dimensions at a concrete input size; throws for a dimension that overflows.</summary>
    public long[] Evaluate(long height, long width) => _dims.Select(d => d.Evaluate(height, width)).ToArray();

    /// <summary>The dimensions of a shape with no open dimension.</summary>
    public long[] Constants() => _dims.Select(d => d.Value).ToArray();

    public bool Equals(Shape? other) => other is not null && _dims.SequenceEqual(other._dims);

    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode() => _dims.Aggregate(17, (h, d) => (h * 31) + d.GetHashCode());

    /// <summary>Written like PyTorch prints sizes, with the batch dimension shown as N.</summary>
    public override string ToString() => "[N, " + string.Join(", ", _dims.Select(d => d.ToString())) + "]";
}
