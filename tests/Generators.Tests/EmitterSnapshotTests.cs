using ModelCompiler.Common;
using ModelCompiler.Emit;
using ModelCompiler.Generators.Tests.Infrastructure;
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
            new LayerSpec { Kind = OpKind.Conv2d, Name = "conv1", InFeatures = 1, OutFeatures = 4, KernelH = 3, KernelW = 3, PaddingH = 1, PaddingW = 1, Bias = false },
            new LayerSpec { Kind = OpKind.BatchNorm2d, Name = "bn1", InFeatures = 4 },
            new LayerSpec { Kind = OpKind.ReLU, Name = "relu1" },
            new LayerSpec { Kind = OpKind.Conv2d, Name = "conv2", InFeatures = 4, OutFeatures = 4, KernelH = 3, KernelW = 3, PaddingH = 1, PaddingW = 1 },
            new LayerSpec { Kind = OpKind.Add, Name = "add", Inputs = EquatableArray.Create("relu1", "conv2") },
            new LayerSpec { Kind = OpKind.ReLU, Name = "relu2" },
            new LayerSpec { Kind = OpKind.MaxPool2d, Name = "pool", KernelH = 2, KernelW = 2, StrideH = 2, StrideW = 2 },
            new LayerSpec { Kind = OpKind.Concat, Name = "cat", Inputs = EquatableArray.Create("pool", "pool") },
            new LayerSpec { Kind = OpKind.Flatten, Name = "flatten" },
            new LayerSpec { Kind = OpKind.Linear, Name = "fc", InFeatures = 128, OutFeatures = 10 }),
    };

    [Fact]
    public void SmallCnn_Model()
    {
        ModelCompilation compilation = ModelCompilation.Compile(SmallCnn);
        Assert.True(compilation.Succeeded, string.Join("\n", compilation.Diagnostics));
        Snapshot.Verify(ModelEmitter.Emit(compilation));
    }
}
