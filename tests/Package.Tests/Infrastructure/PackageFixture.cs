using System;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelCompiler.Package.Tests.Infrastructure;

/// <summary>The package under test, in a private local feed, and a private NuGet package folder so a
/// ModelCompiler 0.1.0 cached from an earlier run is never used. Set MODELCOMPILER_TEST_PACKAGE to a .nupkg
/// (or a folder holding one) to skip packing.</summary>
public sealed class PackageFixture : IDisposable
{
    public const string PackageEnvironmentVariable = "MODELCOMPILER_TEST_PACKAGE";

    private readonly Lazy<string> _package;

    public PackageFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "mc-package-tests-" + Guid.NewGuid().ToString("N"));
        Feed = Path.Combine(Root, "feed");
        NuGetPackages = Path.Combine(Root, "packages");
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(NuGetPackages);
        _package = new Lazy<string>(ProducePackage);
    }

    public string Root { get; }

    public string Feed { get; }

    public string NuGetPackages { get; }

    /// <summary>The .nupkg in <see cref="Feed"/>; packs the solution on first use. Throws with the pack log on failure.</summary>
    public string Package => _package.Value;

    /// <summary>Packages a test packs from a consumer library into the feed have ids starting with this.</summary>
    public const string LibraryPackagePrefix = "ModelCompilerTestLibrary.";

    public static string RepositoryRoot => ModelCompiler.Tests.Shared.Repository.Root;

    /// <summary>A nuget.config for a consumer: the test feed serves ModelCompiler and only it; the machine's own
    /// sources serve everything else (the SDK's packages).</summary>
    public string NuGetConfig()
    {
        CommandResult sources = Dotnet.Run(Root, "nuget list source --format short");
        string[] urls = sources.Output.Split('\n')
            .Where(l => l.StartsWith("E ", StringComparison.Ordinal))
            .Select(l => l.Substring(2).Trim())
            .ToArray();
        var config = new StringBuilder();
        config.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <clear />\n");
        config.Append("    <add key=\"modelcompiler-test-feed\" value=\"").Append(Feed).Append("\" />\n");
        for (int i = 0; i < urls.Length; i++)
        {
            config.Append("    <add key=\"source").Append(i).Append("\" value=\"").Append(urls[i]).Append("\" />\n");
        }

        config.Append("  </packageSources>\n  <packageSourceMapping>\n");
        config.Append("    <packageSource key=\"modelcompiler-test-feed\">\n      <package pattern=\"ModelCompiler\" />\n      <package pattern=\"" + LibraryPackagePrefix + "*\" />\n    </packageSource>\n");
        for (int i = 0; i < urls.Length; i++)
        {
            config.Append("    <packageSource key=\"source").Append(i).Append("\">\n      <package pattern=\"*\" />\n    </packageSource>\n");
        }

        config.Append("  </packageSourceMapping>\n</configuration>\n");
        return config.ToString();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string ProducePackage()
    {
        string? given = Environment.GetEnvironmentVariable(PackageEnvironmentVariable);
        if (!string.IsNullOrEmpty(given))
        {
            string file = Directory.Exists(given) ? Directory.GetFiles(given, "ModelCompiler.*.nupkg").Single() : given;
            string copy = Path.Combine(Feed, Path.GetFileName(file));
            File.Copy(file, copy);
            return copy;
        }

        // Built into a private artifacts folder: the developer's bin/ and obj/ are neither used nor disturbed.
        string artifacts = Path.Combine(Root, "artifacts");
        CommandResult pack = Dotnet.Run(RepositoryRoot,
            "pack Compiler.sln -c Release -o \"" + Feed + "\" -p:UseArtifactsOutput=true -p:ArtifactsPath=\"" + artifacts + "\" --disable-build-servers -nodeReuse:false");
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("Packing the solution failed:\n" + pack);
        }

        string[] packages = Directory.GetFiles(Feed, "*.nupkg");
        if (packages.Length != 1 || Path.GetFileName(packages[0]) != "ModelCompiler.0.1.0.nupkg")
        {
            throw new InvalidOperationException("Packing the solution must produce exactly ModelCompiler.0.1.0.nupkg, it produced: "
                + string.Join(", ", packages.Select(Path.GetFileName)) + "\n" + pack);
        }

        return packages[0];
    }
}
