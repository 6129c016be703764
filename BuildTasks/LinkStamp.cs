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
/// file's identity (<see cref="WeightsIdentity"/>: full path, length, last write time, content fingerprint). When a
/// rebuild of the assembly leaves all of it unchanged (a C#-only edit), the artifact on disk is still right and the
/// weights are not read again. Any change of the identity counts, an older time included (a copy that kept its
/// time, a checkout of an older commit), and new content under the old length and time.</summary>
public static class LinkStamp
{
    private const string Header = "modelcompiler-link-stamp 2";

    /// <param name="settings">Anything else the outputs depend on (where the artifact and reports go), one line.</param>
    /// <param name="weights">The identity of each model's weights file, by full path, taken before reading it.</param>
    public static string Compute(IReadOnlyList<ManifestModel> models, string projectDirectory, string settings, IReadOnlyDictionary<string, WeightsIdentity> weights)
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
            text.Append("model ").Append(spec.FullName)
                .Append(' ').Append(Hashing.ToHex(ModelManifest.DeclarationHash(spec, model.Options)))
                .Append(' ').Append(weights[WeightLinker.ResolveWeightsPath(spec, projectDirectory)].ToLine())
                .Append('\n');
            foreach (string input in WeightLinker.InputFiles(spec, projectDirectory).Skip(1))
            {
                // The calibration inputs a refit reads: a change to them changes the packed weights too.
                text.Append("input ").Append(weights[input].ToLine()).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The weights files' identities, one <see cref="WeightsIdentity.ToLine"/> a line: written next to the
    /// list of weights files, for <see cref="CheckWeightsFiles"/> to compare with the files before the next build
    /// decides whether to link (the targets' Inputs check alone only notices a newer file).</summary>
    public static string Identities(IEnumerable<WeightsIdentity> weights) => string.Concat(weights.Select(w => w.ToLine() + "\n"));

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
