using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>Im2Col (it takes no vector width) against the definition of the column matrix, exactly: padding,
/// stride, dilation, non-square inputs and kernels, kernels wider than the input, 1×1.</summary>
public class ConvTests
{
    public static TheoryData<string> Shapes => new(
        "c1 h5 w5 k3x3 p1x1",
        "c2 h4 w6 k3x3",
        "c3 h7 w5 k3x2 s2x1 p1x0",
        "c2 h9 w8 k3x3 s2x2 p1x1",
        "c1 h9 w9 k3x3 p2x2 d2x2",
        "c2 h6 w7 k2x3 s1x3 p0x2 d1x2",
        "c1 h3 w3 k5x5 p2x2",
        "c4 h1 w1 k1x1",
        "c1 h8 w3 k1x3 s3x1 p0x1",
        "c2 h5 w5 k3x3 s3x3 p1x1",
        "c1 h4 w11 k1x1 s1x2",
        "c2 h10 w2 k4x1 s2x1 p2x0 d3x1");

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Im2Col(string shape)
    {
        Window s = Window.Parse(shape);
        float[] x = new Seeded(700).Floats(s.Channels * s.Height * s.Width);
        int pixels = s.OutH * s.OutW;
        Guarded columns = Guarded.Output(s.Channels * s.KernelH * s.KernelW * pixels);

        Kernels.Im2Col(
            new Guarded(x).Span, columns.Span, s.Channels, s.Height, s.Width, s.KernelH, s.KernelW,
            s.StrideH, s.StrideW, s.PadH, s.PadW, s.DilationH, s.DilationW, s.OutH, s.OutW);

        float[] expected = new float[columns.Length];
        for (int c = 0; c < s.Channels; c++)
        {
            for (int kh = 0; kh < s.KernelH; kh++)
            {
                for (int kw = 0; kw < s.KernelW; kw++)
                {
                    int row = (((c * s.KernelH) + kh) * s.KernelW) + kw;
                    for (int oh = 0; oh < s.OutH; oh++)
                    {
                        for (int ow = 0; ow < s.OutW; ow++)
                        {
                            int ih = (oh * s.StrideH) - s.PadH + (kh * s.DilationH);
                            int iw = (ow * s.StrideW) - s.PadW + (kw * s.DilationW);
                            bool inside = ih >= 0 && ih < s.Height && iw >= 0 && iw < s.Width;
                            expected[(row * pixels) + (oh * s.OutW) + ow] = inside ? x[(((c * s.Height) + ih) * s.Width) + iw] : 0f;
                        }
                    }
                }
            }
        }

        string what = $"Im2Col {shape} (out {s.OutH}x{s.OutW})";
        Expect.Equal(what, expected, columns.Span);
        columns.AssertGuardsIntact(what);
    }
}
