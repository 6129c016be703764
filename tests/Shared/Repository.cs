using System;
using System.IO;

namespace ModelCompiler.Tests.Shared;

/// <summary>The repository checkout the tests run from (linked into each test project that reads repository files).</summary>
internal static class Repository
{
    /// <summary>The folder holding Compiler.sln, found by walking up from the test's output folder.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Compiler.sln not found above " + AppContext.BaseDirectory);
    }
}
