using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators.Model;

/// <summary>Maps a spec location (as the Compiler reports it) back to the exact Roslyn span.</summary>
internal sealed record LocationEntry(SourceLocation Key, LocationInfo Location);

/// <summary>What the parser extracted from one [Model] class: the spec (null when the declaration is unusable),
/// declaration diagnostics, and the spans of the attributes. Value-equatable: the cache key of everything after it.</summary>
internal sealed record ModelInfo(
    string HintName,
    ModelSpec? Spec,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<LocationEntry> Locations);

/// <summary>The generator's output for one model: source (null on error) and diagnostics.</summary>
internal sealed record GeneratedModel(
    string HintName,
    string? Source,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<LocationEntry> Locations);
