using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.IR;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>Constant folding: Constant nodes, Shape of an activation (the batch and an open height or width stay
/// symbols), and the ops exporters apply to shapes and weights (Gather, Concat, Unsqueeze, Cast, arithmetic, ...).</summary>
internal sealed partial class GraphImporter
{
    /// <summary>The largest tensor constant folding makes (a malformed shape must not exhaust memory).</summary>
    private const long MaxFoldedElements = 1L << 26;

    private void ImportConstant(NodeProto node)
    {
        AttributeProto? a = node.Attribute.FirstOrDefault();
        OnnxConstant? value = null;
        try
        {
            value = a?.Name switch
            {
                "value" => OnnxTensors.Decode(a.T, _baseDirectory),
                "value_float" => OnnxConstant.Scalar(a.F),
                "value_floats" => OnnxConstant.FromFloats([a.Floats.Count], a.Floats.ToArray()),
                "value_int" => OnnxConstant.FromInts([], [a.I]),
                "value_ints" => OnnxConstant.FromInts([a.Ints.Count], a.Ints.ToArray()),
                _ => null,
            };
        }
        catch (InvalidDataException e)
        {
            Unmapped(node, "its value cannot be read: " + e.Message, "export the model again");
            return;
        }

        if (value is null)
        {
            AttributeUnsupported(node, "its value", "'" + (a?.Name ?? "missing") + "'", "a Constant imports with a dense tensor, float, floats, int or ints value");
            return;
        }

        Set(node, 0, new Const(value));
    }

    private void ImportShape(NodeProto node)
    {
        Val? v = Input(node, 0);
        long[] dims;
        object?[] symbols;
        switch (v)
        {
            case Const c:
                dims = c.Value.Shape;
                symbols = new object?[dims.Length];
                break;
            case Act or Pending:
            {
                int[] shape = v is Act a ? a.Shape : ((Pending)v).Shape;
                dims = [0, .. shape.Select(d => (long)Math.Max(d, 0))];
                symbols = [OnnxConstant.Batch, .. shape.Select((d, i) => d >= 0 ? null : (object)(i == 1 ? Dim.Height : Dim.Width))];
                break;
            }

            default:
                SetFailed(node);
                return;
        }

        long start = AttrInt(node, "start", 0), end = AttrInt(node, "end", dims.Length);
        int Clamp(long i) => (int)Math.Max(0, Math.Min(dims.Length, i < 0 ? i + dims.Length : i));
        int from = Clamp(start), to = Math.Max(from, Clamp(end));
        Set(node, 0, new Const(OnnxConstant.FromInts([to - from], dims.Skip(from).Take(to - from).ToArray(), symbols.Skip(from).Take(to - from).ToArray())));
    }

    private void Fold(NodeProto node)
    {
        OnnxConstant[] inputs = node.Input.Select(i => i.Length == 0 ? null! : ((Const)_values[i]).Value).ToArray();
        OnnxConstant? result;
        try
        {
            result = FoldOp(node, inputs);
        }
        catch (Exception e) when (e is InvalidDataException or IndexOutOfRangeException or ArgumentException or OverflowException or DivideByZeroException)
        {
            Unmapped(node, "its constant inputs cannot be folded: " + e.Message, "export the model with constant folding on (torch.onnx.export(do_constant_folding=True), or onnxsim)");
            return;
        }

        if (result is null)
        {
            Unsupported(node, "it computes a constant the importer cannot fold (the op, or a symbol such as the batch size, is not handled); "
                + "export the model with constant folding on (torch.onnx.export(do_constant_folding=True), or onnxsim)");
            return;
        }

        Set(node, 0, new Const(result));
    }

    private OnnxConstant? FoldOp(NodeProto node, OnnxConstant[] x)
    {
        switch (node.OpType)
        {
            case "Identity":
            case "Dropout":
                return x[0];
            case "Cast":
            {
                int to = (int)AttrInt(node, "to", OnnxTensors.Float);
                if (OnnxTensors.IsFloatType(to))
                {
                    return x[0].AsFloats() is { } f ? OnnxConstant.FromFloats(x[0].Shape, f) : null;
                }

                return x[0].IsFloat ? OnnxConstant.FromInts(x[0].Shape, x[0].Floats!.Select(v => (long)v).ToArray()) : x[0];
            }

            case "Reshape":
            {
                long[]? shape = x.Length > 1 ? x[1].KnownInts() : AttrInts(node, "shape");
                if (shape is null)
                {
                    return null;
                }

                long[] resolved = shape.Select((d, i) => d == 0 && AttrInt(node, "allowzero", 0) == 0 ? x[0].Shape[i] : d).ToArray();
                int infer = Array.IndexOf(resolved, -1L);
                if (infer >= 0)
                {
                    resolved[infer] = x[0].Count / resolved.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
                }

                return resolved.Aggregate(1L, (a, d) => a * d) == x[0].Count ? x[0].WithShape(resolved) : throw new ArgumentException("the shape " + List(shape) + " does not fit " + x[0].Count + " elements");
            }

            case "Flatten":
            {
                long axis = AttrInt(node, "axis", 1);
                axis = axis < 0 ? axis + x[0].Rank : axis;
                long outer = x[0].Shape.Take((int)axis).Aggregate(1L, (a, d) => a * d);
                return x[0].WithShape([outer, x[0].Count / Math.Max(outer, 1)]);
            }

            case "Unsqueeze":
            {
                long[]? axes = AttrInts(node, "axes") ?? (x.Length > 1 ? x[1].KnownInts() : null);
                if (axes is null)
                {
                    return null;
                }

                int rank = x[0].Rank + axes.Length;
                var normalized = new HashSet<long>(axes.Select(a => a < 0 ? a + rank : a));
                var shape = new List<long>();
                int source = 0;
                for (int i = 0; i < rank; i++)
                {
                    shape.Add(normalized.Contains(i) ? 1 : x[0].Shape[source++]);
                }

                return x[0].WithShape(shape.ToArray());
            }

            case "Squeeze":
            {
                long[]? axes = AttrInts(node, "axes") ?? (x.Length > 1 && x[1] is not null ? x[1].KnownInts() : null);
                var normalized = new HashSet<long>((axes ?? Enumerable.Range(0, x[0].Rank).Where(i => x[0].Shape[i] == 1).Select(i => (long)i)).Select(a => a < 0 ? a + x[0].Rank : a));
                return x[0].WithShape(x[0].Shape.Where((d, i) => !normalized.Contains(i)).ToArray());
            }

            case "Concat":
            {
                if (x.Any(c => c.Rank != 1) || x.Any(c => c.IsFloat != x[0].IsFloat))
                {
                    return null;
                }

                long count = x.Sum(c => c.Count);
                return x[0].IsFloat
                    ? OnnxConstant.FromFloats([count], x.SelectMany(c => c.Floats!).ToArray())
                    : OnnxConstant.FromInts([count], x.SelectMany(c => c.Ints!).ToArray(), x.SelectMany(c => c.Symbols ?? new object?[c.Count]).ToArray());
            }

            case "Gather":
            {
                long axis = AttrInt(node, "axis", 0);
                long[]? indices = x[1].KnownInts();
                if (indices is null || (axis != 0 && !(axis == -1 && x[0].Rank == 1)))
                {
                    return null;
                }

                long rows = x[0].Shape[0], row = x[0].Count / Math.Max(rows, 1);
                long[] positions = indices.Select(i => i < 0 ? i + rows : i)
                    .SelectMany(i => i < 0 || i >= rows ? throw new ArgumentException("index " + i + " is out of range") : Enumerable.Range(0, (int)row).Select(j => (i * row) + j)).ToArray();
                return x[0].Pick([.. x[1].Shape, .. x[0].Shape.Skip(1)], positions);
            }

            case "Slice":
                return Slice(node, x);
            case "Transpose":
            {
                long[] perm = AttrInts(node, "perm") ?? Enumerable.Range(0, x[0].Rank).Reverse().Select(i => (long)i).ToArray();
                long[] shape = perm.Select(p => x[0].Shape[p]).ToArray();
                long[] inStrides = OnnxConstant.Strides(x[0].Shape), outStrides = OnnxConstant.Strides(shape);
                var positions = new long[x[0].Count];
                for (long i = 0; i < positions.Length; i++)
                {
                    long source = 0, rest = i;
                    for (int d = 0; d < shape.Length; d++)
                    {
                        source += rest / outStrides[d] * inStrides[perm[d]];
                        rest %= outStrides[d];
                    }

                    positions[i] = source;
                }

                return x[0].Pick(shape, positions);
            }

            case "ConstantOfShape":
            {
                long[]? shape = x[0].KnownInts();
                if (shape is null)
                {
                    return null;
                }

                OnnxConstant fill = Attr(node, "value") is { } a ? OnnxTensors.Decode(a.T, _baseDirectory) : OnnxConstant.Scalar(0);
                long count = shape.Aggregate(1L, (p, d) => checked(p * d));
                if (count > MaxFoldedElements || shape.Any(d => d < 0))
                {
                    throw new ArgumentException("the shape " + List(shape) + " is negative or larger than the importer folds");
                }

                return fill.IsFloat
                    ? OnnxConstant.FromFloats(shape, Enumerable.Repeat(fill.Floats![0], (int)count).ToArray())
                    : OnnxConstant.FromInts(shape, Enumerable.Repeat(fill.Ints![0], (int)count).ToArray());
            }

            case "Add":
            case "Sub":
            case "Mul":
            case "Div":
                return Arithmetic(node.OpType, x[0], x[1]);
            case "Sqrt":
            case "Reciprocal":
            case "Neg":
                return x[0].AsFloats() is { } values
                    ? OnnxConstant.FromFloats(x[0].Shape, values.Select(v => node.OpType switch { "Sqrt" => (float)Math.Sqrt(v), "Reciprocal" => 1 / v, _ => -v }).ToArray())
                    : null;
            default:
                return null;
        }
    }

    /// <summary>Elementwise arithmetic with numpy broadcasting of a scalar (one element) against any shape, or of two
    /// tensors of one shape. Integer tensors stay integers (Div truncates, as ONNX does); symbols do not fold.</summary>
    private static OnnxConstant? Arithmetic(string op, OnnxConstant a, OnnxConstant b)
    {
        if (a.HasSymbols || b.HasSymbols)
        {
            return null;
        }

        long[] shape = a.Count == 1 && b.Rank >= a.Rank ? b.Shape : b.Count == 1 && a.Rank >= b.Rank ? a.Shape : a.Shape.SequenceEqual(b.Shape) ? a.Shape : null!;
        if (shape is null)
        {
            return null;
        }

        long count = shape.Aggregate(1L, (p, d) => p * d);
        double A(long i) => a.At(a.Count == 1 ? 0 : i);
        double B(long i) => b.At(b.Count == 1 ? 0 : i);
        if (a.IsFloat || b.IsFloat)
        {
            var result = new float[count];
            for (long i = 0; i < count; i++)
            {
                float x = (float)A(i), y = (float)B(i);
                result[i] = op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, _ => x / y };
            }

            return OnnxConstant.FromFloats(shape, result);
        }

        var ints = new long[count];
        for (long i = 0; i < count; i++)
        {
            long x = a.Ints![a.Count == 1 ? 0 : i], y = b.Ints![b.Count == 1 ? 0 : i];
            ints[i] = op switch { "Add" => x + y, "Sub" => x - y, "Mul" => x * y, _ => x / y };
        }

        return OnnxConstant.FromInts(shape, ints);
    }

    private OnnxConstant? Slice(NodeProto node, OnnxConstant[] x)
    {
        long[]? starts, ends, axes, steps;
        if (_opset < 10)
        {
            starts = AttrInts(node, "starts");
            ends = AttrInts(node, "ends");
            axes = AttrInts(node, "axes");
            steps = null;
        }
        else
        {
            starts = x[1].KnownInts();
            ends = x[2].KnownInts();
            axes = x.Length > 3 && x[3] is not null ? x[3].KnownInts() : null;
            steps = x.Length > 4 && x[4] is not null ? x[4].KnownInts() : null;
        }

        if (starts is null || ends is null || x[0].Rank != 1 || (axes is not null && axes.Any(a => a != 0 && a != -1)))
        {
            return null;
        }

        long n = x[0].Shape[0], step = steps?[0] ?? 1;
        if (step != 1)
        {
            return null;
        }

        long Clamp(long i) => Math.Max(0, Math.Min(n, i < 0 ? i + n : i));
        long from = Clamp(starts[0]), to = Math.Max(from, Clamp(ends[0]));
        long[] positions = Enumerable.Range(0, (int)(to - from)).Select(i => from + i).ToArray();
        return x[0].Pick([positions.Length], positions);
    }
}
