using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Generators.Model;
using ModelCompiler.Options;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators;

/// <summary>Turns [Model] partial classes into compiled inference code. The pipeline reads like the data flow:
/// parse attributes into a spec (cheap, per edit) → strip source locations and add the options (plan files) →
/// equality cut → compile and print the code (only when the declaration or options changed) → add the manifest
/// and map diagnostics back to the attributes (cheap, per edit).</summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    // Async-local, so a test that injects a failure affects only generator runs in its own execution context,
    // not tests running in parallel.
    private static readonly System.Threading.AsyncLocal<Action<ModelSpec>?> s_beforeCompile = new();

    /// <summary>Test hook: runs before each model is compiled (used to prove exceptions become MC0001).</summary>
    internal static Action<ModelSpec>? BeforeCompile
    {
        get => s_beforeCompile.Value;
        set => s_beforeCompile.Value = value;
    }

    // Roslyn 4.14 (SDK 9.0.300) and later can define Microsoft.CodeAnalysis.EmbeddedAttribute for generators, once per
    // compilation whoever asks; the types marked with it stay invisible to other assemblies, friends included, so two
    // projects with models and InternalsVisibleTo between them do not see each other's copies (CS0436). The generator
    // is built against Roslyn 4.8 so that older compilers load it: there the call does not exist, and nothing is marked.
    private static readonly MethodInfo? s_addEmbeddedAttributeDefinition =
        typeof(IncrementalGeneratorPostInitializationContext).GetMethod("AddEmbeddedAttributeDefinition", Type.EmptyTypes);

    /// <summary>Whether the generated internal types carry [Embedded] (the compiler in use can define it).</summary>
    internal static bool Embedded => s_addEmbeddedAttributeDefinition is not null;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        Warmup.Start();
        context.RegisterPostInitializationOutput(static c =>
        {
            s_addEmbeddedAttributeDefinition?.Invoke(c, null);
            c.AddSource(AttributeSource.HintName, Embedded ? ModelCompiler.Emit.RuntimeSource.MarkEmbedded(AttributeSource.Text, new HashSet<string>()) : AttributeSource.Text);
        });

        IncrementalValuesProvider<ModelInfo> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeSource.ModelAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.Parse(ctx, ct))
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValueProvider<string> projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.ProjectDir", out string? dir) ? dir : string.Empty)
            .WithTrackingName(TrackingNames.ProjectDirectory);

        IncrementalValuesProvider<ModelInfo> models = parsed
            .Combine(projectDirectory)
            .Select(static (pair, _) => Parser.WithRelativePaths(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Model);

        IncrementalValueProvider<PlanSet> plans = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(PlanFile.Extension, StringComparison.OrdinalIgnoreCase))
            .Select(static (text, ct) => (text.Path, Text: text.GetText(ct)?.ToString() ?? string.Empty))
            .Collect()
            .Combine(projectDirectory)
            .Select(static (pair, _) => Plans.Parse(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Plans);

        IncrementalValuesProvider<CompileKey> keys = models
            .Combine(plans)
            .Select(static (pair, _) => Keys.For(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Key);

        IncrementalValuesProvider<CompiledModel> compiled = keys
            .Select(static (key, _) => Compile(key))
            .WithTrackingName(TrackingNames.Generate);

        IncrementalValuesProvider<GeneratedModel> generated = compiled
            .Combine(models.Collect())
            .Select(static (pair, _) => Keys.Finish(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Output);

        context.RegisterSourceOutput(generated, static (spc, model) => Emit(spc, model));
        context.RegisterSourceOutput(plans, static (spc, set) =>
        {
            foreach (DiagnosticInfo error in set.Errors)
            {
                spc.ReportDiagnostic(RoslynDiagnostics.Create(error, EquatableArray<LocationEntry>.Empty));
            }
        });

        IncrementalValueProvider<string> assemblyName = context.CompilationProvider
            .Select(static (compilation, _) => compilation.AssemblyName ?? string.Empty)
            .WithTrackingName(TrackingNames.AssemblyName);

        IncrementalValueProvider<(bool Any, string Assembly)> runtime = generated
            .Where(static m => m.Compiled)
            .Collect()
            .Select(static (all, _) => !all.IsEmpty)
            .Combine(assemblyName)
            .WithTrackingName(TrackingNames.Runtime);

        context.RegisterSourceOutput(runtime, static (spc, r) => EmitRuntime(spc, r.Any, r.Assembly));

        // The run-time kernels use .NET 9 APIs: a project on an older framework gets one error saying so, at each model,
        // before the compiler's own errors in the kernels.
        IncrementalValueProvider<string?> tooOld = context.CompilationProvider
            .Select(static (compilation, _) => SupportsKernels(compilation) ? null : FrameworkName(compilation))
            .WithTrackingName(TrackingNames.Framework);
        context.RegisterSourceOutput(models.Combine(tooOld), static (spc, pair) =>
        {
            if (pair.Right is { } framework && pair.Left.Spec is { } spec)
            {
                spc.ReportDiagnostic(RoslynDiagnostics.Create(
                    DiagnosticInfo.Create(DiagnosticDescriptors.FrameworkTooOld, spec.Location, framework), pair.Left.Locations));
            }
        });
    }

    /// <summary>Whether the compilation references a framework with the SIMD APIs the run-time kernels call.</summary>
    private static bool SupportsKernels(Compilation compilation) =>
        compilation.GetTypeByMetadataName("System.Runtime.Intrinsics.Vector128")?.GetMembers("FusedMultiplyAdd").Length > 0;

    /// <summary>The framework the compilation references, as its core library names it (for the message).</summary>
    private static string FrameworkName(Compilation compilation)
    {
        IAssemblySymbol core = compilation.GetSpecialType(SpecialType.System_Object).ContainingAssembly;
        return core.Name + " " + core.Identity.Version;
    }

    private static CompiledModel Compile(CompileKey key)
    {
        if (key.Spec is null)
        {
            return new CompiledModel(key.Name, null, EquatableArray<string>.Empty, EquatableArray<DiagnosticInfo>.Empty, key.Options);
        }

        try
        {
            BeforeCompile?.Invoke(key.Spec);
            ModelCompilation compilation = ModelCompilation.Compile(key.Spec, key.Options);
            string? code = compilation.Succeeded ? ModelCompiler.Emit.ModelEmitter.Emit(compilation) : null;
            EquatableArray<string> members = compilation.Succeeded ? ModelCompiler.Emit.ModelEmitter.MemberNames(compilation).ToEquatableArray() : EquatableArray<string>.Empty;
            return new CompiledModel(key.Name, code, members, compilation.Diagnostics.ToEquatableArray(), key.Options);
        }
        catch (Exception e)
        {
            // The generator never throws: an exception would surface as CS8785 and drop all output.
            DiagnosticInfo error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, key.Spec.Location, key.Spec.FullName, e.GetType().Name + ": " + e.Message);
            return new CompiledModel(key.Name, null, EquatableArray<string>.Empty, EquatableArray.Create(error), key.Options);
        }
    }

    private static void Emit(SourceProductionContext context, GeneratedModel model)
    {
        foreach (DiagnosticInfo info in model.Diagnostics)
        {
            context.ReportDiagnostic(RoslynDiagnostics.Create(info, model.Locations));
        }

        if (model.Source is not null)
        {
            context.AddSource(model.HintName, model.Source);
        }
    }

    private static void EmitRuntime(SourceProductionContext context, bool any, string assemblyName)
    {
        if (!any)
        {
            return;
        }

        IReadOnlyList<KeyValuePair<string, string>> files;
        try
        {
            files = ModelCompiler.Emit.RuntimeSource.Emit(assemblyName, Embedded);
        }
        catch (Exception e)
        {
            // A missing or malformed embedded run-time file is a build bug of ModelCompiler: MC0001, never a throw.
            DiagnosticInfo error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, "run-time kernels", e.GetType().Name + ": " + e.Message);
            context.ReportDiagnostic(RoslynDiagnostics.Create(error, EquatableArray<LocationEntry>.Empty));
            return;
        }

        foreach (KeyValuePair<string, string> file in files)
        {
            context.AddSource(file.Key, file.Value);
        }
    }
}
