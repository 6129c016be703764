using System;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.Diagnostics;
using Xunit;
using static ModelCompiler.Tests.OnnxImport.OnnxBuilder;

namespace ModelCompiler.Tests.OnnxImport;

/// <summary>One test per construct the importer refuses: the diagnostic's ID, and a message that names the node,
/// its op type and what to do. (The ONNX conformance cases add real exporter files for MC4002, MC4003, MC4005 and
/// MC4006; tests/BuildTasks.Tests has MC4001 for a missing file, MC4007 and MC4008.)</summary>
public sealed class OnnxImportDiagnosticsTests
{
    private static DiagnosticInfo Refused(byte[] onnx, string id)
    {
        OnnxImportResult result = OnnxImporter.Import(onnx, "model.onnx", null, OnnxImportCheck.Options);
        Assert.False(result.Succeeded);
        DiagnosticInfo d = Assert.Single(result.Diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Contains("'model.onnx'", d.Message);
        return d;
    }

    private static void AssertNames(DiagnosticInfo d, string node, string op, string fix)
    {
        Assert.StartsWith("ONNX node '" + node + "' (" + op + ") in 'model.onnx'", d.Message);
        Assert.Contains(fix, d.Message);
    }

    private static OnnxBuilder Image() => new OnnxBuilder().Input("x", -1, 2, 6, 6);

    [Fact]
    public void MC4001_NotAnOnnxFile()
    {
        DiagnosticInfo d = Refused("this is not a protobuf at all"u8.ToArray(), "MC4001");
        Assert.Contains("it is not an ONNX model", d.Message);
    }

    [Fact]
    public void MC4001_TensorDataShorterThanItsShape()
    {
        var b = Image().Floats("w", [3, 2, 1, 1], 1f, 2f);
        b.Node("Conv", ["x", "w"], "y").Output("y");
        DiagnosticInfo d = Refused(b.Bytes(), "MC4001");
        Assert.Contains("tensor 'w' holds 2 values, but its shape [3, 2, 1, 1] needs 6", d.Message);
    }

    [Fact]
    public void MC4002_OperatorNotSupported_EveryNodeReported_NoCascade()
    {
        var b = Image();
        b.Node("Elu", ["x"], "e").Node("Selu", ["x"], "s").Node("Add", ["e", "s"], "y").Output("y");
        OnnxImportResult result = OnnxImporter.Import(b.Bytes(), "model.onnx", null, OnnxImportCheck.Options);

        Assert.Equal(["MC4002", "MC4002"], result.Diagnostics.Select(d => d.Id));
        AssertNames(result.Diagnostics[0], "Elu_0", "Elu", "the operator Elu is not supported yet; replace it in the exported model");
        AssertNames(result.Diagnostics[1], "Selu_1", "Selu", "the operator Selu is not supported yet");
    }

    [Fact]
    public void MC4002_CustomDomain()
    {
        var b = Image();
        b.Node("Relu", ["x"], "y");
        var proto = ModelProto.Parser.ParseFrom(b.Output("y").Bytes());
        proto.Graph.Node[0].Domain = "com.microsoft";
        AssertNames(Refused(Google.Protobuf.MessageExtensions.ToByteArray(proto), "MC4002"), "Relu_0", "Relu", "custom domain 'com.microsoft'");
    }

    [Theory]
    [InlineData("MaxPool", "ceil_mode", "export with ceil_mode=False")]
    [InlineData("MaxPool", "dilations", "pooling has no dilation")]
    [InlineData("AveragePool", "pads", "symmetric padding")]
    [InlineData("AveragePool", "auto_pad", "explicit pads (NOTSET) or VALID")]
    [InlineData("Conv", "auto_pad", "use NOTSET with explicit pads")]
    [InlineData("Clip", "range", "Clip imports as ReLU6 (min 0, max 6) or ReLU")]
    [InlineData("Softmax", "axis", "Softmax imports over dimension 1")]
    [InlineData("DepthToSpace", "mode", "only mode CRD is a pixel shuffle")]
    [InlineData("Pad", "mode", "only constant zero padding imports")]
    [InlineData("Resize", "mode", "only nearest-neighbour upsampling")]
    [InlineData("Gelu", "approximate", "only the exact (erf) GELU imports")]
    [InlineData("Gemm", "transA", "export the layer as x @ W^T")]
    public void MC4003_AttributeValueNotHandled(string op, string attribute, string fix)
    {
        OnnxBuilder b = op == "Gemm" ? new OnnxBuilder(20).Input("x", -1, 4).Floats("w", [4, 3], Pattern(12)) : new OnnxBuilder(20).Input("x", -1, 8, 5, 5);
        AttributeProto[] attributes = (op, attribute) switch
        {
            ("MaxPool", "ceil_mode") => [IntList("kernel_shape", 2, 2), IntList("strides", 2, 2), Int("ceil_mode", 1)],
            ("MaxPool", _) => [IntList("kernel_shape", 2, 2), IntList("dilations", 2, 2)],
            ("AveragePool", "pads") => [IntList("kernel_shape", 3, 3), IntList("pads", 1, 1, 0, 0)],
            ("AveragePool", _) => [IntList("kernel_shape", 3, 3), String("auto_pad", "SAME_UPPER")],
            ("Conv", _) => [String("auto_pad", "SAME_MIDDLE")],
            ("Softmax", _) => [Int("axis", 3)],
            ("DepthToSpace", _) => [Int("blocksize", 2)],
            ("Pad", _) => [String("mode", "reflect")],
            ("Resize", _) => [String("mode", "linear")],
            ("Gelu", _) => [String("approximate", "tanh")],
            ("Gemm", _) => [Int("transA", 1)],
            _ => [],
        };
        string[] inputs = op switch
        {
            "Conv" => ["x", "w"],
            "Clip" => ["x", "lo", "hi"],
            "Pad" => ["x", "pads"],
            "Resize" => ["x", string.Empty, "scales"],
            "Gemm" => ["x", "w"],
            _ => ["x"],
        };
        b.Floats("w", [2, 8, 1, 1], Pattern(16)).Floats("lo", [], -1f).Floats("hi", [], 1f).Ints("pads", 0, 0, 1, 1, 0, 0, 1, 1);
        b.Floats("scales", [4], 1, 1, 2, 2);
        b.Node(op, inputs, "y", attributes).Output("y");

        DiagnosticInfo d = Refused(b.Bytes(), "MC4003");
        AssertNames(d, op + "_0", op, fix);
        Assert.Contains("which the importer does not handle", d.Message);
    }

    [Fact]
    public void MC4004_ReshapeMixingTheBatchIntoOtherDimensions()
    {
        var b = new OnnxBuilder().Input("x", -1, 3, 4, 5).Ints("target", -1, 5);
        b.Node("Reshape", ["x", "target"], "y").Output("y");
        AssertNames(Refused(b.Bytes(), "MC4004"), "Reshape_0", "Reshape", "does not keep the batch as the first dimension");
    }

    [Fact]
    public void MC4004_FlattenOfAnOpenSize()
    {
        var b = new OnnxBuilder().Input("x", -1, 3, -1, -1);
        b.Node("Flatten", ["x"], "y", Int("axis", 1)).Output("y");
        AssertNames(Refused(b.Bytes(), "MC4004"), "Flatten_0", "Flatten", "export the model with a fixed input size");
    }

    [Fact]
    public void MC4005_TwoInputs()
    {
        var b = Image().Input("mask", -1, 2, 6, 6);
        b.Node("Add", ["x", "mask"], "y").Output("y");
        DiagnosticInfo d = Refused(b.Bytes(), "MC4005");
        Assert.Equal("The ONNX graph in 'model.onnx' has 2 inputs ('x', 'mask'), and a compiled model takes one; export the model with a single input tensor", d.Message);
    }

    [Fact]
    public void MC4005_IntegerInput()
    {
        var b = new OnnxBuilder().IntInput("tokens", -1, 16);
        b.Node("Relu", ["tokens"], "y").Output("y");
        Assert.Contains("of type int64, and a compiled model takes float32", Refused(b.Bytes(), "MC4005").Message);
    }

    [Fact]
    public void MC4005_OutputNotComputedLast()
    {
        var b = Image();
        b.Node("Relu", ["x"], "y").Node("Sigmoid", ["y"], "unused1").Node("Tanh", ["unused1"], "unused2").Output("y");
        Assert.Contains("which is not the last layer", Refused(b.Bytes(), "MC4005").Message);
    }

    [Fact]
    public void MC4006_WeightComputedByTheGraph()
    {
        var b = Image();
        b.Node("Relu", ["x"], "w").Node("Conv", ["x", "w"], "y").Output("y");
        AssertNames(Refused(b.Bytes(), "MC4006"), "Conv_1", "Conv", "is not a stored 4-D float tensor");
    }

    [Fact]
    public void MC4006_PadNotBeforeAConv()
    {
        var b = Image().Ints("pads", 0, 0, 1, 1, 0, 0, 1, 1);
        b.Node("Pad", ["x", "pads"], "p").Node("Relu", ["p"], "y").Output("y");
        AssertNames(Refused(b.Bytes(), "MC4006"), "Pad_0", "Pad", "a Pad imports only as the padding of the Conv that reads it");
    }

    [Fact]
    public void MC4006_AddOfAConstantThatIsNoBias()
    {
        var b = Image().Floats("c", [], 1f);
        b.Node("Relu", ["x"], "r").Node("Add", ["r", "c"], "y").Output("y");
        AssertNames(Refused(b.Bytes(), "MC4006"), "Add_1", "Add", "fold the constant into the previous layer's bias");
    }

    [Fact]
    public void MC4006_TransposeOfAnActivation()
    {
        var b = Image();
        b.Node("Transpose", ["x"], "y", IntList("perm", 0, 2, 3, 1)).Output("y");
        AssertNames(Refused(b.Bytes(), "MC4006"), "Transpose_0", "Transpose", "NCHW throughout");
    }
}
