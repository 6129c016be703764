// ModelCompiler run-time kernels: nearest upsampling and pixel shuffle.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        /// <summary>Nearest-neighbour upsampling by an integer factor.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void UpsampleNearest(ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int factor)
        {
            int outW = width * factor;
            for (int c = 0; c < channels; c++)
            {
                for (int h = 0; h < height; h++)
                {
                    ReadOnlySpan<float> src = x.Slice(((c * height) + h) * width, width);
                    Span<float> first = y.Slice(((c * height * factor) + (h * factor)) * outW, outW);
                    for (int w = 0; w < width; w++)
                    {
                        first.Slice(w * factor, factor).Fill(src[w]);
                    }

                    for (int r = 1; r < factor; r++)
                    {
                        first.CopyTo(y.Slice(((c * height * factor) + (h * factor) + r) * outW, outW));
                    }
                }
            }
        }

        /// <summary>Rearranges [C * f * f, H, W] into [C, H * f, W * f] (PyTorch PixelShuffle).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PixelShuffle(ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int factor)
        {
            int outH = height * factor, outW = width * factor;
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < factor; i++)
                {
                    for (int j = 0; j < factor; j++)
                    {
                        ReadOnlySpan<float> plane = x.Slice(((((c * factor) + i) * factor) + j) * height * width, height * width);
                        for (int h = 0; h < height; h++)
                        {
                            Span<float> dst = y.Slice((c * outH * outW) + (((h * factor) + i) * outW), outW);
                            for (int w = 0; w < width; w++)
                            {
                                dst[(w * factor) + j] = plane[(h * width) + w];
                            }
                        }
                    }
                }
            }
        }
    }
}
