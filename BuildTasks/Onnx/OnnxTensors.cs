using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx.Proto;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>Decodes a TensorProto (an initializer, a Constant node's value) into an <see cref="OnnxConstant"/>: every
/// storage field the format allows (typed repeated fields or little-endian raw_data; float16 and bfloat16 in int32_data;
/// data in an external file beside the model).</summary>
internal static class OnnxTensors
{
    // TensorProto.DataType
    public const int Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9,
        Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, BFloat16 = 16;

    public static string TypeName(int dataType) => dataType switch
    {
        Float => "float", UInt8 => "uint8", Int8 => "int8", UInt16 => "uint16", Int16 => "int16", Int32 => "int32", Int64 => "int64",
        String => "string", Bool => "bool", Float16 => "float16", Double => "double", UInt32 => "uint32", UInt64 => "uint64", BFloat16 => "bfloat16",
        _ => "data type " + dataType,
    };

    public static bool IsFloatType(int dataType) => dataType is Float or Float16 or Double or BFloat16;

    /// <exception cref="InvalidDataException">The tensor cannot be decoded; the message says why.</exception>
    public static OnnxConstant Decode(TensorProto t, string? baseDirectory)
    {
        long[] shape = t.Dims.ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new InvalidDataException("tensor '" + t.Name + "' has a negative dimension");
        }

        long count = shape.Aggregate(1L, (a, d) => checked(a * d));
        if (count > int.MaxValue)
        {
            throw new InvalidDataException("tensor '" + t.Name + "' has " + count + " elements, more than an array holds");
        }

        byte[]? raw = t.HasRawData ? t.RawData.ToByteArray() : null;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            raw = ReadExternal(t, baseDirectory);
        }

        int n = (int)count;
        switch (t.DataType)
        {
            case Float:
                return OnnxConstant.FromFloats(shape, raw is not null ? Raw(raw, n, 4, t, (b, i) => BitConverter.ToSingle(b, i)) : Typed(t.FloatData, n, t));
            case Double:
                return OnnxConstant.FromFloats(shape, (raw is not null ? Raw(raw, n, 8, t, (b, i) => BitConverter.ToDouble(b, i)) : Typed(t.DoubleData, n, t)).Select(d => (float)d).ToArray());
            case Float16:
            case BFloat16:
            {
                ushort[] bits = raw is not null ? Raw(raw, n, 2, t, (b, i) => BitConverter.ToUInt16(b, i)) : Typed(t.Int32Data, n, t).Select(v => (ushort)v).ToArray();
                return OnnxConstant.FromFloats(shape, bits.Select(b => t.DataType == Float16 ? HalfToSingle(b) : BitConverter.ToSingle(BitConverter.GetBytes(b << 16), 0)).ToArray());
            }

            case Int64:
                return OnnxConstant.FromInts(shape, raw is not null ? Raw(raw, n, 8, t, (b, i) => BitConverter.ToInt64(b, i)) : Typed(t.Int64Data, n, t));
            case Int32:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 4, t, (b, i) => BitConverter.ToInt32(b, i)) : Typed(t.Int32Data, n, t)).Select(v => (long)v).ToArray());
            case UInt64:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 8, t, (b, i) => BitConverter.ToUInt64(b, i)) : Typed(t.Uint64Data, n, t)).Select(v => unchecked((long)v)).ToArray());
            case UInt32:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 4, t, (b, i) => BitConverter.ToUInt32(b, i)) : Typed(t.Uint64Data, n, t).Select(v => (uint)v)).Select(v => (long)v).ToArray());
            case Int16:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 2, t, (b, i) => (long)BitConverter.ToInt16(b, i)) : Typed(t.Int32Data, n, t).Select(v => (long)v)).ToArray());
            case UInt16:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 2, t, (b, i) => (long)BitConverter.ToUInt16(b, i)) : Typed(t.Int32Data, n, t).Select(v => (long)v)).ToArray());
            case Int8:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 1, t, (b, i) => (long)(sbyte)b[i]) : Typed(t.Int32Data, n, t).Select(v => (long)v)).ToArray());
            case UInt8:
            case Bool:
                return OnnxConstant.FromInts(shape, (raw is not null ? Raw(raw, n, 1, t, (b, i) => (long)b[i]) : Typed(t.Int32Data, n, t).Select(v => (long)v)).ToArray());
            default:
                throw new InvalidDataException("tensor '" + t.Name + "' has " + TypeName(t.DataType) + " elements, which the importer does not read");
        }
    }

    private static T[] Typed<T>(IReadOnlyCollection<T> values, int count, TensorProto t)
    {
        if (values.Count != count)
        {
            throw new InvalidDataException("tensor '" + t.Name + "' holds " + values.Count + " values, but its shape [" + string.Join(", ", t.Dims) + "] needs " + count);
        }

        return values.ToArray();
    }

    private static T[] Raw<T>(byte[] raw, int count, int size, TensorProto t, Func<byte[], int, T> read)
    {
        if (raw.LongLength != (long)count * size)
        {
            throw new InvalidDataException("tensor '" + t.Name + "' has " + raw.LongLength + " bytes of data, but its shape [" + string.Join(", ", t.Dims) + "] needs " + ((long)count * size));
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new InvalidDataException("raw tensor data is little-endian; this machine is not");
        }

        var values = new T[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = read(raw, i * size);
        }

        return values;
    }

    private static byte[] ReadExternal(TensorProto t, string? baseDirectory)
    {
        Dictionary<string, string> entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!entries.TryGetValue("location", out string? location) || location.Length == 0)
        {
            throw new InvalidDataException("tensor '" + t.Name + "' is stored externally but names no location");
        }

        if (baseDirectory is null)
        {
            throw new InvalidDataException("tensor '" + t.Name + "' is stored in the external file '" + location + "', and the model was not read from a folder");
        }

        string path = Path.Combine(baseDirectory, location);
        long offset = entries.TryGetValue("offset", out string? o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (!File.Exists(path))
        {
            throw new InvalidDataException("tensor '" + t.Name + "' is stored in '" + path + "', which does not exist; keep the external data file beside the .onnx file");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = entries.TryGetValue("length", out string? l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
        if (offset < 0 || length < 0 || offset + length > stream.Length || length > int.MaxValue)
        {
            throw new InvalidDataException("tensor '" + t.Name + "' lies outside its external file '" + path + "'");
        }

        byte[] data = new byte[length];
        stream.Position = offset;
        int read = 0;
        while (read < data.Length)
        {
            int got = stream.Read(data, read, data.Length - read);
            if (got == 0)
            {
                throw new InvalidDataException("external file '" + path + "' ended early");
            }

            read += got;
        }

        return data;
    }

    private static float HalfToSingle(ushort h)
    {
        int sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
        float value = exponent switch
        {
            0 => mantissa * (1f / 16777216f),
            31 => mantissa == 0 ? float.PositiveInfinity : float.NaN,
            _ => (1 + (mantissa / 1024f)) * (float)Math.Pow(2, exponent - 15),
        };
        return sign == 1 ? -value : value;
    }
}
