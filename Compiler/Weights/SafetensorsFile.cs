using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelCompiler.Weights;

/// <summary>Thrown for a file that is not valid safetensors; the message says what is wrong.</summary>
public sealed class SafetensorsFormatException(string message) : Exception(message);

/// <summary>One tensor entry of a safetensors header.</summary>
/// <param name="Begin">Byte offset into the data section.</param>
public sealed record SafetensorsTensor(string Name, string Dtype, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>A safetensors file (https://github.com/huggingface/safetensors): 8-byte little-endian header
/// length, a JSON header, then the data. Validated as the reference implementation does (header size limit,
/// offsets in bounds and consistent with dtype and shape, no overlaps); reads F32, F16 and BF16 as float.</summary>
public sealed class SafetensorsFile
{
    /// <summary>The reference implementation's header limit (100 MB).</summary>
    public const long MaxHeaderSize = 100_000_000;

    /// <summary>Bound on tensor count and rank so no allocation is sized by an unchecked field.</summary>
    public const int MaxTensors = 1_000_000;

    public const int MaxRank = 16;

    private static readonly Dictionary<string, int> DtypeSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    /// <summary>Tensor data is read this many bytes at a time (a multiple of every float width).</summary>
    private const int ReadChunkBytes = 1 << 16;

    private readonly Func<long, int, byte[]> _read;

    private SafetensorsFile(IReadOnlyDictionary<string, SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart, Func<long, int, byte[]> read)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
        _read = read;
    }

    public IReadOnlyDictionary<string, SafetensorsTensor> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public long DataStart { get; }

    public static bool IsSupportedFloat(string dtype) => dtype is "F32" or "F16" or "BF16";

    /// <summary>Parses a whole file held in memory (tests, fuzzing).</summary>
    public static SafetensorsFile Parse(byte[] bytes) =>
        Parse(bytes.LongLength, (offset, count) =>
        {
            byte[] chunk = new byte[count];
            Array.Copy(bytes, offset, chunk, 0, count);
            return chunk;
        });

    /// <summary>Reads the header of a file on disk; tensor data is read on demand from <paramref name="stream"/>.</summary>
    public static SafetensorsFile Parse(Stream stream) =>
        Parse(stream.Length, (offset, count) =>
        {
            byte[] chunk = new byte[count];
            stream.Position = offset;
            int read = 0;
            while (read < count)
            {
                int n = stream.Read(chunk, read, count - read);
                if (n == 0)
                {
                    throw new SafetensorsFormatException("the file ended early (truncated?)");
                }

                read += n;
            }

            return chunk;
        });

    private static SafetensorsFile Parse(long length, Func<long, int, byte[]> read)
    {
        if (length < 8)
        {
            throw new SafetensorsFormatException("the file is " + length + " bytes, shorter than the 8-byte header length");
        }

        ulong headerLength = BitConverter.ToUInt64(read(0, 8), 0);
        if (headerLength > MaxHeaderSize)
        {
            throw new SafetensorsFormatException("the header length " + headerLength + " exceeds the 100 MB limit");
        }

        if ((long)headerLength > length - 8)
        {
            throw new SafetensorsFormatException("the header length " + headerLength + " runs past the end of the " + length + "-byte file");
        }

        if (headerLength < 2)
        {
            throw new SafetensorsFormatException("the header is empty");
        }

        string json;
        try
        {
            json = new UTF8Encoding(false, true).GetString(read(8, (int)headerLength));
        }
        catch (DecoderFallbackException)
        {
            throw new SafetensorsFormatException("the header is not valid UTF-8");
        }

        object root;
        try
        {
            root = MiniJson.Parse(json.TrimEnd(' '));
        }
        catch (FormatException e)
        {
            throw new SafetensorsFormatException(e.Message);
        }

        if (root is not List<KeyValuePair<string, object>> entries)
        {
            throw new SafetensorsFormatException("the header is not a JSON object");
        }

        if (entries.Count > MaxTensors)
        {
            throw new SafetensorsFormatException("the header lists more than " + MaxTensors + " tensors");
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = length - dataStart;
        var tensors = new Dictionary<string, SafetensorsTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object> entry in entries)
        {
            if (entry.Key == "__metadata__")
            {
                if (entry.Value is not List<KeyValuePair<string, object>> meta)
                {
                    throw new SafetensorsFormatException("__metadata__ is not an object");
                }

                foreach (KeyValuePair<string, object> m in meta)
                {
                    metadata[m.Key] = m.Value as string ?? throw new SafetensorsFormatException("__metadata__ value '" + m.Key + "' is not a string");
                }

                continue;
            }

            tensors.Add(entry.Key, ParseTensor(entry.Key, entry.Value, dataLength));
        }

        CheckOverlaps(tensors.Values);
        return new SafetensorsFile(tensors, metadata, dataStart, read);
    }

    private static SafetensorsTensor ParseTensor(string name, object value, long dataLength)
    {
        if (value is not List<KeyValuePair<string, object>> fields)
        {
            throw new SafetensorsFormatException("tensor '" + name + "' is not an object");
        }

        object? Field(string key) => fields.FirstOrDefault(f => f.Key == key).Value;
        if (Field("dtype") is not string dtype)
        {
            throw new SafetensorsFormatException("tensor '" + name + "' has no string 'dtype'");
        }

        if (!DtypeSizes.TryGetValue(dtype, out int elementSize))
        {
            throw new SafetensorsFormatException("tensor '" + name + "' has unknown dtype '" + dtype + "'");
        }

        if (Field("shape") is not List<object> shapeList || shapeList.Count > MaxRank)
        {
            throw new SafetensorsFormatException("tensor '" + name + "' has no 'shape' array of at most " + MaxRank + " dimensions");
        }

        long[] shape = new long[shapeList.Count];
        long elements = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long? d = (shapeList[i] as JsonNumber)?.AsNonNegativeInteger();
            if (d is null || d > int.MaxValue)
            {
                throw new SafetensorsFormatException("tensor '" + name + "' has an invalid dimension at index " + i);
            }

            shape[i] = d.Value;
            elements = d.Value == 0 ? 0 : (elements > dataLength / d.Value ? dataLength + 1 : elements * d.Value);
        }

        if (Field("data_offsets") is not List<object> offsets || offsets.Count != 2
            || (offsets[0] as JsonNumber)?.AsNonNegativeInteger() is not long begin
            || (offsets[1] as JsonNumber)?.AsNonNegativeInteger() is not long end)
        {
            throw new SafetensorsFormatException("tensor '" + name + "' has no valid 'data_offsets' [begin, end]");
        }

        if (begin > end || end > dataLength)
        {
            throw new SafetensorsFormatException("tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] outside the " + dataLength + "-byte data section");
        }

        if (elements > dataLength || elements * elementSize != end - begin)
        {
            throw new SafetensorsFormatException("tensor '" + name + "' spans " + (end - begin) + " bytes, but dtype " + dtype + " with shape [" + string.Join(", ", shape) + "] needs " + (elements > dataLength ? "more" : (elements * elementSize).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return new SafetensorsTensor(name, dtype, shape, begin, end);
    }

    private static void CheckOverlaps(IEnumerable<SafetensorsTensor> tensors)
    {
        SafetensorsTensor? previous = null;
        foreach (SafetensorsTensor t in tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin))
        {
            if (previous is not null && t.Begin < previous.End)
            {
                throw new SafetensorsFormatException("tensors '" + previous.Name + "' and '" + t.Name + "' overlap in the data section");
            }

            previous = t;
        }
    }

    /// <summary>Reads a tensor as float32 (converting F16/BF16). Throws for other dtypes.</summary>
    public float[] ReadFloat32(string name)
    {
        SafetensorsTensor t = Tensors[name];
        if (!IsSupportedFloat(t.Dtype))
        {
            throw new SafetensorsFormatException("tensor '" + name + "' has dtype " + t.Dtype + ", not F32, F16 or BF16");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("big-endian hosts are not supported");
        }

        // Read in small chunks (below the large-object heap's threshold), so a tensor costs its floats and no copy
        // of its bytes.
        float[] result = new float[t.ElementCount];
        int width = t.Dtype == "F32" ? 4 : 2;
        long total = t.End - t.Begin;
        for (long done = 0; done < total; done += ReadChunkBytes)
        {
            int n = (int)Math.Min(ReadChunkBytes, total - done);
            byte[] raw = _read(DataStart + t.Begin + done, n);
            long first = done / width;
            switch (t.Dtype)
            {
                case "F32":
                    Buffer.BlockCopy(raw, 0, result, checked((int)(first * 4)), n);
                    break;
                case "F16":
                    for (int i = 0; i < n / 2; i++)
                    {
                        result[first + i] = HalfToSingle((ushort)(raw[2 * i] | (raw[(2 * i) + 1] << 8)));
                    }

                    break;
                case "BF16":
                    for (int i = 0; i < n / 2; i++)
                    {
                        result[first + i] = BitConverter.ToSingle(BitConverter.GetBytes((raw[2 * i] << 16) | (raw[(2 * i) + 1] << 24)), 0);
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>IEEE 754 binary16 to binary32, subnormals, infinities and NaN included.</summary>
    public static float HalfToSingle(ushort h)
    {
        int sign = (h >> 15) & 1;
        int exponent = (h >> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        float value;
        if (exponent == 0)
        {
            value = mantissa * (1f / (1 << 24));
        }
        else if (exponent == 31)
        {
            value = mantissa == 0 ? float.PositiveInfinity : float.NaN;
        }
        else
        {
            value = (float)((1 + (mantissa / 1024.0)) * Math.Pow(2, exponent - 15));
        }

        return sign == 1 ? -value : value;
    }
}
