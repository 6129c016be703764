using System;
using System.Globalization;
using System.IO;
using ModelCompiler.Common;

namespace ModelCompiler.BuildTasks;

/// <summary>One weights file as a link saw it before reading it: length, last write time (UTC ticks), content
/// fingerprint (<see cref="WeightsFingerprint"/>, hex) and full path. The link writes one per file, one a line
/// (<see cref="ToLine"/>), and puts them in its stamp; <see cref="CheckWeightsFiles"/> compares them with the files
/// before the next build decides whether to link.</summary>
public sealed record WeightsIdentity(string Path, long Length, long Ticks, string Fingerprint)
{
    /// <summary>The fingerprint of a file not hashed: ModelCompilerWeightsCheck is time, or the file is missing.</summary>
    public const string NotHashed = "-";

    /// <summary>The fingerprint of a file that could not be read: never equal to a hash, so the next check links again.</summary>
    public const string Unreadable = "unreadable";

    /// <summary>ModelCompilerWeightsCheck: "time" compares length and time only; anything else (the default,
    /// "content") compares the content too, so a misspelt value errs on the safe side.</summary>
    public static bool ChecksContent(string? setting) => !string.Equals(setting?.Trim(), "time", StringComparison.OrdinalIgnoreCase);

    /// <summary>Length and time first, then the content (when <paramref name="content"/>). A missing file has
    /// length -1 and time 0.</summary>
    public static WeightsIdentity Of(string path, bool content)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return new WeightsIdentity(path, -1, 0, NotHashed);
        }

        var identity = new WeightsIdentity(path, info.Length, info.LastWriteTimeUtc.Ticks, NotHashed);
        return content ? identity with { Fingerprint = FingerprintOf(path) } : identity;
    }

    /// <summary>The file's fingerprint, or <see cref="Unreadable"/>: the link reports why it cannot read it.</summary>
    public static string FingerprintOf(string path)
    {
        try
        {
            return Hashing.ToHex(WeightsFingerprint.OfFile(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable;
        }
    }

    /// <summary>"&lt;length|missing&gt; &lt;ticks&gt; &lt;fingerprint&gt; &lt;full path&gt;"; the path last, as it may hold spaces.</summary>
    public string ToLine() => (Length < 0 ? "missing" : Length.ToString(CultureInfo.InvariantCulture))
        + " " + Ticks.ToString(CultureInfo.InvariantCulture) + " " + Fingerprint + " " + Path;

    /// <summary>The identity <see cref="ToLine"/> wrote, or null for any other line.</summary>
    public static WeightsIdentity? Parse(string line)
    {
        string[] parts = line.Split([' '], 4);
        if (parts.Length != 4 || parts[3].Length == 0 || parts[2].Length == 0
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
        {
            return null;
        }

        if (parts[0] == "missing")
        {
            return new WeightsIdentity(parts[3], -1, ticks, parts[2]);
        }

        return long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long length)
            ? new WeightsIdentity(parts[3], length, ticks, parts[2])
            : null;
    }
}
