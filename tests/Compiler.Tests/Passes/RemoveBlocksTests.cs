using System;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Linking;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Passes;

/// <summary>Depth pruning (<see cref="ModelCompiler.Passes.RemoveBlocks"/>): a residual block named by its Add is removed
/// and the network computes what the same network declared without the block computes.</summary>
public sealed class RemoveBlocksTests
{
    /// <summary>A stem and two residual blocks (conv-BN-ReLU-conv-BN, then the Add), a head.</summary>
    private static ModelSpec Net(params string[] removed) => Model([3, 8, 8],
        Conv("stem", 3, 8, 3, padding: 1), Op("ReLU", "stem_relu"),
        Conv("b1.conv1", 8, 8, 3, padding: 1, bias: false), BatchNorm("b1.bn1", 8), Op("ReLU", "b1.relu"),
        Conv("b1.conv2", 8, 8, 3, padding: 1), Add("b1.add", "b1.conv2", "stem_relu"),
        Conv("b2.conv1", 8, 8, 3, padding: 1), Op("ReLU", "b2.relu"),
        Conv("b2.conv2", 8, 8, 3, padding: 1), Add("b2.add", "b1.add", "b2.conv2"),
        Op("GlobalAvgPool2d", "gap"), Op("Flatten", "flat"), Linear("head", 8, 5)) with { RemovedBlocks = removed.ToEquatableArray() };

    [Fact]
    public void ARemovedBlock_IsTheIdentity_AndItsLayersAreGone()
    {
        ModelSpec spec = Net("b1.add");
        ModelSpec without = Model([3, 8, 8],
            Conv("stem", 3, 8, 3, padding: 1), Op("ReLU", "stem_relu"),
            Conv("b2.conv1", 8, 8, 3, padding: 1), Op("ReLU", "b2.relu"),
            Conv("b2.conv2", 8, 8, 3, padding: 1), Add("b2.add", "stem_relu", "b2.conv2"),
            Op("GlobalAvgPool2d", "gap"), Op("Flatten", "flat"), Linear("head", 8, 5));
        Differential.Case c = Differential.Prepare(Net(), seed: 4);
        ModelCompilation compilation = ModelCompilation.Compile(spec);

        Assert.DoesNotContain(compilation.Graph!.Nodes, n => n.Name.StartsWith("b1.", StringComparison.Ordinal));
        Assert.Equal(ModelCompilation.Compile(without).Layout!.TensorBytes, compilation.Layout!.TensorBytes);
        Differential.AssertClose(c.Interpret(ModelCompilation.Compile(without).Graph), c.Interpret(compilation.Graph), "block removed vs declared without it");
    }

    [Fact]
    public void RemovingABlock_ComposesWithChannelPruning_AndTheRefitReadsTheFullNetwork()
    {
        ModelSpec spec = Net("b2.add") with
        {
            Pruning = new PruneSpec { Ratio = 0.5, Multiple = 1, Reform = true },
            CalibrationPath = "calibration.safetensors",
        };
        Differential.Case c = Differential.Prepare(Net(), seed: 9, batch: 32);
        float[] calibration = new Rng(12).Uniform(128 * 3 * 8 * 8, -2, 2);
        ModelCompilation compilation = ModelCompilation.Compile(spec);
        ModelCompilation plain = ModelCompilation.Compile(spec with { Pruning = spec.Pruning with { Reform = false } });

        float[] expected = c.Interpret();
        float[] pruned = c.Interpret(plain.Graph);
        float[] refitted = ModelCompiler.Interpreter.ReferenceInterpreter.Run(compilation.Graph!, Reformation.Sources(compilation, n => c.Tensors[n], calibration, 128), c.Input, c.Batch);

        Assert.DoesNotContain(compilation.Graph!.Nodes, n => n.Name.StartsWith("b2.", StringComparison.Ordinal));
        Assert.True(Rms(refitted, expected) < Rms(pruned, expected), $"{Rms(refitted, expected):G3} refitted, {Rms(pruned, expected):G3} not");
    }

    [Theory]
    [InlineData("nope", "the model has no layer 'nope'")]
    [InlineData("stem", "'stem' is a Conv2d of 1 inputs, not the Add of a block's output and its input")]
    public void ANameThatClosesNoBlock_IsMC1027(string name, string why)
    {
        ModelCompilation compilation = ModelCompilation.Compile(Net(name));

        DiagnosticInfo d = Assert.Single(compilation.Diagnostics, d => d.Id == "MC1027");
        Assert.Equal("Model 'Tests.Net' cannot remove the block closed by '" + name + "': " + why
            + "; name in RemoveBlocks the Add that sums a residual block's output and its input", d.Message);
    }

    private static double Rms(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average());
}
