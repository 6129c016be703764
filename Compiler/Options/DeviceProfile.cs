namespace ModelCompiler.Options;

/// <summary>What the compiler assumes about the machine the code will run on. Today a default tuned on the
/// development machines; a measured profile (written by a profiling task, read as an additional file) is the
/// next step, which is why it is an input of the compile and part of its cache key.</summary>
public sealed record DeviceProfile
{
    public static readonly DeviceProfile Default = new();

    public string Name { get; init; } = "default-cpu";

    /// <summary>A node with at least this many multiply-accumulates per sample splits its work across threads
    /// when the batch alone cannot keep them busy.</summary>
    public long ParallelNodeMacs { get; init; } = 4_000_000;

    /// <summary>A fully connected layer with at least this many multiply-accumulates per sample splits its output
    /// features across threads: at batch 1 it streams its weights once, so two cores read half of them each, from their
    /// own caches (the MLP 784-512-256-10 at batch 1 on two threads: docs/benchmarks.md).</summary>
    public long ParallelLinearMacs { get; init; } = 256_000;

    /// <summary>A batch is split across threads by sample when its total work reaches this many multiply-accumulates.</summary>
    public long ParallelBatchMacs { get; init; } = 2_000_000;

    /// <summary>Activation memory a chunk of samples may take before the batch is run in smaller chunks: about the
    /// per-core L2 cache (1-2 MB on the machines we target), so each layer of a chunk finds most of its input in cache.</summary>
    public long ChunkBytes { get; init; } = 1L << 20;
}
