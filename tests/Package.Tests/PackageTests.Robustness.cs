using System;
using System.IO;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Package.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Package.Tests;

/// <summary>What a new user or an adversary tries on a fresh consumer project (docs/robustness.md).</summary>
public sealed partial class PackageTests
{
    [Fact]
    public void WeightsReplacedByAnOlderExport_AreLinkedAgain()
    {
        RequireGenerator();
        var app = new Consumer(fixture, "App").WithWeights("weights/net.safetensors", TinyWeights()).WithSource("Program.cs", AppSource);
        Succeeded(app.Build());
        AssertOutput(app.Execute(app.Bin));

        // Another export of the same shapes whose time is older than the linked one's, as `cp -p` or `mv` of an
        // earlier export, or a checkout of an older commit, leaves it: fc.weight doubled, so the first output is 6.5.
        string weights = Path.Combine(app.ProjectDirectory, "weights", "net.safetensors");
        DateTime linked = File.GetLastWriteTimeUtc(weights);
        new SafetensorsTestWriter()
            .F32("fc.weight", [2, 4], [0.2f, 0.4f, 0.6f, 0.8f, -1f, -1f, -1f, -1f])
            .F32("fc.bias", [2], [0.5f, 0.5f])
            .WriteTo(weights);
        File.SetLastWriteTimeUtc(weights, linked.AddHours(-1));

        CommandResult rebuilt = Succeeded(app.Build());

        Assert.DoesNotContain(LinkSkipped, rebuilt.Output);
        AssertOutput(app.Execute(app.Bin), first: 6.5f);
        Assert.Contains(LinkSkipped, Succeeded(app.Build()).Output);
    }
}
