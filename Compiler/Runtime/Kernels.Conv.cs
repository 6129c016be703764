// ModelCompiler run-time kernels: convolution lowering (im2col).

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        /// <summary>Unfolds the receptive fields of a [channels, height, width] input into a
        /// [channels * kernelH * kernelW, outH * outW] column matrix (zero where padding is read).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Im2Col(
            ReadOnlySpan<float> x, Span<float> columns, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int outH, int outW)
        {
            int row = 0;
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> plane = x.Slice(c * height * width, height * width);
                for (int kh = 0; kh < kernelH; kh++)
                {
                    for (int kw = 0; kw < kernelW; kw++, row++)
                    {
                        Span<float> dst = columns.Slice(row * outH * outW, outH * outW);
                        for (int oh = 0; oh < outH; oh++)
                        {
                            int ih = (oh * strideH) - padTop + (kh * dilationH);
                            Span<float> dstRow = dst.Slice(oh * outW, outW);
                            if ((uint)ih >= (uint)height)
                            {
                                dstRow.Clear();
                                continue;
                            }

                            ReadOnlySpan<float> srcRow = plane.Slice(ih * width, width);
                            int offset = (kw * dilationW) - padLeft;
                            if (strideW == 1 && offset >= 0 && offset + outW <= width)
                            {
                                srcRow.Slice(offset, outW).CopyTo(dstRow);
                                continue;
                            }

                            for (int ow = 0; ow < outW; ow++)
                            {
                                int iw = (ow * strideW) + offset;
                                dstRow[ow] = (uint)iw < (uint)width ? srcRow[iw] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }
}
