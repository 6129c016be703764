using System;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Package.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Package.Tests;

/// <summary>Two clean builds of the same inputs, in two different directories, produce byte-identical generated
/// sources, weight artifacts and assemblies (paths never leak into what the build writes).</summary>
public sealed class DeterminismTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    private const string Model = """
        using ModelCompiler;

        [assembly: System.CLSCompliant(false)]

        namespace DeterminismModels;

        [Model("weights/net.safetensors")]
        [Input(2, 6, 6)]
        [Conv2d("conv", 2, 4, 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn", 4)]
        [ReLU]
        [Flatten]
        [Linear("fc", 144, 3)]
        public static partial class TinyClassifier
        {
        }
        """;

    [Fact]
    public void TwoCleanBuilds_AreByteIdentical()
    {
        Consumer first = Build();
        Consumer second = Build();

        string[] Generated(Consumer c) => Directory.GetFiles(Path.Combine(c.Obj, "generated"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(c.ProjectDirectory, f)).Order(StringComparer.Ordinal).ToArray();
        string[] files = Generated(first);
        Assert.Contains(files, f => f.EndsWith("DeterminismModels.TinyClassifier.g.cs", StringComparison.Ordinal));
        Assert.Equal(files, Generated(second));
        foreach (string file in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.ProjectDirectory, file)), File.ReadAllBytes(Path.Combine(second.ProjectDirectory, file)));
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(first.Bin, "Lib.mcweights")), File.ReadAllBytes(Path.Combine(second.Bin, "Lib.mcweights")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.Bin, "Lib.dll")), File.ReadAllBytes(Path.Combine(second.Bin, "Lib.dll")));
    }

    private Consumer Build()
    {
        var writer = new SafetensorsTestWriter();
        var random = new Random(7);
        foreach ((string name, long[] shape) in new (string, long[])[]
        {
            ("conv.weight", [4, 2, 3, 3]), ("bn.weight", [4]), ("bn.bias", [4]), ("bn.running_mean", [4]), ("bn.running_var", [4]),
            ("fc.weight", [3, 144]), ("fc.bias", [3]),
        })
        {
            writer.F32(name, shape, Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)random.NextDouble() + 0.1f).ToArray());
        }

        Consumer lib = new Consumer(fixture, "Lib").AsLibrary().WithWeights("weights/net.safetensors", writer).WithSource("Net.cs", Model);
        CommandResult build = lib.Build("-p:EmitCompilerGeneratedFiles=true -p:Deterministic=true -p:PathMap=\"" + lib.ProjectDirectory + "=/_/\"");
        Assert.True(build.ExitCode == 0, build.ToString());
        return lib;
    }
}
