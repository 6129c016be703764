using ModelCompiler.Spec;

namespace ModelCompiler.IR;

/// <summary>An elementwise activation applied in a producer's epilogue (after bias), or none.</summary>
public readonly record struct Activation(OpKind? Kind, float Alpha)
{
    public static Activation None => default;

    public bool IsNone => Kind is null;

    public override string ToString() => Kind switch
    {
        null => "none",
        OpKind.LeakyReLU => "LeakyReLU(" + Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ")",
        _ => Kind.Value.ToString(),
    };
}
