using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MnistTrainer;

/// <summary>
/// The inner loops, SIMD-accelerated. Every kernel is element-wise "acc[i] = acc[i] + a * x[i]"
/// (no horizontal sums), with a separate multiply and add in both the vector and scalar paths.
/// Each output element therefore sees the same operations in the same order whatever the
/// vector width, so results are bit-identical on any CPU.
/// </summary>
internal static class Kernels
{
    /// <summary>y[i] += a * x[i] for i in [0, y.Length).</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        x = x[..y.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(a);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int k = 0; k < yv.Length; k++)
            {
                yv[k] += va * xv[k];
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>y[i] += x[i].</summary>
    public static void Add(ReadOnlySpan<float> x, Span<float> y)
    {
        x = x[..y.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int k = 0; k < yv.Length; k++)
            {
                yv[k] += xv[k];
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            y[i] += x[i];
        }
    }

    /// <summary>
    /// 3x3 correlation on a zero-padded plane stored with row stride <paramref name="stride"/>:
    /// acc[q] += sum over taps t = 3*ky + kx (in that order) of w[t] * src[q + ky*stride + kx].
    /// The output uses the same stride as the padded input, so one contiguous loop covers the
    /// whole plane; the two extra columns per row are junk that callers drop.
    /// Requires src.Length >= acc.Length + 2*stride + 2.
    /// </summary>
    public static void Conv3x3Accumulate(Span<float> acc, ReadOnlySpan<float> src, ReadOnlySpan<float> w, int stride)
    {
        int n = acc.Length;
        ReadOnlySpan<float> s0 = src.Slice(0, n);
        ReadOnlySpan<float> s1 = src.Slice(1, n);
        ReadOnlySpan<float> s2 = src.Slice(2, n);
        ReadOnlySpan<float> s3 = src.Slice(stride, n);
        ReadOnlySpan<float> s4 = src.Slice(stride + 1, n);
        ReadOnlySpan<float> s5 = src.Slice(stride + 2, n);
        ReadOnlySpan<float> s6 = src.Slice(2 * stride, n);
        ReadOnlySpan<float> s7 = src.Slice((2 * stride) + 1, n);
        ReadOnlySpan<float> s8 = src.Slice((2 * stride) + 2, n);
        float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6], w7 = w[7], w8 = w[8];

        int q = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var v0 = new Vector<float>(w0);
            var v1 = new Vector<float>(w1);
            var v2 = new Vector<float>(w2);
            var v3 = new Vector<float>(w3);
            var v4 = new Vector<float>(w4);
            var v5 = new Vector<float>(w5);
            var v6 = new Vector<float>(w6);
            var v7 = new Vector<float>(w7);
            var v8 = new Vector<float>(w8);
            for (; q <= n - width; q += width)
            {
                Vector<float> a = new Vector<float>(acc.Slice(q, width));
                a += v0 * new Vector<float>(s0.Slice(q, width));
                a += v1 * new Vector<float>(s1.Slice(q, width));
                a += v2 * new Vector<float>(s2.Slice(q, width));
                a += v3 * new Vector<float>(s3.Slice(q, width));
                a += v4 * new Vector<float>(s4.Slice(q, width));
                a += v5 * new Vector<float>(s5.Slice(q, width));
                a += v6 * new Vector<float>(s6.Slice(q, width));
                a += v7 * new Vector<float>(s7.Slice(q, width));
                a += v8 * new Vector<float>(s8.Slice(q, width));
                a.CopyTo(acc.Slice(q, width));
            }
        }

        for (; q < n; q++)
        {
            float a = acc[q];
            a += w0 * s0[q];
            a += w1 * s1[q];
            a += w2 * s2[q];
            a += w3 * s3[q];
            a += w4 * s4[q];
            a += w5 * s5[q];
            a += w6 * s6[q];
            a += w7 * s7[q];
            a += w8 * s8[q];
            acc[q] = a;
        }
    }

    /// <summary>y[i] = x[i] > 0 ? x[i] : 0.</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => MaskPositive(x, x, y);

    /// <summary>y[i] = mask[i] > 0 ? x[i] : 0 (ReLU forward with mask = x, backward with mask = output).</summary>
    public static void MaskPositive(ReadOnlySpan<float> mask, ReadOnlySpan<float> x, Span<float> y)
    {
        mask = mask[..y.Length];
        x = x[..y.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> mv = MemoryMarshal.Cast<float, Vector<float>>(mask);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int k = 0; k < yv.Length; k++)
            {
                yv[k] = Vector.ConditionalSelect(Vector.GreaterThan(mv[k], Vector<float>.Zero), xv[k], Vector<float>.Zero);
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            y[i] = mask[i] > 0f ? x[i] : 0f;
        }
    }

    /// <summary>xhat[i] = (x[i] - shift) * scale and y[i] = xhat[i] * gamma + beta (BatchNorm forward).</summary>
    public static void Normalize(ReadOnlySpan<float> x, float shift, float scale, float gamma, float beta, Span<float> xhat, Span<float> y)
    {
        x = x[..y.Length];
        xhat = xhat[..y.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vShift = new Vector<float>(shift);
            var vScale = new Vector<float>(scale);
            var vGamma = new Vector<float>(gamma);
            var vBeta = new Vector<float>(beta);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> hv = MemoryMarshal.Cast<float, Vector<float>>(xhat);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int k = 0; k < yv.Length; k++)
            {
                Vector<float> h = (xv[k] - vShift) * vScale;
                hv[k] = h;
                yv[k] = (h * vGamma) + vBeta;
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            float h = (x[i] - shift) * scale;
            xhat[i] = h;
            y[i] = (h * gamma) + beta;
        }
    }

    /// <summary>y[i] = x[i] * scale + shift.</summary>
    public static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> y)
    {
        x = x[..y.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vScale = new Vector<float>(scale);
            var vShift = new Vector<float>(shift);
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int k = 0; k < yv.Length; k++)
            {
                yv[k] = (xv[k] * vScale) + vShift;
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            y[i] = (x[i] * scale) + shift;
        }
    }

    /// <summary>dx[i] = (dy[i] - meanDy - xhat[i] * meanDyXhat) * k (BatchNorm backward).</summary>
    public static void BatchNormInputGrad(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, float meanDy, float meanDyXhat, float k, Span<float> dx)
    {
        dy = dy[..dx.Length];
        xhat = xhat[..dx.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vA = new Vector<float>(meanDy);
            var vB = new Vector<float>(meanDyXhat);
            var vK = new Vector<float>(k);
            ReadOnlySpan<Vector<float>> gv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            ReadOnlySpan<Vector<float>> hv = MemoryMarshal.Cast<float, Vector<float>>(xhat);
            Span<Vector<float>> dv = MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int j = 0; j < dv.Length; j++)
            {
                dv[j] = (gv[j] - vA - (hv[j] * vB)) * vK;
            }

            i = dv.Length * Vector<float>.Count;
        }

        for (; i < dx.Length; i++)
        {
            dx[i] = (dy[i] - meanDy - (xhat[i] * meanDyXhat)) * k;
        }
    }

    /// <summary>
    /// Sum of a[i] and of a[i] * b[i] in double, with four interleaved accumulators: a fixed
    /// order (so deterministic) that still lets the CPU overlap the additions.
    /// </summary>
    public static (double Sum, double Dot) SumAndDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        b = b[..a.Length];
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        int i = 0;
        for (; i <= a.Length - 4; i += 4)
        {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            d0 += (double)a[i] * b[i];
            d1 += (double)a[i + 1] * b[i + 1];
            d2 += (double)a[i + 2] * b[i + 2];
            d3 += (double)a[i + 3] * b[i + 3];
        }

        for (; i < a.Length; i++)
        {
            s0 += a[i];
            d0 += (double)a[i] * b[i];
        }

        return ((s0 + s1) + (s2 + s3), (d0 + d1) + (d2 + d3));
    }
}
