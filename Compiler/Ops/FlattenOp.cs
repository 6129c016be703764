using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>[N, C, H, W] -> [N, C * H * W]. NCHW is already that order, so it computes nothing: its output is a
/// view of its input (the memory plan gives both one buffer).</summary>
public sealed class FlattenOp : OpDefinition
{
    public override string Name => "Flatten";

    public override string NameStem => "flatten";

    public override AttributeSet Declare(DeclaredArguments arguments) => AttributeSet.Empty;

    public override Shape? InferShape(InferenceContext c) => new(c.X.Shape.Size);

    /// <summary>Channel c becomes features [c·H·W, (c+1)·H·W).</summary>
    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) =>
        [inputs[0].Rank == 3 ? ChannelMap.Spread(inputs[0].H * inputs[0].W) : ChannelMap.Identity];

    public override OpCost Cost(Node node) => new(Dim.Zero, 0, Dim.Zero, Dim.Zero);

    public override void Interpret(InterpreterFrame f) => System.Array.Copy(f.X, f.Output, f.Output.Length);

    public override KernelPlan Lower(Node node, LoweringContext context) => KernelPlan.Alias("view");
}
