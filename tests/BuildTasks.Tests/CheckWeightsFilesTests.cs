using System;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

/// <summary>The check the targets run before deciding whether to link: the stamp goes when a weights file differs
/// from what the last link recorded, in length, time or content, and stays otherwise.</summary>
public sealed class CheckWeightsFilesTests : IDisposable
{
    private readonly TempDirectory _project = new();

    private string Identities => _project.File("obj/App.mcweights.inputs.identities");

    private string Stamp => _project.File("obj/App.mcweights.stamp");

    private string WeightsPath => _project.File("weights/net.safetensors");

    public void Dispose() => _project.Dispose();

    [Theory]
    [InlineData("content")]
    [InlineData("time")]
    public void Unchanged_KeepsTheStamp(string check)
    {
        Linked(check);

        (CheckWeightsFiles task, FakeBuildEngine log) = Check(check);

        Assert.False(task.Changed);
        Assert.True(File.Exists(Stamp));
        Assert.Empty(log.Messages);
    }

    [Fact]
    public void NewContent_SameLengthAndTime_DropsTheStamp()
    {
        Linked("content");
        RewriteKeepingLengthAndTime();

        (CheckWeightsFiles task, FakeBuildEngine log) = Check("content");

        Assert.True(task.Changed);
        Assert.False(File.Exists(Stamp));
        Assert.Contains(log.Messages, m => m.Message!.StartsWith("ModelCompiler: the content of weights file '" + WeightsPath + "' changed since the last link", StringComparison.Ordinal));
    }

    [Fact]
    public void NewContent_SameLengthAndTime_IsTheTradeOfWeightsCheckTime()
    {
        Linked("time");
        RewriteKeepingLengthAndTime();

        (CheckWeightsFiles task, _) = Check("time");

        Assert.False(task.Changed);
        Assert.True(File.Exists(Stamp));
    }

    [Theory]
    [InlineData("content", 5)]
    [InlineData("content", -3600)]
    [InlineData("time", -3600)]
    public void TimeMovedEitherWay_DropsTheStamp(string check, int seconds)
    {
        Linked(check);
        File.SetLastWriteTimeUtc(WeightsPath, File.GetLastWriteTimeUtc(WeightsPath).AddSeconds(seconds));

        (CheckWeightsFiles task, FakeBuildEngine log) = Check(check);

        Assert.True(task.Changed);
        Assert.False(File.Exists(Stamp));
        Assert.Contains(log.Messages, m => m.Message!.Contains("(last write time ", StringComparison.Ordinal));
    }

    [Fact]
    public void LengthChanged_OrFileGone_DropsTheStamp()
    {
        Linked("content");
        File.AppendAllText(WeightsPath, " ");
        Assert.True(Check("content").Task.Changed);

        Linked("content");
        File.Delete(WeightsPath);
        (CheckWeightsFiles task, FakeBuildEngine log) = Check("content");
        Assert.True(task.Changed);
        Assert.Contains(log.Messages, m => m.Message!.Contains(" bytes -> missing)", StringComparison.Ordinal));
    }

    [Fact]
    public void LastLinkedWithoutFingerprints_ThenContent_DropsTheStamp()
    {
        Linked("time");

        (CheckWeightsFiles task, FakeBuildEngine log) = Check("content");

        Assert.True(task.Changed);
        Assert.Contains(log.Messages, m => m.Message!.Contains("recorded no content fingerprint", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not an identity")]
    public void MissingOrUnreadableRecord_DropsTheStamp_WithoutFailing(string? record)
    {
        Linked("content");
        if (record is null)
        {
            File.Delete(Identities);
        }
        else
        {
            File.WriteAllText(Identities, record + "\n");
        }

        (CheckWeightsFiles task, FakeBuildEngine log) = Check("content");

        Assert.True(task.Changed);
        Assert.False(File.Exists(Stamp));
        Assert.Empty(log.Errors);
    }

    [Fact]
    public void MC3004_AStampThatCannotBeDeleted_IsAnError()
    {
        Linked("content");
        RewriteKeepingLengthAndTime();
        File.Delete(Stamp);
        Directory.CreateDirectory(Stamp); // something that File.Delete cannot remove, even for root

        (CheckWeightsFiles task, FakeBuildEngine log) = Check("content", expectSuccess: false);

        Assert.True(task.Changed);
        Assert.Equal("MC3004", Assert.Single(log.Errors).Code);
        Assert.Contains("'" + Stamp + "' cannot be deleted", log.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("content", true)]
    [InlineData("", true)]
    [InlineData("Time ", false)]
    [InlineData("tiem", true)]
    public void ChecksContent_UnlessExactlyTime(string setting, bool content) => Assert.Equal(content, WeightsIdentity.ChecksContent(setting));

    [Fact]
    public void Identity_RoundTrips_PathsWithSpaces_AndMissingFiles()
    {
        var present = new WeightsIdentity("/a b/c d.safetensors", 12, 34, "00112233aabbccdd");
        var missing = new WeightsIdentity("/x y", -1, 0, WeightsIdentity.NotHashed);

        Assert.Equal("12 34 00112233aabbccdd /a b/c d.safetensors", present.ToLine());
        Assert.Equal("missing 0 - /x y", missing.ToLine());
        Assert.Equal(present, WeightsIdentity.Parse(present.ToLine()));
        Assert.Equal(missing, WeightsIdentity.Parse(missing.ToLine()));
        Assert.Null(WeightsIdentity.Parse("12 34 00112233aabbccdd"));
        Assert.Null(WeightsIdentity.Parse("twelve 34 00112233aabbccdd /a"));
    }

    /// <summary>What a link leaves: the weights file, its recorded identity and a stamp.</summary>
    private void Linked(string check)
    {
        if (!File.Exists(WeightsPath))
        {
            Models.ConvNetWeights().WriteTo(WeightsPath);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Stamp)!);
        File.WriteAllText(Identities, LinkStamp.Identities([WeightsIdentity.Of(WeightsPath, WeightsIdentity.ChecksContent(check))]));
        File.WriteAllText(Stamp, "stamp");
    }

    /// <summary>Another export of the same shapes, its time set back to the linked one's to the tick.</summary>
    private void RewriteKeepingLengthAndTime()
    {
        (long length, DateTime time) = (new FileInfo(WeightsPath).Length, File.GetLastWriteTimeUtc(WeightsPath));
        Models.ConvNetWeights().Without("fc.bias").F32("fc.bias", [3], [7f, 8f, 9f]).WriteTo(WeightsPath);
        File.SetLastWriteTimeUtc(WeightsPath, time);
        Assert.Equal((length, time), (new FileInfo(WeightsPath).Length, File.GetLastWriteTimeUtc(WeightsPath)));
    }

    private (CheckWeightsFiles Task, FakeBuildEngine Log) Check(string check, bool expectSuccess = true)
    {
        var log = new FakeBuildEngine();
        var task = new CheckWeightsFiles { BuildEngine = log, IdentitiesFile = Identities, StampFile = Stamp, WeightsCheck = check };
        bool succeeded = task.Execute();
        Assert.True(expectSuccess == succeeded, log.AllText);
        return (task, log);
    }
}
