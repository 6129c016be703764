using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using ModelCompiler.Common;
using ModelCompiler.Linking;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Onnx;
using ModelCompiler.Weights;

namespace ModelCompiler.Benchmarks;

/// <summary>The ONNX twin of a compiled model. With Conv3x3Command.cs and SrAccuracyCommand.cs, the only files of the
/// benchmark that use Compiler/ (here the manifest, the spec, the safetensors reader) and the test-only exporter
/// linked from tests/Compiler.Tests/Onnx, whose inputs are compiler internals: when those change shape, re-point these
/// files and nothing else.</summary>
internal static class OnnxModels
{
    /// <summary>The project directory the [Model] weights paths are relative to.</summary>
    private static string ProjectDirectory => Path.Combine(Tests.Shared.Repository.Root, "tests", "Benchmarks");

    /// <summary>An ONNX model (input "input", NCHW float, dynamic batch N) of exactly the declaration compiled into
    /// <paramref name="modelClass"/> (read back from the assembly's manifest), with the weights file it names.</summary>
    /// <param name="modelClass">The compiled model's class.</param>
    /// <param name="inputShape">Another per-sample input shape to export the declaration at, or null for its own.</param>
    /// <returns>The ONNX model's bytes.</returns>
    public static byte[] Export(Type modelClass, int[]? inputShape = null)
    {
        string key = ModelManifest.MetadataKeyPrefix + modelClass.FullName;
        string manifest = modelClass.Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException("no model manifest " + key + " in " + modelClass.Assembly.GetName().Name);
        ModelSpec spec = ModelManifest.Read(manifest).Spec;
        spec = inputShape is null ? spec : spec with { InputShape = inputShape.ToEquatableArray() };

        using FileStream stream = File.OpenRead(WeightLinker.ResolveWeightsPath(spec, ProjectDirectory));
        SafetensorsFile file = SafetensorsFile.Parse(stream);
        var cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
        return OnnxExporter.Export(spec, name => cache.TryGetValue(name, out float[]? t) ? t : cache[name] = file.ReadFloat32(name));
    }
}
