using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
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
        new("loader", ArtifactCorpus, LoadEveryModel, e => false),
        new("onnx", OnnxCorpus, ReadOnnx, e => false),
    ];

    /// <summary>The models of the artifact corpus as the generated code knows them: name, layout hash and block.</summary>
    private static readonly ArtifactEntry[] LoaderModels =
    [
        new("Demo.Net", 0x1234UL, [1, 2, 3]),
        new("A", 1, new byte[160]),
        new("Ns.Bé", ulong.MaxValue, [255, 255, 127, 127]),
    ];

    /// <summary>The generated loader (Compiler/Runtime/WeightStore.cs, as emitted) asked for every model the corpus
    /// has: each load returns exactly that model's bytes or refuses the file with an InvalidDataException; a
    /// wrong block or any other exception is a finding.</summary>
    private static void LoadEveryModel(byte[] bytes)
    {
        foreach (ArtifactEntry model in LoaderModels)
        {
            using var stream = new MemoryStream(bytes, writable: false);
            Generated.WeightBlock block;
            try
            {
                block = Generated.WeightStore.Load(stream, "fuzz.mcweights", model.Model, model.LayoutHash, model.Data.Length);
            }
            catch (InvalidDataException)
            {
                continue;
            }

            if (!block.Span.SequenceEqual(model.Data))
            {
                throw new InvalidOperationException("the loader returned other bytes than model '" + model.Model + "' has");
            }
        }
    }

    /// <summary>The ONNX importer answers every file with a model or diagnostics; any exception is a crash. A model
    /// it accepts must also compile.</summary>
    private static void ReadOnnx(byte[] bytes)
    {
        BuildTasks.Onnx.OnnxImportResult result = BuildTasks.Onnx.OnnxImporter.Import(bytes, "fuzz.onnx", null, new("Fuzzed", "Demo", "fuzzed.safetensors"));
        if (result.Model is { } model)
        {
            ModelCompilation.Compile(model.ToSpec());
            _ = model.WeightsFile();
        }
    }

    /// <summary>Small ONNX conformance models (tests/data/onnx-conformance): convolutions, pooling, BatchNorm, Gemm,
    /// the pixel-shuffle reshapes, Pad.</summary>
    private static byte[][] OnnxCorpus()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Compiler.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("Compiler.sln not found");
        }

        string[] cases = ["test_Conv2d_depthwise_padded", "test_MaxPool2d", "test_BatchNorm2d_eval", "test_Linear_no_bias", "test_PixelShuffle", "test_ZeroPad2d", "test_AvgPool2d_stride"];
        return cases.Select(c => File.ReadAllBytes(Path.Combine(root, "tests", "data", "onnx-conformance", c, "model.onnx"))).ToArray();
    }

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

        ManifestModel model = ModelManifest.Read(text);
        ModelCompilation.Compile(model.Spec, model.Options);
    }

    private static byte[][] SafetensorsCorpus() =>
    [
        SafetensorsWriter.Write([("fc.weight", [2, 3], [1, 2, 3, 4, 5, 6]), ("fc.bias", [2], [0.5f, -0.5f])]),
        SafetensorsWriter.Write([("a", [4], [1, 2, 3, 4]), ("b", [], [7])], "F16"),
        SafetensorsWriter.Write([("conv.weight", [1, 1, 2, 2], [1, -1, 0.25f, 8]), ("x", [0, 3], [])], "BF16", new Dictionary<string, string> { ["format"] = "pt" }),
    ];

    private static byte[][] ArtifactCorpus() =>
    [
        WeightArtifact.Write([LoaderModels[0]]),
        WeightArtifact.Write([LoaderModels[1], LoaderModels[2]]),
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
                Specs.Conv("conv", 1, 4, 3, padding: 1) with { Location = new SourceLocation("Model.cs", 4, 2) },
                Specs.BatchNorm("bn", 4),
                Specs.Add("add", "conv", "bn"),
                Specs.MaxPool("pool", 2, 2),
                Specs.Op("Flatten", "flat"),
                Specs.Linear("fc", 64, 10)),
        };
        ModelSpec mlp = cnn with
        {
            InputShape = Common.EquatableArray.Create(16),
            Layers = Common.EquatableArray.Create(
                Specs.Linear("fc1", 16, 8),
                Specs.LeakyReLU("act", 0.1f),
                Specs.Op("Softmax", "softmax")),
        };
        ModelSpec open = cnn with
        {
            InputShape = Common.EquatableArray.Create(3, -1, -1),
            Layers = Common.EquatableArray.Create(
                Specs.ConvSame("conv", 3, 8, 3, stride: 2),
                Specs.PixelShuffle("up", 2),
                Specs.Concat("cat", "up", "input")),
        };
        var planned = new Options.CompileOptions { Plan = new Options.ModelPlan("Demo.Net", Common.EquatableArray.Create(new Options.LayerPlan("conv", "im2col", 2)), "net.mcplan") };
        return
        [
            Encoding.UTF8.GetBytes(ModelManifest.Write(cnn)),
            Encoding.UTF8.GetBytes(ModelManifest.Write(mlp)),
            Encoding.UTF8.GetBytes(ModelManifest.Write(open, planned)),
        ];
    }
}
