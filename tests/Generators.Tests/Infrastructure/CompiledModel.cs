using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelCompiler.Linking;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Generators.Tests.Infrastructure;

/// <summary>A generated model compiled into a collectible in-memory assembly, with its weights packed into an
/// artifact exactly as the weight-linking task does (manifest read back from the assembly's metadata).</summary>
public sealed class CompiledModel : IDisposable
{
    private static int s_counter;
    private readonly AssemblyLoadContext _context;
    private readonly MethodInfo _run;
    private readonly string _directory;

    private CompiledModel(AssemblyLoadContext context, MethodInfo run, string artifactPath, ModelSpec spec, IReadOnlyDictionary<string, float[]> tensors, ModelCompilation compilation)
    {
        ArtifactPath = artifactPath;
        Tensors = tensors;
        _context = context;
        _run = run;
        _directory = Path.GetDirectoryName(artifactPath)!;
        Spec = spec;
        Compilation = compilation;
    }

    /// <summary>The generated model class (its constants and methods, by reflection).</summary>
    public Type Type { get; private init; } = null!;

    /// <summary>The model as the weight-linking task compiles it (graph, plans, memory plan, layout).</summary>
    public ModelCompilation Compilation { get; }

    public ModelSpec Spec { get; }

    /// <summary>Where the generated loader finds the packed weights (read on the first Run).</summary>
    public string ArtifactPath { get; }

    /// <summary>The source tensors that were packed, by state_dict name.</summary>
    public IReadOnlyDictionary<string, float[]> Tensors { get; }

    /// <summary>Floats per input sample (a fixed-size model).</summary>
    public int InputSize => (int)Compilation.Graph!.Input.Shape.Size.Value;

    /// <summary>Floats per output sample (a fixed-size model).</summary>
    public int OutputSize => (int)Compilation.Graph!.Output.Shape.Size.Value;

    /// <summary>Generates, compiles and loads the model declared in <paramref name="source"/>; packs
    /// <paramref name="tensors"/> (source tensors by state_dict name) into its artifact.</summary>
    public static CompiledModel Create(string source, string modelFullName, IReadOnlyDictionary<string, float[]> tensors) =>
        Create(source, modelFullName, _ => tensors);

    /// <summary>As above, with tensors made from the spec the generator extracted (e.g. seeded random ones).</summary>
    public static CompiledModel Create(string source, string modelFullName, Func<ModelSpec, IReadOnlyDictionary<string, float[]>> tensorsFor,
        params (string Path, string Text)[] additionalFiles)
    {
        string assemblyName = "GeneratedModel" + System.Threading.Interlocked.Increment(ref s_counter);
        GeneratorResult result = GeneratorHarness.Run(source, assemblyName, additionalFiles);
        Assert.Empty(result.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        // A model whose input size is open takes the height and width; the shim's signature is the same either way.
        bool open = result.Sources.Values.Any(s => s.Contains("int height, int width, int batch, global::ModelCompiler.Generated.VectorWidth vectorWidth)", StringComparison.Ordinal));
        string model = "global::" + string.Join(".", modelFullName.Split('.').Select(Escaped));
        string call = open
            ? model + ".Run(input, output, height, width, batch, (global::ModelCompiler.Generated.VectorWidth)vectorWidth)"
            : model + ".Run(input, output, batch, (global::ModelCompiler.Generated.VectorWidth)vectorWidth)";
        string shim = $$"""
            /// <summary>Calls the model with plain arrays (reflection cannot pass spans).</summary>
            public static class ModelCompilerTestEntry
            {
                /// <summary>Runs the model.</summary>
                /// <param name="input">The input.</param>
                /// <param name="output">The output.</param>
                /// <param name="height">The input height (an open size only).</param>
                /// <param name="width">The input width (an open size only).</param>
                /// <param name="batch">The batch size.</param>
                /// <param name="vectorWidth">The widest vectors.</param>
                public static void Run(float[] input, float[] output, int height, int width, int batch, int vectorWidth) =>
                    {{call}};
            }
            """;
        CSharpCompilation compilation = result.Output.AddSyntaxTrees(CSharpSyntaxTree.ParseText(shim, GeneratorHarness.ParseOptions));
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics));
        Assert.Empty(emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));

        var context = new AssemblyLoadContext(assemblyName, isCollectible: true);
        stream.Position = 0;
        Assembly assembly = context.LoadFromStream(stream);
        string manifest = assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == ModelManifest.MetadataKeyPrefix + modelFullName).Value!;
        ManifestModel read = ModelManifest.Read(manifest);
        ModelSpec spec = read.Spec;
        ModelCompilation compiled = ModelCompilation.Compile(spec, read.Options);
        IReadOnlyDictionary<string, float[]> tensors = tensorsFor(spec);
        byte[] packed = WeightLinker.Pack(compiled.Layout!, name => tensors[name]);
        string directory = Path.Combine(Path.GetTempPath(), "modelcompiler-tests", assemblyName + "-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        string artifact = Path.Combine(directory, WeightArtifact.FileName(assemblyName));
        File.WriteAllBytes(artifact, WeightArtifact.Write([new ArtifactEntry(spec.FullName, compiled.LayoutHash, packed)]));
        AppContext.SetData("ModelCompiler.WeightsPath:" + assemblyName, artifact);

        MethodInfo run = assembly.GetType("ModelCompilerTestEntry")!.GetMethod("Run")!;
        return new CompiledModel(context, run, artifact, spec, tensors, compiled) { Type = assembly.GetType(modelFullName)! };
    }

    /// <summary>A name as C# must write it: '@' before a keyword.</summary>
    private static string Escaped(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>Floats per output sample at an input of <paramref name="height"/> x <paramref name="width"/> (ignored for a fixed size).</summary>
    public int OutputSizeAt(int height, int width) => (int)Compilation.Graph!.Output.Shape.Size.Evaluate(height, width);

    /// <summary>Runs the generated code with vectors no wider than <paramref name="width"/>.</summary>
    public float[] Run(float[] input, int batch, VectorWidthChoice width = VectorWidthChoice.Auto) => Run(input, batch, 0, 0, width);

    /// <summary>Runs the generated code of a model with an open input size at <paramref name="height"/> x <paramref name="inputWidth"/>.</summary>
    public float[] Run(float[] input, int batch, int height, int inputWidth, VectorWidthChoice width = VectorWidthChoice.Auto)
    {
        float[] output = new float[batch * OutputSizeAt(height, inputWidth)];
        RunInto(input, output, batch, height, inputWidth, width);
        return output;
    }

    /// <summary>Runs into a caller's output array (allocates nothing of its own beyond the reflection call).</summary>
    public void RunInto(float[] input, float[] output, int batch, int height = 0, int inputWidth = 0, VectorWidthChoice width = VectorWidthChoice.Auto)
    {
        try
        {
            _run.Invoke(null, [input, output, height, inputWidth, batch, (int)width]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    public void Dispose()
    {
        _context.Unload();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}

/// <summary>Mirrors the generated VectorWidth enum.</summary>
public enum VectorWidthChoice
{
    Auto = 0,
    Scalar = 1,
    V128 = 2,
    V256 = 3,
    V512 = 4,
}
