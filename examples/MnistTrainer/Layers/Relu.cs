using System;
using System.Collections.Generic;

namespace MnistTrainer.Layers;

internal sealed class Relu : ILayer
{
    private Tensor? _y;
    private Tensor? _dx;

    public IReadOnlyList<Parameter> Parameters => [];

    public Tensor Forward(Tensor x, bool training)
    {
        Tensor y = Tensor.Reuse(ref _y, x.Shape);
        float[] xs = x.Data;
        float[] ys = y.Data;
        for (int i = 0; i < xs.Length; i++)
        {
            ys[i] = xs[i] > 0f ? xs[i] : 0f;
        }

        return y;
    }

    public Tensor Backward(Tensor dy)
    {
        Tensor y = _y ?? throw new InvalidOperationException("Backward before Forward.");
        Tensor dx = Tensor.Reuse(ref _dx, dy.Shape);
        float[] ys = y.Data;
        float[] g = dy.Data;
        float[] d = dx.Data;

        // Like PyTorch: gradient passes where the output is positive, zero at x <= 0.
        for (int i = 0; i < g.Length; i++)
        {
            d[i] = ys[i] > 0f ? g[i] : 0f;
        }

        return dx;
    }
}
