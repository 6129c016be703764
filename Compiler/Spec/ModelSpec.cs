using ModelCompiler.Common;

namespace ModelCompiler.Spec;

/// <summary>A whole declared model: the class it lives on, its input, its layers in declaration order.</summary>
public sealed record ModelSpec
{
    /// <summary>Namespace of the model class, its segments as the runtime names them (no '@': <c>Contoso.internal</c>
    /// for <c>Contoso.@internal</c>); empty for the global namespace. The printer escapes keywords again.</summary>
    public required string Namespace { get; init; }

    /// <summary>The class name as the runtime names it (no '@').</summary>
    public required string ClassName { get; init; }

    /// <summary>"public" or "internal": the accessibility of the declared class.</summary>
    public string Accessibility { get; init; } = "internal";

    /// <summary>Weights file path as written in [Model], relative to the project directory.</summary>
    public required string WeightsPath { get; init; }

    /// <summary>Per-sample input shape: [features] or [channels, height, width].</summary>
    public required EquatableArray<int> InputShape { get; init; }

    public required EquatableArray<LayerSpec> Layers { get; init; }

    /// <summary>The declared groups of layers that run band by band ([Group]), in declaration order.</summary>
    public EquatableArray<GroupSpec> Groups { get; init; }

    /// <summary>The calibration inputs as written in [Model] (a safetensors file with a tensor "input" of shape
    /// [N, ...input shape]), relative to the project directory; null when none is declared.</summary>
    public string? CalibrationPath { get; init; }

    /// <summary>Depth pruning ([Model]'s RemoveBlocks): the residual Adds whose block is removed, the Add then passing
    /// its skip input through unchanged.</summary>
    public EquatableArray<string> RemovedBlocks { get; init; }

    /// <summary>The model-wide structured pruning ([Model]'s PruneRatio, PruneCriterion, PruneMultiple).</summary>
    public PruneSpec Pruning { get; init; } = PruneSpec.None;

    /// <summary>Where the class is declared (its name): model-level declaration problems point here.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>Where the [Model] attribute is: problems with the weights file it names point here.</summary>
    public SourceLocation? WeightsLocation { get; init; }

    /// <summary>Namespace and class, as <see cref="System.Type.FullName"/> gives them: the model's key in the manifest
    /// and the artifact, and its name in messages.</summary>
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
}
