using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>Softmax over channels (it takes no vector width) against a double-precision softmax, within 1e-5
/// of each probability; inputs large enough (±100) to overflow exp without the max subtraction.</summary>
public class SoftmaxTests
{
    private const double Tolerance = 1e-5;

    private const double SmallestNormalFloat = 1.17549435e-38;

    public static TheoryData<int, int, float> Cases
    {
        get
        {
            var data = new TheoryData<int, int, float>();
            foreach (int channels in (int[])[1, 2, 3, 10, 33])
            {
                foreach (int inner in (int[])[1, 4, 7])
                {
                    data.Add(channels, inner, 10f);
                }
            }

            data.Add(10, 3, 100f);
            data.Add(5, 2, 0f);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Softmax(int channels, int inner, float range)
    {
        float[] x = new Seeded(1200 + (ulong)channels).Floats(channels * inner, -range, range);
        Guarded y = Guarded.Output(x.Length);

        Kernels.Softmax(new Guarded(x).Span, y.Span, channels, inner);

        double[] expected = new double[x.Length], scale = new double[x.Length];
        for (int p = 0; p < inner; p++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < channels; c++)
            {
                max = Math.Max(max, x[(c * inner) + p]);
            }

            for (int c = 0; c < channels; c++)
            {
                sum += Math.Exp(x[(c * inner) + p] - max);
            }

            for (int c = 0; c < channels; c++)
            {
                expected[(c * inner) + p] = Math.Exp(x[(c * inner) + p] - max) / sum;

                // A probability below float's smallest normal number cannot keep its relative precision.
                scale[(c * inner) + p] = Math.Max(expected[(c * inner) + p], SmallestNormalFloat);
            }
        }

        string what = $"Softmax channels={channels} inner={inner} range={range}";
        Expect.Close(what, expected, y.Span, Tolerance, scale);
        y.AssertGuardsIntact(what);
    }

    [Fact]
    public void Softmax_InPlace()
    {
        float[] x = [1f, 2f, 3f, 4f, 5f, 6f];
        Kernels.Softmax(x, x, 3, 2);
        double e0 = Math.Exp(-4), e1 = Math.Exp(-2), total = e0 + e1 + 1;
        Expect.Close("Softmax (in place) channels=3 inner=2", [e0 / total, e0 / total, e1 / total, e1 / total, 1 / total, 1 / total], x, Tolerance);
    }
}
