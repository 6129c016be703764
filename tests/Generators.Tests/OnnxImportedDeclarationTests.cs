using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Interpreter;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Tests.Onnx;
using ModelCompiler.Tests.Shared;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The declaration the ONNX importer prints is what the user compiles: it goes through the real generator,
/// means the same model as the import (same layout hash), and the generated code on the imported weights gives
/// the file's answer (PyTorch's recorded output for the ONNX conformance cases; the exported model's for whole
/// networks).</summary>
public class OnnxImportedDeclarationTests
{
    private static readonly OnnxImportOptions Options = new("Imported", "Demo.Onnx", "imported.safetensors");

    public static TheoryData<string> ConformanceCases =>
    [
        "test_AvgPool2d_stride", "test_BatchNorm2d_eval", "test_Conv2d_depthwise_with_multiplier", "test_Conv2d_dilated",
        "test_Conv2d_groups", "test_Conv2d_no_bias", "test_Conv2d_padding", "test_Conv2d_strided", "test_Linear",
        "test_Linear_no_bias", "test_MaxPool2d", "test_PixelShuffle", "test_Softmax", "test_Sigmoid",
    ];

    [Theory]
    [MemberData(nameof(ConformanceCases))]
    public void ConformanceCase_PrintedDeclarationCompilesAndMatchesPyTorch(string name)
    {
        string folder = Path.Combine(Repository.Root, "tests", "data", "onnx-conformance", name);
        ImportedModel model = Import(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        OnnxConstant input = Read(Path.Combine(folder, "test_data_set_0", "input_0.pb"));
        OnnxConstant output = Read(Path.Combine(folder, "test_data_set_0", "output_0.pb"));

        using CompiledModel compiled = Compile(model);
        GeneratedVsInterpreterTests.AssertClose(output.Floats!, compiled.Run(input.Floats!, (int)input.Shape[0]), name + ": generated code vs PyTorch", 1e-4);
    }

    public static TheoryData<string> Networks_ => ["Mlp", "Cnn", "Upsampling"];

    [Theory]
    [MemberData(nameof(Networks_))]
    public void ExportedNetwork_PrintedDeclarationCompilesAndMatchesTheSourceModel(string name)
    {
        ModelSpec spec = name switch { "Mlp" => Networks.Mlp, "Cnn" => Networks.Cnn, _ => Networks.Upsampling };
        var data = new TestData(17);
        Dictionary<string, float[]> tensors = data.Tensors(spec);
        ImportedModel model = Import(OnnxExporter.Export(spec, n => tensors[n]));

        using CompiledModel compiled = Compile(model);
        const int batch = 2;
        float[] input = data.Floats(compiled.InputSize * batch, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(spec)!, n => tensors[n], input, batch);
        GeneratedVsInterpreterTests.AssertClose(expected, compiled.Run(input, batch), name + ": generated code of the import vs the source model", 1e-4);
    }

    /// <summary>What the user gets, as text: the one-time import of a network with every kind of layer (and a
    /// pattern comment), and the build item's regenerated form.</summary>
    [Theory]
    [InlineData("Cnn", false)]
    [InlineData("Upsampling", false)]
    [InlineData("Mlp", true)]
    public void PrintedDeclaration(string name, bool generated)
    {
        ModelSpec spec = name switch { "Mlp" => Networks.Mlp, "Cnn" => Networks.Cnn, _ => Networks.Upsampling };
        Dictionary<string, float[]> tensors = new TestData(17).Tensors(spec);
        Snapshot.Verify(DeclarationWriter.Write(Import(OnnxExporter.Export(spec, n => tensors[n])), generated), name);
    }

    private static ImportedModel Import(byte[] onnx)
    {
        OnnxImportResult result = OnnxImporter.Import(onnx, "model.onnx", null, Options);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Model!;
    }

    /// <summary>Generates and compiles the printed declaration; its spec must have the import's layout hash.</summary>
    private static CompiledModel Compile(ImportedModel model)
    {
        string source = DeclarationWriter.Write(model, generated: false);
        CompiledModel compiled = CompiledModel.Create(source, model.FullName, model.TensorsByName());
        Assert.True(compiled.Compilation.LayoutHash == ModelCompilation.Compile(model.ToSpec()).LayoutHash, "the printed declaration means another model:\n" + source);
        return compiled;
    }

    private static OnnxConstant Read(string path) => OnnxTensors.Decode(TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)), null);
}
