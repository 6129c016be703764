using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelCompiler.Manifest;
using ModelCompiler.Package.Tests.Infrastructure;
using ModelCompiler.Spec;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Tests.Onnx;
using Xunit;

namespace ModelCompiler.Package.Tests;

/// <summary>A new console project, as a user makes one, with a small CNN holding a residual Add and a Concat:
/// built against the package, it prints outputs that match ONNX Runtime on the same weights within 1e-4.</summary>
public sealed class OnnxAgreementTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    private const int Batch = 2;

    private const string Model = """
        using ModelCompiler;

        namespace App;

        [Model("weights/residual.safetensors")]
        [Input(3, 12, 12)]
        [Conv2d("conv1", 3, 8, 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn1", 8)]
        [ReLU(Name = "relu1")]
        [Conv2d("conv2", 8, 8, 3, Padding = 1)]
        [Add("relu1", "conv2", Name = "residual")]
        [ReLU(Name = "relu2")]
        [Concat("relu2", "relu1", Name = "cat")]
        [MaxPool2d(2)]
        [Conv2d("conv3", 16, 4, 1)]
        [GlobalAvgPool2d]
        [Flatten]
        [Linear("fc", 4, 5)]
        internal static partial class ResidualNet
        {
        }
        """;

    private const string Program = """
        using System;
        using System.Globalization;
        using System.IO;
        using System.Runtime.InteropServices;

        [assembly: CLSCompliant(false)]

        namespace App;

        internal static class Program
        {
            private static int Main(string[] args)
            {
                float[] input = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(args[0])).ToArray();
                int batch = input.Length / ResidualNet.InputSize;
                float[] output = new float[batch * ResidualNet.OutputSize];
                ResidualNet.Run(input, output, batch);
                Console.WriteLine("output " + string.Join(" ", Array.ConvertAll(output, v => v.ToString("R", CultureInfo.InvariantCulture))));
                return 0;
            }
        }
        """;

    [Fact]
    public void ResidualConcatCnn_PrintsWhatOnnxRuntimeComputes()
    {
        // Weights and input from a seeded generator; the safetensors file is written by the test's own writer,
        // not by ModelCompiler.
        var random = new Random(20261123);
        float Next(float scale) => (float)((random.NextDouble() * 2) - 1) * scale;
        (string Name, long[] Shape)[] tensors =
        [
            ("conv1.weight", [8, 3, 3, 3]), ("bn1.weight", [8]), ("bn1.bias", [8]), ("bn1.running_mean", [8]), ("bn1.running_var", [8]),
            ("conv2.weight", [8, 8, 3, 3]), ("conv2.bias", [8]), ("conv3.weight", [4, 16, 1, 1]), ("conv3.bias", [4]),
            ("fc.weight", [5, 4]), ("fc.bias", [5]),
        ];
        var values = tensors.ToDictionary(
            t => t.Name,
            t => Enumerable.Range(0, (int)t.Shape.Aggregate(1L, (a, b) => a * b))
                .Select(_ => t.Name.EndsWith("running_var", StringComparison.Ordinal) ? 0.5f + Math.Abs(Next(1)) : Next(0.5f)).ToArray());
        var writer = new SafetensorsTestWriter();
        foreach ((string name, long[] shape) in tensors)
        {
            writer.F32(name, shape, values[name]);
        }

        float[] input = Enumerable.Range(0, Batch * 3 * 12 * 12).Select(_ => Next(2)).ToArray();
        var app = new Consumer(fixture, "App")
            .WithWeights("weights/residual.safetensors", writer)
            .WithSource("ResidualNet.cs", Model)
            .WithSource("Program.cs", Program);
        string inputFile = Path.Combine(app.ProjectDirectory, "input.bin");
        File.WriteAllBytes(inputFile, input.SelectMany(BitConverter.GetBytes).ToArray());

        CommandResult build = app.Build();
        Assert.True(build.ExitCode == 0, build.ToString());
        CommandResult run = Dotnet.Run(app.Bin, "\"" + Path.Combine(app.Bin, "App.dll") + "\" \"" + inputFile + "\"");
        Assert.True(run.ExitCode == 0, run.ToString());
        float[] actual = run.Output.Split('\n').Single(l => l.StartsWith("output ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        float[] expected = RunOnnx(ReadSpec(Path.Combine(app.Bin, "App.dll"), "App.ResidualNet"), values, input);
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst / scale <= 1e-4, $"max difference {worst} (scale {scale}): ONNX Runtime {string.Join(" ", expected)}; generated {string.Join(" ", actual)}");
    }

    /// <summary>The spec exactly as the generator compiled it, from the consumer assembly's manifest.</summary>
    private static ModelSpec ReadSpec(string assemblyPath, string model)
    {
        var context = new AssemblyLoadContext("manifest", isCollectible: true);
        try
        {
            using var stream = new MemoryStream(File.ReadAllBytes(assemblyPath));
            Assembly assembly = context.LoadFromStream(stream);
            string manifest = assembly.GetCustomAttributesData()
                .Where(a => a.AttributeType.FullName == typeof(AssemblyMetadataAttribute).FullName)
                .Select(a => (Key: (string)a.ConstructorArguments[0].Value!, Value: (string)a.ConstructorArguments[1].Value!))
                .Single(a => a.Key == ModelManifest.MetadataKeyPrefix + model).Value;
            return ModelManifest.Read(manifest).Spec;
        }
        finally
        {
            context.Unload();
        }
    }

    private static float[] RunOnnx(ModelSpec spec, System.Collections.Generic.Dictionary<string, float[]> values, float[] input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxExporter.Export(spec, name => values[name]), options);
        int[] shape = [Batch, .. spec.InputShape];
        var tensor = new DenseTensor<float>(input, shape);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results =
            session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), tensor)]);
        return results.Single().AsEnumerable<float>().ToArray();
    }
}
