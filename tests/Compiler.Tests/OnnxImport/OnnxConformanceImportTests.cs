using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.Diagnostics;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Tests.Shared;
using Xunit;

namespace ModelCompiler.Tests.OnnxImport;

/// <summary>The ONNX project's own PyTorch-exported op tests (tests/data/onnx-conformance, see its README): each
/// supported one imports, links and runs within 1e-4 of both PyTorch's recorded output and ONNX Runtime on the
/// same file; each unsupported one is refused with the diagnostic that names its node.</summary>
public sealed class OnnxConformanceImportTests
{
    public static TheoryData<string> Supported =>
    [
        "test_AvgPool2d", "test_AvgPool2d_stride", "test_BatchNorm2d_eval", "test_BatchNorm2d_momentum_eval",
        "test_Conv2d", "test_Conv2d_depthwise", "test_Conv2d_depthwise_padded", "test_Conv2d_depthwise_strided",
        "test_Conv2d_depthwise_with_multiplier", "test_Conv2d_dilated", "test_Conv2d_groups", "test_Conv2d_groups_thnn",
        "test_Conv2d_no_bias", "test_Conv2d_padding", "test_Conv2d_strided",
        "test_Linear", "test_Linear_no_bias", "test_MaxPool2d", "test_PixelShuffle", "test_ReLU", "test_Sigmoid",
        "test_Softmax", "test_Tanh", "test_softmax_lastdim",
    ];

    /// <summary>The case, and the diagnostics it gets, in order (the input of rank 3, [N, C, L], is MC4005).</summary>
    public static TheoryData<string, string> Refused => new()
    {
        { "test_ELU", "MC4005 MC4002" },
        { "test_SELU", "MC4005 MC4002" },
        { "test_LeakyReLU", "MC4005" },
        { "test_LeakyReLU_with_negval", "MC4005" },
        { "test_Softplus", "MC4002" },
        { "test_PReLU_2d", "MC4002" },
        { "test_PReLU_2d_multiparam", "MC4002" },
        { "test_ReflectionPad2d", "MC4003" },
        { "test_ReplicationPad2d", "MC4003" },
        { "test_ConstantPad2d", "MC4003" },
        { "test_ZeroPad2d", "MC4006" },
        { "test_MaxPool2d_stride_padding_dilation", "MC4003" },
    };

    /// <summary>ONNX Runtime 1.31 has no kernels for these cases' opset-6 BatchNormalization, Gemm and opset-1
    /// AveragePool; PyTorch's recorded output is their oracle.</summary>
    private static bool OrtLacksOpset(string name) => name.StartsWith("test_BatchNorm2d", System.StringComparison.Ordinal)
        || name.StartsWith("test_AvgPool2d", System.StringComparison.Ordinal) || name == "test_Linear";

    private static string Folder(string name) => Path.Combine(Repository.Root, "tests", "data", "onnx-conformance", name);

    private static OnnxConstant ReadTensor(string path) => OnnxTensors.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), null);

    [Theory]
    [MemberData(nameof(Supported))]
    public void Imports_AndMatchesPyTorchAndOnnxRuntime(string name)
    {
        string folder = Folder(name);
        byte[] onnx = File.ReadAllBytes(Path.Combine(folder, "model.onnx"));
        OnnxConstant input = ReadTensor(Path.Combine(folder, "test_data_set_0", "input_0.pb"));
        OnnxConstant output = ReadTensor(Path.Combine(folder, "test_data_set_0", "output_0.pb"));

        ImportedModel model = OnnxImportCheck.Import(onnx);
        float[] actual = OnnxImportCheck.Run(model, input.Floats!);
        if (!OrtLacksOpset(name))
        {
            Differential.AssertClose(OnnxImportCheck.RunOnnxRuntime(onnx, input.Floats!, input.Shape), actual, "imported model vs ONNX Runtime", OnnxImportCheck.Tolerance);
        }

        Differential.AssertClose(output.Floats!, actual, "imported model vs PyTorch's recorded output", OnnxImportCheck.Tolerance);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Unsupported_IsRefusedNamingTheNode(string name, string ids)
    {
        string path = Path.Combine(Folder(name), "model.onnx");
        OnnxImportResult result = OnnxImporter.ImportFile(path, OnnxImportCheck.Options);

        Assert.False(result.Succeeded);
        Assert.Equal(ids, string.Join(" ", result.Diagnostics.Select(d => d.Id)));
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        DiagnosticInfo d = result.Diagnostics[result.Diagnostics.Count - 1];
        if (d.Id != "MC4005")
        {
            NodeProto node = proto.Graph.Node.First(n => d.Message.Contains("(" + n.OpType + ")"));
            Assert.Contains("'" + (node.Name.Length > 0 ? node.Name : node.Output[0]) + "'", d.Message);
        }

        Assert.Contains("model.onnx", d.Message);
    }
}
