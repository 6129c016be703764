using System.Linq;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.BuildTasks.Onnx.Proto;
using Xunit;
using static ModelCompiler.Tests.OnnxImport.OnnxBuilder;

namespace ModelCompiler.Tests.OnnxImport;

/// <summary>The spellings exporters use that have no one-to-one layer: each imports, and the imported model agrees
/// with ONNX Runtime running the same file within 1e-4.</summary>
public sealed class OnnxImportPatternTests
{
    private static float[] Input(int count) => Pattern(count, 3).Select(v => v * 4).ToArray();

    private static ImportedModel Check(OnnxBuilder onnx, params long[] shape) =>
        OnnxImportCheck.AssertMatchesOnnxRuntime(onnx.Bytes(), Input((int)shape.Aggregate(1L, (a, d) => a * d)), shape);

    private static string Layers(ImportedModel model) => string.Join("\n", model.Layers.Select(DeclarationWriter.Attribute));

    private static OnnxBuilder Conv(OnnxBuilder b, string x, string y, int inC, int outC, int k, bool bias = true, params AttributeProto[] attributes)
    {
        b.Floats(y + ".w", [outC, inC, k, k], Pattern(outC * inC * k * k, outC));
        if (bias)
        {
            b.Floats(y + ".b", [outC], Pattern(outC, 7));
        }

        return b.Node("Conv", bias ? [x, y + ".w", y + ".b"] : [x, y + ".w"], y, attributes);
    }

    [Fact]
    public void PadBeforeConv_BecomesPerSidePadding()
    {
        var b = new OnnxBuilder().Input("x", -1, 3, 6, 7).Ints("pads", 0, 0, 1, 2, 0, 0, 0, 1);
        b.Node("Pad", ["x", "pads"], "padded");
        Conv(b, "padded", "y", 3, 4, 3).Output("y");

        ImportedModel model = Check(b, 2, 3, 6, 7);
        Assert.Equal("[Conv2d(\"Conv_1\", 3, 4, 3, PaddingTop = 1, PaddingBottom = 0, PaddingLeft = 2, PaddingRight = 1)]", Layers(model));
    }

    [Fact]
    public void FlattenSpelledAsShapeGatherConcatReshape_ThenGemm()
    {
        var b = new OnnxBuilder().Input("x", -1, 2, 3, 3).Ints("zero", 0).Ints("minus1", -1)
            .Floats("w", [5, 18], Pattern(90)).Floats("bias", [5], Pattern(5, 1));
        b.Node("Shape", ["x"], "shape").Node("Gather", ["shape", "zero"], "n", Int("axis", 0))
            .Node("Concat", ["n", "minus1"], "target", Int("axis", 0)).Node("Reshape", ["x", "target"], "flat")
            .Node("Gemm", ["flat", "w", "bias"], "y", Int("transB", 1)).Output("y");

        ImportedModel model = Check(b, 2, 2, 3, 3);
        Assert.Equal("[Flatten(Name = \"Reshape_3\")]\n[Linear(\"Gemm_4\", 18, 5)]", Layers(model));
    }

    [Fact]
    public void FlattenWithUnsqueezedBatch_AsTorchExportsIt()
    {
        var b = new OnnxBuilder(11).Input("x", -1, 2, 2, 2);
        b.Node("Constant", "zero", [], ["zero"], new AttributeProto { Name = "value_int", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        b.Node("Shape", ["x"], "shape").Node("Gather", ["shape", "zero"], "n0", Int("axis", 0))
            .Node("Unsqueeze", ["n0"], "n", IntList("axes", 0)).Node("Constant", "c", [], ["m"], new AttributeProto { Name = "value_ints", Type = AttributeProto.Types.AttributeType.Ints, Ints = { -1 } })
            .Node("Concat", ["n", "m"], "target", Int("axis", 0)).Node("Reshape", ["x", "target"], "y").Output("y");

        ImportedModel model = Check(b, 3, 2, 2, 2);
        Assert.Equal("Flatten", Assert.Single(model.Layers).Kind);
    }

    [Fact]
    public void InputOfRank3FlattenedFirst_IsDeclaredFlat()
    {
        var b = new OnnxBuilder().Input("x", 1, 4, 6).Floats("w", [3, 24], Pattern(72)).Floats("c", [3], Pattern(3, 1));
        b.Node("Flatten", ["x"], "f", Int("axis", 1)).Node("Gemm", ["f", "w", "c"], "y", Int("transB", 1)).Output("y");

        ImportedModel model = Check(b, 1, 4, 6);
        Assert.Equal([24], model.InputShape);
        Assert.Equal("Linear", Assert.Single(model.Layers).Kind);
    }

    [Fact]
    public void NhwcInputWithOneChannelReshapedToNchw_AsTf2onnxWritesIt()
    {
        var b = new OnnxBuilder().Input("x", -1, 5, 6, 1).Ints("nchw", -1, 1, 5, 6);
        b.Node("Reshape", ["x", "nchw"], "r");
        Conv(b, "r", "y", 1, 2, 3).Output("y");

        ImportedModel model = Check(b, 2, 5, 6, 1);
        Assert.Equal([1, 5, 6], model.InputShape);
    }

    [Fact]
    public void GemmWithoutTransB_AlphaAndBeta_FoldedIntoTheWeights()
    {
        var b = new OnnxBuilder().Input("x", -1, 6).Floats("w", [6, 4], Pattern(24)).Floats("c", [1, 4], Pattern(4, 2));
        b.Node("Gemm", ["x", "w", "c"], "y", Float("alpha", 0.5f), Float("beta", 2f)).Output("y");

        Check(b, 3, 6);
    }

    [Fact]
    public void MatMulThenAdd_BecomesOneLinearWithBias()
    {
        var b = new OnnxBuilder().Input("x", -1, 6).Floats("w", [6, 4], Pattern(24)).Floats("c", [4], Pattern(4, 2));
        b.Node("MatMul", ["x", "w"], "xw").Node("Add", ["xw", "c"], "y").Output("y");

        ImportedModel model = Check(b, 3, 6);
        Assert.Equal("[Linear(\"MatMul_0\", 6, 4)]", Layers(model));
    }

    [Fact]
    public void ConvThenAddPerChannel_AsTf2onnxWritesTheBias()
    {
        var b = new OnnxBuilder().Input("x", -1, 2, 5, 5).Floats("c", [1, 3, 1, 1], 0.5f, -1f, 2f);
        Conv(b, "x", "conv", 2, 3, 3, bias: false).Node("Add", ["conv", "c"], "y").Output("y");

        ImportedModel model = Check(b, 2, 2, 5, 5);
        Assert.Equal("[Conv2d(\"Conv_0\", 2, 3, 3)]", Layers(model));
    }

    [Fact]
    public void ClipZeroSix_IsReLU6_AndClipZero_IsReLU()
    {
        var b = new OnnxBuilder().Input("x", -1, 2, 4, 4);
        b.Floats("zero", [], 0f).Floats("six", [], 6f);
        Conv(b, "x", "conv", 2, 3, 1).Node("Clip", ["conv", "zero", "six"], "r6").Node("Clip", ["r6", "zero"], "y").Output("y");

        ImportedModel model = Check(b, 2, 2, 4, 4);
        Assert.Equal(["Conv2d", "ReLU6", "ReLU"], model.Layers.Select(l => l.Kind));
    }

    [Fact]
    public void XTimesHardSigmoid_IsHardSwish_AndXTimesSigmoid_IsSiLU()
    {
        var b = new OnnxBuilder().Input("x", -1, 2, 3, 3);
        Conv(b, "x", "conv", 2, 2, 1).Node("HardSigmoid", ["conv"], "hs", Float("alpha", 1f / 6), Float("beta", 0.5f))
            .Node("Mul", ["conv", "hs"], "hswish").Node("Sigmoid", ["hswish"], "s").Node("Mul", ["s", "hswish"], "y").Output("y");

        ImportedModel model = Check(b, 2, 2, 3, 3);
        Assert.Equal(["Conv2d", "HardSwish", "SiLU"], model.Layers.Select(l => l.Kind));
    }

    [Fact]
    public void PixelShuffleSpelledAsReshapeTransposeReshape()
    {
        var b = new OnnxBuilder().Input("x", -1, 8, 3, 2).Ints("s6", 0, 2, 2, 2, 3, 2).Ints("s4", 0, 2, 6, 4);
        b.Node("Reshape", ["x", "s6"], "a").Node("Transpose", ["a"], "t", IntList("perm", 0, 1, 4, 2, 5, 3)).Node("Reshape", ["t", "s4"], "y").Output("y");

        ImportedModel model = Check(b, 2, 8, 3, 2);
        Assert.Equal("[PixelShuffle(2, Name = \"Reshape_2\")] // Reshape + Transpose + Reshape", Layers(model) + " // " + model.Layers[0].Origin);
    }

    [Theory]
    [InlineData("half_pixel", "round_prefer_floor")]
    [InlineData("asymmetric", "floor")]
    public void ResizeNearestByAnIntegerFactor_IsUpsample(string transform, string nearest)
    {
        var b = new OnnxBuilder().Input("x", -1, 2, 3, 4);
        b.Floats("scales", [4], 1, 1, 3, 3);
        b.Node("Resize", ["x", string.Empty, "scales"], "y", String("mode", "nearest"), String("coordinate_transformation_mode", transform), String("nearest_mode", nearest)).Output("y");

        Check(b, 2, 2, 3, 4);
    }

    [Fact]
    public void OpenHeightAndWidth_StayOpen()
    {
        var b = new OnnxBuilder().Input("x", -1, 2, -1, -1);
        Conv(b, "x", "conv", 2, 3, 3, true, String("auto_pad", "SAME_UPPER"), IntList("strides", 2, 2)).Node("Relu", ["conv"], "y").Output("y");

        ImportedModel model = Check(b, 2, 2, 7, 6);
        Assert.Equal([2, -1, -1], model.InputShape);
    }

    [Fact]
    public void Softmax_OverChannels_AtOpset13()
    {
        var b = new OnnxBuilder(13).Input("x", -1, 4, 2, 3);
        b.Node("Softmax", ["x"], "y", Int("axis", 1)).Output("y");

        Check(b, 2, 4, 2, 3);
    }

    [Fact]
    public void DropoutAndIdentity_Vanish()
    {
        var b = new OnnxBuilder().Input("x", -1, 5);
        b.Node("Dropout", ["x"], "d").Node("Identity", ["d"], "i").Node("Tanh", ["i"], "y").Output("y");

        ImportedModel model = Check(b, 2, 5);
        Assert.Equal("Tanh", Assert.Single(model.Layers).Kind);
    }
}
