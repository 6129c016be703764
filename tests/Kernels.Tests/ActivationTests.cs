using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>Activate for every activation at every width and tail length against double-precision formulas,
/// within 1e-6 of the expected value. Inputs span [-6, 6] and hit the kinks (0, ±3, 6).</summary>
public class ActivationTests
{
    private const double Tolerance = 1e-6;

    private static readonly float[] Edges = [0f, -0f, 3f, -3f, 6f, -6f, 1e-7f, -1e-7f, 5.999999f, 6.000001f];

    public static TheoryData<string, string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, string, int>();
            foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
            {
                foreach (string width in Matrix.Widths)
                {
                    foreach (int length in Matrix.Lengths)
                    {
                        data.Add(kind.ToString(), width, length);
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Activate(string kind, string width, int length)
    {
        ActivationKind k = Enum.Parse<ActivationKind>(kind);
        float alpha = k == ActivationKind.LeakyReLU ? 0.125f : 0f;
        float[] x = new Seeded(600 + (ulong)length).FloatsWithEdges(length, -6f, 6f, Edges);
        var y = new Guarded(x);
        string what = $"Activate({kind}) width={width} length={length}";

        Kernels.Activate(y.Span, k, alpha, Matrix.Width(width));

        double[] expected = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = ActivationReference.Apply(k, x[i], alpha);
        }

        Expect.Close(what, expected, y.Span, Tolerance);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void LeakyReLU_TakesItsSlopeFromAlpha(string width)
    {
        float[] x = [-2f, -1f, 0f, 1f, -4f, -8f, 2f, -0.5f, -3f, 5f, -6f, -7f, 8f, -9f, -10f, -11f, -12f];
        var y = new Guarded(x);

        Kernels.Activate(y.Span, ActivationKind.LeakyReLU, -0.5f, Matrix.Width(width));

        double[] expected = Array.ConvertAll(x, v => v > 0 ? (double)v : -0.5 * v);
        Expect.Close($"Activate(LeakyReLU, alpha=-0.5) width={width} length={x.Length}", expected, y.Span, Tolerance);
    }

    [Fact]
    public void UnknownKind_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>("kind", () => Kernels.Activate(new float[1], (ActivationKind)99, 0f, VectorWidth.Scalar));
    }

    public static TheoryData<string> Widths => new(Matrix.Widths);
}
