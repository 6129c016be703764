// ModelCompiler run-time kernels: convolution as a matrix product, one tile of output pixels at a time.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        [ThreadStatic]
        private static float[]? t_tile;

        /// <summary>The floats of this thread's tile buffer, grown once to the largest size it has needed (every thread
        /// that computes a convolution tile, the calling one and the pool's, has its own).</summary>
        public static float[] TileBuffer(int floats)
        {
            float[]? tile = t_tile;
            if (tile is null || tile.Length < floats)
            {
                tile = new float[floats];
                t_tile = tile;
            }

            return tile;
        }

        /// <summary>Output channels of a convolution (groups = 1) for one sample, as C = W·columns + bias over tiles of
        /// output pixels: W is the weight prepacked in panels of <see cref="GemmPanelRows"/> output channels (the
        /// "panel(6)" layout of [outChannels, inChannels·kernelH·kernelW]); each tile's columns are unfolded from the
        /// input into this thread's tile buffer (a 1×1, stride-1, unpadded convolution reads the input itself). Computes
        /// the channel panels [panelStart, panelEnd), so threads can share the output channels.</summary>
        /// <param name="x">The input, [channels, height, width].</param>
        /// <param name="weight">The packed weight.</param>
        /// <param name="bias">[outChannels], or empty.</param>
        /// <param name="y">The output, [outChannels, outH, outW].</param>
        /// <param name="channels">Input channels.</param>
        /// <param name="height">Input height.</param>
        /// <param name="width">Input width.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernelH">Kernel height.</param>
        /// <param name="kernelW">Kernel width.</param>
        /// <param name="strideH">Vertical stride.</param>
        /// <param name="strideW">Horizontal stride.</param>
        /// <param name="padTop">Zero rows above the input.</param>
        /// <param name="padLeft">Zero columns left of the input.</param>
        /// <param name="dilationH">Vertical dilation.</param>
        /// <param name="dilationW">Horizontal dilation.</param>
        /// <param name="outH">Output height.</param>
        /// <param name="outW">Output width.</param>
        /// <param name="tilePixels">Output pixels per tile (the build sizes tiles to stay in cache; the tile buffer
        /// holds channels·kernelH·kernelW·tilePixels floats).</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first channel panel to compute.</param>
        /// <param name="end">One past the last channel panel to compute.</param>
        /// <param name="vectorWidth">The widest vectors to use.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ConvGemm(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int channels, int height, int width, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
            int padTop, int padLeft, int dilationH, int dilationW, int outH, int outW, int tilePixels,
            ActivationKind activation, float alpha, int start, int end, VectorWidth vectorWidth)
        {
            int pixels = outH * outW;
            int depth = channels * kernelH * kernelW;
            bool pointwise = kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == height && outW == width;
            if (pointwise)
            {
                PackedGemm(weight, x, pixels, y, pixels, bias, outChannels, pixels, depth, activation, alpha, start, end, vectorWidth);
                return;
            }

            float[] tile = TileBuffer(depth * tilePixels);
            for (int first = 0; first < pixels; first += tilePixels)
            {
                int count = Math.Min(tilePixels, pixels - first);
                Im2ColTile(x, tile, count, first, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outW);
                PackedGemm(weight, tile, count, y.Slice(first), pixels, bias, outChannels, count, depth, activation, alpha, start, end, vectorWidth);
            }
        }

        /// <summary>The columns of output pixels [first, first + count) (row-major over the output): row r = (c, kh, kw)
        /// of the tile holds, for each of those pixels, the input value its window reads there (zero in the padding);
        /// rows are <paramref name="count"/> floats apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Im2ColTile(
            ReadOnlySpan<float> x, Span<float> tile, int count, int first, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int outW)
        {
            int row = 0;
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> plane = x.Slice(c * height * width, height * width);
                for (int kh = 0; kh < kernelH; kh++)
                {
                    for (int kw = 0; kw < kernelW; kw++, row++)
                    {
                        Span<float> dst = tile.Slice(row * count, count);
                        int offset = (kw * dilationW) - padLeft;
                        int p = 0;
                        while (p < count)
                        {
                            // One run of pixels within an output row.
                            int pixel = first + p;
                            int oh = pixel / outW, ow = pixel - (oh * outW);
                            int run = Math.Min(count - p, outW - ow);
                            int ih = (oh * strideH) - padTop + (kh * dilationH);
                            Span<float> to = dst.Slice(p, run);
                            if ((uint)ih >= (uint)height)
                            {
                                to.Clear();
                            }
                            else
                            {
                                ReadOnlySpan<float> source = plane.Slice(ih * width, width);
                                int iw0 = (ow * strideW) + offset;
                                if (strideW == 1 && iw0 >= 0 && iw0 + run <= width)
                                {
                                    source.Slice(iw0, run).CopyTo(to);
                                }
                                else
                                {
                                    for (int j = 0; j < run; j++)
                                    {
                                        int iw = iw0 + (j * strideW);
                                        to[j] = (uint)iw < (uint)width ? source[iw] : 0f;
                                    }
                                }
                            }

                            p += run;
                        }
                    }
                }
            }
        }
    }
}
