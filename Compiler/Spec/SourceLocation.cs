using System;

namespace ModelCompiler.Spec;

/// <summary>Where a declaration lives: file path, 1-based line and column. Carried in the manifest so
/// build-task errors point at the attribute that declared the layer.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => FormattableString.Invariant($"{File}({Line},{Column})");
}
