using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace SuperResolution;

/// <summary>One photo of data/: the 256x256 crop, its x2-downscaled 128x128 version (the model input) and TF.js's
/// output for that input. Values are planar RGB (CHW), 0..255, as the network takes them.</summary>
internal sealed record Photo(string Name, float[] Original, float[] Input, float[] Reference);

/// <summary>Reads the files data/make-data.mjs writes (data/README.md has the layout).</summary>
internal static class PhotoData
{
    public const int Channels = 3;

    public const int OriginalSize = 256;

    public const int InputSize = OriginalSize / 2;

    /// <summary>The height of each photo's larger window (data/&lt;photo&gt;-1280x720.tensor.gz).</summary>
    public const int FrameHeight = 720;

    /// <summary>The width of each photo's larger window.</summary>
    public const int FrameWidth = 1280;

    /// <summary>Every photo in the folder (found by its -128 input file), in name order.</summary>
    public static IReadOnlyList<Photo> Load(string directory)
    {
        string[] inputs = Directory.GetFiles(directory, "*-128.tensor.gz");
        if (inputs.Length == 0)
        {
            throw new FileNotFoundException($"No *-128.tensor.gz photo in '{directory}'; see data/README.md.");
        }

        return inputs
            .Select(path => Path.GetFileName(path)[..^"-128.tensor.gz".Length])
            .Order(StringComparer.Ordinal)
            .Select(name => new Photo(
                name,
                Read(Path.Combine(directory, name + "-256.tensor.gz"), Channels, OriginalSize, OriginalSize),
                Read(Path.Combine(directory, name + "-128.tensor.gz"), Channels, InputSize, InputSize),
                Read(Path.Combine(directory, name + "-tfjs-x2.tensor.gz"), Channels, OriginalSize, OriginalSize)))
            .ToList();
    }

    /// <summary>data/ beside the app (copied at build).</summary>
    public static string DefaultDirectory()
    {
        string beside = Path.Combine(AppContext.BaseDirectory, "data");
        return Directory.Exists(beside) ? beside : throw new DirectoryNotFoundException($"'{beside}' is missing; rebuild examples/SuperResolution.");
    }

    /// <summary>A gzip'd TNSR file (uint8 or float32, rank 3) as floats, checked against the expected shape.</summary>
    public static float[] Read(string path, int channels, int height, int width)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        if (new string(reader.ReadChars(4)) != "TNSR" || reader.ReadUInt32() != 1)
        {
            throw new InvalidDataException($"'{path}' is not a version 1 TNSR file; regenerate it with data/make-data.mjs.");
        }

        uint dtype = reader.ReadUInt32();
        uint rank = reader.ReadUInt32();
        uint[] dims = rank == 3 ? [reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32()] : [];
        if (dtype is not (1 or 2) || dims.Length != 3 || dims[0] != channels || dims[1] != height || dims[2] != width)
        {
            throw new InvalidDataException($"'{path}' holds dtype {dtype} [{string.Join(", ", dims)}]; expected [{channels}, {height}, {width}].");
        }

        int count = channels * height * width;
        byte[] bytes = reader.ReadBytes(count * (dtype == 1 ? 1 : 4));
        if (bytes.Length != count * (dtype == 1 ? 1 : 4) || gzip.ReadByte() != -1)
        {
            throw new InvalidDataException($"'{path}' does not hold exactly {count} values.");
        }

        float[] values = new float[count];
        if (dtype == 1)
        {
            for (int i = 0; i < count; i++)
            {
                values[i] = bytes[i];
            }
        }
        else
        {
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
            }
        }

        return values;
    }
}
