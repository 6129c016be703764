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

namespace ModelCompiler.BuildTasks;

/// <summary>The on-demand calibration (<c>dotnet build -t:ModelCompilerCalibrate</c>): for every model of the built
/// assembly that declares a PruneRatio and calibration inputs, measures each channel group's sensitivity and writes a
/// plan file, <c>{ClassName}.mcplan</c> in <see cref="PlanDirectory"/>, whose per-layer ratios reach the MACs of the
/// declared ratio with the least measured error. The user reviews and commits it; the next builds read it (every
/// <c>*.mcplan</c> in the project directory reaches the generator). Never part of a plain build.</summary>
public sealed class CalibrateModels : Task
{
    [Required]
    public string IntermediateAssembly { get; set; } = string.Empty;

    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>Where the plan files go; default: the project directory.</summary>
    public string PlanDirectory { get; set; } = string.Empty;

    /// <summary>The models to calibrate, by full name (semicolon-separated); empty: every model that declares a
    /// PruneRatio and calibration inputs.</summary>
    public string Models { get; set; } = string.Empty;

    [Output]
    public ITaskItem[] PlanFiles { get; private set; } = [];

    public override bool Execute()
    {
        try
        {
            Run();
        }
        catch (Exception e)
        {
            Log.LogError(null, DiagnosticDescriptors.InternalError.Id, null, IntermediateAssembly, 0, 0, 0, 0,
                DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, IntermediateAssembly, e.GetType().Name + ": " + e.Message).Message);
            Log.LogMessage(MessageImportance.Low, e.ToString());
        }

        return !Log.HasLoggedErrors;
    }

    private void Run()
    {
        List<ManifestModel>? models = ManifestReader.ReadModels(IntermediateAssembly, Report);
        if (models is null)
        {
            return;
        }

        var written = new List<ITaskItem>();
        string directory = string.IsNullOrEmpty(PlanDirectory) ? ProjectDirectory : PlanDirectory;
        string[] chosen = Models.Split([';'], StringSplitOptions.RemoveEmptyEntries).Select(m => m.Trim()).ToArray();
        foreach (string unknown in chosen.Where(c => !models.Any(m => m.Spec.FullName == c)))
        {
            Log.LogError(null, "MC0001", null, BuildEngine?.ProjectFileOfTaskNode ?? string.Empty, 0, 0, 0, 0,
                "ModelCompilerCalibrateModels names '" + unknown + "', which " + Path.GetFileName(IntermediateAssembly) + " does not declare; it declares: "
                + string.Join(", ", models.Select(m => m.Spec.FullName)));
        }

        foreach (ManifestModel model in models.Where(m => chosen.Length == 0 ? m.Spec.Pruning.Ratio > 0 && m.Spec.CalibrationPath is not null : chosen.Contains(m.Spec.FullName)))
        {
            var diagnostics = new List<DiagnosticInfo>();
            SensitivityPlan? plan = Sensitivity.Calibrate(model.Spec, model.Options, ProjectDirectory, diagnostics);
            diagnostics.ForEach(Report);
            if (plan is null)
            {
                continue;
            }

            string path = Path.GetFullPath(Path.Combine(directory, model.Spec.ClassName + Options.PlanFile.Extension));
            FileWriter.WriteTextIfChanged(path, Sensitivity.PlanText(plan, model.Options.Plan.Model == model.Spec.FullName ? model.Options.Plan : null));
            Log.LogMessage(MessageImportance.High, string.Format(CultureInfo.InvariantCulture,
                "ModelCompiler: {0}: sensitivity plan written to {1} ({2:N0} MACs per sample against a target of {3:N0}; relative output error {4:G3}, "
                + "uniform {5:G3}); review it, commit it, and build again (every *.mcplan in the project directory is read).",
                model.Spec.FullName, path, plan.Macs, plan.TargetMacs, plan.Error, plan.UniformError));
            written.Add(new TaskItem(path));
        }

        if (written.Count == 0 && !Log.HasLoggedErrors)
        {
            Log.LogMessage(MessageImportance.High, "ModelCompiler: no model of " + Path.GetFileName(IntermediateAssembly)
                + " declares a PruneRatio and calibration inputs; nothing to calibrate.");
        }

        PlanFiles = [.. written];
    }

    private void Report(DiagnosticInfo diagnostic)
    {
        string file = diagnostic.Location is { } location ? Path.GetFullPath(Path.Combine(ProjectDirectory, location.File)) : BuildEngine?.ProjectFileOfTaskNode ?? string.Empty;
        if (diagnostic.Severity == Severity.Error)
        {
            Log.LogError(null, diagnostic.Id, null, file, diagnostic.Location?.Line ?? 0, diagnostic.Location?.Column ?? 0, 0, 0, diagnostic.Message);
        }
        else
        {
            Log.LogWarning(null, diagnostic.Id, null, file, diagnostic.Location?.Line ?? 0, diagnostic.Location?.Column ?? 0, 0, 0, diagnostic.Message);
        }
    }
}
