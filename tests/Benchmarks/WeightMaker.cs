using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelCompiler.Benchmarks;

/// <summary>Writes the seeded random weights of the benchmark models that have no trained weights
/// (<c>make-weights</c>), or checks that the committed files are exactly what it would write (<c>--check</c>).</summary>
/// <remarks>Byte-identical on every machine and runtime: a fixed-seed splitmix64 stream, uniform values scaled with
/// float multiplications and a square root only (both exactly rounded in IEEE arithmetic), tensors in a fixed order,
/// and a safetensors writer of our own (so a change in Compiler/ cannot change these bytes). Weights are He-uniform,
/// U(±√(6/fan_in)), so activations keep their scale through ReLU layers; biases are U(±1/√fan_in), PyTorch's
/// default. The tensor names and shapes must match the declarations in Models.cs: the build checks every one.</remarks>
internal static class WeightMaker
{
    /// <summary>One tensor: its state_dict name, its shape, and the fan-in its scale comes from.</summary>
    private sealed record TensorSpec(string Name, int[] Shape, int FanIn, bool IsBias);

    private sealed record WeightsFile(string FileName, ulong Seed, TensorSpec[] Tensors);

    private static readonly WeightsFile[] Files =
    [
        new("mlp_784_512_256_10.safetensors", 1, [.. Linear("fc1", 784, 512), .. Linear("fc2", 512, 256), .. Linear("fc3", 256, 10)]),
        new("small_cnn.safetensors", 2, [.. Conv("conv1", 1, 16, 3), .. Conv("conv2", 16, 32, 3), .. Linear("fc1", 1568, 128), .. Linear("fc2", 128, 10)]),
        new("sr_stack.safetensors", 3,
        [
            .. Conv("conv1", 3, 64, 3), .. Conv("conv2", 64, 64, 3), .. Conv("conv3", 64, 64, 3),
            .. Conv("conv4", 64, 64, 3), .. Conv("conv5", 64, 64, 3), .. Conv("conv6", 64, 12, 3),
        ]),
    ];

    /// <summary>The folder the weights are committed in.</summary>
    public static string DefaultDirectory => Path.Combine(Tests.Shared.Repository.Root, "tests", "Benchmarks", "weights");

    /// <summary>Writes every file into <paramref name="directory"/>, or with <paramref name="check"/> compares them;
    /// returns the process exit code.</summary>
    public static int Run(string directory, bool check)
    {
        int differing = 0;
        foreach (WeightsFile file in Files)
        {
            byte[] bytes = Build(file);
            string path = Path.Combine(directory, file.FileName);
            if (check)
            {
                bool same = File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes);
                differing += same ? 0 : 1;
                Console.WriteLine((same ? "same:    " : "DIFFERS: ") + file.FileName);
            }
            else
            {
                Directory.CreateDirectory(directory);
                File.WriteAllBytes(path, bytes);
                Console.WriteLine(FormattableString.Invariant($"wrote {file.FileName} ({bytes.Length} bytes)"));
            }
        }

        return differing == 0 ? 0 : 1;
    }

    private static byte[] Build(WeightsFile file)
    {
        var rng = new SplitMix64(file.Seed);
        var tensors = new List<(string Name, int[] Shape, float[] Data)>();
        foreach (TensorSpec t in file.Tensors)
        {
            float bound = t.IsBias ? 1f / MathF.Sqrt(t.FanIn) : MathF.Sqrt(6f / t.FanIn);
            float[] data = new float[t.Shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = ((2f * rng.NextFloat()) - 1f) * bound;
            }

            tensors.Add((t.Name, t.Shape, data));
        }

        return Safetensors(tensors, new Dictionary<string, string>
        {
            ["generator"] = "tests/Benchmarks make-weights",
            ["seed"] = file.Seed.ToString(CultureInfo.InvariantCulture),
            ["init"] = "weights U(+-sqrt(6/fan_in)), biases U(+-1/sqrt(fan_in))",
        });
    }

    private static TensorSpec[] Linear(string name, int inFeatures, int outFeatures) =>
    [
        new(name + ".weight", [outFeatures, inFeatures], inFeatures, IsBias: false),
        new(name + ".bias", [outFeatures], inFeatures, IsBias: true),
    ];

    private static TensorSpec[] Conv(string name, int inChannels, int outChannels, int kernel) =>
    [
        new(name + ".weight", [outChannels, inChannels, kernel, kernel], inChannels * kernel * kernel, IsBias: false),
        new(name + ".bias", [outChannels], inChannels * kernel * kernel, IsBias: true),
    ];

    /// <summary>A safetensors file: u64 header length, a JSON header padded with spaces to 8 bytes, little-endian F32 data.</summary>
    private static byte[] Safetensors(List<(string Name, int[] Shape, float[] Data)> tensors, Dictionary<string, string> metadata)
    {
        var header = new StringBuilder("{\"__metadata__\":{");
        header.Append(string.Join(",", metadata.Select(m => Json(m.Key) + ":" + Json(m.Value)))).Append('}');
        long offset = 0;
        foreach ((string name, int[] shape, float[] data) in tensors)
        {
            long end = offset + (4L * data.Length);
            header.Append(',').Append(Json(name)).Append(":{\"dtype\":\"F32\",\"shape\":[")
                .Append(string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))))
                .Append(FormattableString.Invariant($"],\"data_offsets\":[{offset},{end}]}}"));
            offset = end;
        }

        header.Append('}');
        while (Encoding.UTF8.GetByteCount(header.ToString()) % 8 != 0)
        {
            header.Append(' ');
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToString());
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((ulong)headerBytes.Length);
            writer.Write(headerBytes);
            foreach ((_, _, float[] data) in tensors)
            {
                foreach (float value in data)
                {
                    writer.Write(value);
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>The names and values here are plain ASCII without quotes or backslashes; anything else is a bug.</summary>
    private static string Json(string text) =>
        text.All(c => c is >= ' ' and <= '~' and not '"' and not '\\')
            ? "\"" + text + "\""
            : throw new ArgumentException("not a plain ASCII JSON string: " + text, nameof(text));
}
