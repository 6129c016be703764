using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.MaxPool2d and AvgPool2d (no ceil_mode): a window over each channel; stride defaults to the
/// kernel size. Max treats padding as -infinity; Avg treats it as zero and divides by the window
/// (count_include_pad) or by the taps inside the input.</summary>
public sealed class PoolOp : OpDefinition
{
    public const string KernelSize = "kernel_size";
    public const string Stride = "stride";
    public const string Padding = "padding";
    public const string CountIncludePad = "count_include_pad";

    private readonly bool _max;

    private PoolOp(bool max) => _max = max;

    public static PoolOp Max { get; } = new(max: true);

    public static PoolOp Average { get; } = new(max: false);

    public override string Name => _max ? "MaxPool2d" : "AvgPool2d";

    public override string NameStem => _max ? "maxpool" : "avgpool";

    public override AttributeSet Declare(DeclaredArguments a)
    {
        // kernelSize, Stride and Padding for both dimensions; kernelHeight/kernelWidth, StrideHeight/StrideWidth and
        // PaddingHeight/PaddingWidth for one (the stride of a dimension defaults to its kernel size).
        int k = a.Int("kernelSize", 0);
        int kh = a.Has("kernelHeight") ? a.Int("kernelHeight", 0) : k, kw = a.Has("kernelWidth") ? a.Int("kernelWidth", 0) : k;
        int sh = a.Has("StrideHeight") ? a.Int("StrideHeight", 0) : a.Has("Stride") ? a.Int("Stride", kh) : kh;
        int sw = a.Has("StrideWidth") ? a.Int("StrideWidth", 0) : a.Has("Stride") ? a.Int("Stride", kw) : kw;
        int padding = a.Int("Padding", 0);
        int ph = a.Int("PaddingHeight", padding), pw = a.Int("PaddingWidth", padding);
        AttributeSet set = AttributeSet.Empty.With(KernelSize, kh, kw).With(Stride, sh, sw).With(Padding, ph, ph, pw, pw);
        return _max ? set : set.With(CountIncludePad, a.Bool("CountIncludePad", true));
    }

    public static (WindowAxis H, WindowAxis W) Geometry(AttributeSet a, Shape x)
    {
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), p = a.Ints(Padding);
        return (WindowAxis.Explicit(x.H, k[0], s[0], 1, p[0], p[1]), WindowAxis.Explicit(x.W, k[1], s[1], 1, p[2], p[3]));
    }

    public override Shape? InferShape(InferenceContext c)
    {
        AttributeSet a = c.Attributes;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), p = a.Ints(Padding);
        bool ok = c.Positive("kernel_size", k[0], k[1]) & c.Positive("stride", s[0], s[1]) & c.NonNegative("padding", p);
        if (!ok || !c.Rank(3, "[N, C, H, W]"))
        {
            return null;
        }

        if (p[0] != p[1] || p[2] != p[3])
        {
            c.InvalidArgument("padding", "[" + string.Join(", ", p) + "]", "pooling pads top and bottom (and left and right) equally");
            return null;
        }

        if (p[0] * 2 > k[0] || p[2] * 2 > k[1])
        {
            c.InvalidArgument("padding", p[0], "it must be at most half the kernel size (" + k[0] + "), as in PyTorch");
            return null;
        }

        Shape x = c.X.Shape;
        (WindowAxis h, WindowAxis w) = Geometry(a, x);
        if (h.KnownTooSmall || w.KnownTooSmall)
        {
            c.InvalidArgument("kernel_size", k[0] + "x" + k[1], "it is larger than the padded input " + x);
            return null;
        }

        return new Shape(x.C, h.Output, w.Output);
    }

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Identity];

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        AttributeSet a = f.Attributes;
        int[] i = f.XShape, o = f.OutputShape;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), p = a.Ints(Padding);
        bool includePad = !_max && a.Bool(CountIncludePad);
        for (int n = 0; n < f.Batch; n++)
        {
            for (int c = 0; c < o[0]; c++)
            {
                for (int oy = 0; oy < o[1]; oy++)
                {
                    for (int ox = 0; ox < o[2]; ox++)
                    {
                        double best = double.NegativeInfinity;
                        double sum = 0;
                        int inside = 0;
                        for (int ky = 0; ky < k[0]; ky++)
                        {
                            int iy = (oy * s[0]) - p[0] + ky;
                            for (int kx = 0; kx < k[1]; kx++)
                            {
                                int ix = (ox * s[1]) - p[2] + kx;
                                if (iy < 0 || iy >= i[1] || ix < 0 || ix >= i[2])
                                {
                                    continue;
                                }

                                float v = f.X[InterpreterFrame.Index(n, c, iy, ix, i)];
                                best = double.IsNaN(v) || double.IsNaN(best) ? double.NaN : System.Math.Max(best, v);
                                sum += v;
                                inside++;
                            }
                        }

                        // The divisor with count_include_pad: the window clipped to the padded input, as PyTorch does.
                        int windowH = System.Math.Min((oy * s[0]) - p[0] + k[0], i[1] + p[1]) - ((oy * s[0]) - p[0]);
                        int windowW = System.Math.Min((ox * s[1]) - p[2] + k[1], i[2] + p[3]) - ((ox * s[1]) - p[2]);
                        int divisor = includePad ? windowH * windowW : inside;
                        f.Output[InterpreterFrame.Index(n, c, oy, ox, o)] = (float)(_max ? best : sum / divisor);
                    }
                }
            }
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        AttributeSet a = node.Attributes;
        Shape x = node.Input.Shape, o = node.Output.Shape;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), p = a.Ints(Padding);
        var args = new List<KernelArg>
        {
            new InputArg("x", 0), new OutputArg("y"), new DimArg("channels", x.C), new DimArg("height", x.H), new DimArg("width", x.W),
            new DimArg("kernelH", k[0]), new DimArg("kernelW", k[1]), new DimArg("strideH", s[0]), new DimArg("strideW", s[1]),
            new DimArg("padH", p[0]), new DimArg("padW", p[2]), new DimArg("outH", o.H), new DimArg("outW", o.W),
        };
        if (!_max)
        {
            args.Add(new BoolArg("countIncludePad", a.Bool(CountIncludePad)));
        }

        return KernelPlan.Of("window", new KernelCall(_max ? "MaxPool2d" : "AvgPool2d", CallScope.Sample, Common.EquatableArray.ToEquatableArray(args)));
    }
}
