using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Ops;

/// <summary>Everything the compiler knows about one operator, in one place: how its attribute's arguments become
/// canonical attributes, how it checks them and infers its output shape, how its output channels relate to its
/// inputs' (for pruning), which weight tensors it reads, what it costs, what it computes (the reference
/// semantics the generated code is tested against) and how it lowers to a kernel plan. The graph builder,
/// verifier, weight layout, interpreter, cost model and lowering ask the definition; none of them switches on
/// the operator. <see cref="OpRegistry"/> lists every definition.</summary>
public abstract class OpDefinition
{
    /// <summary>The operator's name: its attribute is <c>[{Name}]</c>, the manifest and messages say it.</summary>
    public abstract string Name { get; }

    /// <summary>Default layer names are this stem and a counter per operator: conv1, relu2.</summary>
    public abstract string NameStem { get; }

    /// <summary>Add and Concat name the layers they read as their arguments (two or more); every other
    /// operator reads one layer, the previous one unless <c>Input</c> says otherwise.</summary>
    public virtual bool IsVariadic => false;

    /// <summary>Whether the attribute's first constructor argument is the layer's name (layers with weights).</summary>
    public virtual bool NameIsArgument => false;

    /// <summary>An elementwise activation: fusable into a producer's epilogue.</summary>
    public virtual bool IsActivation => false;

    /// <summary>Whether an activation may move into this operator's epilogue.</summary>
    public virtual bool TakesEpilogue => false;

    /// <summary>Canonical attributes from what the declaration said, defaults applied. Never reports:
    /// <see cref="InferShape"/> checks the values, so every problem is reported at one place.</summary>
    public abstract AttributeSet Declare(DeclaredArguments arguments);

    /// <summary>Checks the attributes against the inputs and returns the output shape, or null after reporting
    /// why not. Called at graph construction and again by the verifier after every pass.</summary>
    public abstract Shape? InferShape(InferenceContext context);

    /// <summary>How each input's channels map onto the output's (dim 0 of the per-sample shape).</summary>
    public abstract IReadOnlyList<ChannelMap> Coupling(AttributeSet attributes, IReadOnlyList<Shape> inputs);

    /// <summary>For structured pruning: per weight role, the axis that follows the output's channels and the axis that
    /// follows the first input's (either may be absent). Null when the node's channels cannot be pruned at all (a grouped
    /// convolution): its input and output channels are then kept whole. Operators without weights have none.</summary>
    public virtual IReadOnlyList<PrunedAxes>? PruneAxes(AttributeSet attributes) => [];

    /// <summary>The attributes with the channel counts a pruning pass chose for the first input and the output; the
    /// output type is inferred again from them.</summary>
    public virtual AttributeSet WithChannels(AttributeSet attributes, int inputChannels, int outputChannels) => attributes;

    /// <summary>The weight tensors a node of this operator reads, with their canonical shapes: what the verifier
    /// checks node programs against. Empty for operators without weights.</summary>
    public virtual IReadOnlyList<WeightShape> WeightShapes(AttributeSet attributes) => [];

    /// <summary>The programs of a freshly declared layer: each loads its tensor from the weights file
    /// (<c>{prefix}.weight</c>, ...) and stores it as F32.</summary>
    public virtual IReadOnlyList<NodeWeight> DeclaredWeights(LayerSpec layer) => [];

    /// <summary>Work and traffic per sample.</summary>
    public abstract OpCost Cost(Node node);

    /// <summary>The reference semantics: plain loops, PyTorch conventions, accumulation in double.</summary>
    public abstract void Interpret(InterpreterFrame frame);

    /// <summary>The kernel plan that computes this node, using the algorithm the plan file forces if it names one
    /// of <see cref="Algorithms"/>.</summary>
    public abstract KernelPlan Lower(Node node, LoweringContext context);

    /// <summary>The algorithms this node can be lowered with (a plan file may force one); the first is the default.</summary>
    public virtual IReadOnlyList<string> Algorithms(Node node) => [Lower(node, new LoweringContext(Options.CompileOptions.Default)).Algorithm];

    public override string ToString() => Name;
}

/// <summary>Which axes of the weight tensor <paramref name="Role"/> follow the output's channels and the first input's.</summary>
public sealed record PrunedAxes(string Role, int? Output, int? Input);

/// <summary>A weight tensor an operator reads: its role for the kernel and its canonical shape.</summary>
public sealed record WeightShape(string Role, long[] Shape);
