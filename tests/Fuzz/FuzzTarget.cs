using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Fuzz;

/// <summary>A reader under test: its corpus of valid inputs, how to read one, and which exception is its
/// documented answer to a bad input.</summary>
internal sealed record FuzzTarget(string Name, Func<byte[][]> Corpus, Action<byte[]> Read, Func<Exception, bool> IsExpected)
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("safetensors", SafetensorsCorpus, ReadSafetensors, e => e is SafetensorsFormatException),
        new("artifact", ArtifactCorpus, bytes => WeightArtifact.Read(bytes), e => e is InvalidDataException),
        new("manifest", ManifestCorpus, ReadManifest, e => e is FormatException),
    ];

    private static void ReadSafetensors(byte[] bytes)
    {
        SafetensorsFile file = SafetensorsFile.Parse(bytes);
        foreach (SafetensorsTensor t in file.Tensors.Values.Where(t => SafetensorsFile.IsSupportedFloat(t.Dtype)))
        {
            file.ReadFloat32(t.Name);
        }
    }

    /// <summary>A manifest is only trusted as far as the compiler can build it: parse, then compile.</summary>
    private static void ReadManifest(byte[] bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("not UTF-8", e);
        }

        ModelSpec spec = ModelManifest.Read(text);
        ModelCompilation.Compile(spec);
    }

    private static byte[][] SafetensorsCorpus() =>
    [
        SafetensorsWriter.Write([("fc.weight", [2, 3], [1, 2, 3, 4, 5, 6]), ("fc.bias", [2], [0.5f, -0.5f])]),
        SafetensorsWriter.Write([("a", [4], [1, 2, 3, 4]), ("b", [], [7])], "F16"),
        SafetensorsWriter.Write([("conv.weight", [1, 1, 2, 2], [1, -1, 0.25f, 8]), ("x", [0, 3], [])], "BF16", new Dictionary<string, string> { ["format"] = "pt" }),
    ];

    private static byte[][] ArtifactCorpus() =>
    [
        WeightArtifact.Write([new ArtifactEntry("Demo.Net", 0x1234UL, [1, 2, 3])]),
        WeightArtifact.Write([new ArtifactEntry("A", 1, new float[40]), new ArtifactEntry("Ns.Bé", ulong.MaxValue, [float.MaxValue])]),
        WeightArtifact.Write([]),
    ];

    private static byte[][] ManifestCorpus()
    {
        ModelSpec cnn = new()
        {
            Namespace = "Demo",
            ClassName = "Net",
            WeightsPath = "w eights/a,b.safetensors",
            InputShape = Common.EquatableArray.Create(1, 8, 8),
            Layers = Common.EquatableArray.Create(
                new LayerSpec { Kind = OpKind.Conv2d, Name = "conv", InFeatures = 1, OutFeatures = 4, KernelH = 3, KernelW = 3, PaddingH = 1, PaddingW = 1, Location = new SourceLocation("Model.cs", 4, 2) },
                new LayerSpec { Kind = OpKind.BatchNorm2d, Name = "bn", InFeatures = 4 },
                new LayerSpec { Kind = OpKind.Add, Name = "add", Inputs = Common.EquatableArray.Create("conv", "bn") },
                new LayerSpec { Kind = OpKind.MaxPool2d, Name = "pool", KernelH = 2, KernelW = 2, StrideH = 2, StrideW = 2 },
                new LayerSpec { Kind = OpKind.Flatten, Name = "flat" },
                new LayerSpec { Kind = OpKind.Linear, Name = "fc", InFeatures = 64, OutFeatures = 10 }),
        };
        ModelSpec mlp = cnn with
        {
            InputShape = Common.EquatableArray.Create(16),
            Layers = Common.EquatableArray.Create(
                new LayerSpec { Kind = OpKind.Linear, Name = "fc1", InFeatures = 16, OutFeatures = 8 },
                new LayerSpec { Kind = OpKind.LeakyReLU, Name = "act", Alpha = 0.1f },
                new LayerSpec { Kind = OpKind.Softmax, Name = "softmax" }),
        };
        return [Encoding.UTF8.GetBytes(ModelManifest.Write(cnn)), Encoding.UTF8.GetBytes(ModelManifest.Write(mlp))];
    }
}
