using System;
using System.Collections.Generic;

namespace MnistTrainer.Layers;

/// <summary>
/// BatchNorm2d with PyTorch semantics: training normalizes with batch mean and biased variance
/// and updates running stats with momentum 0.1 using the unbiased variance; evaluation uses the
/// running stats. eps = 1e-5, weight (gamma) = 1 and bias (beta) = 0 at start.
/// </summary>
internal sealed class BatchNorm2d : ILayer
{
    public const double Eps = 1e-5;
    public const double Momentum = 0.1;

    private readonly int _channels;
    private readonly double[] _invStd;
    private float[] _xhat = [];
    private Tensor? _y;
    private Tensor? _dx;

    public BatchNorm2d(string name, int channels)
    {
        _channels = channels;
        Name = name;
        Gamma = new Parameter(name + ".weight", [channels], weightDecay: false);
        Beta = new Parameter(name + ".bias", [channels], weightDecay: false);
        Array.Fill(Gamma.Value, 1f);
        RunningMean = new float[channels];
        RunningVar = new float[channels];
        Array.Fill(RunningVar, 1f);
        _invStd = new double[channels];
    }

    public string Name { get; }

    public Parameter Gamma { get; }

    public Parameter Beta { get; }

    public float[] RunningMean { get; }

    public float[] RunningVar { get; }

    /// <summary>Training steps seen (PyTorch's num_batches_tracked).</summary>
    public long NumBatchesTracked { get; private set; }

    public IReadOnlyList<Parameter> Parameters => [Gamma, Beta];

    public Tensor Forward(Tensor x, bool training)
    {
        int n = x.Shape[0], plane = x.Shape[2] * x.Shape[3];
        if (x.Shape[1] != _channels)
        {
            throw new ArgumentException($"BatchNorm2d expects {_channels} channels.");
        }

        Tensor y = Tensor.Reuse(ref _y, x.Shape);
        float[] xs = x.Data;
        float[] ys = y.Data;

        if (!training)
        {
            Par.For(_channels, c =>
            {
                double inv = 1.0 / Math.Sqrt(RunningVar[c] + Eps);
                float scale = (float)(Gamma.Value[c] * inv);
                float shift = (float)(Beta.Value[c] - (RunningMean[c] * Gamma.Value[c] * inv));
                for (int s = 0; s < n; s++)
                {
                    int b = ((s * _channels) + c) * plane;
                    Kernels.ScaleShift(xs.AsSpan(b, plane), scale, shift, ys.AsSpan(b, plane));
                }
            });
            return y;
        }

        float[] xhat = Tensor.Ensure(ref _xhat, xs.Length);
        double count = (double)n * plane;
        Par.For(_channels, c =>
        {
            // Sums in double, in a fixed order over (sample, position).
            double sum = 0, sumSquares = 0;
            for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> xp = xs.AsSpan(((s * _channels) + c) * plane, plane);
                (double a, double b) = Kernels.SumAndDot(xp, xp);
                sum += a;
                sumSquares += b;
            }

            double mean = sum / count;
            double variance = Math.Max(0.0, (sumSquares / count) - (mean * mean));
            double inv = 1.0 / Math.Sqrt(variance + Eps);
            _invStd[c] = inv;
            for (int s = 0; s < n; s++)
            {
                int b = ((s * _channels) + c) * plane;
                Kernels.Normalize(xs.AsSpan(b, plane), (float)mean, (float)inv, Gamma.Value[c], Beta.Value[c], xhat.AsSpan(b, plane), ys.AsSpan(b, plane));
            }

            RunningMean[c] = (float)(((1 - Momentum) * RunningMean[c]) + (Momentum * mean));
            RunningVar[c] = (float)(((1 - Momentum) * RunningVar[c]) + (Momentum * variance * count / (count - 1)));
        });

        NumBatchesTracked++;
        return y;
    }

    public Tensor Backward(Tensor dy)
    {
        int n = dy.Shape[0], plane = dy.Shape[2] * dy.Shape[3];
        Tensor dx = Tensor.Reuse(ref _dx, dy.Shape);
        float[] g = dy.Data;
        float[] d = dx.Data;
        float[] xhat = _xhat;
        double count = (double)n * plane;
        Par.For(_channels, c =>
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int s = 0; s < n; s++)
            {
                int b = ((s * _channels) + c) * plane;
                (double a, double d) = Kernels.SumAndDot(g.AsSpan(b, plane), xhat.AsSpan(b, plane));
                sumDy += a;
                sumDyXhat += d;
            }

            Gamma.Grad[c] += (float)sumDyXhat;
            Beta.Grad[c] += (float)sumDy;

            // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), the batch-statistics gradient.
            float k = (float)(Gamma.Value[c] * _invStd[c]);
            float meanDy = (float)(sumDy / count);
            float meanDyXhat = (float)(sumDyXhat / count);
            for (int s = 0; s < n; s++)
            {
                int b = ((s * _channels) + c) * plane;
                Kernels.BatchNormInputGrad(g.AsSpan(b, plane), xhat.AsSpan(b, plane), meanDy, meanDyXhat, k, d.AsSpan(b, plane));
            }
        });

        return dx;
    }
}
