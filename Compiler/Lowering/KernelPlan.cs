using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;

namespace ModelCompiler.Lowering;

/// <summary>How a kernel call covers the batch: once per sample (tensor arguments are that sample's slices), or
/// once per chunk of samples (tensor arguments hold the whole chunk, the kernel gets the chunk size).</summary>
public enum CallScope
{
    Sample,
    Chunk,
}

/// <summary>The range a call covers along <see cref="Axis"/>: [0, <see cref="Count"/>), passed to the kernel as
/// <c>start</c> and <c>end</c>. When <see cref="Parallel"/>, the range is divided among workers in pieces of at
/// least <see cref="Grain"/> (if more than one worker is free); with an open input size, only at sizes where the
/// call's <see cref="Work"/> (multiply-accumulates per sample) reaches <see cref="MinimumWork"/>.</summary>
public sealed record CallRange(string Axis, Dim Count, long Grain, bool Parallel, Dim Work, long MinimumWork);

/// <summary>One argument of a kernel call, named as the kernel's parameter.</summary>
public abstract record KernelArg(string Name);

/// <summary>Input <see cref="Index"/> of the node (read-only).</summary>
public sealed record InputArg(string Name, int Index) : KernelArg(Name);

/// <summary>The node's output, or a slice of each sample's output (in elements).</summary>
public sealed record OutputArg(string Name, Dim? Offset = null, Dim? Length = null) : KernelArg(Name);

/// <summary>One of the node's packed weight tensors; an empty span when the node has no tensor in that role.</summary>
public sealed record WeightArg(string Name, string Role) : KernelArg(Name);

/// <summary>A scratch buffer the plan declared.</summary>
public sealed record ScratchArg(string Name, string Buffer) : KernelArg(Name);

public sealed record DimArg(string Name, Dim Value) : KernelArg(Name);

public sealed record FloatArg(string Name, float Value) : KernelArg(Name);

public sealed record BoolArg(string Name, bool Value) : KernelArg(Name);

/// <summary>The activation to apply (none, or one with its slope) as the kernel's <c>activation</c> and <c>alpha</c>.</summary>
public sealed record ActivationArg(Activation? Activation) : KernelArg("activation");

/// <summary>The number of samples in the chunk (chunk-scope calls).</summary>
public sealed record BatchArg(string Name) : KernelArg(Name);

/// <summary>The widest SIMD vectors the kernel may use (named <c>width</c> unless the kernel has an image width too).</summary>
public sealed record VectorWidthArg(string Name = "width") : KernelArg(Name);

/// <summary>One call of a run-time kernel (a method of the emitted <c>Kernels</c> class).</summary>
public sealed record KernelCall(string Kernel, CallScope Scope, EquatableArray<KernelArg> Args, CallRange? Range = null)
{
    public static KernelCall PerSample(string kernel, params KernelArg[] args) => new(kernel, CallScope.Sample, args.ToEquatableArray());

    public static KernelCall PerChunk(string kernel, params KernelArg[] args) => new(kernel, CallScope.Chunk, args.ToEquatableArray());

    /// <summary>An elementwise call: once over the whole chunk (its tensors are contiguous there), or once per sample
    /// when one of them is not (a concat input written in place; see <see cref="ConcatPlacement"/>).</summary>
    public static KernelCall Elementwise(string kernel, params KernelArg[] args) => PerChunk(kernel, args) with { IsElementwise = true };

    /// <summary>Whether the call is elementwise, so it may run per sample as well as per chunk.</summary>
    public bool IsElementwise { get; init; }

    /// <summary>This call, one sample at a time (only for an elementwise call or one that already is).</summary>
    public KernelCall PerSampleCall() => Scope == CallScope.Sample ? this
        : IsElementwise ? this with { Scope = CallScope.Sample }
        : throw new System.InvalidOperationException(Kernel + " cannot run one sample at a time");

    /// <summary>The call covers [0, <paramref name="count"/>) along <paramref name="axis"/>, in one piece.</summary>
    public KernelCall Over(string axis, Dim count) => this with { Range = new CallRange(axis, count, 1, false, Dim.Zero, 0) };

    /// <summary>The call covers [0, <paramref name="count"/>) along <paramref name="axis"/>, split across workers when
    /// its <paramref name="work"/> per sample reaches the context's threshold (decided here for a fixed size, at
    /// run time for an open one).</summary>
    public KernelCall Over(string axis, Dim count, Dim work, LoweringContext context, long grain = 1) => Over(axis, count, work, context.ParallelMacs, grain);

    /// <summary>As <see cref="Over(string, Dim, Dim, LoweringContext, long)"/>, split from <paramref name="minimumWork"/>
    /// multiply-accumulates per sample.</summary>
    public KernelCall Over(string axis, Dim count, Dim work, long minimumWork, long grain = 1) =>
        this with { Range = new CallRange(axis, count, grain, !work.IsConstant || work.Value >= minimumWork, work, minimumWork) };

    public override string ToString() => Kernel + "(" + string.Join(", ", Args.Select(a => a.Name)) + ")"
        + (Range is { Parallel: true } ? " split by " + Range.Axis : string.Empty);
}

/// <summary>Scratch memory a plan needs beside its inputs and output, in floats per sample being computed. Scratch in
/// the arena is passed to the kernel; <see cref="PerThread"/> scratch is each computing thread's own buffer, which
/// the kernel takes itself (a tile every thread of a split call fills), counted by the memory plan all the same.</summary>
public sealed record ScratchBuffer(string Name, Dim Floats, bool PerThread = false);

/// <summary>How a plan wants one of its node's weight tensors stored: the lowering chooses the kernel, the kernel
/// its layout (a GEMM's panels), and the weight program gets that encoding.</summary>
public sealed record WeightEncoding(string Role, DataType DataType, TensorLayout Layout);

/// <summary>The lowered form of one node: the algorithm chosen, the kernel calls that compute it in order, and
/// the scratch they need. A plan whose output is a view of its first input (Flatten) has no calls: the memory
/// plan gives both values one buffer. Every printer (C# now, ILGPU later) prints plans; none decides anything.</summary>
public sealed record KernelPlan(string Algorithm, EquatableArray<KernelCall> Calls, EquatableArray<ScratchBuffer> Scratch, bool OutputAliasesInput = false)
{
    /// <summary>The encodings the plan's kernels read their weights in (roles not named stay dense F32).</summary>
    public EquatableArray<WeightEncoding> Weights { get; init; }

    /// <summary>Inputs whose producers write straight into their slice of this node's output (a concat's inputs, placed
    /// by <see cref="ConcatPlacement"/>): the plan has no call for them, and the memory plan gives each its slice.</summary>
    public EquatableArray<int> InPlaceInputs { get; init; }

    public static KernelPlan Of(string algorithm, params KernelCall[] calls) =>
        new(algorithm, calls.ToEquatableArray(), EquatableArray<ScratchBuffer>.Empty);

    public static KernelPlan Alias(string algorithm) =>
        new(algorithm, EquatableArray<KernelCall>.Empty, EquatableArray<ScratchBuffer>.Empty, OutputAliasesInput: true);

    public KernelPlan WithScratch(string name, Dim floats, bool perThread = false) =>
        this with { Scratch = Scratch.Append(new ScratchBuffer(name, floats, perThread)).ToEquatableArray() };

    public KernelPlan WithWeight(string role, DataType dataType, TensorLayout layout) =>
        this with { Weights = Weights.Append(new WeightEncoding(role, dataType, layout)).ToEquatableArray() };

    public override string ToString() => Algorithm + ": " + string.Join("; ", Calls.Select(c => c.ToString()));
}
