using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Linking;

/// <summary>Training-free weight reformation after structured pruning: every layer that reads pruned channels through
/// its weights (a dense Conv2d, a Linear) is refitted so that, reading the pruned network's activations, it reproduces
/// the unpruned layer's output on its kept channels. Each refit is a ridge-regularized least-squares problem over the
/// calibration inputs (one row per sample, or per output pixel of a convolution), solved in double precision through
/// its normal equations. Layers are refitted in execution order, each on activations that already pass through the
/// refitted layers before it, so later layers correct what earlier ones could not.</summary>
public static class Reformation
{
    /// <summary>The ridge term, relative to the mean of the normal matrix's diagonal: keeps the problem well posed when
    /// calibration rows are few or features correlated, and costs nothing measurable on a well-posed one.</summary>
    public const double Ridge = 1e-3;

    /// <summary>At most this many rows (samples × output pixels) per refitted convolution, spread evenly over them.</summary>
    public const int MaxRows = 262_144;

    /// <summary>Whether any packed tensor of <paramref name="layout"/> is refitted.</summary>
    public static bool Needed(WeightLayout layout) => layout.Tensors.Any(t => t.Program.Steps<Reformed>().Any());

    /// <summary>The refitted tensors of <paramref name="compilation"/>, by <see cref="Reformed.SourceName"/>.</summary>
    /// <param name="source">The weights file's tensors by name.</param>
    /// <param name="inputs"><paramref name="count"/> calibration samples of the model's input shape.</param>
    /// <param name="height">The samples' height, for a model whose input size is open.</param>
    /// <param name="width">The samples' width, likewise.</param>
    public static IReadOnlyDictionary<string, float[]> Compute(
        ModelCompilation compilation, Func<string, float[]> source, float[] inputs, int count, int height = 0, int width = 0)
    {
        Graph pruned = compilation.Graph ?? throw new ArgumentException("the model did not compile", nameof(compilation));

        // Every node's programs are evaluated again at each rerun (and a pruned one ranks its group's channels from
        // other layers' tensors): read each tensor of the weights file once.
        var read = new Dictionary<string, float[]>(StringComparer.Ordinal);
        Func<string, float[]> weightsFile = source;
        source = name => read.TryGetValue(name, out float[]? t) ? t : read[name] = weightsFile(name);
        Graph full = compilation.Unpruned().Graph ?? throw new InvalidOperationException("the unpruned model did not compile");
        IReadOnlyDictionary<Value, float[]> reference = ReferenceInterpreter.RunAll(full, source, inputs, count, height, width);

        var targets = pruned.Nodes.Where(n => n.Weights.Any(w => w.Program.Steps<Reformed>().Any())).ToList();
        var bases = targets.SelectMany(n => n.Weights).SelectMany(w => w.Program.Steps<Reformed>()).ToDictionary(r => r.SourceName, r => r, StringComparer.Ordinal);
        var solved = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] Current(string name) =>
            solved.TryGetValue(name, out float[]? done) ? done
            : bases.TryGetValue(name, out Reformed? unsolved) ? WeightProgramRunner.EvaluateFloats(Encode.Float32(unsolved.X), source)
            : source(name);

        // The pruned network's activations, run once and then again only from each refitted layer on.
        Dictionary<Value, float[]> now = ReferenceInterpreter.RunAll(pruned, Current, inputs, count, height, width).ToDictionary(p => p.Key, p => p.Value);
        Node? changed = null;
        foreach (Node node in targets)
        {
            if (changed is not null)
            {
                ReferenceInterpreter.RunFrom(pruned, Current, now, changed, count, height, width);
            }

            Node original = full.Nodes.Single(n => n.Name == node.Name);
            (float[] weight, float[]? bias) = Refit(node, original, now[node.Input], reference[original.Input], source, count, height, width);
            solved["@reformed/" + node.Name + ".weight"] = weight;
            if (bias is not null)
            {
                solved["@reformed/" + node.Name + ".bias"] = bias;
            }

            changed = node;
        }

        return solved;
    }

    /// <summary>A source of tensors for <paramref name="compilation"/>'s weight programs: the refitted ones when it has
    /// any (computed once, here), the weights file's otherwise.</summary>
    public static Func<string, float[]> Sources(ModelCompilation compilation, Func<string, float[]> source, float[] inputs, int count, int height = 0, int width = 0)
    {
        if (compilation.Layout is null || !Needed(compilation.Layout))
        {
            return source;
        }

        IReadOnlyDictionary<string, float[]> refitted = Compute(compilation, source, inputs, count, height, width);
        return name => refitted.TryGetValue(name, out float[]? t) ? t : source(name);
    }

    private static (float[] Weight, float[]? Bias) Refit(
        Node node, Node original, float[] prunedInput, float[] fullInput, Func<string, float[]> source, int count, int height, int width)
    {
        bool conv = node.Op is Conv2dOp;
        Encode fullWeight = original.Weight("weight")!.Program;
        float[] w = WeightProgramRunner.EvaluateFloats(fullWeight, source);
        float[]? b = original.Weight("bias") is { } fullBias ? WeightProgramRunner.EvaluateFloats(fullBias.Program, source) : null;
        int outputs = fullWeight.Rows;
        int[] kept = KeptOutputs(node.Weight("weight")!.Program.X, source) ?? Enumerable.Range(0, outputs).ToArray();
        bool hasBias = node.Weight("bias") is not null;

        Patches p = conv ? Patches.Of(node, height, width) : Patches.Dense(node.Input.Shape.Size.Evaluate(height, width));
        Patches f = conv ? Patches.Of(original, height, width) : Patches.Dense(original.Input.Shape.Size.Evaluate(height, width));
        int features = p.Features, columns = features + (hasBias ? 1 : 0);
        int fullFeatures = f.Features;
        double[] a = new double[columns * columns];
        double[] rhs = new double[columns * kept.Length];
        double[] zp = new double[columns], zf = new double[fullFeatures], y = new double[kept.Length];
        long rows = (long)count * p.Positions;
        long step = Math.Max(1, (rows + MaxRows - 1) / MaxRows);
        for (long r = 0; r < rows; r += step)
        {
            int n = (int)(r / p.Positions), position = (int)(r % p.Positions);
            p.Gather(prunedInput, n, position, zp);
            f.Gather(fullInput, n, position, zf);
            if (hasBias)
            {
                zp[features] = 1;
            }

            for (int o = 0; o < kept.Length; o++)
            {
                int row = kept[o];
                double sum = b?[row] ?? 0;
                for (int i = 0; i < fullFeatures; i++)
                {
                    sum += w[(row * fullFeatures) + i] * zf[i];
                }

                y[o] = sum;
            }

            for (int i = 0; i < columns; i++)
            {
                double zi = zp[i];
                if (zi == 0)
                {
                    continue;
                }

                for (int j = i; j < columns; j++)
                {
                    a[(i * columns) + j] += zi * zp[j];
                }

                for (int o = 0; o < kept.Length; o++)
                {
                    rhs[(i * kept.Length) + o] += zi * y[o];
                }
            }
        }

        for (int i = 0; i < columns; i++)
        {
            for (int j = 0; j < i; j++)
            {
                a[(i * columns) + j] = a[(j * columns) + i];
            }
        }

        double mean = 0;
        for (int i = 0; i < features; i++)
        {
            mean += a[(i * columns) + i] / Math.Max(1, features);
        }

        double ridge = (Ridge * mean) + 1e-12;
        for (int i = 0; i < features; i++)
        {
            a[(i * columns) + i] += ridge;
        }

        double[] solution = Cholesky.Solve(a, columns, rhs, kept.Length);
        float[] weight = new float[kept.Length * features];
        for (int o = 0; o < kept.Length; o++)
        {
            for (int i = 0; i < features; i++)
            {
                weight[(o * features) + i] = (float)solution[(i * kept.Length) + o];
            }
        }

        float[]? bias = null;
        if (hasBias)
        {
            bias = new float[kept.Length];
            for (int o = 0; o < kept.Length; o++)
            {
                bias[o] = (float)solution[(features * kept.Length) + o];
            }
        }

        return (weight, bias);
    }

    /// <summary>The layer's kept output channels, in the order the pruned layer has them; null when its outputs are not pruned.</summary>
    private static int[]? KeptOutputs(WeightExpr expr, Func<string, float[]> source) =>
        expr.Steps<SelectKept>().FirstOrDefault(s => s.Axis == 0) is { } select ? WeightProgramRunner.KeptIndices(select.Segments, source) : null;

    /// <summary>The rows of a layer's least-squares problem: for a convolution, one per sample and output pixel, its
    /// features the input patch in the weights' (channel, kernel row, kernel column) order, zero where padded; for a
    /// Linear, one per sample, its features the input vector.</summary>
    private sealed class Patches
    {
        private int _channels, _inH, _inW, _outW, _kh, _kw, _sh, _sw, _dh, _dw, _padTop, _padLeft;

        public int Features { get; private set; }

        public int Positions { get; private set; }

        public static Patches Dense(long features) => new() { Features = checked((int)features), Positions = 1, _kh = 0 };

        public static Patches Of(Node node, int height, int width)
        {
            AttributeSet a = node.Attributes;
            Shape x = node.Input.Shape;
            long inH = x.H.Evaluate(height, width), inW = x.W.Evaluate(height, width);
            (WindowAxis wh, WindowAxis ww) = Conv2dOp.Geometry(a, new Shape(x.C.Value, inH, inW));
            int[] k = a.Ints(Conv2dOp.KernelSize), s = a.Ints(Conv2dOp.Stride), d = a.Ints(Conv2dOp.Dilation);
            int channels = (int)x.C.Value;
            return new Patches
            {
                _channels = channels, _inH = (int)inH, _inW = (int)inW, _outW = (int)ww.Output.Evaluate(height, width),
                _kh = k[0], _kw = k[1], _sh = s[0], _sw = s[1], _dh = d[0], _dw = d[1],
                _padTop = (int)wh.PadBefore.Evaluate(height, width), _padLeft = (int)ww.PadBefore.Evaluate(height, width),
                Features = channels * k[0] * k[1],
                Positions = (int)(wh.Output.Evaluate(height, width) * ww.Output.Evaluate(height, width)),
            };
        }

        public void Gather(float[] x, int n, int position, double[] z)
        {
            if (_kh == 0)
            {
                for (int i = 0; i < Features; i++)
                {
                    z[i] = x[((long)n * Features) + i];
                }

                return;
            }

            int oy = position / _outW, ox = position % _outW;
            long plane = (long)_inH * _inW;
            int i2 = 0;
            for (int c = 0; c < _channels; c++)
            {
                long channel = (((long)n * _channels) + c) * plane;
                for (int ky = 0; ky < _kh; ky++)
                {
                    int iy = (oy * _sh) - _padTop + (ky * _dh);
                    for (int kx = 0; kx < _kw; kx++)
                    {
                        int ix = (ox * _sw) - _padLeft + (kx * _dw);
                        z[i2++] = iy >= 0 && iy < _inH && ix >= 0 && ix < _inW ? x[channel + ((long)iy * _inW) + ix] : 0;
                    }
                }
            }
        }
    }

    /// <summary>Solves A·X = B for a symmetric positive definite A (n × n) and B (n × m), both row-major.</summary>
    private static class Cholesky
    {
        public static double[] Solve(double[] a, int n, double[] b, int m)
        {
            double[] l = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double sum = a[(i * n) + j];
                    for (int k = 0; k < j; k++)
                    {
                        sum -= l[(i * n) + k] * l[(j * n) + k];
                    }

                    if (i == j)
                    {
                        // A column that no calibration row reached (a channel always zero) still gets a finite answer.
                        l[(i * n) + i] = Math.Sqrt(Math.Max(sum, 1e-12));
                    }
                    else
                    {
                        l[(i * n) + j] = sum / l[(j * n) + j];
                    }
                }
            }

            double[] x = (double[])b.Clone();
            for (int c = 0; c < m; c++)
            {
                for (int i = 0; i < n; i++)
                {
                    double sum = x[(i * m) + c];
                    for (int k = 0; k < i; k++)
                    {
                        sum -= l[(i * n) + k] * x[(k * m) + c];
                    }

                    x[(i * m) + c] = sum / l[(i * n) + i];
                }

                for (int i = n - 1; i >= 0; i--)
                {
                    double sum = x[(i * m) + c];
                    for (int k = i + 1; k < n; k++)
                    {
                        sum -= l[(k * n) + i] * x[(k * m) + c];
                    }

                    x[(i * m) + c] = sum / l[(i * n) + i];
                }
            }

            return x;
        }
    }
}
