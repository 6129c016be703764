using System;
using System.Collections.Generic;

namespace MnistTrainer.Layers;

/// <summary>
/// Fully connected layer y = x W^T + b, weight stored [out, in] like torch.nn.Linear.
/// </summary>
internal sealed class Linear : ILayer
{
    private readonly int _in;
    private readonly int _out;
    private readonly bool _inputGrad;
    private readonly float[] _weightT;
    private Tensor? _x;
    private Tensor? _y;
    private Tensor? _dx;

    /// <param name="name">state_dict prefix, e.g. "fc1".</param>
    /// <param name="reluAfter">true when a ReLU follows (He init), false for the logits layer.</param>
    /// <param name="inputGrad">false for the first layer, whose input gradient nobody needs.</param>
    public Linear(string name, int inFeatures, int outFeatures, bool reluAfter, bool inputGrad, Rng rng)
    {
        _in = inFeatures;
        _out = outFeatures;
        _inputGrad = inputGrad;
        Weight = new Parameter(name + ".weight", [outFeatures, inFeatures], weightDecay: true);
        Bias = new Parameter(name + ".bias", [outFeatures], weightDecay: false);
        if (reluAfter)
        {
            Init.HeUniform(Weight.Value, inFeatures, rng);
        }
        else
        {
            Init.LeCunUniform(Weight.Value, inFeatures, rng);
        }

        _weightT = new float[inFeatures * outFeatures];
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public IReadOnlyList<Parameter> Parameters => [Weight, Bias];

    public Tensor Forward(Tensor x, bool training)
    {
        if (x.Shape.Length != 2 || x.Shape[1] != _in)
        {
            throw new ArgumentException($"Linear expects [N, {_in}].");
        }

        _x = x;
        int n = x.N;
        Tensor y = Tensor.Reuse(ref _y, n, _out);

        // W^T makes y[n, :] a sum of rows scaled by x[n, i]: contiguous SIMD, no horizontal sums.
        float[] w = Weight.Value;
        for (int o = 0; o < _out; o++)
        {
            for (int i = 0; i < _in; i++)
            {
                _weightT[(i * _out) + o] = w[(o * _in) + i];
            }
        }

        float[] xs = x.Data;
        float[] ys = y.Data;
        float[] b = Bias.Value;
        Par.For(n, s =>
        {
            Span<float> row = ys.AsSpan(s * _out, _out);
            row.Clear();
            for (int i = 0; i < _in; i++)
            {
                float xi = xs[(s * _in) + i];
                if (xi != 0f)
                {
                    // MNIST inputs are mostly zero; skipping them is exact and much faster.
                    Kernels.Axpy(xi, _weightT.AsSpan(i * _out, _out), row);
                }
            }

            Kernels.Add(b, row);
        });

        return y;
    }

    public Tensor? Backward(Tensor dy)
    {
        Tensor x = _x ?? throw new InvalidOperationException("Backward before Forward.");
        int n = x.N;
        float[] xs = x.Data;
        float[] g = dy.Data;

        // dW[o, :] = sum over samples (in order) of dy[s, o] * x[s, :]; one row per work item.
        float[] dw = Weight.Grad;
        Par.For(_out, o =>
        {
            Span<float> row = dw.AsSpan(o * _in, _in);
            for (int s = 0; s < n; s++)
            {
                float gs = g[(s * _out) + o];
                if (gs != 0f)
                {
                    Kernels.Axpy(gs, xs.AsSpan(s * _in, _in), row);
                }
            }
        });

        float[] db = Bias.Grad;
        for (int s = 0; s < n; s++)
        {
            Kernels.Add(g.AsSpan(s * _out, _out), db);
        }

        if (!_inputGrad)
        {
            return null;
        }

        // dx[s, :] = sum over o of dy[s, o] * W[o, :].
        Tensor dx = Tensor.Reuse(ref _dx, n, _in);
        float[] dxs = dx.Data;
        float[] w = Weight.Value;
        Par.For(n, s =>
        {
            Span<float> row = dxs.AsSpan(s * _in, _in);
            row.Clear();
            for (int o = 0; o < _out; o++)
            {
                float gs = g[(s * _out) + o];
                if (gs != 0f)
                {
                    Kernels.Axpy(gs, w.AsSpan(o * _in, _in), row);
                }
            }
        });

        return dx;
    }
}
