using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Common;
using ModelCompiler.Manifest;
using ModelCompiler.Package.Tests.Infrastructure;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Tests.Shared;
using ModelCompiler.Weights;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ModelCompiler.Package.Tests;

/// <summary>The package as a user meets it: its layout, and consumer projects built, run and published against it.</summary>
public sealed partial class PackageTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    private const string LinkSkipped = "Skipping target \"ModelCompilerLinkWeights\" because all output files are up-to-date";

    /// <summary>y = relu(x W^T + b) with W = [[0.1, 0.2, 0.3, 0.4], [-1, -1, -1, -1]], b = [0.5, 0.5].</summary>
    private static SafetensorsTestWriter TinyWeights() => new SafetensorsTestWriter()
        .F32("fc.weight", [2, 4], [0.1f, 0.2f, 0.3f, 0.4f, -1f, -1f, -1f, -1f])
        .F32("fc.bias", [2], [0.5f, 0.5f]);

    private static string ModelDeclaration(string className, string access) => $$"""
        [Model("weights/net.safetensors")]
        [Input(4)]
        [Linear("fc", 4, 2)]
        [ReLU]
        {{access}} static partial class {{className}}
        {
        }
        """;

    private static readonly string AppSource = """
        using System;
        using System.Globalization;
        using ModelCompiler;

        [assembly: CLSCompliant(false)]

        namespace App;

        """ + ModelDeclaration("TinyNet", "internal") + """


        internal static class Program
        {
            private static int Main()
            {
                float[] input = [1f, 2f, 3f, 4f];
                float[] output = new float[TinyNet.OutputSize];
                TinyNet.Run(input, output);
                Console.WriteLine("output " + string.Join(" ", Array.ConvertAll(output, v => v.ToString("R", CultureInfo.InvariantCulture))));
                return 0;
            }
        }
        """;

    [Fact]
    public void Package_HasTheExpectedLayout()
    {
        using ZipArchive zip = ZipFile.OpenRead(fixture.Package);
        string[] entries = zip.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("package/", StringComparison.Ordinal) && !n.StartsWith("_rels/", StringComparison.Ordinal) && n != "[Content_Types].xml").OrderBy(n => n, StringComparer.Ordinal).ToArray();

        string[] expected =
        [
            "ModelCompiler.nuspec",
            "README.md",
            "analyzers/dotnet/cs/ModelCompiler.Compiler.dll",
            "analyzers/dotnet/cs/ModelCompiler.Generators.dll",
            "build/ModelCompiler.props",
            "build/ModelCompiler.targets",
            "buildTransitive/ModelCompiler.props",
            "buildTransitive/ModelCompiler.targets",
            "tasks/netstandard2.0/Google.Protobuf.dll",
            "tasks/netstandard2.0/ModelCompiler.BuildTasks.dll",
            "tasks/netstandard2.0/ModelCompiler.Compiler.dll",
            "tasks/netstandard2.0/System.Buffers.dll",
            "tasks/netstandard2.0/System.Collections.Immutable.dll",
            "tasks/netstandard2.0/System.Memory.dll",
            "tasks/netstandard2.0/System.Numerics.Vectors.dll",
            "tasks/netstandard2.0/System.Reflection.Metadata.dll",
            "tasks/netstandard2.0/System.Runtime.CompilerServices.Unsafe.dll",
        ];
        Assert.Equal(expected.Where(e => e != "analyzers/dotnet/cs/ModelCompiler.Generators.dll"), entries.Where(e => e != "analyzers/dotnet/cs/ModelCompiler.Generators.dll"));

        using Stream nuspecStream = zip.GetEntry("ModelCompiler.nuspec")!.Open();
        XElement metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("true", metadata.Elements().Single(e => e.Name.LocalName == "developmentDependency").Value);
        Assert.DoesNotContain(metadata.Elements(), e => e.Name.LocalName == "dependencies");
        Assert.Equal("0.1.0", metadata.Elements().Single(e => e.Name.LocalName == "version").Value);
    }

    [Fact]
    public void Package_ContainsTheGenerator() => RequireGenerator();

    [Fact]
    public void HandWrittenManifest_ArtifactReachesBinAndPublish()
    {
        // No generator involved: the manifest is written by hand, as the generator would write it.
        ModelSpec spec = TinySpec("App");
        var app = new Consumer(fixture, "App")
            .WithWeights("weights/net.safetensors", TinyWeights())
            .WithSource("Program.cs", $$"""
                [assembly: System.Reflection.AssemblyMetadata("ModelCompiler.Model:App.Net", {{CSharpString(ModelManifest.Write(spec))}})]
                [assembly: System.CLSCompliant(false)]

                namespace App;

                internal static class Program
                {
                    private static int Main() => System.IO.File.Exists(System.IO.Path.Combine(System.AppContext.BaseDirectory, "App.mcweights")) ? 0 : 1;
                }
                """);

        Succeeded(app.Build());

        ArtifactEntry entry = Assert.Single(WeightArtifact.Read(File.ReadAllBytes(Path.Combine(app.Bin, "App.mcweights"))));
        Assert.Equal(("App.Net", ModelCompilation.Compile(spec).LayoutHash), (entry.Model, entry.LayoutHash));
        Assert.True(File.Exists(Path.Combine(app.Bin, "App.Net.model.md")));
        Assert.Equal(0, app.Execute(app.Bin).ExitCode);

        string publish = Path.Combine(app.ProjectDirectory, "publish");
        Succeeded(app.Publish(publish));
        Assert.True(File.Exists(Path.Combine(publish, "App.mcweights")));
        Assert.Equal(0, app.Execute(publish).ExitCode);
    }

    [Fact]
    public void ProjectWithoutModel_BuildsAndShipsNoArtifact()
    {
        var app = new Consumer(fixture, "Plain").WithSource("Program.cs", """
            [assembly: System.CLSCompliant(false)]

            namespace Plain;

            internal static class Program
            {
                private static int Main() => 0;
            }
            """);

        Succeeded(app.Build());
        CommandResult second = Succeeded(app.Build());

        Assert.Contains(LinkSkipped, second.Output);
        Assert.False(File.Exists(Path.Combine(app.Bin, "Plain.mcweights")));
        Assert.False(File.Exists(Path.Combine(app.Obj, "Plain.mcweights")));

        // A model added later ships in that same build; removed again, its artifact leaves bin/ too.
        app.WithWeights("weights/net.safetensors", TinyWeights()).WithSource("Manifest.cs",
            "[assembly: System.Reflection.AssemblyMetadata(\"ModelCompiler.Model:Plain.Net\", " + CSharpString(ModelManifest.Write(TinySpec("Plain"))) + ")]\n");
        Succeeded(app.Build());
        Assert.Equal("Plain.Net", Assert.Single(WeightArtifact.Read(File.ReadAllBytes(Path.Combine(app.Bin, "Plain.mcweights")))).Model);

        File.Delete(Path.Combine(app.ProjectDirectory, "Manifest.cs"));
        Succeeded(app.Build());
        Assert.False(File.Exists(Path.Combine(app.Bin, "Plain.mcweights")));
        Assert.False(File.Exists(Path.Combine(app.Obj, "Plain.mcweights")));
    }

    [Fact]
    public void GeneratedModel_BuildsRunsAndPublishes_AndANoOpBuildSkipsTheLink()
    {
        RequireGenerator();
        var app = new Consumer(fixture, "App").WithWeights("weights/net.safetensors", TinyWeights()).WithSource("Program.cs", AppSource);

        CommandResult first = Succeeded(app.Build());
        Assert.Contains("ModelCompiler: App.TinyNet (weights: weights/net.safetensors", first.Output);
        Assert.True(File.Exists(Path.Combine(app.Bin, "App.mcweights")));
        AssertOutput(app.Execute(app.Bin));

        CommandResult second = Succeeded(app.Build());
        Assert.Contains(LinkSkipped, second.Output);
        Assert.DoesNotContain("ModelCompiler: App.TinyNet", second.Output);

        string publish = Path.Combine(app.ProjectDirectory, "publish");
        Succeeded(app.Publish(publish));
        Assert.True(File.Exists(Path.Combine(publish, "App.mcweights")));
        AssertOutput(app.Execute(publish));
    }

    [Fact]
    public void WrongWeights_FailTheBuildAtTheDeclaringAttribute()
    {
        RequireGenerator();
        var app = new Consumer(fixture, "App")
            .WithWeights("weights/net.safetensors", new SafetensorsTestWriter().F32("fc.weight", 2, 3).F32("fc.bias", 2))
            .WithSource("Program.cs", AppSource);

        CommandResult build = app.Build();

        Assert.NotEqual(0, build.ExitCode);
        int line = AppSource.Split('\n').ToList().FindIndex(l => l.StartsWith("[Linear(", StringComparison.Ordinal)) + 1;
        Assert.Matches(new Regex(Regex.Escape(Path.Combine(app.ProjectDirectory, "Program.cs")) + @"\(" + line.ToString(CultureInfo.InvariantCulture)
            + @",\d+\): error MC2004: Tensor 'fc.weight' in '[^']*net.safetensors' has shape \[2, 3\], but layer 'fc' needs \[2, 4\]"), build.Output);
    }

    /// <summary>An app that runs the model of <see cref="ModelLibrary"/>.</summary>
    private static readonly string LibraryAppSource = """
        using System;
        using System.Globalization;

        [assembly: CLSCompliant(false)]

        namespace App;

        internal static class Program
        {
            private static int Main()
            {
                float[] input = [1f, 2f, 3f, 4f];
                float[] output = new float[ModelLib.LibNet.OutputSize];
                ModelLib.LibNet.Run(input, output);
                Console.WriteLine("output " + string.Join(" ", Array.ConvertAll(output, v => v.ToString("R", CultureInfo.InvariantCulture))));
                return 0;
            }
        }
        """;

    /// <summary>A class library declaring the public model ModelLib.LibNet on <see cref="TinyWeights"/>.</summary>
    private Consumer ModelLibrary() => new Consumer(fixture, "Lib").AsLibrary().WithWeights("weights/net.safetensors", TinyWeights()).WithSource("LibNet.cs", """
        using ModelCompiler;

        [assembly: System.CLSCompliant(false)]

        namespace ModelLib;

        """ + ModelDeclaration("LibNet", "public"));

    [Fact]
    public void LibraryModel_ReachesTheReferencingApp_AlsoWithoutBuildingReferences()
    {
        RequireGenerator();
        var lib = ModelLibrary();
        var app = new Consumer(fixture, "App").WithReference(lib).WithSource("Program.cs", LibraryAppSource);

        Succeeded(app.Build());
        Assert.True(File.Exists(Path.Combine(app.Bin, "Lib.mcweights")));
        AssertOutput(app.Execute(app.Bin));

        // As an IDE's solution build does: the app alone, asking the library for its copy items without building it.
        Directory.Delete(Path.Combine(app.ProjectDirectory, "bin"), recursive: true);
        Succeeded(app.Build("-p:BuildProjectReferences=false"));
        Assert.True(File.Exists(Path.Combine(app.Bin, "Lib.mcweights")));
        AssertOutput(app.Execute(app.Bin));
    }

    /// <summary>A library that declares a model, packed with dotnet pack, carries its weights artifact: an app that
    /// references only the library's package (not ModelCompiler) gets it in bin/ and in publish output, and runs.</summary>
    [Fact]
    public void PackedLibrary_CarriesItsArtifact_ToTheAppsBinAndPublishOutput()
    {
        RequireGenerator();
        string id = PackageFixture.LibraryPackagePrefix + "Lib";
        var lib = ModelLibrary();
        Succeeded(lib.Pack(fixture.Feed, "-p:PackageId=" + id + " -p:PackageVersion=1.0.0"));

        using (ZipArchive zip = ZipFile.OpenRead(Path.Combine(fixture.Feed, id + ".1.0.0.nupkg")))
        {
            Assert.NotNull(zip.GetEntry("contentFiles/any/any/Lib.mcweights"));
            using Stream nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            XDocument document = XDocument.Load(nuspec);
            XElement files = Assert.Single(document.Descendants(), e => e.Name.LocalName == "files" && e.Parent?.Name.LocalName == "contentFiles");
            Assert.Equal("any/any/Lib.mcweights", (string?)files.Attribute("include"));
            Assert.Equal("true", (string?)files.Attribute("copyToOutput"));
            Assert.DoesNotContain(document.Descendants().Where(e => e.Name.LocalName == "dependency"), d => (string?)d.Attribute("id") == "ModelCompiler");
        }

        var app = new Consumer(fixture, "App").WithoutModelCompiler().WithPackage(id, "1.0.0").WithSource("Program.cs", LibraryAppSource);

        Succeeded(app.Build());
        Assert.True(File.Exists(Path.Combine(app.Bin, "Lib.mcweights")));
        AssertOutput(app.Execute(app.Bin));

        string publish = Path.Combine(app.ProjectDirectory, "publish");
        Succeeded(app.Publish(publish));
        Assert.True(File.Exists(Path.Combine(publish, "Lib.mcweights")));
        AssertOutput(app.Execute(publish));
    }

    /// <summary>The spec of the model <see cref="TinyWeights"/> fits, as the generator would record it.</summary>
    private static ModelSpec TinySpec(string ns) => new()
    {
        Namespace = ns,
        ClassName = "Net",
        WeightsPath = "weights/net.safetensors",
        InputShape = EquatableArray.Create(4),
        Layers = EquatableArray.Create(
            Specs.Linear("fc", 4, 2) with { Location = new SourceLocation("Program.cs", 1, 2) },
            Specs.Op("ReLU", "relu")),
    };

    /// <summary>The program printed what <see cref="TinyWeights"/> give for [1, 2, 3, 4] (or <paramref name="first"/>).</summary>
    private static void AssertOutput(CommandResult run, float first = 3.5f)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        Match m = Regex.Match(run.Output, @"output (\S+) (\S+)");
        Assert.True(m.Success, run.ToString());
        Assert.Equal(first, float.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), 5);
        Assert.Equal(0f, float.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void OnnxModels_BothWaysIn_BuildAndRunWarningClean()
    {
        RequireGenerator();
        string Conformance(string name) => Path.Combine(Repository.Root, "tests", "data", "onnx-conformance", name, "model.onnx");
        var app = new Consumer(fixture, "OnnxApp")
            .WithFile("models/conv.onnx", Conformance("test_Conv2d_strided"))
            .WithFile("models/net.onnx", Conformance("test_Linear_no_bias"))
            .WithItem("<ModelCompilerOnnx Include=\"models/conv.onnx\" Class=\"StridedConv\" />")
            .WithSource("Program.cs", """
                [assembly: System.CLSCompliant(false)]

                namespace OnnxApp;

                internal static class Program
                {
                    private static int Main()
                    {
                        float[] image = new float[StridedConv.InputSize], features = new float[StridedConv.OutputSize];
                        StridedConv.Run(image, features);
                        float[] vector = new float[Net.InputSize], output = new float[Net.OutputSize];
                        Net.Run(vector, output);
                        return 0;
                    }
                }
                """);

        // The one-time import writes into the project; the build item imports at build time.
        CommandResult import = Succeeded(app.Build("-t:ModelCompilerImportOnnx -p:ModelCompilerOnnxFile=models/net.onnx"));
        Assert.Contains("ModelCompiler: imported", import.Output);
        Assert.True(File.Exists(Path.Combine(app.ProjectDirectory, "Net.cs")));
        Assert.True(File.Exists(Path.Combine(app.ProjectDirectory, "weights", "Net.safetensors")));

        Succeeded(app.Build());
        Assert.True(File.Exists(Path.Combine(app.Obj, "ModelCompilerOnnx", "conv.g.cs")));
        Assert.Equal(0, app.Execute(app.Bin).ExitCode);

        CommandResult again = Succeeded(app.Build());
        Assert.Contains("Skipping target \"_ModelCompilerImportOnnxItems\"", again.Output);
    }

    private static CommandResult Succeeded(CommandResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private void RequireGenerator()
    {
        using ZipArchive zip = ZipFile.OpenRead(fixture.Package);
        Assert.True(zip.GetEntry("analyzers/dotnet/cs/ModelCompiler.Generators.dll") is not null,
            "The package has no analyzers/dotnet/cs/ModelCompiler.Generators.dll: Generators/Generators.csproj is not in this checkout "
            + "(merge the generator), so no model code or manifest can be generated.");
    }

    private static string CSharpString(string text)
    {
        var s = new StringBuilder("\"");
        foreach (char c in text)
        {
            s.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", _ => c.ToString() });
        }

        return s.Append('"').ToString();
    }
}
