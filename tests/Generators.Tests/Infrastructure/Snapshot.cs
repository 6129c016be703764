using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace ModelCompiler.Generators.Tests.Infrastructure;

/// <summary>Snapshot assertions with Verify's file naming ({Class}.{Test}.verified.cs under Snapshots/), so a
/// later move to Verify is a rename. A missing or different snapshot fails and writes .received.cs beside it;
/// MODELCOMPILER_ACCEPT_SNAPSHOTS=1 accepts the received text instead.</summary>
public static class Snapshot
{
    public const string AcceptVariable = "MODELCOMPILER_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string? suffix = null, [CallerFilePath] string testFile = "", [CallerMemberName] string test = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        string name = Path.GetFileNameWithoutExtension(testFile) + "." + test + (suffix is null ? string.Empty : "#" + suffix);
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        string normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (File.Exists(verified) && File.ReadAllText(verified).Replace("\r\n", "\n", StringComparison.Ordinal) == normalized)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(directory);
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, normalized);
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, normalized);
        Assert.Fail(File.Exists(verified)
            ? $"Snapshot {name} differs: compare {received} with {verified}; set {AcceptVariable}=1 to accept."
            : $"Snapshot {name} is missing: review {received}; set {AcceptVariable}=1 to accept.");
    }
}
