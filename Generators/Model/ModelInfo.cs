using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Options;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators.Model;

/// <summary>Maps a spec location (as the Compiler reports it) back to the exact Roslyn span.</summary>
internal sealed record LocationEntry(SourceLocation Key, LocationInfo Location);

/// <summary>What the parser extracted from one [Model] class: its full name (namespace and class as the runtime
/// names them; the key that joins the pipeline's stages), the spec (null when the declaration is unusable),
/// declaration diagnostics, and the spans of the attributes. Value-equatable.</summary>
internal sealed record ModelInfo(
    string Name,
    ModelSpec? Spec,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<LocationEntry> Locations)
{
    /// <summary>The declaration is a top-level, non-generic partial class, so a generated part can join it (the real
    /// code, or the placeholder surface after errors).</summary>
    public bool Joinable { get; init; }

    /// <summary>The declared [Input] leaves the height and width open.</summary>
    public bool Open { get; init; }

    /// <summary>The declared [Input]'s rank: 1 or 3 (3 when unknown).</summary>
    public int InputRank { get; init; } = 3;

    /// <summary>The user's members whose names the generated code may use (<c>ModelEmitter.MemberNames</c>).</summary>
    public EquatableArray<MemberEntry> Members { get; init; } = EquatableArray<MemberEntry>.Empty;
}

/// <summary>A member the user declared on the model class, and where.</summary>
internal sealed record MemberEntry(string Name, SourceLocation Location);

/// <summary>The key of the expensive compile: the spec with every source location replaced by its layer's ordinal
/// (so moving the declaration changes nothing here) and the options. Value-equatable: the cache cut.</summary>
internal sealed record CompileKey(string Name, ModelSpec? Spec, CompileOptions Options);

/// <summary>The expensive compile's result: the code (null on error), the names it gives members of the user's
/// class, diagnostics at ordinal locations, and the options it was compiled with (the manifest carries them to the
/// weight-linking task).</summary>
internal sealed record CompiledModel(
    string Name, string? Code, EquatableArray<string> MemberNames, EquatableArray<DiagnosticInfo> Diagnostics, CompileOptions Options);

/// <summary>The generator's output for one model: the file name (unique in the project, see
/// <c>ModelGenerator.Keys.HintName</c>), the whole file (null on error) and diagnostics at real locations.</summary>
/// <param name="Compiled">Whether <paramref name="Source"/> is the model's code (it needs the run-time files), not
/// the placeholder surface.</param>
internal sealed record GeneratedModel(
    string HintName,
    string? Source,
    bool Compiled,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<LocationEntry> Locations);

/// <summary>Every plan file of the project, parsed, with the lines that could not be read.</summary>
internal sealed record PlanSet(EquatableArray<ModelPlan> Models, EquatableArray<DiagnosticInfo> Errors)
{
    public static readonly PlanSet Empty = new(EquatableArray<ModelPlan>.Empty, EquatableArray<DiagnosticInfo>.Empty);
}
