using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace MnistTrainer;

/// <summary>One named tensor to serialize: dtype "F32" or "I64", little-endian bytes.</summary>
internal sealed record SafeTensor(string Name, string DType, int[] Shape, byte[] Data)
{
    public static SafeTensor F32(string name, int[] shape, ReadOnlySpan<float> values)
    {
        if (Tensor.Volume(shape) != values.Length)
        {
            throw new ArgumentException($"{name}: shape does not match {values.Length} values.");
        }

        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return new SafeTensor(name, "F32", shape, bytes);
    }

    /// <summary>A 0-d int64 tensor, as PyTorch stores BatchNorm's num_batches_tracked.</summary>
    public static SafeTensor I64Scalar(string name, long value)
    {
        var bytes = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return new SafeTensor(name, "I64", [], bytes);
    }

    public int ElementSize => DType switch
    {
        "F32" => 4,
        "I64" => 8,
        _ => throw new NotSupportedException(DType),
    };
}

/// <summary>
/// Writes the safetensors format: u64 little-endian header length, a JSON header
/// ({"__metadata__": {...}, name: {dtype, shape, data_offsets}}), then the raw data.
/// Tensors are laid out back to back in name order; the header is space-padded to a multiple
/// of 8 so the data section starts 8-byte aligned.
/// </summary>
internal static class SafeTensorsWriter
{
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        List<SafeTensor> sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (sorted.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != sorted.Count)
        {
            throw new ArgumentException("Duplicate tensor names.");
        }

        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach (KeyValuePair<string, string> kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                writer.WriteString(kv.Key, kv.Value);
            }

            writer.WriteEndObject();

            long offset = 0;
            foreach (SafeTensor t in sorted)
            {
                if (t.Data.Length != Tensor.Volume(t.Shape) * t.ElementSize)
                {
                    throw new ArgumentException($"{t.Name}: byte size does not match shape and dtype.");
                }

                // Readers map tensors in place; keep every tensor aligned to its element size.
                if (offset % t.ElementSize != 0)
                {
                    throw new InvalidOperationException($"{t.Name} would start at unaligned offset {offset}.");
                }

                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.DType);
                writer.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    writer.WriteNumberValue(d);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + t.Data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += t.Data.Length;
            }

            writer.WriteEndObject();
        }

        byte[] header = json.ToArray();
        int padded = (header.Length + 7) / 8 * 8;
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        file.Write(length);
        file.Write(header);
        file.Write(Encoding.ASCII.GetBytes(new string(' ', padded - header.Length)));
        foreach (SafeTensor t in sorted)
        {
            file.Write(t.Data);
        }
    }
}
