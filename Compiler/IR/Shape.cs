using System;
using System.Linq;

namespace ModelCompiler.IR;

/// <summary>A per-sample tensor shape (the batch dimension is a run-time argument):
/// rank 1 [features] or rank 3 [channels, height, width], NCHW as in PyTorch.</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    public Shape(params int[] dims) => _dims = (int[])dims.Clone();

    public int Rank => _dims.Length;

    public int this[int index] => _dims[index];

    public int C => _dims[0];

    public int H => _dims[1];

    public int W => _dims[2];

    public int Size => _dims.Aggregate(1, (a, b) => a * b);

    public int[] ToArray() => (int[])_dims.Clone();

    public bool Equals(Shape? other) => other is not null && _dims.SequenceEqual(other._dims);

    public override bool Equals(object? obj) => Equals(obj as Shape);

    public override int GetHashCode() => _dims.Aggregate(17, (h, d) => (h * 31) + d);

    /// <summary>Written like PyTorch prints sizes, with the batch dimension shown as N.</summary>
    public override string ToString() => "[N, " + string.Join(", ", _dims) + "]";
}
