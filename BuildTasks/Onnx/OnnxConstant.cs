using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelCompiler.IR;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>A tensor whose value the importer knows at build time: an initializer, a Constant node's value, or the
/// result of folding ops over those (the shape arithmetic exporters emit). Floating-point tensors keep their values as
/// float (weights stay bit-exact); integer and boolean tensors as long. An integer element may instead be a size that
/// is only known at run time (<see cref="Symbols"/>): the batch, or an open height or width, as Shape of an activation
/// yields them; they pass through Gather, Concat, Unsqueeze and the like, and Reshape understands them.</summary>
internal sealed class OnnxConstant
{
    private OnnxConstant(long[] shape, float[]? floats, long[]? ints, object?[]? symbols)
    {
        Shape = shape;
        Floats = floats;
        Ints = ints;
        Symbols = symbols;
    }

    /// <summary>The batch dimension in a folded shape.</summary>
    public static readonly object Batch = new BatchSymbol();

    public long[] Shape { get; }

    /// <summary>The values of a floating-point tensor, row-major.</summary>
    public float[]? Floats { get; }

    /// <summary>The values of an integer or boolean tensor, row-major.</summary>
    public long[]? Ints { get; }

    /// <summary>Per element of <see cref="Ints"/>: null for a known value, <see cref="Batch"/>, or a <see cref="Dim"/>
    /// (an open height or width). Null when every element is known.</summary>
    public object?[]? Symbols { get; }

    public bool IsFloat => Floats is not null;

    public int Rank => Shape.Length;

    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    public bool HasSymbols => Symbols is not null && Symbols.Any(s => s is not null);

    public static OnnxConstant FromFloats(long[] shape, float[] values) => new(shape, values, null, null);

    public static OnnxConstant FromInts(long[] shape, long[] values, object?[]? symbols = null) =>
        new(shape, null, values, symbols is not null && symbols.Any(s => s is not null) ? symbols : null);

    public static OnnxConstant Scalar(float value) => FromFloats([], [value]);

    public object? SymbolAt(long i) => Symbols?[i];

    /// <summary>Element i as a double (integer tensors converted).</summary>
    public double At(long i) => Floats is not null ? Floats[i] : Ints![i];

    /// <summary>The values as doubles; null when an element is a symbol.</summary>
    public double[]? Doubles() => HasSymbols ? null : Floats is not null ? Floats.Select(f => (double)f).ToArray() : Ints!.Select(v => (double)v).ToArray();

    /// <summary>The values of an integer tensor without symbols; null otherwise.</summary>
    public long[]? KnownInts() => Ints is not null && !HasSymbols ? Ints : null;

    /// <summary>The values as float32 (integer tensors converted); null when an element is a symbol.</summary>
    public float[]? AsFloats() => Floats ?? (HasSymbols ? null : Ints!.Select(v => (float)v).ToArray());

    /// <summary>The one value of a tensor with one element, or null.</summary>
    public double? SingleValue() => Count == 1 && SymbolAt(0) is null ? At(0) : null;

    public OnnxConstant WithShape(long[] shape) => new(shape, Floats, Ints, Symbols);

    /// <summary>Elements picked by index (row-major positions into this tensor), as a tensor of <paramref name="shape"/>.</summary>
    public OnnxConstant Pick(long[] shape, long[] positions) => Floats is not null
        ? FromFloats(shape, positions.Select(p => Floats[p]).ToArray())
        : FromInts(shape, positions.Select(p => Ints![p]).ToArray(), Symbols is null ? null : positions.Select(p => Symbols[p]).ToArray());

    public static long[] Strides(long[] shape)
    {
        long[] strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }

        return strides;
    }

    public override string ToString()
    {
        const int Shown = 8;
        IEnumerable<string> items = Enumerable.Range(0, (int)Math.Min(Count, Shown)).Select(i =>
            SymbolAt(i) is { } s ? s.ToString()! : Floats is not null ? Floats[i].ToString("R", CultureInfo.InvariantCulture) : Ints![i].ToString(CultureInfo.InvariantCulture));
        return "[" + string.Join(", ", items) + (Count > Shown ? ", ..." : string.Empty) + "]";
    }

    private sealed class BatchSymbol
    {
        public override string ToString() => "N";
    }
}
