using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelCompiler.Diagnostics;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Common;
using ModelCompiler.Linking;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Passes;

/// <summary>Weight reformation (<see cref="Reformation"/>): pruned layers refitted by least squares on calibration
/// inputs to reproduce the unpruned network.</summary>
public sealed class ReformationTests
{
    private static readonly PruneSpec Half = new() { Ratio = 0.5, Multiple = 1, Reform = true };

    /// <summary>Three convolutions and a residual Add; the last layer's channels are the output's, so kept whole.</summary>
    private static ModelSpec Net() => Model([3, 8, 8],
        Conv("a", 3, 16, 3, padding: 1), Op("ReLU", "relu_a"),
        Conv("b", 16, 16, 3, padding: 1), Op("ReLU", "relu_b"),
        Add("sum", "relu_a", "relu_b"),
        Conv("out", 16, 4, 1)) with { CalibrationPath = "calibration.safetensors" };

    [Fact]
    public void Refitting_RecoversPartOfWhatPruningLost_OnInputsItWasNotFittedOn()
    {
        ModelSpec declared = Net();
        Differential.Case c = Differential.Prepare(declared, seed: 21, batch: 64);
        float[] calibration = new Rng(99).Uniform(256 * 3 * 8 * 8, -2, 2);
        ModelCompilation plain = ModelCompilation.Compile(declared with { Pruning = Half with { Reform = false } });
        ModelCompilation reformed = ModelCompilation.Compile(declared with { Pruning = Half });
        Func<string, float[]> raw = name => c.Tensors[name];

        float[] expected = c.Interpret();
        float[] pruned = ReferenceInterpreter.Run(plain.Graph!, raw, c.Input, c.Batch);
        float[] refitted = ReferenceInterpreter.Run(reformed.Graph!, Reformation.Sources(reformed, raw, calibration, 256), c.Input, c.Batch);

        double before = Rms(pruned, expected), after = Rms(refitted, expected);
        // Random weights carry no redundancy to recover (a trained network does: docs/pruning.md); this one loses 0.19
        // RMS to pruning and 0.15 after the refit.
        Assert.True(after < 0.85 * before, $"RMS error against the unpruned network: {after:G3} refitted, {before:G3} pruned only");
    }

    [Fact]
    public void Refitting_IsExactUpToTheRidge_WhenThePrunedChannelsRepeatKeptOnes()
    {
        // a's channels 2 and 3 are copies of 0 and 1 (after the ReLU too), and b reads them weakly, so pruning removes
        // them; b's refit can move their columns onto the copies' and reproduce the unpruned output.
        ModelSpec spec = Model([2, 5, 5], Conv("a", 2, 4, 1), Op("ReLU", "relu"), Conv("b", 4, 3, 3, padding: 1))
            with { Pruning = Half, CalibrationPath = "calibration.safetensors" };
        var rng = new Rng(5);
        float[] a = rng.Uniform(8, -1, 1), aBias = rng.Uniform(4, -0.5, 0.5), b = rng.Uniform(3 * 4 * 9, -1, 1);
        Array.Copy(a, 0, a, 4, 4);
        Array.Copy(aBias, 0, aBias, 2, 2);
        for (int o = 0; o < 3; o++)
        {
            for (int k = 18; k < 36; k++)
            {
                b[(o * 36) + k] *= 0.1f;
            }
        }

        var tensors = new Dictionary<string, float[]> { ["a.weight"] = a, ["a.bias"] = aBias, ["b.weight"] = b, ["b.bias"] = rng.Uniform(3, -0.5, 0.5) };
        float[] calibration = rng.Uniform(200 * 50, -2, 2), input = rng.Uniform(4 * 50, -2, 2);
        ModelCompilation compilation = ModelCompilation.Compile(spec);

        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(spec)!, name => tensors[name], input, 4);
        float[] refitted = ReferenceInterpreter.Run(compilation.Graph!, Reformation.Sources(compilation, name => tensors[name], calibration, 200), input, 4);

        // The ridge term (1e-3 of the normal matrix's mean diagonal) shrinks the solution by about that much.
        double scale = Rms(expected, new float[expected.Length]);
        Assert.True(Rms(refitted, expected) < 5e-3 * scale, $"RMS error {Rms(refitted, expected):G3} of an output RMS of {scale:G3}");
    }

    [Fact]
    public void Refitting_FollowsAPlansRatios_OnAResidualNetworkWithAFlatten()
    {
        // The MNIST example's CNN shape: a residual block whose channels reach a Linear through a Flatten.
        ModelSpec spec = Model([1, 12, 12],
            Conv("conv1", 1, 16, 3, padding: 1, bias: false), BatchNorm("bn1", 16), Op("ReLU", "relu1"), MaxPool("pool1", 2, 2),
            Conv("conv2", 16, 16, 3, padding: 1, bias: false), BatchNorm("bn2", 16), Op("ReLU", "relu2"),
            Conv("conv3", 16, 16, 3, padding: 1, bias: false), BatchNorm("bn3", 16), Add("add", "pool1", "bn3"), Op("ReLU", "relu3"),
            MaxPool("pool2", 2, 2), Op("Flatten", "flat"), Linear("fc", 144, 10)) with
        {
            Pruning = new PruneSpec { Ratio = 0.5, Multiple = 4, Reform = true },
            CalibrationPath = "calibration.safetensors",
        };
        var plan = new ModelPlan("Tests.Net", EquatableArray.Create(new LayerPlan("conv1", null, 1) { Prune = 0.25 }, new LayerPlan("conv2", null, 2) { Prune = 0.75 }), "net.mcplan");
        Differential.Case c = Differential.Prepare(spec, seed: 17, batch: 16, inputLow: 0, inputHigh: 1);
        ModelCompilation compilation = ModelCompilation.Compile(spec, CompileOptions.Default with { Plan = plan });
        float[] calibration = new Rng(4).Uniform(128 * 144, 0, 1);

        float[] refitted = ReferenceInterpreter.Run(compilation.Graph!, Reformation.Sources(compilation, name => c.Tensors[name], calibration, 128), c.Input, c.Batch);

        Assert.Equal(12, compilation.Graph!.Nodes.Single(n => n.Name == "conv1").Attributes.Int(ModelCompiler.Ops.Conv2dOp.OutChannels));
        Assert.Equal(4, compilation.Graph.Nodes.Single(n => n.Name == "conv2").Attributes.Int(ModelCompiler.Ops.Conv2dOp.OutChannels));
        Assert.True(Rms(refitted, c.Interpret()) < Rms(c.Interpret(ModelCompilation.Compile(spec with { Pruning = spec.Pruning with { Reform = false } },
            CompileOptions.Default with { Plan = plan }).Graph), c.Interpret()));
    }

    [Fact]
    public void ReformWithoutCalibration_IsMC1026_AtTheModelAttribute()
    {
        ModelCompilation compilation = ModelCompilation.Compile(Net() with
        {
            Pruning = Half, CalibrationPath = null, WeightsLocation = new SourceLocation("Net.cs", 4, 2),
        });

        DiagnosticInfo d = Assert.Single(compilation.Diagnostics, d => d.Id == "MC1026");
        Assert.Equal("Model 'Tests.Net' asks for Reform but names no calibration inputs; add Calibration = \"path/to/calibration.safetensors\" to [Model] (a tensor 'input' of shape [N, 3, 8, 8]), or remove Reform", d.Message);
        Assert.Equal(4, d.Location!.Line);
    }

    [Fact]
    public void Link_RefitsFromTheCalibrationFile_AndReportsAnUnusableOneAsMC2009()
    {
        ModelSpec spec = Net() with { Pruning = Half };
        Differential.Case c = Differential.Prepare(spec, seed: 3);
        string directory = Directory.CreateTempSubdirectory("mc-reform-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "net.safetensors"),
                SafetensorsWriter.Write(c.Tensors.Select(t => (t.Key, WeightLayout.RequiredTensors(c.Graph).Single(r => r.Name == t.Key).Shape, t.Value)).ToList()));

            WeightLinkResult missing = WeightLinker.Link(spec, directory);
            Assert.Contains("Calibration file '" + Path.Combine(directory, "calibration.safetensors") + "' for model 'Tests.Net' cannot be used: it does not exist",
                Assert.Single(missing.Diagnostics, d => d.Id == "MC2009").Message);

            File.WriteAllBytes(Path.Combine(directory, "calibration.safetensors"), SafetensorsWriter.Write([("input", [10, 3, 8, 9], new float[10 * 3 * 8 * 9])]));
            Assert.Contains("its tensor 'input' is F32 [10, 3, 8, 9]; the model needs F32, F16 or BF16 samples of shape [N, 3, 8, 8]",
                Assert.Single(WeightLinker.Link(spec, directory).Diagnostics, d => d.Id == "MC2009").Message);

            float[] samples = new Rng(8).Uniform(64 * 3 * 8 * 8, -2, 2);
            File.WriteAllBytes(Path.Combine(directory, "calibration.safetensors"), SafetensorsWriter.Write([("input", [64, 3, 8, 8], samples)]));
            WeightLinkResult linked = WeightLinker.Link(spec, directory);
            Assert.True(linked.Succeeded, string.Join("\n", linked.Diagnostics));
            ModelCompilation compilation = linked.Compilation;
            byte[] expected = WeightLinker.Pack(compilation.Layout!, Reformation.Sources(compilation, name => c.Tensors[name], samples, 64));
            Assert.Equal(expected, linked.Entry!.Data);
            Assert.NotEqual(WeightLinker.Pack(ModelCompilation.Compile(spec with { Pruning = Half with { Reform = false } }).Layout!, name => c.Tensors[name]), expected);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Rms(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average());
}
