using System;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Tests.Weights;

/// <summary>The "winograd" layout: U = G·g·Gᵀ of every 3×3 filter, by hand for one filter; the frequency-major, panel-laid
/// placement; decoding back to the filters by least squares; rounding once from the program's double values; and
/// the encodings it refuses.</summary>
public sealed class WinogradEncodingTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void OneFilterOfOnes_IsTheOuterProductOfGsRowSums(int tile)
    {
        // g = all ones: G·g·Gᵀ = (G·1)(G·1)ᵀ, and G·1 is G's row sums. F(2): G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
        // F(4): G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1].
        double[] sums = tile == 2 ? [1, 1.5, 0.5, 1] : [0.25, -0.5, -1.0 / 6, 7.0 / 24, 3.0 / 24, 1];
        var program = new Encode(new LoadTensor("w", EquatableArray.Create(1, 1, 3, 3)), DataType.F32, WeightLayouts.WinogradOf(tile, 6));
        float[] packed = Floats(WeightProgramRunner.Pack(program, _ => Enumerable.Repeat(1f, 9).ToArray()));

        // One output channel, padded to a panel of 6 rows, one input channel: 6 floats per frequency, the first is U.
        int n = tile + 2;
        Assert.Equal(n * n * 6, packed.Length);
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                int f = (a * n) + b;
                Assert.Equal((float)(sums[a] * sums[b]), packed[f * 6]);
                Assert.Equal([0f, 0, 0, 0, 0], packed[((f * 6) + 1)..((f * 6) + 6)]);
            }
        }
    }

    [Fact]
    public void Frequencies_AreMatricesLaidOutInPanels_OneAfterAnother()
    {
        // [7, 2, 3, 3] in panels of 6: 2 panels (rows 7..11 zero) × 2 inputs × 6 = 24 floats per frequency, 36 frequencies.
        float[] g = new Rng(3).Uniform(7 * 2 * 9, -1, 1);
        var program = new Encode(new LoadTensor("w", EquatableArray.Create(7, 2, 3, 3)), DataType.F32, WeightLayouts.WinogradOf(4, 6));
        float[] packed = Floats(WeightProgramRunner.Pack(program, _ => g));

        Assert.Equal(36 * 24 * 4, program.Bytes);
        Assert.Equal(36 * 24, packed.Length);
        double[] canonical = g.Select(v => (double)v).ToArray();
        for (int o = 0; o < 12; o++)
        {
            for (int i = 0; i < 2; i++)
            {
                double[] u = o < 7 ? WinogradFilter.Transform(4, canonical, ((o * 2) + i) * 9) : new double[36];
                for (int f = 0; f < 36; f++)
                {
                    // Frequency f, panel o / 6, input i, row o % 6.
                    Assert.Equal((float)u[f], packed[(f * 24) + ((((o / 6) * 2) + i) * 6) + (o % 6)]);
                }
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Decode_RecoversTheFilters_ByLeastSquares(int tile)
    {
        float[] g = new Rng((ulong)(10 + tile)).Uniform(5 * 3 * 9, -1, 1);
        var program = new Encode(new LoadTensor("w", EquatableArray.Create(5, 3, 3, 3)), DataType.F32, WeightLayouts.WinogradOf(tile, 6));
        byte[] packed = WeightProgramRunner.Pack(program, _ => g);

        // Every U element is a float rounding of the exact transform (relative error below 6e-8), which the
        // pseudo-inverse maps back with a gain of a few units; the largest error measured here, for both tiles, was
        // 6.0e-8, the last rounding of the decoded values to float.
        float[] decoded = WeightProgramRunner.Decode(program, packed, 0);
        Assert.Equal(g.Length, decoded.Length);
        for (int k = 0; k < g.Length; k++)
        {
            Assert.True(Math.Abs(decoded[k] - g[k]) <= 1e-6, $"F({tile}) element {k}: {g[k]:R} decoded as {decoded[k]:R}");
        }

        // From inside a larger block, at the tensor's offset.
        byte[] block = new byte[64 + packed.Length];
        packed.CopyTo(block, 64);
        Assert.Equal(decoded, WeightProgramRunner.Decode(program, block, 64));
    }

    [Fact]
    public void Pack_TransformsTheProgramsDoubleValues_AndRoundsOnce()
    {
        // x / 3 is not a float: the transform of the double values, rounded once, is what gets stored.
        float[] g = new Rng(21).Uniform(2 * 9, -1, 1);
        var scaled = new ScaleRows(new LoadTensor("w", EquatableArray.Create(2, 1, 3, 3)), new LoadTensor("s", EquatableArray.Create(2)), null);
        var program = new Encode(scaled, DataType.F32, WeightLayouts.WinogradOf(4, 6));
        float[] Source(string name) => name == "w" ? g : [1f / 3, -7f];

        float[] packed = Floats(WeightProgramRunner.Pack(program, Source));
        double[] exact = WeightProgramRunner.Evaluate(scaled, Source);
        for (int o = 0; o < 2; o++)
        {
            double[] u = WinogradFilter.Transform(4, exact, o * 9);
            for (int f = 0; f < 36; f++)
            {
                Assert.Equal((float)u[f], packed[(f * 6) + o]);
            }
        }
    }

    [Theory]
    [InlineData("f16", "no codec for f16 winograd(4,6)")]
    [InlineData("5x5", "no codec for f32 winograd(4,6)")]
    [InlineData("rank2", "no codec for f32 winograd(4,6)")]
    [InlineData("tile3", "no codec for f32 winograd(3,6)")]
    [InlineData("no-panel", "no codec for f32 winograd(4)")]
    public void RefusesWhatItCannotEncode(string encoding, string message)
    {
        var conv = new LoadTensor("w", EquatableArray.Create(4, 2, 3, 3));
        Encode program = encoding switch
        {
            "f16" => new Encode(conv, DataType.F16, WeightLayouts.WinogradOf(4, 6)),
            "5x5" => new Encode(new LoadTensor("w", EquatableArray.Create(4, 2, 5, 5)), DataType.F32, WeightLayouts.WinogradOf(4, 6)),
            "rank2" => new Encode(new LoadTensor("w", EquatableArray.Create(4, 18)), DataType.F32, WeightLayouts.WinogradOf(4, 6)),
            "tile3" => new Encode(conv, DataType.F32, WeightLayouts.WinogradOf(3, 6)),
            _ => new Encode(conv, DataType.F32, new TensorLayout(WeightLayouts.Winograd, EquatableArray.Create(4))),
        };
        Assert.Equal(message, Assert.Throws<NotSupportedException>(() => WeightProgramRunner.Pack(program, _ => new float[program.Count])).Message);
        Assert.Equal(message, Assert.Throws<NotSupportedException>(() => WeightProgramRunner.Decode(program, new byte[40000], 0)).Message);
    }

    [Fact]
    public void TheLayoutIsPartOfTheProgramsDescription()
    {
        var conv = new LoadTensor("w", EquatableArray.Create(4, 2, 3, 3));
        var panel = new Encode(conv, DataType.F32, WeightLayouts.PanelOf(6));
        var f4 = new Encode(conv, DataType.F32, WeightLayouts.WinogradOf(4, 6));
        var f2 = new Encode(conv, DataType.F32, WeightLayouts.WinogradOf(2, 6));
        Assert.Contains("winograd(4,6)", f4.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, new[] { panel.ToString(), f4.ToString(), f2.ToString() }.Distinct().Count());
    }

    private static float[] Floats(byte[] bytes)
    {
        float[] values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
