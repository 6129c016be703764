using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace MnistTrainer;

/// <summary>Labels and 28x28 uint8 images, one record after another.</summary>
internal sealed class MnistSet(byte[] labels, byte[] pixels)
{
    public const int Rows = 28;
    public const int Cols = 28;
    public const int ImageSize = Rows * Cols;

    public int Count => Labels.Length;

    public byte[] Labels { get; } = labels;

    /// <summary>Count * 784 bytes, row-major per image.</summary>
    public byte[] Pixels { get; } = pixels;

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);
}

/// <summary>
/// Reads mnist.bin.gz (see examples/Mnist/data/README.md): gzip of the little-endian header
/// "MNST", version 1, count, rows, cols, testCount, followed by count records of
/// 1 label byte + rows*cols pixel bytes; train records first, the last testCount are test.
/// </summary>
internal static class MnistData
{
    private const int HeaderSize = 24;

    public static (MnistSet Train, MnistSet Test) Load(string path)
    {
        byte[] raw;
        using (var file = File.OpenRead(path))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gzip.CopyTo(buffer);
            raw = buffer.ToArray();
        }

        if (raw.Length < HeaderSize || Encoding.ASCII.GetString(raw, 0, 4) != "MNST")
        {
            throw new InvalidDataException($"{path}: not an MNST file.");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4));
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(8));
        uint rows = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(12));
        uint cols = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(16));
        uint testCount = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(20));
        if (version != 1 || rows != MnistSet.Rows || cols != MnistSet.Cols || testCount > count)
        {
            throw new InvalidDataException($"{path}: unsupported header (version {version}, {rows}x{cols}, test {testCount}/{count}).");
        }

        const int record = 1 + MnistSet.ImageSize;
        if ((long)raw.Length != HeaderSize + ((long)count * record))
        {
            throw new InvalidDataException($"{path}: expected {count} records, got {raw.Length - HeaderSize} bytes.");
        }

        int trainCount = (int)(count - testCount);
        return (Slice(raw, 0, trainCount), Slice(raw, trainCount, (int)testCount));
    }

    private static MnistSet Slice(byte[] raw, int first, int count)
    {
        const int record = 1 + MnistSet.ImageSize;
        var labels = new byte[count];
        var pixels = new byte[count * MnistSet.ImageSize];
        for (int i = 0; i < count; i++)
        {
            int at = HeaderSize + ((first + i) * record);
            labels[i] = raw[at];
            if (labels[i] > 9)
            {
                throw new InvalidDataException($"Record {first + i}: label {labels[i]} out of range.");
            }

            raw.AsSpan(at + 1, MnistSet.ImageSize).CopyTo(pixels.AsSpan(i * MnistSet.ImageSize));
        }

        return new MnistSet(labels, pixels);
    }
}
