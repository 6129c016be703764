using ModelCompiler.Common;

namespace ModelCompiler.Spec;

/// <summary>One declared layer: the operator, its name and inputs, and its attributes in canonical form
/// (the operator's definition turned what the attribute said, defaults applied, into them).
/// Value-equatable: it is part of the generator's cache key.</summary>
public sealed record LayerSpec
{
    /// <summary>The operator, named as its attribute without the suffix: "Conv2d", "ReLU", "Concat".</summary>
    public required string Kind { get; init; }

    /// <summary>Unique layer name; other layers refer to it in <see cref="Inputs"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Names of the layers (or "input") this layer reads. Empty: the previous layer.</summary>
    public EquatableArray<string> Inputs { get; init; }

    /// <summary>Prefix of this layer's tensors in the weights file; null means <see cref="Name"/>.</summary>
    public string? WeightPrefix { get; init; }

    /// <summary>The operator's attributes (in_channels, kernel_size, stride, padding, ...).</summary>
    public AttributeSet Attributes { get; init; }

    /// <summary>The fraction of this layer's output channels (and of every channel coupled to them) to remove, when the
    /// layer overrides the model's ratio; null otherwise.</summary>
    public double? PruneRatio { get; init; }

    public SourceLocation? Location { get; init; }

    public string TensorPrefix => WeightPrefix ?? Name;
}
