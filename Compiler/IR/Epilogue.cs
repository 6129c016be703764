using System.Globalization;

namespace ModelCompiler.IR;

/// <summary>An elementwise activation, by its operator's name ("ReLU", "LeakyReLU", ...), with LeakyReLU's slope.</summary>
public sealed record Activation(string Kind, float Alpha)
{
    public override string ToString() => Kind == "LeakyReLU"
        ? "LeakyReLU(" + Alpha.ToString("R", CultureInfo.InvariantCulture) + ")"
        : Kind;
}

/// <summary>What a node applies to its output while it is still in registers or cache, after its own op and
/// bias: an activation now; a residual add and requantization are the next members.</summary>
public sealed record Epilogue(Activation? Activation)
{
    public static readonly Epilogue None = new((Activation?)null);

    public bool IsNone => Activation is null;

    public override string ToString() => Activation?.ToString() ?? "none";
}
