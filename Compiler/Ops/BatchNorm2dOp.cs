using System.Collections.Generic;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.BatchNorm2d in inference form. After a convolution it is folded into the convolution's
/// weights (<see cref="Passes.FoldBatchNorm"/>); standing alone it is a per-channel scale and shift computed at
/// packing time from weight, bias, running_mean and running_var.</summary>
public sealed class BatchNorm2dOp : OpDefinition
{
    public const string NumFeatures = "num_features";
    public const string Eps = "eps";

    public override string Name => "BatchNorm2d";

    public override string NameStem => "bn";

    public override bool NameIsArgument => true;

    public override bool TakesEpilogue => true;

    public override AttributeSet Declare(DeclaredArguments a) => AttributeSet.Empty
        .With(NumFeatures, a.Int("numFeatures", 0))
        .With(Eps, (float)a.Double("Eps", 1e-5));

    public override Shape? InferShape(InferenceContext c)
    {
        int features = c.Attributes.Int(NumFeatures);
        if (!c.Positive("num_features", features) || !c.Rank(3, "[N, C, H, W]") || !c.PositiveFloat("eps", c.Attributes.Float(Eps)))
        {
            return null;
        }

        if (!c.X.Shape.C.Equals((Dim)features))
        {
            c.ShapeMismatch("[N, " + features + ", H, W]", c.X, "num_features");
            return null;
        }

        return c.X.Shape;
    }

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Identity];

    public override IReadOnlyList<PrunedAxes>? PruneAxes(AttributeSet a) => [new("scale", 0, null), new("shift", 0, null)];

    public override AttributeSet WithChannels(AttributeSet a, int inputChannels, int outputChannels) => a.With(NumFeatures, outputChannels);

    public override IReadOnlyList<WeightShape> WeightShapes(AttributeSet a) =>
        [new("scale", [a.Int(NumFeatures)]), new("shift", [a.Int(NumFeatures)])];

    public override IReadOnlyList<NodeWeight> DeclaredWeights(LayerSpec layer)
    {
        (WeightExpr scale, WeightExpr shift) = Affine(layer);
        return [new NodeWeight("scale", Encode.Float32(scale)), new NodeWeight("shift", Encode.Float32(shift))];
    }

    /// <summary>The per-channel scale gamma / sqrt(var + eps) and shift beta - mean * scale of a declared BatchNorm.</summary>
    public static (WeightExpr Scale, WeightExpr Shift) Affine(LayerSpec bn)
    {
        EquatableArray<int> shape = EquatableArray.Create(bn.Attributes.Int(NumFeatures));
        string p = bn.TensorPrefix;
        var scale = new BatchNormScale(new LoadTensor(p + ".weight", shape), new LoadTensor(p + ".running_var", shape), bn.Attributes.Float(Eps));
        var shift = new BatchNormShift(new LoadTensor(p + ".bias", shape), new LoadTensor(p + ".running_mean", shape), scale);
        return (scale, shift);
    }

    public override OpCost Cost(Node node) =>
        new(Dim.Zero, 2L * node.Attributes.Int(NumFeatures), node.Input.Type.Bytes, node.Output.Type.Bytes);

    public override void Interpret(InterpreterFrame f)
    {
        float[] scale = f.Weight("scale")!, shift = f.Weight("shift")!;
        int channels = f.XShape[0], plane = f.XShape[1] * f.XShape[2];
        for (int n = 0; n < f.Batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                int start = ((n * channels) + c) * plane;
                for (int p = 0; p < plane; p++)
                {
                    f.Output[start + p] = (float)((f.X[start + p] * (double)scale[c]) + shift[c]);
                }
            }
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        Shape x = node.Input.Shape;
        return KernelPlan.Of("scale-shift", KernelCall.PerSample("ScaleShiftChannels",
            new InputArg("x", 0), new WeightArg("scale", "scale"), new WeightArg("shift", "shift"), new OutputArg("y"),
            new DimArg("channels", x.C), new DimArg("plane", x.H * x.W), new ActivationArg(node.Epilogue.Activation), new VectorWidthArg()));
    }
}
