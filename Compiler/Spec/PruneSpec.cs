namespace ModelCompiler.Spec;

/// <summary>The model-wide structured pruning a declaration asks for ([Model]'s PruneRatio, PruneCriterion and
/// PruneMultiple): the fraction of each prunable channel group to remove, how channels are ranked, and the multiple
/// the kept count is rounded up to. A layer's own PruneRatio overrides the ratio for the channels it produces.
/// Value-equatable: it is part of the generator's cache key.</summary>
public sealed record PruneSpec
{
    /// <summary>Kept channel counts are rounded up to a multiple of this unless the declaration says otherwise: half a
    /// 16-float vector, so a pruned layer's channels still fill whole vectors in pairs.</summary>
    public const int DefaultMultiple = 8;

    public static PruneSpec None { get; } = new();

    /// <summary>The fraction of channels removed from every prunable group no layer of which overrides it; 0 prunes nothing.</summary>
    public double Ratio { get; init; }

    /// <summary>How channels are ranked: <see cref="PruneCriteria.L1"/> or <see cref="PruneCriteria.L2"/>.</summary>
    public string Criterion { get; init; } = PruneCriteria.L1;

    /// <summary>Kept channel counts are rounded up to a multiple of this (at most the group's size).</summary>
    public int Multiple { get; init; } = DefaultMultiple;

    /// <summary>Whether every layer that reads pruned channels through its weights is refitted, by least squares on the
    /// model's calibration inputs, to reproduce the unpruned layer's output (training-free weight reformation).</summary>
    public bool Reform { get; init; }
}

/// <summary>The channel ranking criteria ([Model]'s PruneCriterion).</summary>
public static class PruneCriteria
{
    /// <summary>The L1 norm of each channel's slice of every coupled weight tensor, each tensor's norms divided by
    /// their mean so that every tensor of the group counts alike.</summary>
    public const string L1 = "l1";

    /// <summary>As <see cref="L1"/> with the L2 norm.</summary>
    public const string L2 = "l2";

    /// <summary>The criteria by their number in the emitted PruneCriterion enum.</summary>
    public static readonly string[] ByNumber = [L1, L2];
}
