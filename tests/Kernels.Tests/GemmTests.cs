using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>PackedGemm at every vector width against a double-precision product: A packed in panels of 6 rows by the
/// build's encoder, B's rows read through an offsets table (stored in reverse order, misaligned, with a gap between
/// rows), C with a row stride. Shapes end in every tail of every microkernel (m around the panel of 6, n around 4, 8,
/// 16, 32 and 64 columns; k around 64); panel ranges cover a subset of the rows, and every other element of C (rows outside the range,
/// the columns between n and the stride, the guards) must keep its value.</summary>
public class GemmTests
{
    /// <summary>Relative to the sum of the terms' magnitudes plus the result's (float accumulation, then a float activation).</summary>
    private const double Tolerance = 1e-5;

    private const float Alpha = 0.125f;

    /// <summary>What C holds before the call: a finite value no activation maps to itself.</summary>
    private const float Untouched = -3.5f;

    private const int PanelRows = Kernels.GemmPanelRows;

    private static readonly int[] Ms = [1, 5, 6, 7, 13];

    private static readonly int[] Ns = [1, 3, 15, 16, 17, 32, 63, 64, 65, 112, 130];

    private static readonly int[] Ks = [1, 2, 9, 64, 65, 100, 129];

    public static TheoryData<string, int> ProductCases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string width in Matrix.Widths)
            {
                foreach (int n in Ns)
                {
                    data.Add(width, n);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> Widths => new(Matrix.Widths);

    public static TheoryData<string, string> ActivationCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string width in Matrix.Widths)
            {
                foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
                {
                    data.Add(width, kind.ToString());
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProductCases))]
    public void PackedGemm_IsTheProduct(string width, int n)
    {
        foreach (int m in Ms)
        {
            foreach (int k in Ks)
            {
                var p = new Problem(3000 + (ulong)((m * 100000) + (n * 1000) + k), m, n, k, bias: true);
                Guarded c = Output(m, n, n);
                string what = $"PackedGemm width={width} m={m} n={n} k={k}";

                Kernels.PackedGemm(p.A.Span, p.B.Span, p.Offsets, c.Span, n, p.Bias.Span, m, n, k, ActivationKind.None, 0f, 0, Panels(m), Matrix.Width(width));

                p.Check(what, c, n, 0, Panels(m), ActivationKind.None);
            }
        }
    }

    /// <summary>A panel range computes its rows only: rows of other panels (another worker's) and the columns between n
    /// and the row stride keep their values, and the activation does not run over them.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void PackedGemm_ComputesOnlyItsPanels_WithARowStride(string width)
    {
        // 4 panels (6, 6, 6, 2 rows); 95 columns = 64 + 16 + 8 + 4 + 3 reach every microkernel at every width; a depth
        // of 130 as well as 9.
        const int M = 20, N = 95, Ldc = 101;
        foreach ((int start, int end, int K) in new[] { (0, 4, 9), (1, 3, 9), (3, 4, 9), (0, 1, 9), (2, 2, 9), (1, 3, 130), (3, 4, 130) })
        {
            var p = new Problem(3100 + (ulong)K, M, N, K, bias: true);
            foreach (ActivationKind kind in new[] { ActivationKind.None, ActivationKind.ReLU })
            {
                Guarded c = Output(M, N, Ldc);
                string what = $"PackedGemm {kind} width={width} m={M} n={N} k={K} ldc={Ldc} panels [{start}, {end})";

                Kernels.PackedGemm(p.A.Span, p.B.Span, p.Offsets, c.Span, Ldc, p.Bias.Span, M, N, K, kind, Alpha, start, end, Matrix.Width(width));

                p.Check(what, c, Ldc, start, end, kind);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ActivationCases))]
    public void PackedGemm_AppliesTheActivation(string width, string kind)
    {
        // B in [-4, 4]: sums reach past ReLU6's 6 and HardSwish's ±3; 37 columns = 2·16 + 4 + 1.
        const int M = 7, N = 37, K = 9, Ldc = 40;
        ActivationKind activation = Enum.Parse<ActivationKind>(kind);
        foreach (bool bias in new[] { true, false })
        {
            var p = new Problem(3200, M, N, K, bias, bMin: -4f, bMax: 4f);
            Guarded c = Output(M, N, Ldc);
            string what = $"PackedGemm {kind} width={width} m={M} n={N} k={K} bias={bias}";

            Kernels.PackedGemm(p.A.Span, p.B.Span, p.Offsets, c.Span, Ldc, p.Bias.Span, M, N, K, activation, Alpha, 0, Panels(M), Matrix.Width(width));

            p.Check(what, c, Ldc, 0, Panels(M), activation);
        }
    }

    /// <summary>The implicit im2col of the convolutions: B's rows are overlapping windows of one signal (row p starts at
    /// p·dilation), so C is a 1-D convolution of it.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void PackedGemm_ReadsOverlappingWindowsThroughTheOffsets(string width)
    {
        const int M = 8, N = 70, K = 5, Dilation = 2;
        var random = new Seeded(3300);
        float[] weights = random.Floats(M * K);
        float[] signal = random.Floats(N + ((K - 1) * Dilation));
        int[] offsets = new int[K];
        for (int p = 0; p < K; p++)
        {
            offsets[p] = p * Dilation;
        }

        Guarded c = Output(M, N, N);
        Kernels.PackedGemm(
            new Guarded(Packing.Panels(weights, M, K, PanelRows)).Span, new Guarded(signal).Span, offsets, c.Span, N, default,
            M, N, K, ActivationKind.None, 0f, 0, Panels(M), Matrix.Width(width));

        double[] expected = new double[M * N], scale = new double[M * N];
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < N; j++)
            {
                for (int p = 0; p < K; p++)
                {
                    double term = (double)weights[(i * K) + p] * signal[j + (p * Dilation)];
                    expected[(i * N) + j] += term;
                    scale[(i * N) + j] += Math.Abs(term);
                }
            }
        }

        string what = $"PackedGemm (overlapping windows) width={width}";
        Expect.Close(what, expected, c.Span, Tolerance, scale);
        c.AssertGuardsIntact(what);
    }

    [Fact]
    public void PackedGemm_RefusesWhatIsTooShort()
    {
        const int M = 7, N = 5, K = 3, Ldc = 8;
        float[] a = new float[Panels(M) * K * PanelRows], b = new float[K * N];
        int[] offsets = [0, N, 2 * N];
        float[] c = new float[((M - 1) * Ldc) + N];

        // Exactly long enough: fine.
        Kernels.PackedGemm(a, b, offsets, c, Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M), VectorWidth.Scalar);

        Assert.Throws<ArgumentException>(() => Kernels.PackedGemm(a.AsSpan(1), b, offsets, c, Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M), VectorWidth.Scalar));
        Assert.Throws<ArgumentException>(() => Kernels.PackedGemm(a, b, offsets.AsSpan(1), c, Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M), VectorWidth.Scalar));
        Assert.Throws<ArgumentException>(() => Kernels.PackedGemm(a, b, offsets, c.AsSpan(1), Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M), VectorWidth.Scalar));
        Assert.Throws<ArgumentException>("rowOffsets", () => Kernels.PackedGemm(a, b, [0, N, (2 * N) + 1], c, Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M), VectorWidth.Scalar));
        Assert.Throws<ArgumentException>("rowOffsets", () => Kernels.PackedGemm(a, b, [0, -1, N], c, Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M), VectorWidth.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>("panelEnd", () => Kernels.PackedGemm(a, b, offsets, c, Ldc, default, M, N, K, ActivationKind.None, 0f, 0, Panels(M) + 1, VectorWidth.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>("panelEnd", () => Kernels.PackedGemm(a, b, offsets, c, Ldc, default, M, N, K, ActivationKind.None, 0f, -1, 1, VectorWidth.Scalar));
    }

    private static int Panels(int m) => (m + PanelRows - 1) / PanelRows;

    /// <summary>C for m rows of n values, <paramref name="ldc"/> apart: exactly the (m - 1)·ldc + n floats the kernel may
    /// touch, all <see cref="Untouched"/>, guarded.</summary>
    private static Guarded Output(int m, int n, int ldc)
    {
        float[] values = new float[((m - 1) * ldc) + n];
        values.AsSpan().Fill(Untouched);
        return new Guarded(values);
    }

    private static void AssertUntouched(string what, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(values[i] == Untouched, $"{what}: element {i} is {values[i]:R}, should be untouched");
        }
    }

    /// <summary>One product: A (m×k) packed, B's k rows of n floats stored in reverse order one float into the buffer and
    /// n + 3 floats apart (the gaps hold a large value, so a read outside a row shows), the offsets table, the bias.</summary>
    private sealed class Problem
    {
        private const float Gap = 1000f;
        private readonly float[] _a, _b;
        private readonly int _m, _n, _k;

        public Problem(ulong seed, int m, int n, int k, bool bias, float bMin = -1f, float bMax = 1f)
        {
            var random = new Seeded(seed);
            (_m, _n, _k) = (m, n, k);
            _a = random.Floats(m * k);
            _b = random.Floats(k * n, bMin, bMax);
            A = new Guarded(Packing.Panels(_a, m, k, PanelRows));
            int ldb = n + 3;
            float[] buffer = new float[1 + (k * ldb)];
            buffer.AsSpan().Fill(Gap);
            Offsets = new int[k];
            for (int p = 0; p < k; p++)
            {
                Offsets[p] = 1 + ((k - 1 - p) * ldb);
                _b.AsSpan(p * n, n).CopyTo(buffer.AsSpan(Offsets[p]));
            }

            B = new Guarded(buffer);
            Bias = new Guarded(bias ? random.Floats(m) : []);
        }

        public Guarded A { get; }

        public Guarded B { get; }

        public int[] Offsets { get; }

        public Guarded Bias { get; }

        /// <summary>Rows of the panels [start, end) hold activation(A·B + bias); every other element of C is untouched.</summary>
        public void Check(string what, Guarded c, int ldc, int start, int end, ActivationKind kind)
        {
            int first = Math.Min(_m, start * PanelRows), last = Math.Min(_m, end * PanelRows);
            Span<float> values = c.Span;
            double[] expected = new double[_n], scale = new double[_n];
            for (int i = 0; i < _m; i++)
            {
                Span<float> row = values.Slice(i * ldc, _n);
                if (i >= first && i < last)
                {
                    for (int j = 0; j < _n; j++)
                    {
                        double sum = Bias.Length == 0 ? 0 : Bias.Span[i], magnitude = Math.Abs(sum);
                        for (int p = 0; p < _k; p++)
                        {
                            double term = (double)_a[(i * _k) + p] * _b[(p * _n) + j];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        expected[j] = ActivationReference.Apply(kind, sum, Alpha);
                        scale[j] = magnitude + Math.Abs(expected[j]);
                    }

                    Expect.Close($"{what}: row {i}", expected, row, Tolerance, scale);
                }
                else
                {
                    AssertUntouched($"{what}: row {i} (outside the panels)", row);
                }

                if (i < _m - 1)
                {
                    AssertUntouched($"{what}: row {i} (between n and ldc)", values.Slice((i * ldc) + _n, ldc - _n));
                }
            }

            c.AssertGuardsIntact(what);
        }
    }
}
