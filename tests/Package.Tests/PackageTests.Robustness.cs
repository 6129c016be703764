using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
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

    [Fact]
    public void WeightsRewrittenWithTheSameLengthAndTime_AreLinkedAgain_UnlessTheCheckIsTimeOnly()
    {
        RequireGenerator();
        var app = new Consumer(fixture, "App").WithWeights("weights/net.safetensors", TinyWeights()).WithSource("Program.cs", AppSource);
        Succeeded(app.Build());
        AssertOutput(app.Execute(app.Bin));

        // Another export of the same shapes, so the same length, whose time is set back to the linked one's to the
        // tick (`touch -d`, or a tool that keeps times): only the content tells. fc.weight doubled: 6.5 first.
        string weights = Path.Combine(app.ProjectDirectory, "weights", "net.safetensors");
        (long length, DateTime linked) = (new FileInfo(weights).Length, File.GetLastWriteTimeUtc(weights));
        new SafetensorsTestWriter()
            .F32("fc.weight", [2, 4], [0.2f, 0.4f, 0.6f, 0.8f, -1f, -1f, -1f, -1f])
            .F32("fc.bias", [2], [0.5f, 0.5f])
            .WriteTo(weights);
        File.SetLastWriteTimeUtc(weights, linked);
        Assert.Equal((length, linked), (new FileInfo(weights).Length, File.GetLastWriteTimeUtc(weights)));

        CommandResult rebuilt = Succeeded(app.Build());

        Assert.DoesNotContain(LinkSkipped, rebuilt.Output);
        AssertOutput(app.Execute(app.Bin), first: 6.5f);
        Assert.Contains(LinkSkipped, Succeeded(app.Build()).Output);

        // The opt-out for very large weights compares length and time only: the same rewrite back goes unnoticed.
        linked = File.GetLastWriteTimeUtc(weights);
        TinyWeights().WriteTo(weights);
        File.SetLastWriteTimeUtc(weights, linked);
        Assert.Contains(LinkSkipped, Succeeded(app.Build("-p:ModelCompilerWeightsCheck=time")).Output);
        AssertOutput(app.Execute(app.Bin), first: 6.5f);
    }

    [Fact]
    public void TwoProjectsWithModels_AndInternalsVisibleTo_BuildWarningFree()
    {
        RequireGenerator();
        // The library lets the app see its internals: both have their own copies of the generated support types
        // (kernels, weight store, attributes), which the app must not see twice (CS0436, an error here).
        var lib = new Consumer(fixture, "Lib").AsLibrary().WithWeights("weights/net.safetensors", TinyWeights()).WithSource("LibNet.cs", """
            using ModelCompiler;

            [assembly: System.CLSCompliant(false)]
            [assembly: System.Runtime.CompilerServices.InternalsVisibleTo("App")]

            namespace ModelLib;

            """ + ModelDeclaration("LibNet", "public"));
        var app = new Consumer(fixture, "App").WithReference(lib).WithWeights("weights/net.safetensors", TinyWeights()).WithSource("Program.cs", AppSource
            .Replace("TinyNet.Run(input, output);", "TinyNet.Run(input, output);\n        ModelLib.LibNet.Run(input, output);", StringComparison.Ordinal));

        CommandResult build = Succeeded(app.Build());

        Assert.DoesNotContain("CS0436", build.Output, StringComparison.Ordinal);
        AssertOutput(app.Execute(app.Bin));
    }

    [Fact]
    public void UnusedTensor_IsAWarningAtTheModelAttribute_ThatNoWarnTurnsOff()
    {
        RequireGenerator();
        SafetensorsTestWriter weights = TinyWeights().F32("aux.weight", [2], [1f, 2f]);
        var app = new Consumer(fixture, "App").WithWeights("weights/net.safetensors", weights).WithSource("Program.cs", AppSource);

        CommandResult warned = Succeeded(app.Build());

        int line = AppSource.Split('\n').ToList().FindIndex(l => l.StartsWith("[Model(", StringComparison.Ordinal)) + 1;
        Assert.Matches(new Regex(Regex.Escape(Path.Combine(app.ProjectDirectory, "Program.cs")) + @"\(" + line.ToString(CultureInfo.InvariantCulture)
            + @",\d+\): warning MC2007: Tensor 'aux.weight' in '[^']*net.safetensors' is not used by model 'App.TinyNet'"), warned.Output);

        // Linked again (the file is rewritten, so the task reads it and would warn again), now with the warning off.
        app.WithProperty("NoWarn", "$(NoWarn);MC2007").WithWeights("weights/net.safetensors", weights.F32("aux.bias", [1], [0f]));
        CommandResult quiet = Succeeded(app.Build());
        Assert.Contains("ModelCompiler: App.TinyNet (weights: weights/net.safetensors", quiet.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning MC2007", quiet.Output, StringComparison.Ordinal);
    }
}
