using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;

namespace ModelCompiler.BuildTasks;

/// <summary>Runs before the link target decides whether it is up to date, on every build that may skip it: compares
/// each weights file the last link read with the identity that link recorded (length and last write time, then,
/// unless ModelCompilerWeightsCheck is time, the content fingerprint) and deletes the link stamp when anything
/// differs, so the link runs. MSBuild's Inputs check alone notices only a file newer than the stamp. A file it
/// cannot read counts as changed (the link then says why); nothing here fails the build except a stamp that
/// cannot be deleted (MC3004), which would let stale weights ship.</summary>
public sealed class CheckWeightsFiles : Task
{
    /// <summary>The identities the last link recorded (LinkModelWeights' WeightsIdentitiesFile).</summary>
    [Required]
    public string IdentitiesFile { get; set; } = string.Empty;

    /// <summary>The link target's Outputs; deleted when a weights file changed.</summary>
    [Required]
    public string StampFile { get; set; } = string.Empty;

    /// <summary>ModelCompilerWeightsCheck: content (default) or time.</summary>
    public string WeightsCheck { get; set; } = "content";

    /// <summary>True when a weights file changed (or could not be checked) and the stamp was deleted.</summary>
    [Output]
    public bool Changed { get; private set; }

    public override bool Execute()
    {
        string? change;
        try
        {
            change = FindChange();
        }
        catch (Exception e)
        {
            // Never let an exception escape into the build host; not knowing counts as changed.
            change = "the weights files could not be checked against the last link (" + e.GetType().Name + ": " + e.Message + ")";
        }

        if (change is not null)
        {
            Changed = true;
            Log.LogMessage(MessageImportance.Normal, "ModelCompiler: {0}; linking again.", change);
            DeleteStamp();
        }

        return !Log.HasLoggedErrors;
    }

    /// <summary>What changed, in words, or null when every file is as the last link read it.</summary>
    private string? FindChange()
    {
        if (!File.Exists(IdentitiesFile))
        {
            return "'" + IdentitiesFile + "', the record of the weights files the last link read, is missing";
        }

        var recorded = new List<WeightsIdentity>();
        foreach (string line in File.ReadAllLines(IdentitiesFile))
        {
            if (line.Length > 0)
            {
                recorded.Add(WeightsIdentity.Parse(line) ?? throw new FormatException("'" + IdentitiesFile + "' holds a line it cannot read: '" + line + "'"));
            }
        }

        // Length and time of every file first (a stat each), the content after (a read each).
        foreach (WeightsIdentity last in recorded)
        {
            WeightsIdentity now = WeightsIdentity.Of(last.Path, content: false);
            if (now.Length != last.Length)
            {
                return "weights file '" + last.Path + "' changed since the last link (length " + Text(last.Length) + " -> " + Text(now.Length) + ")";
            }

            if (now.Ticks != last.Ticks)
            {
                return "weights file '" + last.Path + "' changed since the last link (last write time " + Time(last.Ticks) + " -> " + Time(now.Ticks) + ")";
            }
        }

        if (!WeightsIdentity.ChecksContent(WeightsCheck))
        {
            return null;
        }

        foreach (WeightsIdentity last in recorded)
        {
            if (last.Length < 0)
            {
                continue; // missing then and now: the link failed then, and will again
            }

            if (last.Fingerprint == WeightsIdentity.NotHashed)
            {
                return "the last link recorded no content fingerprint of weights file '" + last.Path + "' (ModelCompilerWeightsCheck was time)";
            }

            string now;
            try
            {
                now = Hashing.ToHex(WeightsFingerprint.OfFile(last.Path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "weights file '" + last.Path + "' cannot be read (" + e.Message + ")";
            }

            if (now != last.Fingerprint)
            {
                return "the content of weights file '" + last.Path + "' changed since the last link (same length and last write time; fingerprint "
                    + last.Fingerprint + " -> " + now + ")";
            }
        }

        return null;
    }

    private void DeleteStamp()
    {
        try
        {
            File.Delete(StampFile); // a missing file is no error
        }
        catch (DirectoryNotFoundException)
        {
            // nor is a missing folder: there is no stamp to delete
        }
        catch (Exception e)
        {
            // The stamp would tell MSBuild the artifact is current: stale weights would ship. Say so, as an error.
            DiagnosticInfo error = DiagnosticInfo.Create(DiagnosticDescriptors.StampNotDeleted, null, StampFile, e.Message);
            Log.LogError(null, error.Id, null, BuildEngine?.ProjectFileOfTaskNode ?? string.Empty, 0, 0, 0, 0, error.Message);
        }
    }

    private static string Text(long length) => length < 0 ? "missing" : length.ToString(CultureInfo.InvariantCulture) + " bytes";

    private static string Time(long ticks) => ticks == 0 ? "none" : new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
