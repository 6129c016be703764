using System;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Manifest;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

public sealed class LinkModelWeightsTests : IDisposable
{
    private readonly TempDirectory _project = new();

    private string Obj => _project.File("obj");

    private string Assembly => _project.File("obj/App.dll");

    private string Artifact => _project.File("obj/App.mcweights");

    private string Stamp => Artifact + ".stamp";

    private string WeightsPath => _project.File("weights/net.safetensors");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void Link_WritesArtifactReportAndState_AndLogsTheSummary()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());

        (LinkModelWeights task, FakeBuildEngine log) = Run();

        Assert.True(task.WeightsRead);
        ArtifactEntry entry = Assert.Single(WeightArtifact.Read(File.ReadAllBytes(Artifact)));
        Assert.Equal("Demo.Net", entry.Model);
        Assert.Equal([_project.File("obj/App.Net.model.md"), _project.File("obj/App.Net.model.html")], task.ReportFiles.Select(r => r.ItemSpec));
        Assert.StartsWith("# Demo.Net", File.ReadAllText(_project.File("obj/App.Net.model.md")));
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(_project.File("obj/App.Net.model.html")), StringComparison.Ordinal);
        Assert.Equal(WeightsPath + "\n", File.ReadAllText(Artifact + ".inputs"));
        Assert.Equal(new FileInfo(WeightsPath).Length + " " + File.GetLastWriteTimeUtc(WeightsPath).Ticks + " "
            + Common.Hashing.ToHex(WeightsFingerprint.OfFile(WeightsPath)) + " " + WeightsPath + "\n", File.ReadAllText(Artifact + ".inputs.identities"));
        Assert.Equal(WeightsPath, Assert.Single(task.WeightsFiles).ItemSpec);
        Assert.True(File.Exists(Stamp));
        BuildMessageEventArgs summary = Assert.Single(log.Messages, m => m.Message!.StartsWith("ModelCompiler: Demo.Net", StringComparison.Ordinal));
        Assert.Equal(MessageImportance.High, summary.Importance);
        Assert.Contains("conv1+bn1+relu1", summary.Message);
        Assert.Empty(Directory.GetFiles(Obj, "*.tmp"));
    }

    [Fact]
    public void Errors_CarryTheDeclarationsFileLineAndColumn()
    {
        Models.ConvNetWeights().Without("conv1.weight").F32("conv1.weight", 2, 1, 3, 2).WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());

        (LinkModelWeights task, FakeBuildEngine log) = Run(expectSuccess: false);

        BuildErrorEventArgs error = Assert.Single(log.Errors);
        Assert.Equal("MC2004", error.Code);
        Assert.Equal(_project.File("Models/Net.cs"), error.File);
        Assert.Equal((5, 2), (error.LineNumber, error.ColumnNumber));
        Assert.Contains("'conv1.weight'", error.Message);
        Assert.False(File.Exists(Artifact));
        Assert.False(File.Exists(Stamp));
    }

    [Fact]
    public void UnusedTensor_IsAWarningWithItsCode_AtTheModelAttribute()
    {
        Models.ConvNetWeights().F32("extra", 1).WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());

        (_, FakeBuildEngine log) = Run();

        BuildWarningEventArgs warning = Assert.Single(log.Warnings, m => m.Code == "MC2007");
        Assert.Equal(_project.File("Models/Net.cs"), warning.File);
        Assert.Equal(2, warning.LineNumber);
    }

    [Fact]
    public void FailedLink_LeavesThePreviousArtifactByteIdentical()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run();
        byte[] before = File.ReadAllBytes(Artifact);
        DateTime writtenAt = File.GetLastWriteTimeUtc(Artifact);

        float[] broken = Enumerable.Repeat(1f, 96).ToArray();
        broken[7] = float.NaN;
        Models.ConvNetWeights().Without("fc.weight").F32("fc.weight", [3, 32], broken).WriteTo(WeightsPath);
        (_, FakeBuildEngine log) = Run(expectSuccess: false);

        Assert.Equal("MC2006", Assert.Single(log.Errors).Code);
        Assert.Equal(before, File.ReadAllBytes(Artifact));
        Assert.Equal(writtenAt, File.GetLastWriteTimeUtc(Artifact));
        Assert.False(File.Exists(Stamp), "a failed link must not leave a stamp, so the next build links again");
        Assert.Empty(Directory.GetFiles(Obj, "*.tmp"));
    }

    [Fact]
    public void UnchangedLayoutsAndWeights_DoNotLinkTheWeightsAgain()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run();
        byte[] artifact = File.ReadAllBytes(Artifact);
        File.SetLastWriteTimeUtc(Stamp, DateTime.UtcNow.AddMinutes(-5));

        // A C#-only edit: the assembly is rebuilt, the manifests and the weights are the same.
        TestAssembly.Write(Assembly, Models.ConvNet());
        (LinkModelWeights task, FakeBuildEngine log) = Run();

        Assert.False(task.WeightsRead);
        Assert.Contains(log.Messages, m => m.Importance == MessageImportance.Low && m.Message!.Contains("weights not linked again", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.Message!.StartsWith("ModelCompiler: Demo.Net", StringComparison.Ordinal));
        Assert.Equal(artifact, File.ReadAllBytes(Artifact));
        Assert.True(File.GetLastWriteTimeUtc(Stamp) > DateTime.UtcNow.AddMinutes(-1), "the stamp must be touched so the next no-op build skips the target");
        Assert.Equal(WeightsPath, Assert.Single(task.WeightsFiles).ItemSpec);
        Assert.Equal(2, task.ReportFiles.Length); // the Markdown and the HTML report
    }

    [Fact]
    public void WeightsCheckTime_DoesNotOpenAFileWithTheSameLengthAndTime()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run(configure: t => t.WeightsCheck = "time");
        Assert.EndsWith(" - " + WeightsPath + "\n", File.ReadAllText(Artifact + ".inputs.identities"), StringComparison.Ordinal);

        // The opt-out's trade: garbled under the same length and time, the file is not opened (reading it would
        // fail the link), so the previous artifact stays.
        TestAssembly.Write(Assembly, Models.ConvNet());
        Garble(WeightsPath);
        (LinkModelWeights task, _) = Run(configure: t => t.WeightsCheck = "time");

        Assert.False(task.WeightsRead);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-3600)]
    public void ChangedWeightsFile_IsReadAgain_WhicheverWayItsTimeMoved(int seconds)
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run();

        Garble(WeightsPath);
        File.SetLastWriteTimeUtc(WeightsPath, File.GetLastWriteTimeUtc(WeightsPath).AddSeconds(seconds));
        (LinkModelWeights task, FakeBuildEngine log) = Run(expectSuccess: false);

        Assert.True(task.WeightsRead);
        Assert.Equal("MC2002", Assert.Single(log.Errors).Code);
    }

    [Fact]
    public void WeightsRewrittenWithTheSameLengthAndTime_AreReadAgain_AndTheArtifactChanges()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run();
        byte[] before = File.ReadAllBytes(Artifact);
        (long length, DateTime time) = (new FileInfo(WeightsPath).Length, File.GetLastWriteTimeUtc(WeightsPath));

        // Another export of the same shapes (fc.bias differs), its time set back to the linked one's to the tick.
        // The assembly is rebuilt too (a C# edit), so the link target runs and compares its stamp.
        Models.ConvNetWeights().Without("fc.bias").F32("fc.bias", [3], [7f, 8f, 9f]).WriteTo(WeightsPath);
        File.SetLastWriteTimeUtc(WeightsPath, time);
        Assert.Equal((length, time), (new FileInfo(WeightsPath).Length, File.GetLastWriteTimeUtc(WeightsPath)));
        TestAssembly.Write(Assembly, Models.ConvNet());
        (LinkModelWeights task, _) = Run();

        Assert.True(task.WeightsRead);
        Assert.NotEqual(before, File.ReadAllBytes(Artifact));
    }

    [Fact]
    public void ChangedLayout_IsLinkedAgain()
    {
        Models.ConvNetWeights(outFeatures: 4).WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet(outFeatures: 4));
        Run();
        TestAssembly.Write(Assembly, Models.ConvNet(outFeatures: 3));
        Models.ConvNetWeights(outFeatures: 3).WriteTo(WeightsPath + ".new");
        File.Copy(WeightsPath + ".new", WeightsPath, overwrite: true);

        (LinkModelWeights task, _) = Run();

        Assert.True(task.WeightsRead);
        Assert.Equal(ModelCompilation.Compile(Models.ConvNet(outFeatures: 3)).LayoutHash, Assert.Single(WeightArtifact.Read(File.ReadAllBytes(Artifact))).LayoutHash);
    }

    [Fact]
    public void DeletedArtifact_IsWrittenAgainEvenWithAMatchingStamp()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run();
        File.Delete(Artifact);

        (LinkModelWeights task, _) = Run();

        Assert.True(task.WeightsRead);
        Assert.True(File.Exists(Artifact));
    }

    [Fact]
    public void AssemblyWithoutModels_ProducesNoArtifact_AndRemovesAStaleOne()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Run();
        Assert.True(File.Exists(Artifact));
        string report = _project.File("obj/App.Net.model.md");
        Assert.True(File.Exists(report));
        Assert.True(File.Exists(Path.ChangeExtension(report, ".html")));

        TestAssembly.WriteMetadata(Assembly, ("RepositoryUrl", "https://example.invalid/repo"));
        (LinkModelWeights task, FakeBuildEngine log) = Run();

        Assert.False(File.Exists(Artifact));
        Assert.False(File.Exists(report), "the report of a model that no longer exists is removed");
        Assert.False(File.Exists(Path.ChangeExtension(report, ".html")), "its HTML report too");
        Assert.Empty(task.WeightsFiles);
        Assert.Empty(task.ReportFiles);
        Assert.Empty(log.Errors);
        Assert.True(File.Exists(Stamp));
        Assert.Equal(string.Empty, File.ReadAllText(Artifact + ".inputs"));
    }

    [Fact]
    public void TwoModels_OneArtifact_ReportsNamedByClass()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet(className: "B"), Models.ConvNet(className: "A"));

        (LinkModelWeights task, _) = Run();

        Assert.Equal(["Demo.A", "Demo.B"], WeightArtifact.Read(File.ReadAllBytes(Artifact)).Select(e => e.Model));
        Assert.Equal([_project.File("obj/App.A.model.md"), _project.File("obj/App.A.model.html"), _project.File("obj/App.B.model.md"), _project.File("obj/App.B.model.html")], task.ReportFiles.Select(r => r.ItemSpec));
        Assert.Equal(WeightsPath, Assert.Single(task.WeightsFiles).ItemSpec);
    }

    [Fact]
    public void MC3002_MalformedManifest_NamesTheAssembly()
    {
        TestAssembly.WriteMetadata(Assembly, ("ModelCompiler.Model:Demo.Net", "modelcompiler-manifest 99\nmodel"));

        (_, FakeBuildEngine log) = Run(expectSuccess: false);

        BuildErrorEventArgs error = Assert.Single(log.Errors);
        Assert.Equal("MC3002", error.Code);
        Assert.Contains("'" + Assembly + "'", error.Message);
        Assert.Contains("model 'Demo.Net'", error.Message);
        Assert.Equal("Test.csproj", error.File);
    }

    [Fact]
    public void MC3002_NotAnAssembly()
    {
        Directory.CreateDirectory(Obj);
        File.WriteAllText(Assembly, "not a PE file");

        (_, FakeBuildEngine log) = Run(expectSuccess: false);

        Assert.Equal("MC3002", Assert.Single(log.Errors).Code);
    }

    [Fact]
    public void MC3001_ArtifactCannotBeWritten_NamesThePath()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Directory.CreateDirectory(Artifact); // a folder where the artifact file must go

        (_, FakeBuildEngine log) = Run(expectSuccess: false);

        BuildErrorEventArgs error = Assert.Single(log.Errors);
        Assert.Equal("MC3001", error.Code);
        Assert.StartsWith("Cannot write the weights artifact '" + Artifact + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the previous artifact (if any) was left in place", error.Message);
        Assert.Equal("Test.csproj", error.File);
        Assert.False(File.Exists(Stamp));
    }

    [Fact]
    public void MC3003_ReportCannotBeWritten_IsAWarning()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());
        Directory.CreateDirectory(_project.File("obj/App.Net.model.md")); // a folder where the report must go

        (_, FakeBuildEngine log) = Run();

        BuildWarningEventArgs warning = Assert.Single(log.Warnings);
        Assert.Equal("MC3003", warning.Code);
        Assert.StartsWith("Cannot write the model report '" + _project.File("obj/App.Net.model.md") + "'", warning.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Artifact));
    }

    [Fact]
    public void MC0001_UnexpectedException_IsAnErrorNotACrash()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());

        (_, FakeBuildEngine log) = Run(expectSuccess: false, configure: t => t.ReportDirectory = "bad\0path");

        BuildErrorEventArgs error = Assert.Single(log.Errors);
        Assert.Equal("MC0001", error.Code);
        Assert.Contains("ArgumentException", error.Message);
    }

    [Fact]
    public void NoReportDirectory_NoReport()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        TestAssembly.Write(Assembly, Models.ConvNet());

        (LinkModelWeights task, _) = Run(configure: t => t.ReportDirectory = string.Empty);

        Assert.Empty(task.ReportFiles);
        Assert.Empty(Directory.GetFiles(Obj, "*.md"));
    }

    /// <summary>Overwrites every byte with 0xEE, keeping the length and the last write time.</summary>
    private static void Garble(string path)
    {
        DateTime time = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0xEE, (int)new FileInfo(path).Length).ToArray());
        File.SetLastWriteTimeUtc(path, time);
    }

    private (LinkModelWeights Task, FakeBuildEngine Log) Run(bool expectSuccess = true, Action<LinkModelWeights>? configure = null)
    {
        var log = new FakeBuildEngine();
        var task = new LinkModelWeights
        {
            BuildEngine = log,
            IntermediateAssembly = Assembly,
            ProjectDirectory = _project.Path,
            AssemblyName = "App",
            ArtifactFile = Artifact,
            StampFile = Stamp,
            WeightsListFile = Artifact + ".inputs",
            WeightsIdentitiesFile = Artifact + ".inputs.identities",
            ReportsListFile = Artifact + ".reports",
            ReportDirectory = Obj,
        };
        configure?.Invoke(task);
        bool succeeded = task.Execute();
        Assert.True(expectSuccess == succeeded, log.AllText);
        return (task, log);
    }
}
