using System;
using System.Collections.Generic;
using ModelCompiler.Common;
using ModelCompiler.IR;

namespace ModelCompiler.Weights;

/// <summary>Runs weight programs: the build task packs with <see cref="Pack"/>, the interpreter reads packed
/// bytes back with <see cref="Decode"/> (so it computes with exactly the values the generated code reads), and
/// both can evaluate a program to canonical floats with <see cref="Evaluate"/>.</summary>
public static class WeightProgramRunner
{
    /// <summary>The canonical (PyTorch-layout) values of <paramref name="expr"/>, in double precision.</summary>
    /// <param name="source">A tensor of the weights file by name, already validated for shape and finiteness.</param>
    public static double[] Evaluate(WeightExpr expr, Func<string, float[]> source)
    {
        switch (expr)
        {
            case LoadTensor load:
            {
                float[] data = source(load.Name);
                if (data.Length != load.Count)
                {
                    throw new ArgumentException("tensor '" + load.Name + "' has " + data.Length + " elements, the layer needs " + load.Count);
                }

                return Array.ConvertAll(data, v => (double)v);
            }

            case ZeroTensor zeros:
                return new double[zeros.Count];
            case BatchNormScale bn:
            {
                double[] gamma = Evaluate(bn.Gamma, source);
                double[] variance = Evaluate(bn.Variance, source);
                double[] scale = new double[gamma.Length];
                for (int c = 0; c < scale.Length; c++)
                {
                    scale[c] = gamma[c] / Math.Sqrt(variance[c] + (double)bn.Epsilon);
                }

                return scale;
            }

            case BatchNormShift bn:
            {
                double[] beta = Evaluate(bn.Beta, source);
                double[] mean = Evaluate(bn.Mean, source);
                double[] scale = Evaluate(bn.Scale, source);
                double[] shift = new double[beta.Length];
                for (int c = 0; c < shift.Length; c++)
                {
                    shift[c] = beta[c] - (mean[c] * scale[c]);
                }

                return shift;
            }

            case ScaleRows rows:
            {
                double[] x = Evaluate(rows.X, source);
                double[] scale = Evaluate(rows.Scale, source);
                double[]? shift = rows.Shift is null ? null : Evaluate(rows.Shift, source);
                int perRow = x.Length / scale.Length;
                for (int o = 0; o < scale.Length; o++)
                {
                    for (int i = 0; i < perRow; i++)
                    {
                        int k = (o * perRow) + i;
                        x[k] = (x[k] * scale[o]) + (shift?[o] ?? 0);
                    }
                }

                return x;
            }

            case SelectChannels select:
                return Select(Evaluate(select.X, source), select.X.Shape.ToArray(), select.Axis, select.Indices.ToArray());
            case Reformed reformed:
            {
                float[] data = source(reformed.SourceName);
                return data.Length == reformed.Count
                    ? Array.ConvertAll(data, v => (double)v)
                    : throw new ArgumentException("the refitted '" + reformed.Layer + "." + reformed.Role + "' has " + data.Length + " elements, the layer needs " + reformed.Count);
            }

            case SelectKept select:
                return Select(Evaluate(select.X, source), select.X.Shape.ToArray(), select.Axis, KeptIndices(select.Segments, source));
            case Encode encode:
                return Evaluate(encode.X, source);
            default:
                throw new NotSupportedException("no evaluation for weight step " + expr.GetType().Name);
        }
    }

    /// <summary>The bytes the generated code reads for <paramref name="program"/> (little-endian). A Winograd layout
    /// transforms the program's double-precision values and rounds once; every other layout stores the values rounded
    /// to float.</summary>
    public static byte[] Pack(Encode program, Func<string, float[]> source)
    {
        RequireCodec(program);
        return program.Layout.Name == WeightLayouts.Winograd
            ? EncodeWinograd(program, Evaluate(program.X, source))
            : Encode(program, EvaluateFloats(program, source));
    }

    /// <summary>Canonical floats from packed bytes at <paramref name="offset"/>: the inverse of the encoding (unpacking
    /// a panel layout, widening F16/BF16, dequantizing with the row scales, recovering each 3×3 filter from its
    /// Winograd transform by least squares). Exact for dense and panel float encodings; a Winograd transform decodes to
    /// the filters its rounded values stand for (within a few float roundings of the original); integers decode to the
    /// grid values the kernels compute with.</summary>
    public static float[] Decode(Encode program, byte[] bytes, long offset)
    {
        RequireCodec(program);
        int start = checked((int)offset);
        int rows = program.Rows;
        int k = checked((int)program.RowLength);
        float[] values = new float[program.Count];
        switch (program.Layout.Name)
        {
            case WeightLayouts.Dense:
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = ReadFloat(program.DataType, bytes, start, i);
                }

                return values;
            case WeightLayouts.Panel:
            {
                int mr = program.Layout.Parameters[0];
                for (int r = 0; r < rows; r++)
                {
                    for (int j = 0; j < k; j++)
                    {
                        values[(r * k) + j] = ReadFloat(program.DataType, bytes, start, PanelIndex(r, j, k, mr));
                    }
                }

                return values;
            }

            case WeightLayouts.Winograd:
            {
                int tile = program.Layout.Parameters[0], mr = program.Layout.Parameters[1];
                int points = WinogradFilter.Points(tile) * WinogradFilter.Points(tile);
                int inputs = k / 9;
                int frequency = WinogradFrequencyFloats(rows, inputs, mr);
                double[] u = new double[points];
                for (int r = 0; r < rows; r++)
                {
                    for (int i = 0; i < inputs; i++)
                    {
                        for (int f = 0; f < points; f++)
                        {
                            u[f] = ReadFloat(DataType.F32, bytes, start, (f * frequency) + PanelIndex(r, i, inputs, mr));
                        }

                        double[] g = WinogradFilter.Recover(tile, u);
                        for (int j = 0; j < 9; j++)
                        {
                            values[(((r * inputs) + i) * 9) + j] = (float)g[j];
                        }
                    }
                }

                return values;
            }

            case WeightLayouts.RowScaled:
            {
                int bits = program.DataType.Bits;
                long rowBytes = program.DataType.ByteCount(k);
                for (int r = 0; r < rows; r++)
                {
                    float scale = BitConverter.ToSingle(bytes, start + (4 * r));
                    long rowStart = start + (4L * rows) + (r * rowBytes);
                    for (int j = 0; j < k; j++)
                    {
                        values[(r * k) + j] = ReadInteger(bytes, rowStart, j, bits) * scale;
                    }
                }

                return values;
            }

            default:
                throw new NotSupportedException("no decoder for layout " + program.Layout);
        }
    }

    /// <summary>Encodes canonical <paramref name="values"/> as <paramref name="program"/> says.</summary>
    public static byte[] Encode(Encode program, float[] values)
    {
        RequireCodec(program);
        byte[] bytes = new byte[program.Bytes];
        int rows = program.Rows;
        int k = checked((int)program.RowLength);
        switch (program.Layout.Name)
        {
            case WeightLayouts.Dense:
                if (program.DataType == DataType.F32)
                {
                    Buffer.BlockCopy(values, 0, bytes, 0, values.Length * 4);
                    return bytes;
                }

                for (int i = 0; i < values.Length; i++)
                {
                    WriteFloat(program.DataType, bytes, i, values[i]);
                }

                return bytes;
            case WeightLayouts.Panel:
            {
                int mr = program.Layout.Parameters[0];
                for (int r = 0; r < rows; r++)
                {
                    for (int j = 0; j < k; j++)
                    {
                        WriteFloat(program.DataType, bytes, PanelIndex(r, j, k, mr), values[(r * k) + j]);
                    }
                }

                return bytes;
            }

            case WeightLayouts.Winograd:
                return EncodeWinograd(program, Array.ConvertAll(values, v => (double)v));
            case WeightLayouts.RowScaled:
            {
                int bits = program.DataType.Bits;
                int qmax = (1 << (bits - 1)) - 1;
                long rowBytes = program.DataType.ByteCount(k);
                for (int r = 0; r < rows; r++)
                {
                    float max = 0f;
                    for (int j = 0; j < k; j++)
                    {
                        max = Math.Max(max, Math.Abs(values[(r * k) + j]));
                    }

                    float scale = max == 0f ? 1f : max / qmax;
                    Buffer.BlockCopy(BitConverter.GetBytes(scale), 0, bytes, 4 * r, 4);
                    long rowStart = (4L * rows) + (r * rowBytes);
                    for (int j = 0; j < k; j++)
                    {
                        int q = (int)Math.Max(-qmax, Math.Min(qmax, Math.Round(values[(r * k) + j] / scale, MidpointRounding.AwayFromZero)));
                        WriteInteger(bytes, rowStart, j, bits, q);
                    }
                }

                return bytes;
            }

            default:
                throw new NotSupportedException("no encoder for layout " + program.Layout);
        }
    }

    /// <summary>Canonical floats evaluated from the weights file (what packing then decoding gives, without the bytes).</summary>
    public static float[] EvaluateFloats(Encode program, Func<string, float[]> source) =>
        Array.ConvertAll(Evaluate(program.X, source), v => (float)v);

    /// <summary>The Winograd layout: U = G·g·Gᵀ of filter [r, i] (<paramref name="values"/>[r, i, 0..9], double
    /// precision), frequency f of it at element [r, i] of the f-th panel-laid matrix.</summary>
    private static byte[] EncodeWinograd(Encode program, double[] values)
    {
        RequireCodec(program);
        byte[] bytes = new byte[program.Bytes];
        int rows = program.Rows, inputs = checked((int)program.RowLength) / 9;
        int tile = program.Layout.Parameters[0], mr = program.Layout.Parameters[1];
        int frequency = WinogradFrequencyFloats(rows, inputs, mr);
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double[] u = WinogradFilter.Transform(tile, values, ((r * inputs) + i) * 9);
                for (int f = 0; f < u.Length; f++)
                {
                    WriteFloat(DataType.F32, bytes, (f * frequency) + PanelIndex(r, i, inputs, mr), (float)u[f]);
                }
            }
        }

        return bytes;
    }

    /// <summary>Floats of one frequency's matrix in the Winograd layout: rows padded to whole panels of mr.</summary>
    private static int WinogradFrequencyFloats(int rows, int inputs, int mr) => checked((rows + mr - 1) / mr * mr * inputs);

    /// <summary>Element [row, j] of a panel layout: panel row / mr, then j, then row % mr.</summary>
    private static int PanelIndex(int row, int j, int k, int mr) => checked((((row / mr) * k) + j) * mr) + (row % mr);

    /// <summary>The channels a group keeps, most important first: each channel's norm over every source tensor's slice
    /// of it (L1 or L2 by the group's criterion), each tensor's norms divided by their mean so that a wide tensor does not
    /// outweigh a narrow one; ties go to the lower channel. A channel whose weights are all zero ranks last.</summary>
    public static int[] Ranking(ChannelGroup group, Func<string, float[]> source)
    {
        double[] total = new double[group.Size];
        bool l2 = group.Criterion == Spec.PruneCriteria.L2;
        foreach (ImportanceSource s in group.Sources)
        {
            double[] x = Evaluate(s.X, source);
            int[] shape = s.X.Shape.ToArray();
            int outer = 1, inner = 1;
            for (int d = 0; d < s.Axis; d++)
            {
                outer *= shape[d];
            }

            for (int d = s.Axis + 1; d < shape.Length; d++)
            {
                inner *= shape[d];
            }

            double[] norm = new double[group.Size];
            for (int o = 0; o < outer; o++)
            {
                for (int c = 0; c < group.Size; c++)
                {
                    for (int r = 0; r < s.Repeat; r++)
                    {
                        int start = ((o * shape[s.Axis]) + s.Offset + (c * s.Repeat) + r) * inner;
                        for (int i = 0; i < inner; i++)
                        {
                            double v = x[start + i];
                            norm[c] += l2 ? v * v : Math.Abs(v);
                        }
                    }
                }
            }

            if (l2)
            {
                for (int c = 0; c < norm.Length; c++)
                {
                    norm[c] = Math.Sqrt(norm[c]);
                }
            }

            double mean = 0;
            foreach (double n in norm)
            {
                mean += n / norm.Length;
            }

            if (mean > 0)
            {
                for (int c = 0; c < norm.Length; c++)
                {
                    total[c] += norm[c] / mean;
                }
            }
        }

        int[] order = new int[group.Size];
        for (int c = 0; c < order.Length; c++)
        {
            order[c] = c;
        }

        Array.Sort(order, (a, b) => total[a] != total[b] ? total[b].CompareTo(total[a]) : a.CompareTo(b));
        Array.Resize(ref order, group.Keep);
        return order;
    }

    /// <summary>The indices of an axis that <paramref name="segments"/> keep, in order.</summary>
    public static int[] KeptIndices(EquatableArray<ChannelSegment> segments, Func<string, float[]> source)
    {
        var indices = new List<int>();
        int offset = 0;
        foreach (ChannelSegment segment in segments)
        {
            int[] kept = segment.Group is null ? Identity(segment.Count) : Ranking(segment.Group, source);
            foreach (int c in kept)
            {
                for (int r = 0; r < segment.Repeat; r++)
                {
                    indices.Add(offset + (c * segment.Repeat) + r);
                }
            }

            offset += segment.Count * segment.Repeat;
        }

        return indices.ToArray();
    }

    private static int[] Identity(int count)
    {
        int[] indices = new int[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = i;
        }

        return indices;
    }

    private static double[] Select(double[] x, int[] shape, int axis, int[] indices)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }

        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        double[] result = new double[outer * indices.Length * inner];
        for (int o = 0; o < outer; o++)
        {
            for (int c = 0; c < indices.Length; c++)
            {
                if (indices[c] < 0 || indices[c] >= shape[axis])
                {
                    throw new ArgumentException("channel " + indices[c] + " is outside axis " + axis + " of size " + shape[axis]);
                }

                Array.Copy(x, ((o * shape[axis]) + indices[c]) * inner, result, ((o * indices.Length) + c) * inner, inner);
            }
        }

        return result;
    }

    private static float ReadFloat(DataType type, byte[] bytes, int start, int index) => type.Bits switch
    {
        32 => BitConverter.ToSingle(bytes, start + (4 * index)),
        16 when type == DataType.F16 => SafetensorsFile.HalfToSingle(BitConverter.ToUInt16(bytes, start + (2 * index))),
        16 => BitConverter.ToSingle(BitConverter.GetBytes(BitConverter.ToUInt16(bytes, start + (2 * index)) << 16), 0),
        _ => throw new NotSupportedException("no float codec for " + type),
    };

    private static void WriteFloat(DataType type, byte[] bytes, int index, float value)
    {
        switch (type.Bits)
        {
            case 32:
                Buffer.BlockCopy(BitConverter.GetBytes(value), 0, bytes, 4 * index, 4);
                break;
            case 16:
                ushort half = type == DataType.F16 ? SafetensorsWriter.SingleToHalf(value) : SafetensorsWriter.SingleToBFloat16(value);
                bytes[2 * index] = (byte)half;
                bytes[(2 * index) + 1] = (byte)(half >> 8);
                break;
            default:
                throw new NotSupportedException("no float codec for " + type);
        }
    }

    /// <summary>The <paramref name="bits"/>-bit two's complement integer at element <paramref name="index"/> of a
    /// bit stream starting at byte <paramref name="start"/>, least significant bits first.</summary>
    private static int ReadInteger(byte[] bytes, long start, int index, int bits)
    {
        long bit = (long)index * bits;
        int value = 0;
        for (int b = 0; b < bits; b++, bit++)
        {
            value |= ((bytes[start + (bit >> 3)] >> (int)(bit & 7)) & 1) << b;
        }

        return value >= 1 << (bits - 1) ? value - (1 << bits) : value;
    }

    private static void WriteInteger(byte[] bytes, long start, int index, int bits, int value)
    {
        long bit = (long)index * bits;
        for (int b = 0; b < bits; b++, bit++)
        {
            if (((value >> b) & 1) != 0)
            {
                bytes[start + (bit >> 3)] |= (byte)(1 << (int)(bit & 7));
            }
        }
    }

    /// <summary>The encodings with a codec: F32, F16 and BF16 dense or in panels of one width; F32 3×3 filters
    /// [out, in, 3, 3] transformed for Winograd F(2×2) or F(4×4) in panels of one width; 2..8-bit signed integers with
    /// row scales.</summary>
    private static void RequireCodec(Encode program)
    {
        RequireLittleEndian();
        DataType type = program.DataType;
        bool isFloat = type == DataType.F32 || type == DataType.F16 || type == DataType.BF16;
        bool supported = program.Layout.Name switch
        {
            WeightLayouts.Dense => isFloat && program.Layout.Parameters.IsEmpty,
            WeightLayouts.Panel => isFloat && program.Layout.Parameters.Count == 1 && program.Layout.Parameters[0] > 0,
            WeightLayouts.RowScaled => type.Kind == ScalarKind.SignedInt && type.Bits is >= 2 and <= 8 && program.Layout.Parameters.IsEmpty,
            WeightLayouts.Winograd => type == DataType.F32 && program.Layout.Parameters.Count == 2 && WinogradFilter.Supports(program.Layout.Parameters[0])
                && program.Layout.Parameters[1] > 0 && program.Shape.Count == 4 && program.Shape[2] == 3 && program.Shape[3] == 3,
            _ => false,
        };
        if (!supported)
        {
            throw new NotSupportedException("no codec for " + type + " " + program.Layout);
        }
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("weights artifacts are little-endian; this host is not");
        }
    }
}
