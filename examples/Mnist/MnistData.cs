using System;
using System.IO;
using System.IO.Compression;

namespace Mnist;

/// <summary>The held-out digits of data/mnist.bin.gz (see data/README.md for the layout and the split).</summary>
internal sealed class MnistData
{
    public const int Pixels = 28 * 28;

    private MnistData(float[] images, byte[] labels)
    {
        Images = images;
        Labels = labels;
    }

    /// <summary>Pixels as byte / 255, image after image (NCHW with C = 1).</summary>
    public float[] Images { get; }

    public byte[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>Reads the test split: the last testCount records of the file.</summary>
    public static MnistData LoadTestSplit(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        if (new string(reader.ReadChars(4)) != "MNST" || reader.ReadUInt32() != 1)
        {
            throw new InvalidDataException($"'{path}' is not a version 1 MNST file; regenerate it with data/make-data.mjs.");
        }

        int count = checked((int)reader.ReadUInt32());
        int rows = (int)reader.ReadUInt32(), cols = (int)reader.ReadUInt32();
        int testCount = checked((int)reader.ReadUInt32());
        if (rows * cols != Pixels || testCount > count)
        {
            throw new InvalidDataException($"'{path}' holds {rows}x{cols} images with {testCount} of {count} held out; expected 28x28.");
        }

        for (int i = 0; i < count - testCount; i++)
        {
            reader.ReadBytes(1 + Pixels);
        }

        float[] images = new float[testCount * Pixels];
        byte[] labels = new byte[testCount];
        for (int i = 0; i < testCount; i++)
        {
            labels[i] = reader.ReadByte();
            byte[] pixels = reader.ReadBytes(Pixels);
            if (pixels.Length != Pixels)
            {
                throw new InvalidDataException($"'{path}' ends inside test record {i}.");
            }

            for (int p = 0; p < Pixels; p++)
            {
                images[(i * Pixels) + p] = pixels[p] / 255f;
            }
        }

        return new MnistData(images, labels);
    }

    /// <summary>Finds data/mnist.bin.gz beside the app (copied at build) or in the source tree.</summary>
    public static string DefaultPath()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "data", "mnist.bin.gz");
        return File.Exists(beside) ? beside : throw new FileNotFoundException("data/mnist.bin.gz was not copied beside the app; rebuild examples/Mnist.", beside);
    }
}
