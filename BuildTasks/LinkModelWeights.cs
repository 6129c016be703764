using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelCompiler.Diagnostics;
using ModelCompiler.Linking;
using ModelCompiler.Manifest;
using ModelCompiler.Report;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.BuildTasks;

/// <summary>The weight-linking step, run after CoreCompile: reads the model manifests from the compiled assembly,
/// validates and packs each model's weights, and writes the weights artifact that ships beside the assembly, the
/// model reports, and the state the targets use to run this again only when something relevant changed.</summary>
public sealed class LinkModelWeights : Task
{
    /// <summary>The assembly CoreCompile just wrote (@(IntermediateAssembly)).</summary>
    [Required]
    public string IntermediateAssembly { get; set; } = string.Empty;

    /// <summary>The directory weights paths in [Model] are relative to ($(MSBuildProjectDirectory)).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>Names the reports; the generated loader names the artifact after it too.</summary>
    [Required]
    public string AssemblyName { get; set; } = string.Empty;

    /// <summary>Where the packed weights go (in obj/); the targets ship it from there.</summary>
    [Required]
    public string ArtifactFile { get; set; } = string.Empty;

    /// <summary>The target's Outputs: holds what the last successful link was computed from.</summary>
    [Required]
    public string StampFile { get; set; } = string.Empty;

    /// <summary>Receives the weights files read, one full path a line: the target's Inputs next time.</summary>
    [Required]
    public string WeightsListFile { get; set; } = string.Empty;

    /// <summary>Receives each weights file's identity as this link saw it before reading (length, last write time,
    /// content fingerprint, full path; <see cref="WeightsIdentity"/>), one a line: <see cref="CheckWeightsFiles"/>
    /// deletes the stamp next time when a file differs from it.</summary>
    [Required]
    public string WeightsIdentitiesFile { get; set; } = string.Empty;

    /// <summary>ModelCompilerWeightsCheck: content (default) fingerprints each weights file; time records length and
    /// last write time only.</summary>
    public string WeightsCheck { get; set; } = "content";

    /// <summary>Receives the report files written, one full path a line (FileWrites, and stale-report cleanup).</summary>
    [Required]
    public string ReportsListFile { get; set; } = string.Empty;

    /// <summary>Where the Markdown reports go; empty for none.</summary>
    public string ReportDirectory { get; set; } = string.Empty;

    /// <summary>Importance of the summary table in the build log: high, normal or low.</summary>
    public string SummaryImportance { get; set; } = "high";

    [Output]
    public ITaskItem[] WeightsFiles { get; private set; } = [];

    [Output]
    public ITaskItem[] ReportFiles { get; private set; } = [];

    /// <summary>False when the stamp showed the artifact to be current and no weights file was linked (with
    /// WeightsCheck content, each was only fingerprinted).</summary>
    [Output]
    public bool WeightsRead { get; private set; }

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (Exception e)
        {
            // Never let an exception escape (MSB4018 hides what happened); report it as ours, with the stack for a bug report.
            LogDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, IntermediateAssembly, e.GetType().Name + ": " + e.Message));
            Log.LogMessage(MessageImportance.Low, e.ToString());
            TryDelete(StampFile);
        }

        return !Log.HasLoggedErrors;
    }

    private void Run()
    {
        List<ManifestModel>? models = ReadModels();
        if (models is null)
        {
            TryDelete(StampFile);
            return;
        }

        List<string> weightsFiles = models.SelectMany(m => WeightLinker.InputFiles(m.Spec, ProjectDirectory)).Distinct(StringComparer.Ordinal).ToList();
        // Taken before any weights are read: a file that changes after this is noticed by the next build.
        bool content = WeightsIdentity.ChecksContent(WeightsCheck);
        List<WeightsIdentity> identities = weightsFiles.Select(f => WeightsIdentity.Of(f, content)).ToList();
        string stamp = LinkStamp.Compute(models, ProjectDirectory, "artifact=" + Path.GetFullPath(ArtifactFile) + " reports=" + ReportDirectory,
            identities.ToDictionary(w => w.Path, StringComparer.Ordinal));
        List<string> reports = ReportPaths(models);
        WeightsFiles = weightsFiles.Select(f => (ITaskItem)new TaskItem(f)).ToArray();
        ReportFiles = reports.SelectMany(f => new[] { f, HtmlPath(f) }).Select(f => (ITaskItem)new TaskItem(f)).ToArray();
        FileWriter.WriteTextIfChanged(WeightsListFile, string.Concat(weightsFiles.Select(f => f + "\n")));
        FileWriter.WriteTextIfChanged(WeightsIdentitiesFile, LinkStamp.Identities(identities));

        if (LinkStamp.Matches(StampFile, stamp) && (models.Count == 0 || File.Exists(ArtifactFile)) && reports.All(File.Exists))
        {
            Log.LogMessage(MessageImportance.Low, "ModelCompiler: the model layouts and weights files of {0} are unchanged since the last link; {1} is current, weights not linked again.",
                AssemblyName, Path.GetFileName(ArtifactFile));
            LinkStamp.Write(StampFile, stamp);
            return;
        }

        if (models.Count == 0)
        {
            // No model (any more): nothing ships, and a stale artifact must not.
            Log.LogMessage(MessageImportance.Low, "ModelCompiler: {0} declares no model; no weights artifact.", AssemblyName);
            TryDelete(ArtifactFile);
            WriteReports([], reports);
            LinkStamp.Write(StampFile, stamp);
            return;
        }

        WeightsRead = true;
        var results = new List<WeightLinkResult>();
        foreach (ManifestModel model in models)
        {
            WeightLinkResult result = WeightLinker.Check(model.Spec, ProjectDirectory, model.Options);
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                LogDiagnostic(diagnostic);
            }

            results.Add(result);
        }

        if (results.Any(r => !r.Succeeded))
        {
            // The previous artifact (if any) stays as it was; the next build links again.
            TryDelete(StampFile);
            return;
        }

        // Streamed: each model's tensors are packed one at a time straight into the artifact file (next to it, then
        // renamed), so the build's memory is bounded by the largest tensor, not by the weights' size.
        List<ArtifactBlock> blocks = results.Select(WeightLinker.Block).ToList();
        try
        {
            bool written = FileWriter.WriteAtomically(ArtifactFile, stream => WeightArtifact.Write(stream, blocks));
            Log.LogMessage(MessageImportance.Normal, "ModelCompiler: {0} {1} ({2} bytes, {3} model(s)).",
                written ? "wrote" : "unchanged", ArtifactFile, new FileInfo(ArtifactFile).Length.ToString(CultureInfo.InvariantCulture), results.Count.ToString(CultureInfo.InvariantCulture));
        }
        catch (WeightsChangedException e)
        {
            // The weights file changed between the check and the packing (an export still writing it): link again.
            LogDiagnostic(e.Diagnostic);
            TryDelete(StampFile);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.ArtifactWriteFailed, null, ArtifactFile, e.Message));
            TryDelete(StampFile);
            return;
        }

        MessageImportance importance = Enum.TryParse(SummaryImportance, ignoreCase: true, out MessageImportance parsed) ? parsed : MessageImportance.High;
        foreach (WeightLinkResult result in results)
        {
            Log.LogMessage(importance, ModelReport.SummaryTable(result.Compilation, result.Spec.WeightsPath));
        }

        WriteReports(results, reports);
        LinkStamp.Write(StampFile, stamp);
    }

    /// <summary>The specs of every manifest in the assembly, ordered by model name; null after an error.</summary>
    private List<ManifestModel>? ReadModels()
    {
        List<ManifestModel>? models = ManifestReader.ReadModels(IntermediateAssembly, LogDiagnostic);
        return Log.HasLoggedErrors ? null : models;
    }

    /// <summary>{AssemblyName}.{ClassName}.model.md (the HTML report beside it: .model.html); the full name where two models share a class name.</summary>
    private List<string> ReportPaths(List<ManifestModel> manifests)
    {
        if (string.IsNullOrEmpty(ReportDirectory))
        {
            return [];
        }

        List<ModelSpec> models = manifests.Select(m => m.Spec).ToList();
        return models.Select(m => Path.GetFullPath(Path.Combine(ReportDirectory,
            AssemblyName + "." + (models.Count(o => o.ClassName == m.ClassName) > 1 ? m.FullName : m.ClassName) + ".model.md"))).ToList();
    }

    /// <summary>The HTML report beside a Markdown one: {AssemblyName}.{ClassName}.model.html.</summary>
    private static string HtmlPath(string markdownPath) => Path.ChangeExtension(markdownPath, ".html");

    private void WriteReports(List<WeightLinkResult> results, List<string> paths)
    {
        string artifactName = Path.GetFileName(ArtifactFile);
        // paths is empty when reports are off, else parallel to results (both in model order).
        for (int i = 0; i < paths.Count; i++)
        {
            try
            {
                FileWriter.WriteTextIfChanged(paths[i], ModelReport.Markdown(results[i].Compilation, results[i].Spec.WeightsPath, artifactName));
                FileWriter.WriteTextIfChanged(HtmlPath(paths[i]), ModelReport.Html(results[i].Compilation, results[i].Spec.WeightsPath, artifactName));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.ReportWriteFailed, null, paths[i], e.Message));
            }
        }

        // Reports of models that no longer exist would mislead; only files this task listed are removed.
        if (File.Exists(ReportsListFile))
        {
            foreach (string stale in File.ReadAllLines(ReportsListFile).Where(l => l.Length > 0).Except(paths.Concat(paths.Select(HtmlPath)), StringComparer.Ordinal))
            {
                TryDelete(stale);
            }
        }

        FileWriter.WriteTextIfChanged(ReportsListFile, string.Concat(paths.Concat(paths.Select(HtmlPath)).Select(p => p + "\n")));
    }

    private void LogDiagnostic(DiagnosticInfo diagnostic)
    {
        // The generator writes source paths relative to the project directory (no machine paths in the assembly);
        // errors name the full path, like the compiler's.
        string file = diagnostic.Location is { } location
            ? Path.GetFullPath(Path.Combine(ProjectDirectory, location.File))
            : BuildEngine?.ProjectFileOfTaskNode ?? string.Empty;
        int line = diagnostic.Location?.Line ?? 0;
        int column = diagnostic.Location?.Column ?? 0;
        switch (diagnostic.Severity)
        {
            case Severity.Error:
                Log.LogError(null, diagnostic.Id, null, file, line, column, 0, 0, diagnostic.Message);
                break;
            case Severity.Warning:
                Log.LogWarning(null, diagnostic.Id, null, file, line, column, 0, 0, diagnostic.Message);
                break;
            default:
                Log.LogMessage(null, diagnostic.Id, null, file, line, column, 0, 0, MessageImportance.Normal, diagnostic.Message);
                break;
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            if (!string.IsNullOrEmpty(path) && File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogMessage(MessageImportance.Low, "ModelCompiler: could not delete {0}: {1}", path, e.Message);
        }
    }
}
