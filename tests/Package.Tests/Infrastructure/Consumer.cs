using System;
using System.Collections.Generic;
using System.IO;
using ModelCompiler.BuildTasks.Tests.TestSupport;

namespace ModelCompiler.Package.Tests.Infrastructure;

/// <summary>A throwaway project that references the ModelCompiler package the way a user's would, built with
/// TreatWarningsAsErrors, AnalysisMode=All and GenerateDocumentationFile so the package and the generated code are
/// warning-clean in the strictest project settings.</summary>
public sealed class Consumer
{
    public static readonly string TargetFramework = "net" + Environment.Version.Major + ".0";

    private readonly PackageFixture _fixture;
    private readonly List<string> _references = [];
    private readonly List<(string Id, string Version)> _packages = [];
    private readonly List<(string Name, string Value)> _properties = [];
    private readonly List<string> _items = [];
    private bool _library;
    private bool _modelCompiler = true;

    public Consumer(PackageFixture fixture, string name)
    {
        _fixture = fixture;
        Name = name;
        string consumers = Path.Combine(fixture.Root, "consumers");
        if (!File.Exists(Path.Combine(consumers, "nuget.config")))
        {
            Directory.CreateDirectory(consumers);
            File.WriteAllText(Path.Combine(consumers, "nuget.config"), fixture.NuGetConfig());
        }

        ProjectDirectory = Path.Combine(consumers, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(ProjectDirectory);
    }

    public string Name { get; }

    public string ProjectDirectory { get; }

    public string ProjectFile => Path.Combine(ProjectDirectory, Name + ".csproj");

    public string Bin => Path.Combine(ProjectDirectory, "bin", "Debug", TargetFramework);

    public string Obj => Path.Combine(ProjectDirectory, "obj", "Debug", TargetFramework);

    public Consumer AsLibrary()
    {
        _library = true;
        return this;
    }

    /// <summary>No reference to the ModelCompiler package (an app that only uses a library's models).</summary>
    public Consumer WithoutModelCompiler()
    {
        _modelCompiler = false;
        return this;
    }

    /// <summary>A package from the test feed, e.g. a library packed by <see cref="Pack"/>.</summary>
    public Consumer WithPackage(string id, string version)
    {
        _packages.Add((id, version));
        return this;
    }

    /// <summary>An MSBuild property of the project (after the defaults above, so it can extend them).</summary>
    public Consumer WithProperty(string name, string value)
    {
        _properties.Add((name, value));
        return this;
    }

    public Consumer WithSource(string file, string text)
    {
        File.WriteAllText(Path.Combine(ProjectDirectory, file), text);
        return this;
    }

    /// <summary>Copies a file (an .onnx model) into the project.</summary>
    public Consumer WithFile(string file, string source)
    {
        string path = Path.Combine(ProjectDirectory, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(source, path, overwrite: true);
        return this;
    }

    /// <summary>An item of the project file, e.g. &lt;ModelCompilerOnnx Include="model.onnx" /&gt;.</summary>
    public Consumer WithItem(string xml)
    {
        _items.Add(xml);
        return this;
    }

    public Consumer WithWeights(string file, SafetensorsTestWriter weights)
    {
        weights.WriteTo(Path.Combine(ProjectDirectory, file));
        return this;
    }

    public Consumer WithReference(Consumer library)
    {
        library.WriteProject();
        _references.Add(library.ProjectFile);
        return this;
    }

    public CommandResult Build(string arguments = "")
    {
        WriteProject();
        return Dotnet.Run(ProjectDirectory, "build -tl:off -v:n --disable-build-servers -nodeReuse:false " + arguments, _fixture.NuGetPackages);
    }

    public CommandResult Publish(string output)
    {
        WriteProject();
        return Dotnet.Run(ProjectDirectory, "publish -tl:off --disable-build-servers -nodeReuse:false -o \"" + output + "\"", _fixture.NuGetPackages);
    }

    /// <summary>dotnet pack into <paramref name="output"/> (the test feed, for a consumer to restore from).</summary>
    public CommandResult Pack(string output, string arguments = "")
    {
        WriteProject();
        return Dotnet.Run(ProjectDirectory, "pack -tl:off --disable-build-servers -nodeReuse:false -o \"" + output + "\" " + arguments, _fixture.NuGetPackages);
    }

    public CommandResult Execute(string directory) => Dotnet.Run(directory, "\"" + Path.Combine(directory, Name + ".dll") + "\"");

    private void WriteProject()
    {
        _ = _fixture.Package;
        string references = string.Concat(_references.ConvertAll(r => "    <ProjectReference Include=\"" + r + "\" />\n"))
            + string.Concat(_packages.ConvertAll(p => "    <PackageReference Include=\"" + p.Id + "\" Version=\"" + p.Version + "\" />\n"));
        string modelCompiler = _modelCompiler ? "    <PackageReference Include=\"ModelCompiler\" Version=\"0.1.0\" PrivateAssets=\"all\" />\n" : string.Empty;
        string properties = string.Concat(_properties.ConvertAll(p => "    <" + p.Name + ">" + p.Value + "</" + p.Name + ">\n"));
        references += string.Concat(_items.ConvertAll(i => "    " + i + "\n"));
        string project = $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>{(_library ? "Library" : "Exe")}</OutputType>
                <TargetFramework>{TargetFramework}</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <AnalysisMode>All</AnalysisMode>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
            {properties}  </PropertyGroup>
              <ItemGroup>
            {modelCompiler}{references}  </ItemGroup>
            </Project>
            """;

        // Rewritten only when it changes: the project file is an input of the link target.
        if (!File.Exists(ProjectFile) || File.ReadAllText(ProjectFile) != project)
        {
            File.WriteAllText(ProjectFile, project);
        }
    }
}
