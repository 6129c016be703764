using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ModelCompiler.Generators.Tests.Infrastructure;

/// <summary>Runs the generator in-process with CSharpGeneratorDriver (offline, fast) and compiles the result.</summary>
public static class GeneratorHarness
{
    public const string ProjectDirectory = "/project/";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray());

    /// <summary>C# 12 (the run-time sources' floor), with documentation comments checked as GenerateDocumentationFile
    /// does: generated code must build warning-free in a project that documents its API.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.CSharp12, DocumentationMode.Diagnose);

    public static CSharpCompilation CreateCompilation(string assemblyName, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: ProjectDirectory + (i == 0 ? "Model.cs" : "File" + i + ".cs"))),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, deterministic: true));

    /// <param name="additionalFiles">Additional files (plan files) by path and text.</param>
    public static GeneratorDriver CreateDriver(params (string Path, string Text)[] additionalFiles) =>
        CreateDriver(additionalFiles.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)).ToImmutableArray());

    public static GeneratorDriver CreateDriver(ImmutableArray<AdditionalText> additionalTexts) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            additionalTexts: additionalTexts,
            parseOptions: ParseOptions,
            optionsProvider: new TestOptionsProvider(new Dictionary<string, string> { ["build_property.ProjectDir"] = ProjectDirectory }),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorResult Run(string source, string assemblyName = "TestModels", params (string Path, string Text)[] additionalFiles)
    {
        CSharpCompilation compilation = CreateCompilation(assemblyName, source);
        GeneratorDriver driver = CreateDriver(additionalFiles).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        return new GeneratorResult(driver, driver.GetRunResult(), (CSharpCompilation)output, generatorDiagnostics);
    }

    /// <summary>An additional file as MSBuild would pass it (AdditionalFiles), from memory.</summary>
    public sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(System.Threading.CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class TestOptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

public sealed record GeneratorResult(GeneratorDriver Driver, GeneratorDriverRunResult RunResult, CSharpCompilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    /// <summary>Generated sources by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources => RunResult.Results.SelectMany(r => r.GeneratedSources)
        .ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Errors and warnings of compiling the user code together with the generated code.</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems => Output.GetDiagnostics()
        .Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}
