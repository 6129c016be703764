using System;
using System.Collections.Generic;

namespace MnistTrainer.Layers;

/// <summary>MaxPool2d(kernel 2, stride 2) on NCHW input with even H and W.</summary>
internal sealed class MaxPool2d : ILayer
{
    private int[] _argmax = [];
    private int[] _inShape = [];
    private Tensor? _y;
    private Tensor? _dx;

    public IReadOnlyList<Parameter> Parameters => [];

    public Tensor Forward(Tensor x, bool training)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        if (h % 2 != 0 || w % 2 != 0)
        {
            throw new ArgumentException("MaxPool2d(2) expects even height and width.");
        }

        int oh = h / 2, ow = w / 2;
        Tensor y = Tensor.Reuse(ref _y, n, c, oh, ow);
        if (_argmax.Length != y.Data.Length)
        {
            _argmax = new int[y.Data.Length];
        }

        _inShape = x.Shape;
        float[] xs = x.Data;
        float[] ys = y.Data;
        int[] arg = _argmax;
        Par.For(n * c, plane =>
        {
            int inBase = plane * h * w;
            int outBase = plane * oh * ow;
            for (int oy = 0; oy < oh; oy++)
            {
                int top = inBase + (2 * oy * w);
                ReadOnlySpan<float> upper = xs.AsSpan(top, w);
                ReadOnlySpan<float> lower = xs.AsSpan(top + w, w);
                Span<float> yRow = ys.AsSpan(outBase + (oy * ow), ow);
                Span<int> argRow = arg.AsSpan(outBase + (oy * ow), ow);
                for (int ox = 0; ox < ow; ox++)
                {
                    // Scan the window row by row; strict '>' keeps the first maximum, as PyTorch does.
                    int i = 2 * ox;
                    float best = upper[i];
                    int at = top + i;
                    if (upper[i + 1] > best)
                    {
                        best = upper[i + 1];
                        at = top + i + 1;
                    }

                    if (lower[i] > best)
                    {
                        best = lower[i];
                        at = top + w + i;
                    }

                    if (lower[i + 1] > best)
                    {
                        best = lower[i + 1];
                        at = top + w + i + 1;
                    }

                    yRow[ox] = best;
                    argRow[ox] = at;
                }
            }
        });

        return y;
    }

    public Tensor Backward(Tensor dy)
    {
        Tensor dx = Tensor.Reuse(ref _dx, _inShape);
        Array.Clear(dx.Data);
        float[] g = dy.Data;
        float[] d = dx.Data;

        // Windows do not overlap, so each input receives at most one gradient.
        for (int i = 0; i < g.Length; i++)
        {
            d[_argmax[i]] = g[i];
        }

        return dx;
    }
}
