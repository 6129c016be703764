// ModelCompiler run-time kernels: nearest upsampling and pixel shuffle.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        /// <summary>Nearest-neighbour upsampling by an integer factor: output rows [<paramref name="firstRow"/>,
        /// firstRow + <paramref name="outRows"/>) of the channels (all of them by default), from x's rows, the first of
        /// which is input row firstRow / factor. Channels lie <paramref name="xPlane"/> and <paramref name="yPlane"/>
        /// floats apart when given (bands of rows of larger planes), else height·width and the output's plane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void UpsampleNearest(
            ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int factor, int xPlane = 0, int yPlane = 0, int firstRow = 0, int outRows = -1)
        {
            int outW = width * factor;
            outRows = outRows < 0 ? height * factor : outRows;
            xPlane = xPlane == 0 ? height * width : xPlane;
            yPlane = yPlane == 0 ? outRows * outW : yPlane;
            int skipped = firstRow / factor;
            for (int c = 0; c < channels; c++)
            {
                for (int r = 0; r < outRows; r++)
                {
                    int h = ((firstRow + r) / factor) - skipped;
                    Span<float> target = y.Slice((c * yPlane) + (r * outW), outW);
                    if (r > 0 && h == ((firstRow + r - 1) / factor) - skipped)
                    {
                        y.Slice((c * yPlane) + ((r - 1) * outW), outW).CopyTo(target);
                        continue;
                    }

                    ReadOnlySpan<float> src = x.Slice((c * xPlane) + (h * width), width);
                    for (int w = 0; w < width; w++)
                    {
                        target.Slice(w * factor, factor).Fill(src[w]);
                    }
                }
            }
        }

        /// <summary>Rearranges [C * f * f, H, W] into [C, H * f, W * f] (PyTorch PixelShuffle): output rows
        /// [<paramref name="firstRow"/>, firstRow + <paramref name="outRows"/>) (all of them by default), from x's rows,
        /// the first of which is input row firstRow / factor. Channels lie <paramref name="xPlane"/> and
        /// <paramref name="yPlane"/> floats apart when given, else height·width and the output's plane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PixelShuffle(
            ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int factor, int xPlane = 0, int yPlane = 0, int firstRow = 0, int outRows = -1)
        {
            int outW = width * factor;
            outRows = outRows < 0 ? height * factor : outRows;
            xPlane = xPlane == 0 ? height * width : xPlane;
            yPlane = yPlane == 0 ? outRows * outW : yPlane;
            int skipped = firstRow / factor;
            for (int c = 0; c < channels; c++)
            {
                for (int r = 0; r < outRows; r++)
                {
                    int row = firstRow + r, h = (row / factor) - skipped, i = row % factor;
                    Span<float> dst = y.Slice((c * yPlane) + (r * outW), outW);
                    for (int j = 0; j < factor; j++)
                    {
                        ReadOnlySpan<float> src = x.Slice((((((c * factor) + i) * factor) + j) * xPlane) + (h * width), width);
                        for (int w = 0; w < width; w++)
                        {
                            dst[(w * factor) + j] = src[w];
                        }
                    }
                }
            }
        }
    }
}
