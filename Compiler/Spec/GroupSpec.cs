namespace ModelCompiler.Spec;

/// <summary>A declared group of consecutive layers run band by band ([Group]): from layer <see cref="First"/> to layer
/// <see cref="Last"/> in declaration order, <see cref="Rows"/> rows of the last layer's output per step (0: the
/// compiler chooses). Value-equatable: it is part of the generator's cache key.</summary>
public sealed record GroupSpec
{
    /// <summary>The group's name (its class in the generated code, its row in reports).</summary>
    public required string Name { get; init; }

    public required string First { get; init; }

    public required string Last { get; init; }

    /// <summary>Rows of the group's output per step; 0 when the compiler chooses.</summary>
    public int Rows { get; init; }

    public SourceLocation? Location { get; init; }
}
