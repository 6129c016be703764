using System;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Tests.TestSupport;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Linking;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.BuildTasks.Tests;

public sealed class WeightLinkerTests : IDisposable
{
    private readonly TempDirectory _project = new();

    private string WeightsPath => _project.File("weights/net.safetensors");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void ValidWeights_PackedInTheGeneratedLayout()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);

        WeightLinkResult result = WeightLinker.Link(Models.ConvNet(), _project.Path);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Empty(result.Diagnostics);
        Assert.Equal(Path.GetFullPath(WeightsPath), result.WeightsFile);
        ArtifactEntry entry = result.Entry!;
        Assert.Equal("Demo.Net", entry.Model);
        Assert.Equal(ModelCompilation.Compile(Models.ConvNet()).LayoutHash, entry.LayoutHash);
        WeightLayout layout = result.Compilation.Layout!;
        Assert.Equal(layout.TotalBytes, entry.Data.Length);
        PackedTensor fc = layout.Find("fc", "weight")!;
        Assert.Equal(Enumerable.Range(0, 96).Select(i => 0.01f * (i + 1)), WeightProgramRunner.Decode(fc.Program, entry.Data, fc.Offset));

        // conv1 carries bn1 folded in: w * gamma / sqrt(var + eps) (stored in the GEMM's panels; decoded back here).
        PackedTensor conv = layout.Find("conv1", "weight")!;
        float[] folded = WeightProgramRunner.Decode(conv.Program, entry.Data, conv.Offset);
        Assert.Equal(0.01f * 1.5f / MathF.Sqrt(1f + 1e-5f), folded[0], 6);
        Assert.Equal(0.10f * 0.5f / MathF.Sqrt(4f + 1e-5f), folded[9], 6);
    }

    [Fact]
    public void HalfPrecisionWeights_AreAccepted()
    {
        Models.ConvNetWeights().Without("fc.bias").F16("fc.bias", [3], [0.5f, -2f, 1024f]).WriteTo(WeightsPath);

        WeightLinkResult result = WeightLinker.Link(Models.ConvNet(), _project.Path);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        PackedTensor bias = result.Compilation.Layout!.Find("fc", "bias")!;
        Assert.Equal(new[] { 0.5f, -2f, 1024f }, Floats(result.Entry!.Data, bias.Offset, 3));
    }

    [Fact]
    public void MC2001_MissingFile_NamesTheResolvedPathAndPointsAtTheModelAttribute()
    {
        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet("weights/missing.safetensors"), _project.Path), "MC2001");

        Assert.Equal(Severity.Error, d.Severity);
        Assert.Equal("Weights file '" + _project.File("weights/missing.safetensors") + "' for model 'Demo.Net' does not exist; "
            + "check the path in [Model] (it is relative to the project directory)", d.Message);
        Assert.Equal(Models.WeightsAttributeLocation, d.Location);
    }

    [Fact]
    public void MC2001_AFileWithANearName_IsNamed()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet("weights/net.safetensor"), _project.Path), "MC2001");

        Assert.Contains("does not exist (the folder has 'net.safetensors'); check the path", d.Message);
    }

    [Fact]
    public void MC2002_InvalidFile_CarriesTheReadersMessage()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(WeightsPath)!);
        File.WriteAllBytes(WeightsPath, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 1, 2, 3]);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2002");

        Assert.Contains("'" + WeightsPath + "' is not a valid safetensors file", d.Message);
        Assert.Contains("exceeds the 100 MB limit", d.Message);
        Assert.Equal(Models.WeightsAttributeLocation, d.Location);
    }

    [Fact]
    public void MC2002_TruncatedData_IsReportedNotThrown()
    {
        byte[] bytes = Models.ConvNetWeights().ToBytes();
        Directory.CreateDirectory(Path.GetDirectoryName(WeightsPath)!);
        File.WriteAllBytes(WeightsPath, bytes.AsSpan(0, bytes.Length - 4).ToArray());

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2002");

        Assert.Contains(WeightsPath, d.Message);
    }

    [Fact]
    public void MC2003_MissingTensor_NamesTensorLayerAndFile()
    {
        Models.ConvNetWeights().Without("fc.bias").WriteTo(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2003");

        Assert.Equal("Tensor 'fc.bias' needed by layer 'fc' is not in '" + WeightsPath
            + "'; check the layer name or set WeightPrefix on the layer to the state_dict prefix", d.Message);
        Assert.Equal(Models.FcLocation, d.Location);
    }

    [Fact]
    public void MC2003_ATensorOneEditAway_IsNamed_AndMC2007PointsBack()
    {
        // The layer is UPN_1, the checkpoint's module UPN1.
        ModelSpec spec = Models.ConvNet() with
        {
            Layers = Models.ConvNet().Layers.Select(l => l.Name == "fc" ? l with { Name = "UPN_1" } : l).ToEquatableArray(),
        };
        Models.ConvNetWeights().Without("fc.weight").Without("fc.bias").F32("UPN1.weight", 3, 32).F32("UPN1.bias", 3).WriteTo(WeightsPath);

        WeightLinkResult result = WeightLinker.Link(spec, _project.Path);

        Assert.Equal(
            [
                "Tensor 'UPN_1.weight' needed by layer 'UPN_1' is not in '" + WeightsPath + "' (the file has 'UPN1.weight'); check the layer name or set WeightPrefix on the layer to the state_dict prefix",
                "Tensor 'UPN_1.bias' needed by layer 'UPN_1' is not in '" + WeightsPath + "' (the file has 'UPN1.bias'); check the layer name or set WeightPrefix on the layer to the state_dict prefix",
                "Tensor 'UPN1.bias' in '" + WeightsPath + "' is not used by model 'Demo.Net' (a layer looks for 'UPN_1.bias', which the file lacks); it is ignored (add MC2007 to NoWarn if that is intended)",
                "Tensor 'UPN1.weight' in '" + WeightsPath + "' is not used by model 'Demo.Net' (a layer looks for 'UPN_1.weight', which the file lacks); it is ignored (add MC2007 to NoWarn if that is intended)",
            ],
            result.Diagnostics.Select(d => d.Message));
    }

    [Fact]
    public void MC2004_WrongShape_GivesBothShapes()
    {
        Models.ConvNetWeights().Without("conv1.weight").F32("conv1.weight", 2, 1, 3, 2).WriteTo(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2004");

        Assert.Equal("Tensor 'conv1.weight' in '" + WeightsPath + "' has shape [2, 1, 3, 2], but layer 'conv1' needs [2, 1, 3, 3]; check the layer's declared sizes", d.Message);
        Assert.Equal(Models.Conv1Location, d.Location);
    }

    [Fact]
    public void MC2005_UnsupportedDtype_NamesTheDtype()
    {
        Models.ConvNetWeights().Without("fc.bias").Raw("fc.bias", "I32", [3], new byte[12]).WriteTo(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2005");

        Assert.Equal("Tensor 'fc.bias' in '" + WeightsPath + "' has dtype I32; layer weights must be F32, F16 or BF16", d.Message);
        Assert.Equal(Models.FcLocation, d.Location);
    }

    [Fact]
    public void MC2006_NonFinite_NamesTheElement()
    {
        float[] conv = Enumerable.Repeat(0.5f, 18).ToArray();
        conv[10] = float.PositiveInfinity;
        Models.ConvNetWeights().Without("conv1.weight").F32("conv1.weight", [2, 1, 3, 3], conv).WriteTo(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2006");

        Assert.Equal("Tensor 'conv1.weight' in '" + WeightsPath + "' holds a non-finite value (+Infinity) at element [1, 0, 0, 1] (flat index 10); fix the checkpoint", d.Message);
        Assert.Equal(Models.Conv1Location, d.Location);
    }

    [Fact]
    public void MC2006_NaNInAFoldedBatchNorm_PointsAtTheBatchNorm()
    {
        Models.ConvNetWeights().Without("bn1.running_var").F32("bn1.running_var", [2], [1f, float.NaN]).WriteTo(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2006");

        Assert.Contains("'bn1.running_var'", d.Message);
        Assert.Contains("(NaN) at element [1] (flat index 1)", d.Message);
        Assert.Equal(Models.Bn1Location, d.Location);
    }

    [Fact]
    public void MC2007_UnusedTensor_IsAWarningAndTheLinkSucceeds()
    {
        Models.ConvNetWeights().F32("head.weight", 2).WriteTo(WeightsPath);

        WeightLinkResult result = WeightLinker.Link(Models.ConvNet(), _project.Path);

        Assert.True(result.Succeeded);
        DiagnosticInfo d = Assert.Single(result.Diagnostics);
        Assert.Equal("MC2007", d.Id);
        Assert.Equal(Severity.Warning, d.Severity);
        Assert.Equal("Tensor 'head.weight' in '" + WeightsPath + "' is not used by model 'Demo.Net'; it is ignored (add MC2007 to NoWarn if that is intended)", d.Message);
        Assert.Equal(Models.WeightsAttributeLocation, d.Location);
    }

    [Fact]
    public void MC2008_ADirectory_SaysSoAndWhatToName()
    {
        Directory.CreateDirectory(WeightsPath);

        DiagnosticInfo d = Single(WeightLinker.Link(Models.ConvNet(), _project.Path), "MC2008");

        Assert.Equal("Weights file '" + WeightsPath + "' cannot be read: it is a directory; name the safetensors file itself in [Model], "
            + "e.g. 'weights/net.safetensors/model.safetensors'", d.Message);
        Assert.Equal(Models.WeightsAttributeLocation, d.Location);
    }

    [Fact]
    public void EveryProblemIsReported_NotOnlyTheFirst()
    {
        Models.ConvNetWeights().Without("conv1.bias").Without("fc.weight").F32("fc.weight", 3, 31).WriteTo(WeightsPath);

        WeightLinkResult result = WeightLinker.Link(Models.ConvNet(), _project.Path);

        Assert.False(result.Succeeded);
        Assert.Null(result.Entry);
        Assert.Equal(["MC2003", "MC2004"], result.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void WindowsSeparatorsInTheDeclaredPath_Resolve()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);

        Assert.True(WeightLinker.Link(Models.ConvNet("weights\\net.safetensors"), _project.Path).Succeeded);
    }

    [Fact]
    public void WeightsFileIsNotLocked_WhileOrAfterLinking()
    {
        Models.ConvNetWeights().WriteTo(WeightsPath);
        using (new FileStream(WeightsPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            // An exporter holding the file open for writing does not fail the link.
            Assert.True(WeightLinker.Link(Models.ConvNet(), _project.Path).Succeeded);
        }

        WeightLinker.Link(Models.ConvNet(), _project.Path);
        File.Delete(WeightsPath);
        Assert.False(File.Exists(WeightsPath));
    }

    private static DiagnosticInfo Single(WeightLinkResult result, string id)
    {
        Assert.False(result.Succeeded);
        DiagnosticInfo d = Assert.Single(result.Diagnostics);
        Assert.Equal(id, d.Id);
        return d;
    }

    /// <summary><paramref name="count"/> little-endian floats of a weight block from byte <paramref name="offset"/>.</summary>
    private static float[] Floats(byte[] block, long offset, long count) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(block.AsSpan((int)offset, (int)count * 4)).ToArray();
}
