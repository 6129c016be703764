using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>UpsampleNearest and PixelShuffle (they take no vector width) move data: compared exactly with the
/// definitions written per output element.</summary>
public class ResamplingTests
{
    /// <summary>(channels, height, width, factor); for PixelShuffle the input has channels * factor² planes.</summary>
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 1, 1, 1, 1 },
        { 1, 1, 1, 3 },
        { 2, 3, 4, 2 },
        { 3, 2, 5, 3 },
        { 1, 4, 1, 4 },
        { 2, 1, 7, 2 },
        { 2, 4, 4, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UpsampleNearest(int channels, int height, int width, int factor)
    {
        float[] x = new Seeded(1000).Floats(channels * height * width);
        int outH = height * factor, outW = width * factor;
        Guarded y = Guarded.Output(channels * outH * outW);

        Kernels.UpsampleNearest(new Guarded(x).Span, y.Span, channels, height, width, factor);

        float[] expected = new float[y.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    expected[(((c * outH) + oh) * outW) + ow] = x[(((c * height) + (oh / factor)) * width) + (ow / factor)];
                }
            }
        }

        string what = $"UpsampleNearest c{channels} h{height} w{width} factor={factor}";
        Expect.Equal(what, expected, y.Span);
        y.AssertGuardsIntact(what);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PixelShuffle(int channels, int height, int width, int factor)
    {
        float[] x = new Seeded(1100).Floats(channels * factor * factor * height * width);
        int outH = height * factor, outW = width * factor;
        Guarded y = Guarded.Output(channels * outH * outW);

        Kernels.PixelShuffle(new Guarded(x).Span, y.Span, channels, height, width, factor);

        // PyTorch: out[c, h * f + i, w * f + j] = in[c * f² + i * f + j, h, w].
        float[] expected = new float[y.Length];
        for (int c = 0; c < channels; c++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    int plane = (c * factor * factor) + ((oh % factor) * factor) + (ow % factor);
                    expected[(((c * outH) + oh) * outW) + ow] = x[(((plane * height) + (oh / factor)) * width) + (ow / factor)];
                }
            }
        }

        string what = $"PixelShuffle c{channels} h{height} w{width} factor={factor}";
        Expect.Equal(what, expected, y.Span);
        y.AssertGuardsIntact(what);
    }
}
