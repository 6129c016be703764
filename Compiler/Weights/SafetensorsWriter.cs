using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelCompiler.Weights;

/// <summary>Writes standard safetensors files, as safetensors.torch.save_file does: an 8-byte little-endian
/// header length, a JSON header with tensors sorted by name (and optional <c>__metadata__</c>), padded with
/// spaces to a multiple of 8 bytes, then the tensors' bytes in header order with no gaps. F32 by default;
/// F16 and BF16 round to nearest even (inf and NaN kept), for testing the reader's conversions and for tools.</summary>
public static class SafetensorsWriter
{
    public static byte[] Write(IReadOnlyList<(string Name, int[] Shape, float[] Data)> tensors, string dtype = "F32",
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        int elementSize = dtype switch
        {
            "F32" => 4,
            "F16" or "BF16" => 2,
            _ => throw new ArgumentException("dtype must be F32, F16 or BF16, not '" + dtype + "'", nameof(dtype)),
        };

        var sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var json = new StringBuilder("{");
        if (metadata is { Count: > 0 })
        {
            json.Append(Quote("__metadata__")).Append(":{");
            json.Append(string.Join(",", metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => Quote(m.Key) + ":" + Quote(m.Value))));
            json.Append('}');
        }

        long offset = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string name, int[] shape, float[] data) in sorted)
        {
            long elements = shape.Aggregate(1L, (a, d) => a * d);
            if (!seen.Add(name) || name == "__metadata__" || elements != data.Length)
            {
                throw new ArgumentException("tensor '" + name + "' is duplicated, reserved, or has " + data.Length + " values for shape [" + string.Join(", ", shape) + "]", nameof(tensors));
            }

            long end = offset + (elements * elementSize);
            json.Append(json.Length > 1 ? "," : string.Empty).Append(Quote(name))
                .Append(":{\"dtype\":\"").Append(dtype).Append("\",\"shape\":[")
                .Append(string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))))
                .Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(end.ToString(CultureInfo.InvariantCulture)).Append("]}");
            offset = end;
        }

        json.Append('}');
        byte[] header = Encoding.UTF8.GetBytes(json.ToString());
        int padded = (header.Length + 7) / 8 * 8;
        byte[] file = new byte[8 + padded + offset];
        BitConverter.GetBytes((ulong)padded).CopyTo(file, 0);
        header.CopyTo(file, 8);
        for (int i = 8 + header.Length; i < 8 + padded; i++)
        {
            file[i] = (byte)' ';
        }

        long position = 8 + padded;
        foreach ((_, _, float[] data) in sorted)
        {
            foreach (float v in data)
            {
                switch (dtype)
                {
                    case "F32":
                        BitConverter.GetBytes(v).CopyTo(file, position);
                        break;
                    case "F16":
                        BitConverter.GetBytes(SingleToHalf(v)).CopyTo(file, position);
                        break;
                    default:
                        BitConverter.GetBytes(SingleToBFloat16(v)).CopyTo(file, position);
                        break;
                }

                position += elementSize;
            }
        }

        return file;
    }

    /// <summary>binary32 to IEEE 754 binary16, round to nearest even; overflow gives infinity, values below half
    /// the smallest subnormal give zero, NaN stays NaN (quiet).</summary>
    public static ushort SingleToHalf(float value)
    {
        uint bits = SingleBits(value);
        uint sign = (bits >> 16) & 0x8000;
        int exponent = (int)((bits >> 23) & 0xff);
        uint mantissa = bits & 0x7fffff;
        if (exponent == 0xff)
        {
            return (ushort)(sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >> 13) : 0));
        }

        int e = exponent - 127 + 15;
        if (e >= 31)
        {
            return (ushort)(sign | 0x7c00);
        }

        if (e <= 0)
        {
            if (e < -10)
            {
                return (ushort)sign;
            }

            // Subnormal: the half's mantissa counts units of 2^-24.
            uint full = mantissa | 0x800000;
            int shift = 14 - e;
            return (ushort)(sign | RoundShift(full, shift));
        }

        // Rounding may carry into the exponent, up to infinity: both are the right answer.
        return (ushort)(sign | (((uint)e << 10) + RoundShift(mantissa, 13)));
    }

    /// <summary>binary32 to bfloat16 (the top 16 bits), round to nearest even; NaN stays NaN.</summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = SingleBits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        return (ushort)(RoundShift(bits, 16) & 0xffff);
    }

    private static uint RoundShift(uint value, int shift)
    {
        uint kept = value >> shift;
        uint rest = value & ((1u << shift) - 1);
        uint half = 1u << (shift - 1);
        return rest > half || (rest == half && (kept & 1) != 0) ? kept + 1 : kept;
    }

    private static uint SingleBits(float value) => BitConverter.ToUInt32(BitConverter.GetBytes(value), 0);

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
