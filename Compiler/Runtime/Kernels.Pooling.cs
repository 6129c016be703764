// ModelCompiler run-time kernels: max, average and global average pooling.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        /// <summary>Max pooling over each channel; padding never wins (it counts as negative infinity).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void MaxPool2d(
            ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int padH, int padW, int outH, int outW)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> plane = x.Slice(c * height * width, height * width);
                Span<float> outPlane = y.Slice(c * outH * outW, outH * outW);
                for (int oh = 0; oh < outH; oh++)
                {
                    for (int ow = 0; ow < outW; ow++)
                    {
                        float max = float.NegativeInfinity;
                        for (int kh = 0; kh < kernelH; kh++)
                        {
                            int ih = (oh * strideH) - padH + kh;
                            if ((uint)ih >= (uint)height)
                            {
                                continue;
                            }

                            for (int kw = 0; kw < kernelW; kw++)
                            {
                                int iw = (ow * strideW) - padW + kw;
                                if ((uint)iw < (uint)width)
                                {
                                    float v = plane[(ih * width) + iw];
                                    max = v > max || float.IsNaN(v) ? v : max;
                                }
                            }
                        }

                        outPlane[(oh * outW) + ow] = max;
                    }
                }
            }
        }

        /// <summary>Average pooling over each channel, dividing by the whole window when padding counts
        /// (PyTorch's count_include_pad), else by the in-bounds part.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void AvgPool2d(
            ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int padH, int padW, int outH, int outW, bool countIncludePad)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> plane = x.Slice(c * height * width, height * width);
                Span<float> outPlane = y.Slice(c * outH * outW, outH * outW);
                for (int oh = 0; oh < outH; oh++)
                {
                    for (int ow = 0; ow < outW; ow++)
                    {
                        float sum = 0f;
                        int count = 0;
                        int h0 = (oh * strideH) - padH, w0 = (ow * strideW) - padW;
                        for (int ih = Math.Max(h0, 0); ih < Math.Min(h0 + kernelH, height); ih++)
                        {
                            for (int iw = Math.Max(w0, 0); iw < Math.Min(w0 + kernelW, width); iw++)
                            {
                                sum += plane[(ih * width) + iw];
                                count++;
                            }
                        }

                        int windowH = Math.Min(h0 + kernelH, height + padH) - h0;
                        int windowW = Math.Min(w0 + kernelW, width + padW) - w0;
                        outPlane[(oh * outW) + ow] = sum / (countIncludePad ? windowH * windowW : count);
                    }
                }
            }
        }

        /// <summary>The mean of each channel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void GlobalAvgPool(ReadOnlySpan<float> x, Span<float> y, int channels, int planeSize)
        {
            for (int c = 0; c < channels; c++)
            {
                float sum = 0f;
                foreach (float v in x.Slice(c * planeSize, planeSize))
                {
                    sum += v;
                }

                y[c] = sum / planeSize;
            }
        }
    }
}
