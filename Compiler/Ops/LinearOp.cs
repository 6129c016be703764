using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.Linear: y = x W^T + b, weight [out, in], optional bias [out].</summary>
public sealed class LinearOp : OpDefinition
{
    public const string InFeatures = "in_features";
    public const string OutFeatures = "out_features";
    public const string Bias = "bias";

    public override string Name => "Linear";

    public override string NameStem => "fc";

    public override bool NameIsArgument => true;

    public override bool TakesEpilogue => true;

    public override AttributeSet Declare(DeclaredArguments a) => AttributeSet.Empty
        .With(InFeatures, a.Int("inFeatures", 0))
        .With(OutFeatures, a.Int("outFeatures", 0))
        .With(Bias, a.Bool("Bias", true));

    public override Shape? InferShape(InferenceContext c)
    {
        int inF = c.Attributes.Int(InFeatures), outF = c.Attributes.Int(OutFeatures);
        if (!c.Positive("in_features", inF) | !c.Positive("out_features", outF) || !c.Rank(1, "flat [N, features]"))
        {
            return null;
        }

        if (!c.X.Shape[0].Equals((Dim)inF))
        {
            c.ShapeMismatch("[N, " + inF + "]", c.X, "in_features");
            return null;
        }

        return new Shape(outF);
    }

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Independent];

    public override IReadOnlyList<PrunedAxes>? PruneAxes(AttributeSet a) => [new("weight", 0, 1), new("bias", 0, null)];

    public override AttributeSet WithChannels(AttributeSet a, int inputChannels, int outputChannels) =>
        a.With(InFeatures, inputChannels).With(OutFeatures, outputChannels);

    public override IReadOnlyList<WeightShape> WeightShapes(AttributeSet a)
    {
        var shapes = new List<WeightShape> { new("weight", [a.Int(OutFeatures), a.Int(InFeatures)]) };
        if (a.Bool(Bias))
        {
            shapes.Add(new WeightShape("bias", [a.Int(OutFeatures)]));
        }

        return shapes;
    }

    public override IReadOnlyList<NodeWeight> DeclaredWeights(LayerSpec layer) => Conv2dOp.Load(layer, WeightShapes(layer.Attributes));

    public override OpCost Cost(Node node)
    {
        long macs = (long)node.Attributes.Int(InFeatures) * node.Attributes.Int(OutFeatures);
        long parameters = WeightShapes(node.Attributes).Sum(w => w.Shape.Aggregate(1L, (x, y) => x * y));
        return new OpCost(macs, parameters, node.Input.Type.Bytes, node.Output.Type.Bytes);
    }

    public override void Interpret(InterpreterFrame f)
    {
        int inF = f.Attributes.Int(InFeatures), outF = f.Attributes.Int(OutFeatures);
        float[] w = f.Weight("weight")!;
        float[]? b = f.Weight("bias");
        for (int n = 0; n < f.Batch; n++)
        {
            for (int o = 0; o < outF; o++)
            {
                double acc = b is null ? 0 : b[o];
                for (int i = 0; i < inF; i++)
                {
                    acc += (double)w[(o * inF) + i] * f.X[(n * inF) + i];
                }

                f.Output[(n * outF) + o] = (float)acc;
            }
        }
    }

    /// <summary>Output features per block of the prepacked weights (the run-time kernel's <c>LinearBlockRows</c>).</summary>
    public const int BlockRows = 16;

    /// <summary>One call over the whole chunk of samples (the batch is a matrix dimension) on weights prepacked in
    /// blocks of 16 output features, each block's weights streamed once per group of samples; large layers split their
    /// blocks across threads. A layer with fewer than 16 outputs keeps its weights as they are and takes one dot product
    /// per output (the plan file may choose either).</summary>
    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        int inF = node.Attributes.Int(InFeatures), outF = node.Attributes.Int(OutFeatures);
        if ((context.ForcedAlgorithm(node) ?? Algorithms(node)[0]) == "dot-rows")
        {
            return KernelPlan.Of("dot-rows", KernelCall.PerChunk("Linear",
                new InputArg("x", 0), new WeightArg("weight", "weight"), new WeightArg("bias", "bias"), new OutputArg("y"),
                new BatchArg("batch"), new DimArg("inFeatures", inF), new DimArg("outFeatures", outF),
                new ActivationArg(node.Epilogue.Activation), new VectorWidthArg())
                .Over("features", outF, Cost(node).Macs, context.ParallelLinearMacs));
        }

        KernelCall call = KernelCall.PerChunk("PackedLinear",
            new InputArg("x", 0), new WeightArg("weight", "weight"), new WeightArg("bias", "bias"), new OutputArg("y"),
            new BatchArg("batch"), new DimArg("inFeatures", inF), new DimArg("outFeatures", outF),
            new ActivationArg(node.Epilogue.Activation), new VectorWidthArg())
            .Over("blocks", (outF + BlockRows - 1) / BlockRows, Cost(node).Macs, context.ParallelLinearMacs);
        return KernelPlan.Of("packed", call).WithWeight("weight", DataType.F32, WeightLayouts.PanelOf(BlockRows));
    }

    /// <summary>Packed blocks of 16 features, unless the layer has fewer outputs than a block (padding would be most of it).</summary>
    public override IReadOnlyList<string> Algorithms(Node node) =>
        node.Attributes.Int(OutFeatures) >= BlockRows ? ["packed", "dot-rows"] : ["dot-rows", "packed"];
}
