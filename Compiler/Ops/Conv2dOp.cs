using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Ops;

/// <summary>torch.nn.Conv2d, NCHW: weight [out, in / groups, kh, kw], optional bias [out]; per-side or "same"
/// padding; groups (groups = in = out is depthwise).</summary>
public sealed class Conv2dOp : OpDefinition
{
    public const string InChannels = "in_channels";
    public const string OutChannels = "out_channels";
    public const string KernelSize = "kernel_size";
    public const string Stride = "stride";
    public const string Padding = "padding";
    public const string PaddingMode = "padding_mode";
    public const string Dilation = "dilation";
    public const string Groups = "groups";
    public const string Bias = "bias";

    /// <summary>Explicit per-side padding (top, bottom, left, right).</summary>
    public const string ExplicitPadding = "explicit";

    /// <summary>Output = ceil(input / stride), any odd padding at the bottom and right (TensorFlow SAME).</summary>
    public const string SamePadding = "same";

    /// <summary>As <see cref="SamePadding"/> with any odd padding at the top and left (ONNX SAME_LOWER).</summary>
    public const string SameLowerPadding = "same_lower";

    /// <summary>The attribute's PaddingMode values, by their number in the emitted enum.</summary>
    private static readonly string[] PaddingModes = [ExplicitPadding, SamePadding, SameLowerPadding];

    public override string Name => "Conv2d";

    public override string NameStem => "conv";

    public override bool NameIsArgument => true;

    public override bool TakesEpilogue => true;

    public override AttributeSet Declare(DeclaredArguments a)
    {
        int kernel = a.Int("kernelSize", 0);
        int kh = a.Has("kernelHeight") ? a.Int("kernelHeight", 0) : kernel;
        int kw = a.Has("kernelWidth") ? a.Int("kernelWidth", 0) : kernel;
        int stride = a.Int("Stride", 1), padding = a.Int("Padding", 0), dilation = a.Int("Dilation", 1);
        int padH = a.Int("PaddingHeight", padding), padW = a.Int("PaddingWidth", padding);
        int mode = a.Int("PaddingMode", 0);
        return AttributeSet.Empty
            .With(InChannels, a.Int("inChannels", 0))
            .With(OutChannels, a.Int("outChannels", 0))
            .With(KernelSize, kh, kw)
            .With(Stride, a.Int("StrideHeight", stride), a.Int("StrideWidth", stride))
            .With(Padding, a.Int("PaddingTop", padH), a.Int("PaddingBottom", padH), a.Int("PaddingLeft", padW), a.Int("PaddingRight", padW))
            .With(PaddingMode, mode >= 0 && mode < PaddingModes.Length ? PaddingModes[mode] : "mode " + mode)
            .With(Dilation, a.Int("DilationHeight", dilation), a.Int("DilationWidth", dilation))
            .With(Groups, a.Int("Groups", 1))
            .With(Bias, a.Bool("Bias", true));
    }

    /// <summary>The windows along height and width for an input of <paramref name="x"/>'s shape.</summary>
    public static (WindowAxis H, WindowAxis W) Geometry(AttributeSet a, Shape x)
    {
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), p = a.Ints(Padding), d = a.Ints(Dilation);
        string mode = a.Text(PaddingMode);
        if (mode == ExplicitPadding)
        {
            return (WindowAxis.Explicit(x.H, k[0], s[0], d[0], p[0], p[1]), WindowAxis.Explicit(x.W, k[1], s[1], d[1], p[2], p[3]));
        }

        bool lower = mode == SameLowerPadding;
        return (WindowAxis.Same(x.H, k[0], s[0], d[0], lower), WindowAxis.Same(x.W, k[1], s[1], d[1], lower));
    }

    public override Shape? InferShape(InferenceContext c)
    {
        AttributeSet a = c.Attributes;
        int inC = a.Int(InChannels), outC = a.Int(OutChannels), groups = a.Int(Groups);
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), p = a.Ints(Padding), d = a.Ints(Dilation);
        bool ok = c.Positive("in_channels", inC) & c.Positive("out_channels", outC)
            & c.Positive("kernel_size", k[0], k[1])
            & c.Positive("stride", s[0], s[1])
            & c.NonNegative("padding", p)
            & c.Positive("dilation", d[0], d[1])
            & c.Positive("groups", groups);
        string mode = a.Text(PaddingMode);
        if (mode is not (ExplicitPadding or SamePadding or SameLowerPadding))
        {
            c.InvalidArgument("padding_mode", mode, "it must be PaddingMode.Explicit, Same or SameLower");
            ok = false;
        }
        else if (mode != ExplicitPadding && p.Any(v => v != 0))
        {
            c.InvalidArgument("padding_mode", mode, "explicit padding cannot be combined with it; remove Padding (or the PaddingMode)");
            ok = false;
        }

        if (!ok || !c.Rank(3, "[N, C, H, W]"))
        {
            return null;
        }

        if (inC % groups != 0 || outC % groups != 0)
        {
            c.InvalidArgument("groups", groups, "in_channels (" + inC + ") and out_channels (" + outC + ") must both be divisible by it");
            return null;
        }

        Shape x = c.X.Shape;
        if (!x.C.Equals((Dim)inC))
        {
            c.ShapeMismatch("[N, " + inC + ", H, W]", c.X, "in_channels");
            return null;
        }

        (WindowAxis h, WindowAxis w) = Geometry(a, x);
        if (h.KnownTooSmall || w.KnownTooSmall)
        {
            c.InvalidArgument("kernel_size", k[0] + "x" + k[1], "the (dilated) kernel is larger than the padded input " + x + "; reduce it or add padding");
            return null;
        }

        return new Shape(outC, h.Output, w.Output);
    }

    /// <summary>1×1, stride 1, no padding: the input already is the column matrix.</summary>
    private static bool IsPointwise(Node node)
    {
        AttributeSet a = node.Attributes;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride);
        (WindowAxis h, WindowAxis w) = Geometry(a, node.Input.Shape);
        return k[0] == 1 && k[1] == 1 && s[0] == 1 && s[1] == 1 && h.PadBefore.Equals(Dim.Zero) && w.PadBefore.Equals(Dim.Zero)
            && h.Output.Equals(node.Input.Shape.H) && w.Output.Equals(node.Input.Shape.W);
    }

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) =>
        [IsDepthwise(a) ? ChannelMap.Identity : ChannelMap.Independent];

    public override IReadOnlyList<PrunedAxes>? PruneAxes(AttributeSet a) =>
        IsDepthwise(a) ? [new("weight", 0, null), new("bias", 0, null)]
        : a.Int(Groups) == 1 ? [new("weight", 0, 1), new("bias", 0, null)]
        : null;

    public override AttributeSet WithChannels(AttributeSet a, int inputChannels, int outputChannels) =>
        a.With(InChannels, inputChannels).With(OutChannels, outputChannels).With(Groups, IsDepthwise(a) ? outputChannels : a.Int(Groups));

    /// <summary>groups = in_channels = out_channels: each channel convolved with its own filter.</summary>
    public static bool IsDepthwise(AttributeSet a) => a.Int(Groups) > 1 && a.Int(Groups) == a.Int(InChannels) && a.Int(Groups) == a.Int(OutChannels);

    public override IReadOnlyList<WeightShape> WeightShapes(AttributeSet a)
    {
        int[] k = a.Ints(KernelSize);
        var shapes = new List<WeightShape> { new("weight", [a.Int(OutChannels), a.Int(InChannels) / a.Int(Groups), k[0], k[1]]) };
        if (a.Bool(Bias))
        {
            shapes.Add(new WeightShape("bias", [a.Int(OutChannels)]));
        }

        return shapes;
    }

    public override IReadOnlyList<NodeWeight> DeclaredWeights(LayerSpec layer) => Load(layer, WeightShapes(layer.Attributes));

    /// <summary>Each tensor loaded as <c>{prefix}.{role}</c> and stored as F32.</summary>
    internal static IReadOnlyList<NodeWeight> Load(LayerSpec layer, IEnumerable<WeightShape> shapes) =>
        shapes.Select(s => new NodeWeight(s.Role, Encode.Float32(new LoadTensor(layer.TensorPrefix + "." + s.Role, s.Shape.Select(d => checked((int)d)).ToEquatableArray())))).ToList();

    public override OpCost Cost(Node node)
    {
        AttributeSet a = node.Attributes;
        int[] k = a.Ints(KernelSize);
        Shape o = node.Output.Shape;
        Dim macs = o.Size * ((long)a.Int(InChannels) / a.Int(Groups) * k[0] * k[1]);
        long parameters = WeightShapes(node.Attributes).Sum(w => w.Shape.Aggregate(1L, (x, y) => x * y));
        return new OpCost(macs, parameters, node.Input.Type.Bytes, node.Output.Type.Bytes);
    }

    public override void Interpret(InterpreterFrame f)
    {
        AttributeSet a = f.Attributes;
        int[] i = f.XShape, o = f.OutputShape;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), d = a.Ints(Dilation);
        // The geometry of this input's concrete size ("same" pads depend on it; the symbolic ones are in the model's H and W).
        (WindowAxis wh, WindowAxis ww) = Geometry(a, new Shape((long)i[0], i[1], i[2]));
        int padTop = (int)wh.PadBefore.Value, padLeft = (int)ww.PadBefore.Value;
        int groups = a.Int(Groups), inPerGroup = a.Int(InChannels) / groups, outPerGroup = a.Int(OutChannels) / groups;
        float[] w = f.Weight("weight")!;
        float[]? b = f.Weight("bias");
        for (int n = 0; n < f.Batch; n++)
        {
            for (int oc = 0; oc < o[0]; oc++)
            {
                int g = oc / outPerGroup;
                for (int oy = 0; oy < o[1]; oy++)
                {
                    for (int ox = 0; ox < o[2]; ox++)
                    {
                        double acc = b is null ? 0 : b[oc];
                        for (int ic = 0; ic < inPerGroup; ic++)
                        {
                            int ch = (g * inPerGroup) + ic;
                            for (int ky = 0; ky < k[0]; ky++)
                            {
                                int iy = (oy * s[0]) - padTop + (ky * d[0]);
                                if (iy < 0 || iy >= i[1])
                                {
                                    continue;
                                }

                                for (int kx = 0; kx < k[1]; kx++)
                                {
                                    int ix = (ox * s[1]) - padLeft + (kx * d[1]);
                                    if (ix < 0 || ix >= i[2])
                                    {
                                        continue;
                                    }

                                    double wv = w[(((((oc * inPerGroup) + ic) * k[0]) + ky) * k[1]) + kx];
                                    acc += wv * f.X[InterpreterFrame.Index(n, ch, iy, ix, i)];
                                }
                            }
                        }

                        f.Output[InterpreterFrame.Index(n, oc, oy, ox, o)] = (float)acc;
                    }
                }
            }
        }
    }

    /// <summary>Output channels per panel of the GEMM's prepacked weights (the run-time kernel's <c>GemmPanelRows</c>).</summary>
    public const int GemmPanelRows = 6;

    /// <summary>The floats a thread's tile may take: half a megabyte, within the L2 cache of the machines we target
    /// together with the weights panel it multiplies.</summary>
    public const int TileFloats = 512 * 1024 / 4;

    /// <summary>Output rows per tile of an open-width stride-1 convolution (a fixed width gets as many as fit).</summary>
    public const int OpenTileRows = 2;

    /// <summary>Pixels per im2col tile for a column depth: a multiple of 64, at least 64, the tile within <see cref="TileFloats"/>.</summary>
    public static long TilePixels(long depth) => Math.Max(64, TileFloats / Math.Max(1, depth) / 64 * 64);

    /// <summary>A 3×3 stride-1 undilated convolution without groups where Winograd wins (<see cref="Algorithms"/>):
    /// Winograd's F(4×4, 3×3) on blocks of tiles (<see cref="LowerWinograd"/>). Otherwise without groups: a matrix
    /// product on weights prepacked in panels of 6 output channels (the panels split
    /// across threads for a large layer). A 1×1 unpadded stride-1 convolution multiplies the input planes directly,
    /// in column blocks; any other stride-1 convolution reads shifted windows of a padded copy of the input rows of each
    /// tile of output rows (an implicit im2col); a strided one unfolds tiles of output pixels (im2col). Every thread's
    /// tile is its own, bounded by <see cref="TileFloats"/>. With groups (depthwise included), or when the plan file
    /// asks for it: the whole input unfolded once and one weighted row sum per output channel.</summary>
    public override KernelPlan Lower(Node node, LoweringContext context)
    {
        string algorithm = context.ForcedAlgorithm(node) ?? Algorithms(node)[0];
        return algorithm switch
        {
            "winograd" => LowerWinograd(node, context),
            "gemm" => LowerGemm(node, context),
            "direct" => LowerDirect(node, context),
            _ => LowerIm2Col(node, context),
        };
    }

    /// <summary>Without groups: "gemm" and "im2col"; at stride 1 also "direct"; for a 3×3 stride-1 undilated
    /// convolution also "winograd", first when it is expected to be faster (<see cref="WinogradWins"/>). With groups:
    /// "im2col".</summary>
    public override IReadOnlyList<string> Algorithms(Node node)
    {
        if (node.Attributes.Int(Groups) != 1)
        {
            return ["im2col"];
        }

        int[] s = node.Attributes.Ints(Stride);
        if (IsWinogradEligible(node.Attributes))
        {
            return WinogradWins(node) ? ["winograd", "gemm", "direct", "im2col"] : ["gemm", "winograd", "direct", "im2col"];
        }

        return s[0] == 1 && s[1] == 1 ? ["gemm", "direct", "im2col"] : ["gemm", "im2col"];
    }

    /// <summary>3×3, stride 1, dilation 1, no groups: what Winograd's F(m×m, 3×3) computes.</summary>
    public static bool IsWinogradEligible(AttributeSet a)
    {
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), d = a.Ints(Dilation);
        return a.Int(Groups) == 1 && k[0] == 3 && k[1] == 3 && s[0] == 1 && s[1] == 1 && d[0] == 1 && d[1] == 1;
    }

    /// <summary>Floats of input rows a direct convolution's tile holds (32 KB: the rows stay in L1 while every block of
    /// output channels passes over them).</summary>
    public const int DirectTileFloats = 8192;

    /// <summary>Few taps per pixel: the input rows of a tile of output rows copied once, then four output channels at a
    /// time, up to four vectors of a row per pass, the weights as declared (no packing).</summary>
    private KernelPlan LowerDirect(Node node, LoweringContext context)
    {
        AttributeSet a = node.Attributes;
        Shape x = node.Input.Shape, o = node.Output.Shape;
        int[] k = a.Ints(KernelSize), d = a.Ints(Dilation);
        (WindowAxis h, WindowAxis w) = Geometry(a, x);
        int inC = a.Int(InChannels), outC = a.Int(OutChannels);
        Dim padded = o.W + ((long)(k[1] - 1) * d[1]);
        long halo = (long)(k[0] - 1) * d[0];
        Dim rows = padded.IsConstant && o.H.IsConstant
            ? Math.Max(1, Math.Min(o.H.Value, (DirectTileFloats / Math.Max(1, inC * padded.Value)) - halo))
            : OpenTileRows;
        Dim scratch = inC * (rows + halo) * padded;
        KernelCall call = KernelCall.PerSample("ConvDirect",
            new InputArg("x", 0), new WeightArg("weight", "weight"), new WeightArg("bias", "bias"), new OutputArg("y"),
            new DimArg("channels", inC), new DimArg("height", x.H), new DimArg("width", x.W), new DimArg("outChannels", outC),
            new DimArg("kernelH", k[0]), new DimArg("kernelW", k[1]), new DimArg("padTop", h.PadBefore), new DimArg("padLeft", w.PadBefore),
            new DimArg("dilationH", d[0]), new DimArg("dilationW", d[1]), new DimArg("outH", o.H), new DimArg("outW", o.W),
            new DimArg("tileRows", rows), new DimArg("scratchFloats", scratch), new ActivationArg(node.Epilogue.Activation),
            new VectorWidthArg("vectorWidth"));
        return KernelPlan.Of("direct", call.Over("blocks", (outC + DirectBlockChannels - 1) / DirectBlockChannels, Cost(node).Macs, context))
            .WithScratch("tile", scratch, perThread: true);
    }

    /// <summary>Output channels per block of a direct convolution (the run-time kernel's <c>DirectBlockChannels</c>).</summary>
    public const int DirectBlockChannels = 4;

    private KernelPlan LowerGemm(Node node, LoweringContext context)
    {
        AttributeSet a = node.Attributes;
        Shape x = node.Input.Shape, o = node.Output.Shape;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), d = a.Ints(Dilation);
        (WindowAxis h, WindowAxis w) = Geometry(a, x);
        int inC = a.Int(InChannels), outC = a.Int(OutChannels);
        long depth = (long)inC * k[0] * k[1];
        Dim pixels = o.H * o.W;
        Dim panels = (outC + GemmPanelRows - 1) / GemmPanelRows;
        Dim macs = Cost(node).Macs;
        KernelArg[] head = [new InputArg("x", 0), new WeightArg("weight", "weight"), new WeightArg("bias", "bias"), new OutputArg("y")];
        KernelArg[] tail = [new ActivationArg(node.Epilogue.Activation)];
        KernelCall call;
        Dim scratch;
        if (IsPointwise(node))
        {
            Dim tile = pixels.IsConstant ? Math.Min(pixels.Value, TilePixels(depth)) : TilePixels(depth);
            scratch = (tile * depth) + depth; // the packed block and the B-row offsets
            call = KernelCall.PerSample("PointwiseGemm", [.. head,
                new DimArg("channels", inC), new DimArg("outChannels", outC), new DimArg("pixels", pixels), new DimArg("tilePixels", tile),
                new DimArg("scratchFloats", scratch), .. tail, new VectorWidthArg()]);
        }
        else if (s[0] == 1 && s[1] == 1)
        {
            Dim padded = o.W + ((long)(k[1] - 1) * d[1]);
            long halo = (long)(k[0] - 1) * d[0];
            Dim rows = padded.IsConstant && o.H.IsConstant
                ? Math.Max(1, Math.Min(o.H.Value, (TileFloats - (inC * halo * padded.Value)) / Math.Max(1, (inC + outC) * padded.Value)))
                : OpenTileRows;
            Dim columns = Dim.CeilDiv(rows * padded, 16) * 16;
            // The padded input rows and the slack the product reads past them, rounded up to 16 floats so the product
            // that follows is aligned; the product; the offsets table.
            Dim rowsFloats = Dim.CeilDiv((inC * (rows + halo) * padded) + columns + padded + 16, 16) * 16;
            scratch = rowsFloats + (outC * columns) + depth;
            call = KernelCall.PerSample("ConvRowsGemm", [.. head,
                new DimArg("channels", inC), new DimArg("height", x.H), new DimArg("width", x.W), new DimArg("outChannels", outC),
                new DimArg("kernelH", k[0]), new DimArg("kernelW", k[1]), new DimArg("padTop", h.PadBefore), new DimArg("padLeft", w.PadBefore),
                new DimArg("dilationH", d[0]), new DimArg("dilationW", d[1]), new DimArg("outH", o.H), new DimArg("outW", o.W),
                new DimArg("tileRows", rows), new DimArg("scratchFloats", scratch), .. tail, new VectorWidthArg("vectorWidth")]);
        }
        else
        {
            Dim tile = pixels.IsConstant ? Math.Min(pixels.Value, TilePixels(depth)) : TilePixels(depth);
            scratch = (tile * depth) + depth;
            call = KernelCall.PerSample("ConvGemm", [.. head,
                new DimArg("channels", inC), new DimArg("height", x.H), new DimArg("width", x.W), new DimArg("outChannels", outC),
                new DimArg("kernelH", k[0]), new DimArg("kernelW", k[1]), new DimArg("strideH", s[0]), new DimArg("strideW", s[1]),
                new DimArg("padTop", h.PadBefore), new DimArg("padLeft", w.PadBefore), new DimArg("dilationH", d[0]), new DimArg("dilationW", d[1]),
                new DimArg("outH", o.H), new DimArg("outW", o.W), new DimArg("tilePixels", tile), new DimArg("scratchFloats", scratch),
                .. tail, new VectorWidthArg("vectorWidth")]);
        }

        return KernelPlan.Of("gemm", call.Over("panels", panels, macs, context))
            .WithWeight("weight", DataType.F32, WeightLayouts.PanelOf(GemmPanelRows))
            .WithScratch("tile", scratch, perThread: true);
    }

    /// <summary>Winograd's output tile m: F(4×4, 3×3) multiplies 36 frequencies for 16 outputs, 2.25 multiplies per
    /// output and input channel where the direct convolution takes 9 (F(2×2): 16 for 4, 4 multiplies).</summary>
    public const int WinogradTile = 4;

    /// <summary>The floats a thread's Winograd block may take (its transformed inputs and their products): 1.25 MB, so
    /// that with a 64 → 64 channel layer's transformed weights (36 · 64 · 64 floats, 576 KB) the block stays within
    /// the 2 MB L2 cache of the machines we target.</summary>
    public const int WinogradBlockFloats = 1280 * 1024 / 4;

    /// <summary>Tiles per Winograd block: a multiple of 16 (the widest vector of tiles), at most 64 (the widest GEMM
    /// microkernel's columns), no more than the image has, within <see cref="WinogradBlockFloats"/>.</summary>
    public static long WinogradBlockTiles(int inC, int outC, Dim tiles)
    {
        long points = (WinogradTile + 2) * (WinogradTile + 2);
        long fit = Math.Max(16, WinogradBlockFloats / (points * (inC + outC)) / 16 * 16);
        long needed = tiles.IsConstant ? (tiles.Value + 15) / 16 * 16 : 64;
        return Math.Min(Math.Min(64, fit), needed);
    }

    /// <summary>The floats of a Winograd block's buffer, as the run-time kernel's <c>WinogradScratchFloats</c> counts them:
    /// 16 for a 64-byte alignment, the B-row offsets (rounded up to 16), the transformed inputs and their products
    /// ((m+2)² matrices each, a cache line apart), one channel's input tiles and one output channel's tiles (16 tiles of
    /// slack each), and the m + 2 zero-padded rows of a run of tiles (whole vectors of 16 tiles, and a cache line).</summary>
    public static long WinogradScratchFloats(int inC, int outC, long blockTiles)
    {
        const int Alignment = 16, FrequencyPadding = 16, TileSlack = 16;
        const long m = WinogradTile, points = (m + 2) * (m + 2);
        return Alignment + ((inC + Alignment - 1) / Alignment * Alignment) + (points * (((inC + outC) * blockTiles) + (2 * FrequencyPadding)))
            + ((points + (m * m)) * (blockTiles + TileSlack)) + ((m + 2) * ((((blockTiles + 15) / 16 * 16) * m) + 16));
    }

    /// <summary>Input channels from which Winograd is the default (<see cref="WinogradWins"/>).</summary>
    public const int WinogradMinInChannels = 32;

    /// <summary>Output channels from which Winograd is the default.</summary>
    public const int WinogradMinOutChannels = 16;

    /// <summary>Tiles times input channels from which Winograd is the default, for a fixed input size.</summary>
    public const long WinogradMinTileChannels = 1024;

    /// <summary>Whether Winograd is expected to beat the direct GEMM, on machines with AVX-512 and with AVX2 alike
    /// (measured one layer at a time, one thread: <c>dotnet run -c Release --project tests/Benchmarks -- conv3x3</c>,
    /// with <c>--width v256</c> for AVX2; the tables are in docs/benchmarks.md). The GEMM's share of Winograd's time
    /// grows with the channels, and the transforms' costs per block shrink with the tiles. From 32 input and 16 output
    /// channels and 1,024 tiles × input channels (a 64-channel 13×13 output, a 32-channel 21×21 one), F(4×4) ran
    /// 1.4–2.7× faster than the GEMM with AVX-512 and 1.0–2.3× with AVX2; with fewer tiles it lost or won little
    /// (64 → 64 at 8×8: 0.62× and 0.72×; 32 → 32 at 16×16: 1.06× and 1.21×, at 14×14: 0.93× and 1.28×). With fewer
    /// channels, layers of 64×64 and more still ran 1.0–1.7× faster with AVX-512 but 0.5–0.98× with AVX2, whose tile
    /// gathers are scalar (16 → 16 at 128×128: 1.49× and 0.90×; 32 → 12 at 256×256: 1.66× and 0.79×), so those stay
    /// "gemm" (a plan file can choose "winograd"). An open input size is decided by the channels alone.</summary>
    private static bool WinogradWins(Node node)
    {
        int inC = node.Attributes.Int(InChannels), outC = node.Attributes.Int(OutChannels);
        if (inC < WinogradMinInChannels || outC < WinogradMinOutChannels)
        {
            return false;
        }

        Dim tiles = WinogradTiles(node.Output.Shape);
        return !tiles.IsConstant || tiles.Value * inC >= WinogradMinTileChannels;
    }

    /// <summary>Output tiles of <see cref="WinogradTile"/>² of an output of <paramref name="output"/>'s shape.</summary>
    private static Dim WinogradTiles(Shape output) => Dim.CeilDiv(output.H, WinogradTile) * Dim.CeilDiv(output.W, WinogradTile);

    /// <summary>Winograd F(m×m, 3×3) (<see cref="WinogradTile"/>) on blocks of output tiles, the blocks split across
    /// threads (each thread transforms only its own tiles' inputs); weights transformed at build time.</summary>
    private KernelPlan LowerWinograd(Node node, LoweringContext context)
    {
        AttributeSet a = node.Attributes;
        Shape x = node.Input.Shape, o = node.Output.Shape;
        (WindowAxis h, WindowAxis w) = Geometry(a, x);
        int inC = a.Int(InChannels), outC = a.Int(OutChannels);
        Dim tiles = WinogradTiles(o);
        long blockTiles = WinogradBlockTiles(inC, outC, tiles);
        long scratch = WinogradScratchFloats(inC, outC, blockTiles);
        KernelCall call = KernelCall.PerSample("WinogradConv3x3",
            new InputArg("x", 0), new WeightArg("weight", "weight"), new WeightArg("bias", "bias"), new OutputArg("y"),
            new DimArg("channels", inC), new DimArg("height", x.H), new DimArg("width", x.W), new DimArg("outChannels", outC),
            new DimArg("padTop", h.PadBefore), new DimArg("padLeft", w.PadBefore), new DimArg("outH", o.H), new DimArg("outW", o.W),
            new DimArg("tileSize", WinogradTile), new DimArg("blockTiles", blockTiles), new DimArg("scratchFloats", scratch),
            new ActivationArg(node.Epilogue.Activation), new VectorWidthArg("vectorWidth"));
        return KernelPlan.Of("winograd", call.Over("blocks", Dim.CeilDiv(tiles, blockTiles), Cost(node).Macs, context))
            .WithWeight("weight", DataType.F32, WeightLayouts.WinogradOf(WinogradTile, GemmPanelRows))
            .WithScratch("tile", scratch, perThread: true);
    }

    private KernelPlan LowerIm2Col(Node node, LoweringContext context)
    {
        AttributeSet a = node.Attributes;
        Shape x = node.Input.Shape, o = node.Output.Shape;
        int[] k = a.Ints(KernelSize), s = a.Ints(Stride), d = a.Ints(Dilation);
        (WindowAxis h, WindowAxis w) = Geometry(a, x);
        int groups = a.Int(Groups);
        int inC = a.Int(InChannels), outC = a.Int(OutChannels);
        bool pointwise = IsPointwise(node);
        Dim pixels = o.H * o.W;
        var rows = KernelCall.PerSample("ConvolveRows",
            pointwise ? new InputArg("columns", 0) : new ScratchArg("columns", "columns"),
            new WeightArg("weight", "weight"),
            new WeightArg("bias", "bias"),
            new OutputArg("y"),
            new DimArg("depth", (long)inC / groups * k[0] * k[1]),
            new DimArg("pixels", pixels),
            new DimArg("channelsPerGroup", outC / groups),
            new ActivationArg(node.Epilogue.Activation),
            new VectorWidthArg());
        rows = rows.Over("channels", outC, Cost(node).Macs, context);
        if (pointwise)
        {
            return KernelPlan.Of("im2col", rows);
        }

        KernelCall im2col = KernelCall.PerSample("Im2Col",
            new InputArg("x", 0), new ScratchArg("columns", "columns"),
            new DimArg("channels", inC), new DimArg("height", x.H), new DimArg("width", x.W),
            new DimArg("kernelH", k[0]), new DimArg("kernelW", k[1]), new DimArg("strideH", s[0]), new DimArg("strideW", s[1]),
            new DimArg("padTop", h.PadBefore), new DimArg("padLeft", w.PadBefore), new DimArg("dilationH", d[0]), new DimArg("dilationW", d[1]),
            new DimArg("outH", o.H), new DimArg("outW", o.W));
        return KernelPlan.Of("im2col", im2col, rows).WithScratch("columns", pixels * ((long)inC * k[0] * k[1]));
    }
}
