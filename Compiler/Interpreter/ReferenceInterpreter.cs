using System;
using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Interpreter;

/// <summary>The oracle every generated backend is tested against: runs a graph with plain loops, one op at a
/// time, PyTorch semantics (NCHW, eval mode), accumulating in double. Slow on purpose; clarity is the point.
/// Runs the declared graph (<see cref="ModelCompilation.BuildUnoptimized"/>) and also an optimized one: a node
/// with <see cref="Node.FoldedBatchNorm"/> applies that BatchNorm after its own op, then its fused
/// <see cref="Node.Activation"/>, so comparing the two checks that passes preserve semantics.</summary>
public static class ReferenceInterpreter
{
    /// <summary>Runs <paramref name="graph"/> on source tensors looked up by name as in a PyTorch state_dict
    /// (<c>{prefix}.weight</c>, <c>.bias</c>, <c>.running_mean</c>, <c>.running_var</c>).</summary>
    /// <param name="input"><paramref name="batch"/> samples of the graph's input shape, NCHW, contiguous.</param>
    /// <returns><paramref name="batch"/> samples of the graph's output shape.</returns>
    public static float[] Run(Graph graph, Func<string, float[]> tensors, float[] input, int batch) =>
        Execute(graph, new SourceWeights(tensors), input, batch);

    /// <summary>Runs an optimized graph on the packed array <see cref="WeightPacker"/> produced for
    /// <paramref name="layout"/>: BatchNorm already folded into conv weights, standalone BatchNorm as
    /// scale/shift. This is exactly what generated code computes, so it separates packing bugs from kernel bugs.</summary>
    public static float[] RunPacked(Graph graph, WeightLayout layout, float[] packed, float[] input, int batch) =>
        Execute(graph, new PackedWeights(layout, packed), input, batch);

    private static float[] Execute(Graph graph, WeightSource weights, float[] input, int batch)
    {
        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1");
        }

        if (input.Length != (long)batch * graph.Input.Shape.Size)
        {
            throw new ArgumentException(
                "input has " + input.Length + " floats; batch " + batch + " of " + graph.Input.Shape + " needs " + ((long)batch * graph.Input.Shape.Size),
                nameof(input));
        }

        var values = new Dictionary<Value, float[]> { [graph.Input] = input };
        foreach (Node node in graph.Nodes)
        {
            float[][] inputs = node.Inputs.ConvertAll(v => values[v]).ToArray();
            float[] output = Evaluate(node, inputs, weights, batch);
            if (node.FoldedBatchNorm is { } bn && weights.FoldedBatchNorm(bn) is { } affine)
            {
                BatchNormInPlace(output, node.Output.Shape, batch, affine);
            }

            ActivateInPlace(output, node.Activation.Kind, node.Activation.Alpha);
            values[node.Output] = output;
        }

        return values[graph.Output];
    }

    private static float[] Evaluate(Node node, float[][] x, WeightSource weights, int batch)
    {
        LayerSpec s = node.Spec;
        Shape inShape = node.Inputs[0].Shape;
        Shape outShape = node.Output.Shape;
        switch (node.Op)
        {
            case OpKind.Linear:
                return Linear(x[0], weights.Weight(node), weights.Bias(node), s.InFeatures, s.OutFeatures, batch);
            case OpKind.Conv2d:
                return Conv2d(x[0], weights.Weight(node), weights.Bias(node), s, inShape, outShape, batch);
            case OpKind.BatchNorm2d:
            {
                float[] y = (float[])x[0].Clone();
                BatchNormInPlace(y, outShape, batch, weights.BatchNorm(node));
                return y;
            }

            case OpKind.ReLU or OpKind.ReLU6 or OpKind.LeakyReLU or OpKind.Sigmoid or OpKind.Tanh or OpKind.GELU
                or OpKind.SiLU or OpKind.HardSwish:
            {
                float[] y = (float[])x[0].Clone();
                ActivateInPlace(y, node.Op, s.Alpha);
                return y;
            }

            case OpKind.MaxPool2d:
                return Pool(x[0], s, inShape, outShape, batch, max: true);
            case OpKind.AvgPool2d:
                return Pool(x[0], s, inShape, outShape, batch, max: false);
            case OpKind.GlobalAvgPool2d:
                return GlobalAvgPool(x[0], inShape, batch);
            case OpKind.Flatten:
                return (float[])x[0].Clone();
            case OpKind.Add:
                return Add(x);
            case OpKind.Concat:
                return Concat(x, node.Inputs, batch);
            case OpKind.Upsample:
                return UpsampleNearest(x[0], inShape, s.Factor, batch);
            case OpKind.PixelShuffle:
                return PixelShuffle(x[0], inShape, s.Factor, batch);
            case OpKind.Softmax:
                return Softmax(x[0], inShape, batch);
            default:
                throw new NotSupportedException("the reference interpreter has no implementation of " + node.Op);
        }
    }

    /// <summary>y[n, o] = b[o] + sum_i W[o, i] * x[n, i] (PyTorch Linear, weight [out, in]).</summary>
    private static float[] Linear(float[] x, float[] w, float[]? b, int inF, int outF, int batch)
    {
        float[] y = new float[batch * outF];
        for (int n = 0; n < batch; n++)
        {
            for (int o = 0; o < outF; o++)
            {
                double acc = b is null ? 0 : b[o];
                for (int i = 0; i < inF; i++)
                {
                    acc += (double)w[(o * inF) + i] * x[(n * inF) + i];
                }

                y[(n * outF) + o] = (float)acc;
            }
        }

        return y;
    }

    /// <summary>PyTorch Conv2d: weight [out, in/groups, kh, kw]; output channel oc reads the input channels of
    /// its group; taps outside the input read zero padding.</summary>
    private static float[] Conv2d(float[] x, float[] w, float[]? b, LayerSpec s, Shape i, Shape o, int batch)
    {
        int inPerGroup = s.InFeatures / s.Groups;
        int outPerGroup = s.OutFeatures / s.Groups;
        float[] y = new float[batch * o.Size];
        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < o.C; oc++)
            {
                int g = oc / outPerGroup;
                for (int oy = 0; oy < o.H; oy++)
                {
                    for (int ox = 0; ox < o.W; ox++)
                    {
                        double acc = b is null ? 0 : b[oc];
                        for (int ic = 0; ic < inPerGroup; ic++)
                        {
                            int c = (g * inPerGroup) + ic;
                            for (int ky = 0; ky < s.KernelH; ky++)
                            {
                                int iy = (oy * s.StrideH) - s.PaddingH + (ky * s.DilationH);
                                if (iy < 0 || iy >= i.H)
                                {
                                    continue;
                                }

                                for (int kx = 0; kx < s.KernelW; kx++)
                                {
                                    int ix = (ox * s.StrideW) - s.PaddingW + (kx * s.DilationW);
                                    if (ix < 0 || ix >= i.W)
                                    {
                                        continue;
                                    }

                                    double wv = w[(((((oc * inPerGroup) + ic) * s.KernelH) + ky) * s.KernelW) + kx];
                                    acc += wv * x[Index(n, c, iy, ix, i)];
                                }
                            }
                        }

                        y[Index(n, oc, oy, ox, o)] = (float)acc;
                    }
                }
            }
        }

        return y;
    }

    /// <summary>Per-channel affine over [N, C, H, W]: y = x * scale[c] + shift[c].</summary>
    private static void BatchNormInPlace(float[] y, Shape shape, int batch, (double[] Scale, double[] Shift) bn)
    {
        int plane = shape.H * shape.W;
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < shape.C; c++)
            {
                int start = ((n * shape.C) + c) * plane;
                for (int p = 0; p < plane; p++)
                {
                    y[start + p] = (float)((y[start + p] * bn.Scale[c]) + bn.Shift[c]);
                }
            }
        }
    }

    /// <summary>PyTorch MaxPool2d / AvgPool2d without ceil_mode. Max treats padding as -inf; Avg treats it as
    /// zero and divides by kh*kw (count_include_pad) or by the taps inside the input.</summary>
    private static float[] Pool(float[] x, LayerSpec s, Shape i, Shape o, int batch, bool max)
    {
        float[] y = new float[batch * o.Size];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < o.C; c++)
            {
                for (int oy = 0; oy < o.H; oy++)
                {
                    for (int ox = 0; ox < o.W; ox++)
                    {
                        double best = double.NegativeInfinity;
                        double sum = 0;
                        int inside = 0;
                        for (int ky = 0; ky < s.KernelH; ky++)
                        {
                            int iy = (oy * s.StrideH) - s.PaddingH + ky;
                            for (int kx = 0; kx < s.KernelW; kx++)
                            {
                                int ix = (ox * s.StrideW) - s.PaddingW + kx;
                                if (iy < 0 || iy >= i.H || ix < 0 || ix >= i.W)
                                {
                                    continue;
                                }

                                float v = x[Index(n, c, iy, ix, i)];
                                best = Math.Max(best, v);
                                sum += v;
                                inside++;
                            }
                        }

                        int divisor = s.CountIncludePad ? s.KernelH * s.KernelW : inside;
                        y[Index(n, c, oy, ox, o)] = (float)(max ? best : sum / divisor);
                    }
                }
            }
        }

        return y;
    }

    /// <summary>AdaptiveAvgPool2d(1): the mean of each channel plane.</summary>
    private static float[] GlobalAvgPool(float[] x, Shape i, int batch)
    {
        int plane = i.H * i.W;
        float[] y = new float[batch * i.C];
        for (int nc = 0; nc < batch * i.C; nc++)
        {
            double sum = 0;
            for (int p = 0; p < plane; p++)
            {
                sum += x[(nc * plane) + p];
            }

            y[nc] = (float)(sum / plane);
        }

        return y;
    }

    private static float[] Add(float[][] x)
    {
        float[] y = new float[x[0].Length];
        for (int k = 0; k < y.Length; k++)
        {
            double sum = 0;
            foreach (float[] t in x)
            {
                sum += t[k];
            }

            y[k] = (float)sum;
        }

        return y;
    }

    /// <summary>torch.cat along dim 1: per sample, the inputs' channels (or features) one after another.</summary>
    private static float[] Concat(float[][] x, List<Value> inputs, int batch)
    {
        int total = 0;
        foreach (Value v in inputs)
        {
            total += v.Shape.Size;
        }

        float[] y = new float[batch * total];
        for (int n = 0; n < batch; n++)
        {
            int offset = n * total;
            for (int k = 0; k < x.Length; k++)
            {
                int size = inputs[k].Shape.Size;
                Array.Copy(x[k], n * size, y, offset, size);
                offset += size;
            }
        }

        return y;
    }

    /// <summary>nn.Upsample(scale_factor=f, mode='nearest'): out[y, x] = in[y / f, x / f].</summary>
    private static float[] UpsampleNearest(float[] x, Shape i, int f, int batch)
    {
        var o = new Shape(i.C, i.H * f, i.W * f);
        float[] y = new float[batch * o.Size];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < o.C; c++)
            {
                for (int oy = 0; oy < o.H; oy++)
                {
                    for (int ox = 0; ox < o.W; ox++)
                    {
                        y[Index(n, c, oy, ox, o)] = x[Index(n, c, oy / f, ox / f, i)];
                    }
                }
            }
        }

        return y;
    }

    /// <summary>nn.PixelShuffle(r): out[c, h*r + dy, w*r + dx] = in[c*r*r + dy*r + dx, h, w].</summary>
    private static float[] PixelShuffle(float[] x, Shape i, int r, int batch)
    {
        var o = new Shape(i.C / (r * r), i.H * r, i.W * r);
        float[] y = new float[batch * o.Size];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < o.C; c++)
            {
                for (int h = 0; h < i.H; h++)
                {
                    for (int w = 0; w < i.W; w++)
                    {
                        for (int dy = 0; dy < r; dy++)
                        {
                            for (int dx = 0; dx < r; dx++)
                            {
                                int ic = (c * r * r) + (dy * r) + dx;
                                y[Index(n, c, (h * r) + dy, (w * r) + dx, o)] = x[Index(n, ic, h, w, i)];
                            }
                        }
                    }
                }
            }
        }

        return y;
    }

    /// <summary>Softmax over dim 1: the features of a rank-1 sample, the channels of each pixel of a rank-3 one.
    /// Subtracts the max first, as every stable implementation does.</summary>
    private static float[] Softmax(float[] x, Shape i, int batch)
    {
        int channels = i[0];
        int plane = i.Rank == 3 ? i.H * i.W : 1;
        float[] y = new float[x.Length];
        double[] e = new double[channels];
        for (int n = 0; n < batch; n++)
        {
            for (int p = 0; p < plane; p++)
            {
                int At(int c) => (((n * channels) + c) * plane) + p;
                double max = double.NegativeInfinity;
                for (int c = 0; c < channels; c++)
                {
                    max = Math.Max(max, x[At(c)]);
                }

                double sum = 0;
                for (int c = 0; c < channels; c++)
                {
                    e[c] = Math.Exp(x[At(c)] - max);
                    sum += e[c];
                }

                for (int c = 0; c < channels; c++)
                {
                    y[At(c)] = (float)(e[c] / sum);
                }
            }
        }

        return y;
    }

    private static void ActivateInPlace(float[] y, OpKind? kind, float alpha)
    {
        if (kind is null)
        {
            return;
        }

        for (int k = 0; k < y.Length; k++)
        {
            y[k] = (float)Activate(kind.Value, y[k], alpha);
        }
    }

    /// <summary>The activations as PyTorch defines them (GELU: the exact erf form, approximate='none').</summary>
    public static double Activate(OpKind kind, double x, float alpha) => kind switch
    {
        OpKind.ReLU => x < 0 ? 0 : x, // NaN passes through, as in PyTorch
        OpKind.ReLU6 => Math.Min(Math.Max(x, 0), 6),
        OpKind.LeakyReLU => x > 0 ? x : alpha * x,
        OpKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        OpKind.Tanh => Math.Tanh(x),
        OpKind.GELU => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))),
        OpKind.SiLU => x / (1 + Math.Exp(-x)),
        OpKind.HardSwish => x * Math.Min(Math.Max(x + 3, 0), 6) / 6,
        _ => throw new ArgumentException(kind + " is not an activation", nameof(kind)),
    };

    /// <summary>The error function to double precision (netstandard2.0 has none):
    /// erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_k (2x^2)^k x / (1*3*...*(2k+1)), a series of positive terms (no
    /// cancellation) that converges for every x; beyond |x| = 6, erf is 1 to double precision.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        double a = Math.Abs(x);
        if (a >= 6)
        {
            return Math.Sign(x);
        }

        double term = a;
        double sum = a;
        for (int k = 1; term > sum * 1e-17; k++)
        {
            term *= 2 * a * a / ((2 * k) + 1);
            sum += term;
        }

        double result = 2 / Math.Sqrt(Math.PI) * Math.Exp(-a * a) * sum;
        return x < 0 ? -result : result;
    }

    private static int Index(int n, int c, int y, int x, Shape s) => (((((n * s.C) + c) * s.H) + y) * s.W) + x;

    /// <summary>Where a node's parameters come from: source tensors by name, or a packed array.</summary>
    private abstract class WeightSource
    {
        /// <summary>The BatchNorm folded into a conv, to apply after it; null where the weights already hold it.</summary>
        public abstract (double[] Scale, double[] Shift)? FoldedBatchNorm(LayerSpec bn);

        public abstract float[] Weight(Node node);

        public abstract float[]? Bias(Node node);

        public abstract (double[] Scale, double[] Shift) BatchNorm(Node node);
    }

    private sealed class SourceWeights(Func<string, float[]> tensors) : WeightSource
    {
        public override (double[] Scale, double[] Shift)? FoldedBatchNorm(LayerSpec bn) => BatchNorm(bn);

        public override float[] Weight(Node node)
        {
            LayerSpec s = node.Spec;
            return node.Op == OpKind.Conv2d
                ? Get(s.TensorPrefix + ".weight", s.OutFeatures * (s.InFeatures / s.Groups) * s.KernelH * s.KernelW)
                : Get(s.TensorPrefix + ".weight", s.OutFeatures * s.InFeatures);
        }

        public override float[]? Bias(Node node) => node.Spec.Bias ? Get(node.Spec.TensorPrefix + ".bias", node.Spec.OutFeatures) : null;

        public override (double[] Scale, double[] Shift) BatchNorm(Node node) => BatchNorm(node.Spec);

        /// <summary>Eval-mode BatchNorm2d, (x - mean) / sqrt(var + eps) * gamma + beta, as scale and shift in double.</summary>
        public (double[] Scale, double[] Shift) BatchNorm(LayerSpec bn)
        {
            int c = bn.InFeatures;
            string p = bn.TensorPrefix;
            float[] gamma = Get(p + ".weight", c);
            float[] beta = Get(p + ".bias", c);
            float[] mean = Get(p + ".running_mean", c);
            float[] variance = Get(p + ".running_var", c);
            double[] scale = new double[c];
            double[] shift = new double[c];
            for (int k = 0; k < c; k++)
            {
                scale[k] = gamma[k] / Math.Sqrt(variance[k] + (double)bn.Epsilon);
                shift[k] = beta[k] - (mean[k] * scale[k]);
            }

            return (scale, shift);
        }

        private float[] Get(string name, int length)
        {
            float[] t = tensors(name) ?? throw new ArgumentException("tensor '" + name + "' was not provided");
            return t.Length == length
                ? t
                : throw new ArgumentException("tensor '" + name + "' has " + t.Length + " elements, the layer needs " + length);
        }
    }

    private sealed class PackedWeights(WeightLayout layout, float[] packed) : WeightSource
    {
        public override (double[] Scale, double[] Shift)? FoldedBatchNorm(LayerSpec bn) => null;

        public override float[] Weight(Node node) => Slice(node, "weight")!;

        public override float[]? Bias(Node node) => Slice(node, "bias");

        public override (double[] Scale, double[] Shift) BatchNorm(Node node) =>
            (Array.ConvertAll(Slice(node, "scale")!, v => (double)v), Array.ConvertAll(Slice(node, "shift")!, v => (double)v));

        private float[]? Slice(Node node, string role)
        {
            if (layout.Find(node.Name, role) is not { } slot)
            {
                return role == "bias" ? null : throw new ArgumentException("the layout has no " + role + " for '" + node.Name + "'");
            }

            float[] t = new float[slot.Length];
            Array.Copy(packed, slot.Offset, t, 0, slot.Length);
            return t;
        }
    }
}
