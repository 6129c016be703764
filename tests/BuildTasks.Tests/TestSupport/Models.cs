using ModelCompiler.Common;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;

namespace ModelCompiler.BuildTasks.Tests.TestSupport;

/// <summary>The test models and weights files that match them.</summary>
public static class Models
{
    public static readonly SourceLocation WeightsAttributeLocation = new("Models/Net.cs", 2, 2);
    public static readonly SourceLocation ModelLocation = new("Models/Net.cs", 3, 2);
    public static readonly SourceLocation Conv1Location = new("Models/Net.cs", 5, 2);
    public static readonly SourceLocation Bn1Location = new("Models/Net.cs", 6, 2);
    public static readonly SourceLocation FcLocation = new("Models/Net.cs", 9, 2);

    /// <summary>[1, 4, 4] → conv1 (2 channels, 3x3, pad 1) → bn1 → relu1 → flatten → fc (32 → 3).</summary>
    public static ModelSpec ConvNet(string weights = "weights/net.safetensors", string className = "Net", int outFeatures = 3) => new()
    {
        Namespace = "Demo",
        ClassName = className,
        WeightsPath = weights,
        InputShape = EquatableArray.Create(1, 4, 4),
        Location = ModelLocation,
        WeightsLocation = WeightsAttributeLocation,
        Layers = EquatableArray.Create(
            Specs.Conv("conv1", 1, 2, 3, padding: 1) with { Location = Conv1Location },
            Specs.BatchNorm("bn1", 2) with { Location = Bn1Location },
            Specs.Op("ReLU", "relu1") with { Location = new SourceLocation("Models/Net.cs", 7, 2) },
            Specs.Op("Flatten", "flat") with { Location = new SourceLocation("Models/Net.cs", 8, 2) },
            Specs.Linear("fc", 32, outFeatures) with { Location = FcLocation }),
    };

    /// <summary>Every tensor <see cref="ConvNet"/> needs, plus num_batches_tracked as PyTorch saves it.</summary>
    public static SafetensorsTestWriter ConvNetWeights(int outFeatures = 3) => new SafetensorsTestWriter()
        .F32("conv1.weight", 2, 1, 3, 3)
        .F32("conv1.bias", 2)
        .F32("bn1.weight", [2], [1.5f, 0.5f])
        .F32("bn1.bias", [2], [0.1f, -0.1f])
        .F32("bn1.running_mean", [2], [0.2f, 0.3f])
        .F32("bn1.running_var", [2], [1f, 4f])
        .Raw("bn1.num_batches_tracked", "I64", [], new byte[8])
        .F32("fc.weight", outFeatures, 32)
        .F32("fc.bias", outFeatures);
}
