using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Emit;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>Emitter snapshots from hand-built specs: the generated code for a known model, reviewed as text.</summary>
public class EmitterSnapshotTests
{
    public static ModelSpec SmallCnn { get; } = new()
    {
        Namespace = "Demo",
        ClassName = "SmallCnn",
        WeightsPath = "weights/small_cnn.safetensors",
        InputShape = EquatableArray.Create(1, 8, 8),
        Layers = EquatableArray.Create(
            Layer("Conv2d", "conv1", [], ("inChannels", 1), ("outChannels", 4), ("kernelSize", 3), ("Padding", 1), ("Bias", false)),
            Layer("BatchNorm2d", "bn1", [], ("numFeatures", 4)),
            Layer("ReLU", "relu1", []),
            Layer("Conv2d", "conv2", [], ("inChannels", 4), ("outChannels", 4), ("kernelSize", 3), ("Padding", 1)),
            Layer("Add", "add", ["relu1", "conv2"]),
            Layer("ReLU", "relu2", []),
            Layer("MaxPool2d", "pool", [], ("kernelSize", 2)),
            Layer("Concat", "cat", ["pool", "pool"]),
            Layer("Flatten", "flatten", []),
            Layer("Linear", "fc", [], ("inFeatures", 128), ("outFeatures", 10))),
    };

    /// <summary>A layer as the parser makes it: the operator's definition canonicalizes the attribute's arguments.</summary>
    private static LayerSpec Layer(string kind, string name, string[] inputs, params (string Name, object? Value)[] arguments) => new()
    {
        Kind = kind,
        Name = name,
        Inputs = inputs.ToEquatableArray(),
        Attributes = OpRegistry.Get(kind).Declare(new DeclaredArguments(arguments.Select(a => new KeyValuePair<string, object?>(a.Name, a.Value)))),
    };

    [Fact]
    public void SmallCnn_Model()
    {
        ModelCompilation compilation = ModelCompilation.Compile(SmallCnn);
        Assert.True(compilation.Succeeded, string.Join("\n", compilation.Diagnostics));
        Snapshot.Verify(ModelEmitter.Emit(compilation));
    }
}
