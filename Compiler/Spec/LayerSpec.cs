using ModelCompiler.Common;

namespace ModelCompiler.Spec;

/// <summary>One declared layer, exactly as the attribute said it (after defaults are applied).
/// Value-equatable: it is part of the generator's cache key.</summary>
public sealed record LayerSpec
{
    public required OpKind Kind { get; init; }

    /// <summary>Unique layer name; other layers refer to it in <see cref="Inputs"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Names of the layers (or "input") this layer reads. Empty: the previous layer.</summary>
    public EquatableArray<string> Inputs { get; init; }

    /// <summary>Prefix of this layer's tensors in the weights file; null means <see cref="Name"/>.</summary>
    public string? WeightPrefix { get; init; }

    /// <summary>Linear: in features; Conv2d: in channels; BatchNorm2d: features.</summary>
    public int InFeatures { get; init; }

    /// <summary>Linear: out features; Conv2d: out channels.</summary>
    public int OutFeatures { get; init; }

    public int KernelH { get; init; }

    public int KernelW { get; init; }

    public int StrideH { get; init; } = 1;

    public int StrideW { get; init; } = 1;

    public int PaddingH { get; init; }

    public int PaddingW { get; init; }

    public int DilationH { get; init; } = 1;

    public int DilationW { get; init; } = 1;

    public int Groups { get; init; } = 1;

    public bool Bias { get; init; } = true;

    /// <summary>LeakyReLU negative slope.</summary>
    public float Alpha { get; init; }

    /// <summary>BatchNorm2d epsilon.</summary>
    public float Epsilon { get; init; } = 1e-5f;

    /// <summary>Upsample / PixelShuffle scale factor.</summary>
    public int Factor { get; init; }

    /// <summary>AvgPool2d: whether zero padding counts in the divisor (PyTorch default true).</summary>
    public bool CountIncludePad { get; init; } = true;

    public SourceLocation? Location { get; init; }

    public string TensorPrefix => WeightPrefix ?? Name;
}
