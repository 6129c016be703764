using System.Linq;
using ModelCompiler.Common;

namespace ModelCompiler.Options;

/// <summary>Everything besides the declaration that shapes the compiled code: the plan for this model, the
/// device profile and the backend. Value-equatable: with the spec (without source locations) it is the key of
/// the expensive compile, so an unchanged plan, profile and declaration never recompile.</summary>
public sealed record CompileOptions
{
    public static readonly CompileOptions Default = new();

    public ModelPlan Plan { get; init; } = ModelPlan.Empty;

    public DeviceProfile Device { get; init; } = DeviceProfile.Default;

    /// <summary>"cpu" (C# SIMD); an ILGPU backend prints the same kernel plans later.</summary>
    public string Backend { get; init; } = "cpu";

    /// <summary>These options with the plan's pruning ratios dropped (its other choices kept): what the unpruned network
    /// is compiled with, for a refit's targets and a report's "before".</summary>
    public CompileOptions WithoutPruning() =>
        this with { Plan = Plan with { Layers = Plan.Layers.Select(l => l with { Prune = null }).ToEquatableArray() } };
}
