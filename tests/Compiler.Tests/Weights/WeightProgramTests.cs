using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Passes;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Weights;

/// <summary>Weight programs step by step on small hand-made tensors with hand-computed results (BatchNorm scale and
/// shift, row scaling with and without a shift, zeros, the BatchNorm fold the pass builds), packing and decoding,
/// encoded sizes, the sources a program reads, and the layout the generator and the weight linker agree on.</summary>
public sealed class WeightProgramTests
{
    private static readonly EquatableArray<int> Three = EquatableArray.Create(3);

    /// <summary>gamma / sqrt(var + eps) = [3 / 1.5, 5 / 2, -2 / 1] with eps 0.5; shift = beta - mean * scale.</summary>
    private static readonly Dictionary<string, float[]> Bn = new()
    {
        ["bn.weight"] = [3f, 5f, -2f],
        ["bn.running_var"] = [1.75f, 3.5f, 0.5f],
        ["bn.bias"] = [1f, 0f, 0.5f],
        ["bn.running_mean"] = [2f, -4f, 1f],
        ["x"] = [1f, 2f, 3f, 4f, 5f, 6f],
        ["rows.scale"] = [2f, -1f],
        ["rows.shift"] = [0.5f, 1f],
    };

    private static readonly BatchNormScale Scale = new(new LoadTensor("bn.weight", Three), new LoadTensor("bn.running_var", Three), 0.5f);

    private static readonly BatchNormShift Shift = new(new LoadTensor("bn.bias", Three), new LoadTensor("bn.running_mean", Three), Scale);

    [Fact]
    public void Load_ReadsTheTensor() =>
        Assert.Equal([1.0, 2, 3, 4, 5, 6], Evaluate(new LoadTensor("x", EquatableArray.Create(2, 3))));

    [Fact]
    public void Load_OfTheWrongSize_SaysWhichTensorAndBothCounts()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => Evaluate(new LoadTensor("x", EquatableArray.Create(2, 2))));
        Assert.Equal("tensor 'x' has 6 elements, the layer needs 4", e.Message);
    }

    [Fact]
    public void Zeros()
    {
        var zeros = new ZeroTensor(EquatableArray.Create(2, 3));
        Assert.Equal(new double[6], Evaluate(zeros));
        Assert.Equal(6, zeros.Count);
        Assert.Empty(zeros.Sources);
        Assert.Equal("zeros([2,3])", zeros.ToString());
    }

    [Fact]
    public void BatchNormScale_IsGammaOverTheRootOfVariancePlusEpsilon()
    {
        Assert.Equal([2.0, 2.5, -2.0], Evaluate(Scale));

        // Not exact in binary: the double result, 1 / sqrt(2), to the last bit.
        var inexact = new BatchNormScale(new LoadTensor("one", EquatableArray.Create(1)), new LoadTensor("one", EquatableArray.Create(1)), 1f);
        Assert.Equal([1 / Math.Sqrt(2)], WeightProgramRunner.Evaluate(inexact, _ => [1f]));
    }

    [Fact]
    public void BatchNormShift_IsBetaMinusMeanTimesScale() =>
        Assert.Equal([1 - (2 * 2.0), 0 + (4 * 2.5), 0.5 + (1 * 2.0)], Evaluate(Shift));

    [Fact]
    public void ScaleRows_WithShift()
    {
        var rows = new ScaleRows(new LoadTensor("x", EquatableArray.Create(2, 3)), new LoadTensor("rows.scale", EquatableArray.Create(2)), new LoadTensor("rows.shift", EquatableArray.Create(2)));
        Assert.Equal([2.5, 4.5, 6.5, -3, -4, -5], Evaluate(rows));
        Assert.Equal([2, 3], rows.Shape);
    }

    [Fact]
    public void ScaleRows_WithoutShift()
    {
        var rows = new ScaleRows(new LoadTensor("x", EquatableArray.Create(2, 3)), new LoadTensor("rows.scale", EquatableArray.Create(2)), null);
        Assert.Equal([2.0, 4, 6, -4, -5, -6], Evaluate(rows));
        Assert.Equal(2, rows.Children.Count());
    }

    [Fact]
    public void ScaleRows_ScalesEachOutputChannelOfA4dWeight()
    {
        // x as [3, 1, 1, 2]: two values per output channel, scaled by [2, 2.5, -2].
        var rows = new ScaleRows(new LoadTensor("x", EquatableArray.Create(3, 1, 1, 2)), Scale, null);
        Assert.Equal([2.0, 4, 7.5, 10, -10, -12], Evaluate(rows));
    }

    /// <summary>The fold pass's programs: the conv weight scaled per output channel, the bias (b - mean) * scale + beta,
    /// a missing bias taken as zeros, all against values computed by hand.</summary>
    [Theory]
    [InlineData(false, new[] { -3.0, 10, 2.5 })]
    [InlineData(true, new[] { -1.0, 7.5, 1.5 })]
    public void FoldBatchNorm_ProgramsComputeTheFoldedWeights(bool convBias, double[] bias)
    {
        Graph graph = Graphs.Build(Model([1, 2, 3], Conv("conv", 1, 3, 1, bias: convBias).With("kernel_size", 1, 2), BatchNorm("bn", 3, eps: 0.5f)));
        PassPipeline.Run(graph, [new FoldBatchNorm()]);
        Node conv = Assert.Single(graph.Nodes);
        var tensors = new Dictionary<string, float[]>(Bn) { ["conv.weight"] = [1f, 2f, 3f, 4f, 5f, 6f], ["conv.bias"] = [1f, -1f, 0.5f] };

        Assert.Equal([2.0, 4, 7.5, 10, -10, -12], WeightProgramRunner.Evaluate(conv.Weight("weight")!.Program, n => tensors[n]));
        Assert.Equal(bias, WeightProgramRunner.Evaluate(conv.Weight("bias")!.Program, n => tensors[n]));
        Assert.Equal(convBias ? "load(conv.bias [3])" : "zeros([3])", ((ScaleRows)conv.Weight("bias")!.Program.X).X.ToString());
    }

    [Fact]
    public void Encode_EvaluatesToItsInput_AndRoundsToFloatOnce()
    {
        // 9 * (1 / sqrt(2)) in double then rounded once differs from rounding the scale first: the runner must do the former.
        var program = Encode.Float32(new ScaleRows(new LoadTensor("w", EquatableArray.Create(1, 1)),
            new BatchNormScale(new LoadTensor("g", EquatableArray.Create(1)), new LoadTensor("v", EquatableArray.Create(1)), 0f), null));
        Func<string, float[]> source = n => n switch { "w" => [9f], "g" => [1f], _ => [2f] };

        float once = (float)(9 * (1 / Math.Sqrt(2)));
        float twice = (float)(1 / Math.Sqrt(2)) * 9f;
        Assert.NotEqual(once, twice);
        Assert.Equal([9 * (1 / Math.Sqrt(2))], WeightProgramRunner.Evaluate(program, source));
        Assert.Equal([once], WeightProgramRunner.EvaluateFloats(program, source));
    }

    [Fact]
    public void PackThenDecode_IsExactForF32()
    {
        float[] values = [-0f, float.Epsilon, 1e38f, -3.4e38f, 1f / 3, -1.5e-30f, 7f, 123456.79f];
        var program = Encode.Float32(new LoadTensor("t", EquatableArray.Create(2, 4)));

        byte[] packed = WeightProgramRunner.Pack(program, _ => values);

        Assert.Equal(32, packed.Length);
        Assert.Equal(values.SelectMany(v => BitConverter.GetBytes(v)), packed);
        float[] decoded = WeightProgramRunner.Decode(program, packed, 0);
        Assert.Equal(values.Select(v => BitConverter.SingleToInt32Bits(v)), decoded.Select(v => BitConverter.SingleToInt32Bits(v)));

        // From inside a larger block, at the tensor's offset.
        byte[] block = new byte[200];
        packed.CopyTo(block, 128);
        Assert.Equal(values.Select(v => BitConverter.SingleToInt32Bits(v)), WeightProgramRunner.Decode(program, block, 128).Select(v => BitConverter.SingleToInt32Bits(v)));
    }

    [Fact]
    public void Pack_StoresTheProgramsResult()
    {
        var program = Encode.Float32(new ScaleRows(new LoadTensor("x", EquatableArray.Create(2, 3)), new LoadTensor("rows.scale", EquatableArray.Create(2)), new LoadTensor("rows.shift", EquatableArray.Create(2))));
        byte[] packed = WeightProgramRunner.Pack(program, n => Bn[n]);
        Assert.Equal(new[] { 2.5f, 4.5f, 6.5f, -3f, -4f, -5f }.SelectMany(v => BitConverter.GetBytes(v)), packed);
        Assert.Equal([2.5f, 4.5f, 6.5f, -3f, -4f, -5f], WeightProgramRunner.Decode(program, packed, 0));
    }

    [Theory]
    [InlineData("u8", "no codec for u8 dense")]
    [InlineData("i8", "no codec for i8 dense")]
    [InlineData("panel", "no codec for f32 panel(8,4)")]
    [InlineData("scaled-float", "no codec for f32 row-scaled")]
    public void PackAndDecode_RefuseEncodingsWithoutACodec(string encoding, string message)
    {
        var load = new LoadTensor("t", EquatableArray.Create(4));
        Encode program = encoding switch
        {
            "u8" => new Encode(load, DataType.U8, TensorLayout.Dense),
            "i8" => new Encode(load, DataType.I8, TensorLayout.Dense),
            "scaled-float" => new Encode(load, DataType.F32, WeightLayouts.RowScaledLayout),
            _ => new Encode(load, DataType.F32, new TensorLayout("panel", EquatableArray.Create(8, 4))),
        };
        Assert.Equal(message, Assert.Throws<NotSupportedException>(() => WeightProgramRunner.Pack(program, _ => new float[4])).Message);
        Assert.Equal(message, Assert.Throws<NotSupportedException>(() => WeightProgramRunner.Decode(program, new byte[16], 0)).Message);
    }

    [Fact]
    public void Evaluate_RefusesAnUnknownStep()
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => WeightProgramRunner.Evaluate(new UnknownStep(), _ => []));
        Assert.Equal("no evaluation for weight step UnknownStep", e.Message);
    }

    [Theory]
    [InlineData("f32", 6, 24)]
    [InlineData("f16", 3, 6)]
    [InlineData("bf16", 5, 10)]
    [InlineData("i8", 7, 7)]
    [InlineData("u8", 1, 1)]
    [InlineData("i32", 2, 8)]
    [InlineData("i4", 3, 2)]
    [InlineData("i3", 5, 2)]
    [InlineData("i3", 6, 3)]
    [InlineData("i2", 4, 1)]
    [InlineData("i2", 5, 2)]
    [InlineData("i7", 8, 7)]
    public void Encode_Bytes(string type, int count, long bytes)
    {
        DataType dataType = type switch
        {
            "f32" => DataType.F32,
            "f16" => DataType.F16,
            "bf16" => DataType.BF16,
            "i8" => DataType.I8,
            "u8" => DataType.U8,
            "i32" => DataType.I32,
            _ => DataType.Packed(type[1] - '0'),
        };
        Assert.Equal(type, dataType.ToString());
        Assert.Equal(bytes, new Encode(new ZeroTensor(EquatableArray.Create(count)), dataType, TensorLayout.Dense).Bytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Packed_HasTwoToSevenBits(int bits) =>
        Assert.Throws<ArgumentOutOfRangeException>("bits", () => DataType.Packed(bits));

    [Fact]
    public void Sources_ListEveryLoadInOrder()
    {
        var weight = new ScaleRows(new LoadTensor("conv.weight", EquatableArray.Create(3, 1, 1, 2)), Scale, null);
        Assert.Equal(["conv.weight", "bn.weight", "bn.running_var"], weight.Sources.Select(s => s.Name));

        var bias = Encode.Float32(new ScaleRows(new LoadTensor("conv.bias", Three), Scale, Shift));
        Assert.Equal(
            ["conv.bias", "bn.weight", "bn.running_var", "bn.bias", "bn.running_mean", "bn.weight", "bn.running_var"],
            bias.Sources.Select(s => s.Name));
    }

    [Fact]
    public void Programs_PrintTheirSteps()
    {
        Assert.Equal(
            "encode(scale_rows(zeros([3]), bn_scale(load(bn.weight [3]), load(bn.running_var [3]), eps=0.5), bn_shift(load(bn.bias [3]), load(bn.running_mean [3]), bn_scale(load(bn.weight [3]), load(bn.running_var [3]), eps=0.5))), f32, dense)",
            Encode.Float32(new ScaleRows(new ZeroTensor(Three), Scale, Shift)).ToString());
    }

    [Fact]
    public void Layout_PlacesEachTensorAt64ByteBoundaries()
    {
        Graph graph = Graphs.Build(Model([5], Specs.Linear("fc1", 5, 3), Specs.Linear("fc2", 3, 2)));
        WeightLayout layout = WeightLayout.Create(graph);

        // fc1.weight 15 floats = 60 bytes at 0, fc1.bias 12 bytes at 64, fc2.weight 24 bytes at 128, fc2.bias 8 bytes at 192.
        Assert.Equal(
            [("fc1", "weight", 0L, 60L), ("fc1", "bias", 64, 12), ("fc2", "weight", 128, 24), ("fc2", "bias", 192, 8)],
            layout.Tensors.Select(t => (t.Node, t.Role, t.Offset, t.Bytes)));
        Assert.Equal(256, layout.TotalBytes);
        Assert.Equal(104, layout.TensorBytes);
        Assert.Equal(192, layout.Find("fc2", "bias")!.Offset);
        Assert.Null(layout.Find("fc2", "scale"));
        Assert.Null(layout.Find("fc3", "weight"));
    }

    [Fact]
    public void Layout_SizesEachTensorByItsEncoding()
    {
        Graph graph = Graphs.Build(Model([5], Specs.Linear("fc1", 5, 3), Specs.Linear("fc2", 3, 40)));
        Node fc1 = graph.Node("fc1"), fc2 = graph.Node("fc2");
        fc1.Weights[0] = fc1.Weights[0] with { Program = fc1.Weights[0].Program with { DataType = DataType.F16 } };
        fc2.Weights[0] = fc2.Weights[0] with { Program = fc2.Weights[0].Program with { DataType = DataType.Packed(3) } };

        WeightLayout layout = WeightLayout.Create(graph);

        // fc1.weight 15 halves = 30 bytes; fc2.weight 120 values of 3 bits = 45 bytes; fc2.bias 40 floats = 160 bytes.
        Assert.Equal(
            [("weight", 0L, 30L), ("bias", 64, 12), ("weight", 128, 45), ("bias", 192, 160)],
            layout.Tensors.Select(t => (t.Role, t.Offset, t.Bytes)));
        Assert.Equal(384, layout.TotalBytes);
        Assert.All(layout.Tensors, t => Assert.Equal(0, t.Offset % WeightLayout.Alignment));
    }

    [Fact]
    public void Layout_Describe_ChangesWithAnyProgram()
    {
        ModelSpec spec = Model([5], Specs.Linear("fc1", 5, 3), Specs.Linear("fc2", 3, 2));
        string original = WeightLayout.Create(Graphs.Build(spec)).Describe();
        Assert.Equal(original, WeightLayout.Create(Graphs.Build(spec)).Describe());

        string[] lines = original.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("fc1 weight f32", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" @0 encode(load(fc1.weight [3,5]), f32, dense)", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" @192 encode(load(fc2.bias [2]), f32, dense)", lines[3], StringComparison.Ordinal);

        // Another step in a program (the bias zeroed), another encoding, another source name: each changes the text.
        Graph zeroed = Graphs.Build(spec);
        zeroed.Node("fc2").Weights[1] = new NodeWeight("bias", Encode.Float32(new ZeroTensor(EquatableArray.Create(2))));
        Graph half = Graphs.Build(spec);
        half.Node("fc2").Weights[1] = half.Node("fc2").Weights[1] with { Program = half.Node("fc2").Weights[1].Program with { DataType = DataType.F16 } };
        Graph renamed = Graphs.Build(Model([5], Specs.Linear("fc1", 5, 3), Specs.Linear("fc2", 3, 2) with { WeightPrefix = "head" }));
        string[] variants = [.. new[] { zeroed, half, renamed }.Select(g => WeightLayout.Create(g).Describe())];
        Assert.All(variants, v => Assert.NotEqual(original, v));
        Assert.Equal(3, variants.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void RequiredTensors_FollowTheStateDictOrder()
    {
        Graph graph = Graphs.Build(Model([3, 4, 4],
            Conv("conv", 3, 4, 3, padding: 1, bias: false), BatchNorm("bn", 4), Op("ReLU", "relu"), Op("Flatten", "flat"),
            Specs.Linear("fc", 64, 2) with { WeightPrefix = "head.0" }));

        IReadOnlyList<RequiredTensor> required = WeightLayout.RequiredTensors(graph);

        Assert.Equal(
            ["conv.weight [4,3,3,3] conv", "bn.weight [4] bn", "bn.bias [4] bn", "bn.running_mean [4] bn", "bn.running_var [4] bn",
                "head.0.weight [2,64] fc", "head.0.bias [2] fc"],
            required.Select(t => t.Name + " [" + string.Join(",", t.Shape) + "] " + t.Layer.Name));
    }

    private static double[] Evaluate(WeightExpr expr) => WeightProgramRunner.Evaluate(expr, n => Bn[n]);

    private sealed record UnknownStep : WeightExpr
    {
        public override EquatableArray<int> Shape => EquatableArray.Create(1);

        public override IEnumerable<WeightExpr> Children => [];
    }
}
