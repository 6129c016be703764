using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Interpreter;

/// <summary>The interpreter on its own: reference values, index mappings on counting inputs, batch
/// independence, and clear errors for wrong arguments.</summary>
public sealed class ReferenceInterpreterTests
{
    private static readonly Func<string, float[]> NoTensors = name => throw new KeyNotFoundException(name);

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.52049987781304654)]
    [InlineData(1.0, 0.84270079294971487)]
    [InlineData(-1.5, -0.96610514647531073)]
    [InlineData(2.0, 0.99532226501895273)]
    [InlineData(3.0, 0.99997790950300141)]
    [InlineData(5.0, 0.99999999999846254)]
    [InlineData(7.0, 1.0)]
    public void Erf_MatchesReferenceValues(double x, double expected) =>
        Assert.Equal(expected, ReferenceInterpreter.Erf(x), 1e-15);

    [Theory]
    [InlineData("GELU", 1.0, 0.84134474606854293)]
    [InlineData("GELU", -1.0, -0.15865525393145707)]
    [InlineData("SiLU", 1.0, 0.73105857863000490)]
    [InlineData("HardSwish", 1.0, 0.66666666666666667)]
    [InlineData("HardSwish", -3.5, 0.0)]
    [InlineData("ReLU6", 7.0, 6.0)]
    public void Activations_MatchReferenceValues(string kind, double x, double expected) =>
        Assert.Equal(expected, ReferenceInterpreter.Activate(kind, x, 0), 1e-15);

    [Fact]
    public void PixelShuffle_MovesChannelsIntoBlocks()
    {
        // in[c = dy*2 + dx][0, 0] = c  ->  out[0][dy, dx] = c, as torch.nn.PixelShuffle(2) on arange(4).view(1, 4, 1, 1).
        float[] y = Run(Model([4, 1, 1], PixelShuffle("ps", 2)), [0, 1, 2, 3]);
        Assert.Equal([0f, 1, 2, 3], y);
    }

    [Fact]
    public void Upsample_RepeatsEachPixel()
    {
        float[] y = Run(Model([1, 2, 2], Upsample("up", 2)), [1, 2, 3, 4]);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], y);
    }

    [Theory]
    [InlineData(true, new[] { 0.25f, 0.75f, 0.5f, 2.5f })]
    [InlineData(false, new[] { 1.0f, 1.5f, 2.0f, 2.5f })]
    public void AvgPool_DivisorFollowsCountIncludePad(bool countIncludePad, float[] expected)
    {
        // 2x2 kernel, stride 1, padding 1 on [[1, 2], [3, 4]]; the corner windows hold one real pixel
        // (the first row of the 3x3 output, then its centre).
        float[] y = Run(Model([1, 2, 2], AvgPool("pool", 2, 1, 1, countIncludePad)), [1, 2, 3, 4]);
        Assert.Equal(expected[..3], y[..3]);
        Assert.Equal(expected[3], y[4]);
    }

    [Fact]
    public void Batch_SamplesAreIndependent()
    {
        Differential.Case c = Differential.Prepare(Networks.Cnn, seed: 5, batch: 3);
        float[] all = c.Interpret();
        int inSize = c.InputSize;
        int outSize = c.OutputSize;
        for (int n = 0; n < 3; n++)
        {
            float[] one = ReferenceInterpreter.Run(c.Graph, name => c.Tensors[name], c.Input[(n * inSize)..((n + 1) * inSize)], 1);
            Assert.Equal(all[(n * outSize)..((n + 1) * outSize)], one);
        }
    }

    [Fact]
    public void Run_RejectsAnInputOfTheWrongLength()
    {
        Graph graph = ModelCompilation.BuildUnoptimized(Model([3, 2, 2], Op("ReLU", "relu")))!;
        ArgumentException e = Assert.Throws<ArgumentException>(() => ReferenceInterpreter.Run(graph, NoTensors, new float[12], 2));
        Assert.Contains("input has 12 floats; batch 2 of [N, 3, 2, 2] needs 24", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ReferenceInterpreter.Run(graph, NoTensors, [], 0));
    }

    [Fact]
    public void Run_RejectsATensorOfTheWrongSize()
    {
        Graph graph = ModelCompilation.BuildUnoptimized(Model([4], Linear("fc", 4, 2) with { WeightPrefix = "head" }))!;
        var tensors = new Dictionary<string, float[]> { ["head.weight"] = new float[6], ["head.bias"] = new float[2] };
        ArgumentException e = Assert.Throws<ArgumentException>(() => ReferenceInterpreter.Run(graph, n => tensors[n], new float[4], 1));
        Assert.Contains("tensor 'head.weight' has 6 elements, the layer needs 8", e.Message, StringComparison.Ordinal);
    }

    private static float[] Run(ModelSpec spec, float[] input) =>
        ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(spec)!, NoTensors, input, 1);

    [Fact]
    public void ABatch_IsEachSampleRunAlone_BitForBit_HoweverItIsSplitAcrossCores()
    {
        Differential.Case c = Differential.Prepare(Networks.Cnn, seed: 31, batch: 7);
        float[] batched = c.Interpret();
        int inputSize = c.Input.Length / 7, outputSize = batched.Length / 7;
        for (int n = 0; n < 7; n++)
        {
            float[] alone = ReferenceInterpreter.Run(c.Graph, name => c.Tensors[name], c.Input[(n * inputSize)..((n + 1) * inputSize)], 1);
            Assert.Equal(alone, batched[(n * outputSize)..((n + 1) * outputSize)]);
        }

        // Every value, not only the output: what calibration reads.
        IReadOnlyDictionary<Value, float[]> all = ReferenceInterpreter.RunAll(c.Graph, name => c.Tensors[name], c.Input, 7);
        Assert.Equal(batched, all[c.Graph.Output]);
        Assert.All(c.Graph.Nodes, node => Assert.Equal(0, all[node.Output].Length % 7));
    }
}
