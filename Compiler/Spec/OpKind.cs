namespace ModelCompiler.Spec;

/// <summary>The operators a model can declare. Names match the attribute names and PyTorch modules.</summary>
public enum OpKind
{
    Linear,
    Conv2d,
    BatchNorm2d,
    ReLU,
    ReLU6,
    LeakyReLU,
    Sigmoid,
    Tanh,
    GELU,
    SiLU,
    HardSwish,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool2d,
    Flatten,
    Add,
    Concat,
    Upsample,
    PixelShuffle,
    Softmax,
}

public static class OpKindFacts
{
    /// <summary>Elementwise activations: no weights, output shape equals input shape, fusable into a producer.</summary>
    public static bool IsActivation(this OpKind kind) => kind is OpKind.ReLU or OpKind.ReLU6 or OpKind.LeakyReLU
        or OpKind.Sigmoid or OpKind.Tanh or OpKind.GELU or OpKind.SiLU or OpKind.HardSwish;

    public static bool HasWeights(this OpKind kind) => kind is OpKind.Linear or OpKind.Conv2d or OpKind.BatchNorm2d;

    /// <summary>Operators that take a variable number of named inputs rather than one.</summary>
    public static bool IsMultiInput(this OpKind kind) => kind is OpKind.Add or OpKind.Concat;
}
