using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.Common;
using ModelCompiler.Linking;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;

namespace ModelCompiler.BuildTasks;

/// <summary>What the last successful link was computed from: the tool, each model's layout hash, and each weights
/// file's identity (full path, length, last write time). When a rebuild of the assembly leaves all of it unchanged
/// (a C#-only edit), the artifact on disk is still right and the weights are not read again. Any change of the
/// identity counts, an older time included (a copy that kept its time, a checkout of an older commit).</summary>
public static class LinkStamp
{
    private const string Header = "modelcompiler-link-stamp 1";

    /// <param name="settings">Anything else the outputs depend on (where the artifact and reports go), one line.</param>
    public static string Compute(IReadOnlyList<ManifestModel> models, string projectDirectory, string settings)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("settings ").Append(settings).Append('\n');

        // A new build of the tool may pack differently; deterministic builds keep the MVID stable for unchanged code.
        text.Append("tool ").Append(typeof(WeightLinker).Assembly.ManifestModule.ModuleVersionId.ToString("N"))
            .Append(' ').Append(typeof(LinkStamp).Assembly.ManifestModule.ModuleVersionId.ToString("N"))
            .Append(' ').Append(ModelManifest.FormatVersion.ToString(CultureInfo.InvariantCulture))
            .Append('\n');
        foreach (ManifestModel model in models)
        {
            ModelSpec spec = model.Spec;
            string path = WeightLinker.ResolveWeightsPath(spec, projectDirectory);
            var info = new FileInfo(path);
            text.Append("model ").Append(spec.FullName)
                .Append(' ').Append(Hashing.ToHex(ModelManifest.DeclarationHash(spec, model.Options)))
                .Append(' ').Append(info.Exists ? info.Length.ToString(CultureInfo.InvariantCulture) : "missing")
                .Append(' ').Append(info.Exists ? info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "0")
                .Append(' ').Append(path)
                .Append('\n');
            foreach (string input in WeightLinker.InputFiles(spec, projectDirectory).Skip(1))
            {
                // The calibration inputs a refit reads: a change to them changes the packed weights too.
                var file = new FileInfo(input);
                text.Append("input ").Append(file.Exists ? file.Length.ToString(CultureInfo.InvariantCulture) : "missing")
                    .Append(' ').Append(file.Exists ? file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "0")
                    .Append(' ').Append(input).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The weights files' last write times as the targets compute them before deciding whether to link:
    /// one "&lt;UTC ticks&gt; &lt;full path&gt;" line per file, a missing file at the 1601 epoch as MSBuild reads it.
    /// Written next to the list of weights files; when a file's time differs from this in either direction, the
    /// targets drop the stamp so the link runs (their Inputs check alone only notices a newer file).</summary>
    public static string WeightsTimes(IEnumerable<string> weightsFiles)
    {
        var text = new StringBuilder();
        foreach (string path in weightsFiles)
        {
            text.Append(File.GetLastWriteTimeUtc(path).Ticks.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(path).Append('\n');
        }

        return text.ToString();
    }

    public static bool Matches(string stampFile, string expected)
    {
        try
        {
            return File.Exists(stampFile) && string.Equals(File.ReadAllText(stampFile), expected, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes the stamp, or only moves its time forward when its content is unchanged: the target's
    /// Outputs check compares that time with the inputs'.</summary>
    public static void Write(string stampFile, string content)
    {
        if (!FileWriter.WriteTextIfChanged(stampFile, content))
        {
            File.SetLastWriteTimeUtc(stampFile, DateTime.UtcNow);
        }
    }
}
