using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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

    private CompiledModel(AssemblyLoadContext context, MethodInfo run, string artifactPath, ModelSpec spec, IReadOnlyDictionary<string, float[]> tensors, int inputSize, int outputSize)
    {
        ArtifactPath = artifactPath;
        Tensors = tensors;
        _context = context;
        _run = run;
        _directory = Path.GetDirectoryName(artifactPath)!;
        Spec = spec;
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    public ModelSpec Spec { get; }

    /// <summary>Where the generated loader finds the packed weights (read on the first Run).</summary>
    public string ArtifactPath { get; }

    /// <summary>The source tensors that were packed, by state_dict name.</summary>
    public IReadOnlyDictionary<string, float[]> Tensors { get; }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>Generates, compiles and loads the model declared in <paramref name="source"/>; packs
    /// <paramref name="tensors"/> (source tensors by state_dict name) into its artifact.</summary>
    public static CompiledModel Create(string source, string modelFullName, IReadOnlyDictionary<string, float[]> tensors) =>
        Create(source, modelFullName, _ => tensors);

    /// <summary>As above, with tensors made from the spec the generator extracted (e.g. seeded random ones).</summary>
    public static CompiledModel Create(string source, string modelFullName, Func<ModelSpec, IReadOnlyDictionary<string, float[]>> tensorsFor)
    {
        string assemblyName = "GeneratedModel" + System.Threading.Interlocked.Increment(ref s_counter);
        GeneratorResult result = GeneratorHarness.Run(source, assemblyName);
        Assert.Empty(result.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        string shim = $$"""
            public static class ModelCompilerTestEntry
            {
                public static void Run(float[] input, float[] output, int batch, int width) =>
                    global::{{modelFullName}}.Run(input, output, batch, (global::ModelCompiler.Generated.VectorWidth)width);
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
        ModelSpec spec = ModelManifest.Read(manifest);
        ModelCompilation compiled = ModelCompilation.Compile(spec);
        IReadOnlyDictionary<string, float[]> tensors = tensorsFor(spec);
        float[] packed = WeightPacker.Pack(compiled.Graph!, compiled.Layout!, tensors);
        string directory = Path.Combine(Path.GetTempPath(), "modelcompiler-tests", assemblyName + "-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        string artifact = Path.Combine(directory, WeightArtifact.FileName(assemblyName));
        File.WriteAllBytes(artifact, WeightArtifact.Write([new ArtifactEntry(spec.FullName, compiled.LayoutHash, packed)]));
        AppContext.SetData("ModelCompiler.WeightsPath:" + assemblyName, artifact);

        Type type = assembly.GetType(modelFullName)!;
        int inputSize = (int)type.GetField("InputSize")!.GetRawConstantValue()!;
        int outputSize = (int)type.GetField("OutputSize")!.GetRawConstantValue()!;
        MethodInfo run = assembly.GetType("ModelCompilerTestEntry")!.GetMethod("Run")!;
        return new CompiledModel(context, run, artifact, spec, tensors, inputSize, outputSize);
    }

    /// <summary>Runs the generated code with vectors no wider than <paramref name="width"/>.</summary>
    public float[] Run(float[] input, int batch, VectorWidthChoice width = VectorWidthChoice.Auto)
    {
        float[] output = new float[batch * OutputSize];
        try
        {
            _run.Invoke(null, [input, output, batch, (int)width]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }

        return output;
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
