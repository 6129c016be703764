using System;
using System.Collections.Generic;

namespace MnistTrainer.Layers;

/// <summary>
/// Conv2d(cin, cout, kernel 3, stride 1, padding 1, bias=False) on NCHW input,
/// weight [cout, cin, 3, 3] like torch.nn.Conv2d.
/// </summary>
/// <remarks>
/// Planes are zero-padded to (H+2) x (W+2) and processed with the padded row stride, so each
/// (output, input) channel pair is one contiguous SIMD loop (<see cref="Kernels.Conv3x3Accumulate"/>).
/// Per-sample work runs in parallel; the weight gradient is summed over samples in sample order.
/// </remarks>
internal sealed class Conv2d : ILayer
{
    private const int Taps = 9;

    private readonly int _cin;
    private readonly int _cout;
    private readonly bool _inputGrad;
    private readonly float[] _flipped;
    private Tensor? _x;
    private Tensor? _y;
    private Tensor? _dx;

    // Scratch, one slice per sample so samples can run on any thread.
    private float[] _xPad = [];
    private float[] _yWide = [];
    private float[] _dyPad = [];
    private float[] _dxWide = [];
    private float[] _cols = [];
    private float[] _dwPerSample = [];

    public Conv2d(string name, int inChannels, int outChannels, bool inputGrad, Rng rng)
    {
        _cin = inChannels;
        _cout = outChannels;
        _inputGrad = inputGrad;
        Weight = new Parameter(name + ".weight", [outChannels, inChannels, 3, 3], weightDecay: true);
        Init.HeUniform(Weight.Value, inChannels * Taps, rng);
        _flipped = new float[Weight.Value.Length];
    }

    public Parameter Weight { get; }

    public IReadOnlyList<Parameter> Parameters => [Weight];

    public Tensor Forward(Tensor x, bool training)
    {
        if (x.Shape.Length != 4 || x.Shape[1] != _cin)
        {
            throw new ArgumentException($"Conv2d expects [N, {_cin}, H, W].");
        }

        _x = x;
        int n = x.Shape[0], h = x.Shape[2], w = x.Shape[3];
        var g = new Geometry(h, w);
        Tensor y = Tensor.Reuse(ref _y, n, _cout, h, w);
        float[] xPad = Tensor.Ensure(ref _xPad, n * _cin * g.Plane);
        float[] yWide = Tensor.Ensure(ref _yWide, n * _cout * g.Wide);
        float[] weight = Weight.Value;

        Par.For(n, s =>
        {
            Pad(x.Data, s * _cin * h * w, _cin, g, xPad, s * _cin * g.Plane);
            Span<float> acc = yWide.AsSpan(s * _cout * g.Wide, _cout * g.Wide);
            acc.Clear();
            for (int o = 0; o < _cout; o++)
            {
                for (int c = 0; c < _cin; c++)
                {
                    Kernels.Conv3x3Accumulate(
                        acc.Slice(o * g.Wide, g.Wide),
                        xPad.AsSpan((s * _cin * g.Plane) + (c * g.Plane), g.Plane),
                        weight.AsSpan(((o * _cin) + c) * Taps, Taps),
                        g.Stride);
                }
            }

            Unpad(acc, _cout, g, y.Data, s * _cout * h * w);
        });

        return y;
    }

    public Tensor? Backward(Tensor dy)
    {
        Tensor x = _x ?? throw new InvalidOperationException("Backward before Forward.");
        int n = x.Shape[0], h = x.Shape[2], w = x.Shape[3];
        var g = new Geometry(h, w);
        int k = _cin * Taps;       // length of one im2col row
        int positions = h * w;
        float[] xPad = _xPad;
        float[] cols = Tensor.Ensure(ref _cols, n * positions * k);
        float[] dwPerSample = Tensor.Ensure(ref _dwPerSample, n * _cout * k);
        float[] dyData = dy.Data;

        Tensor? dx = null;
        float[] dyPad = _dyPad;
        float[] dxWide = _dxWide;
        if (_inputGrad)
        {
            dx = Tensor.Reuse(ref _dx, x.Shape);
            dyPad = Tensor.Ensure(ref _dyPad, n * _cout * g.Plane);
            dxWide = Tensor.Ensure(ref _dxWide, n * _cin * g.Wide);

            // dx is a full correlation of dy with the kernel rotated by 180 degrees:
            // tap (ky, kx) of the flipped kernel is tap (2 - ky, 2 - kx), i.e. index 8 - t.
            float[] wt = Weight.Value;
            for (int oc = 0; oc < _cout * _cin; oc++)
            {
                for (int t = 0; t < Taps; t++)
                {
                    _flipped[(oc * Taps) + t] = wt[(oc * Taps) + (Taps - 1 - t)];
                }
            }
        }

        Par.For(n, s =>
        {
            if (dx is not null)
            {
                Pad(dyData, s * _cout * positions, _cout, g, dyPad, s * _cout * g.Plane);
                Span<float> acc = dxWide.AsSpan(s * _cin * g.Wide, _cin * g.Wide);
                acc.Clear();
                for (int c = 0; c < _cin; c++)
                {
                    for (int o = 0; o < _cout; o++)
                    {
                        Kernels.Conv3x3Accumulate(
                            acc.Slice(c * g.Wide, g.Wide),
                            dyPad.AsSpan((s * _cout * g.Plane) + (o * g.Plane), g.Plane),
                            _flipped.AsSpan(((o * _cin) + c) * Taps, Taps),
                            g.Stride);
                    }
                }

                Unpad(acc, _cin, g, dx.Data, s * _cin * positions);
            }

            // Weight gradient via im2col: dW[o, :] += dy[o, p] * cols[p, :], where row p holds
            // the 3x3 patches (all input channels) seen by output position p.
            Span<float> col = cols.AsSpan(s * positions * k, positions * k);
            int padBase = s * _cin * g.Plane;
            for (int yy = 0; yy < h; yy++)
            {
                for (int xx = 0; xx < w; xx++)
                {
                    Span<float> row = col.Slice(((yy * w) + xx) * k, k);
                    for (int c = 0; c < _cin; c++)
                    {
                        int src = padBase + (c * g.Plane) + (yy * g.Stride) + xx;
                        for (int ky = 0; ky < 3; ky++)
                        {
                            for (int kx = 0; kx < 3; kx++)
                            {
                                row[(c * Taps) + (ky * 3) + kx] = xPad[src + (ky * g.Stride) + kx];
                            }
                        }
                    }
                }
            }

            Span<float> dw = dwPerSample.AsSpan(s * _cout * k, _cout * k);
            dw.Clear();
            for (int o = 0; o < _cout; o++)
            {
                Span<float> dwRow = dw.Slice(o * k, k);
                int dyBase = (s * _cout * positions) + (o * positions);
                for (int p = 0; p < positions; p++)
                {
                    float gp = dyData[dyBase + p];
                    if (gp != 0f)
                    {
                        Kernels.Axpy(gp, col.Slice(p * k, k), dwRow);
                    }
                }
            }
        });

        // Fixed summation order over samples keeps the result independent of thread scheduling.
        for (int s = 0; s < n; s++)
        {
            Kernels.Add(dwPerSample.AsSpan(s * _cout * k, _cout * k), Weight.Grad);
        }

        return dx;
    }

    /// <summary>Copies <paramref name="channels"/> planes of h x w into zero-padded (h+2) x (w+2) planes.</summary>
    private static void Pad(float[] src, int srcOffset, int channels, Geometry g, float[] dst, int dstOffset)
    {
        Span<float> d = dst.AsSpan(dstOffset, channels * g.Plane);
        d.Clear();
        for (int c = 0; c < channels; c++)
        {
            for (int yy = 0; yy < g.H; yy++)
            {
                src.AsSpan(srcOffset + (((c * g.H) + yy) * g.W), g.W)
                    .CopyTo(d.Slice((c * g.Plane) + ((yy + 1) * g.Stride) + 1, g.W));
            }
        }
    }

    /// <summary>Drops the two junk columns per row of the stride-(w+2) result.</summary>
    private static void Unpad(ReadOnlySpan<float> wide, int channels, Geometry g, float[] dst, int dstOffset)
    {
        for (int c = 0; c < channels; c++)
        {
            for (int yy = 0; yy < g.H; yy++)
            {
                wide.Slice((c * g.Wide) + (yy * g.Stride), g.W)
                    .CopyTo(dst.AsSpan(dstOffset + (((c * g.H) + yy) * g.W), g.W));
            }
        }
    }

    /// <summary>Sizes of the padded layout for an h x w plane.</summary>
    private readonly struct Geometry(int h, int w)
    {
        public int H { get; } = h;

        public int W { get; } = w;

        /// <summary>Row stride of padded planes and of the "wide" results.</summary>
        public int Stride { get; } = w + 2;

        /// <summary>Elements in one padded plane.</summary>
        public int Plane { get; } = (h + 2) * (w + 2);

        /// <summary>Elements of a wide result up to its last valid pixel; reading 2 rows + 2 below it stays inside a plane.</summary>
        public int Wide { get; } = ((h - 1) * (w + 2)) + w;
    }
}
