using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.Diagnostics;
using ModelCompiler.Interpreter;
using ModelCompiler.Linking;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;

namespace ModelCompiler.Tests.OnnxImport;

/// <summary>Imports an ONNX model, links its weights file as the build does (validated against the declaration,
/// folded and packed), runs the optimized graph on the packed weights, and compares with ONNX Runtime running
/// the same file.</summary>
internal static class OnnxImportCheck
{
    /// <summary>The bar: within 1e-4, relative to the output's scale.</summary>
    public const double Tolerance = 1e-4;

    public static OnnxImportOptions Options { get; } = new("Imported", "Demo", "imported.safetensors");

    public static ImportedModel Import(byte[] onnx, string name = "model.onnx")
    {
        OnnxImportResult result = OnnxImporter.Import(onnx, name, null, Options);
        Assert.True(result.Succeeded, "import failed:\n" + string.Join("\n", result.Diagnostics));
        return result.Model!;
    }

    /// <summary>The imported model's output for <paramref name="input"/> (batch = input length / sample size).</summary>
    public static float[] Run(ImportedModel model, float[] input, int height = 0, int width = 0)
    {
        ModelSpec spec = model.ToSpec();
        string directory = Path.Combine(Path.GetTempPath(), "mc-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllBytes(Path.Combine(directory, spec.WeightsPath), model.WeightsFile());
            WeightLinkResult link = WeightLinker.Link(spec, directory);
            Assert.True(link.Entry is not null, "linking failed:\n" + string.Join("\n", link.Diagnostics));
            Assert.Empty(link.Diagnostics);
            var graph = link.Compilation.Graph!;
            int sample = (int)graph.Input.Shape.Size.Evaluate(height, width);
            return ReferenceInterpreter.RunPacked(graph, link.Compilation.Layout!, link.Entry!.Data, input, input.Length / sample, height, width);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static float[] RunOnnxRuntime(byte[] onnx, float[] input, long[] shape)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var run = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(run, [session.InputMetadata.Keys.First()], [value], [session.OutputMetadata.Keys.First()]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Import, run, and compare with ONNX Runtime; returns the imported model.</summary>
    public static ImportedModel AssertMatchesOnnxRuntime(byte[] onnx, float[] input, long[] shape)
    {
        ImportedModel model = Import(onnx);
        float[] expected = RunOnnxRuntime(onnx, input, shape);
        float[] actual = Run(model, input, shape.Length == 4 && model.InputShape[1] < 0 ? (int)shape[2] : 0, shape.Length == 4 && model.InputShape[2] < 0 ? (int)shape[3] : 0);
        Differential.AssertClose(expected, actual, "imported model vs ONNX Runtime", Tolerance);
        return model;
    }
}
