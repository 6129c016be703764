// ModelCompiler run-time kernels: max, average and global average pooling.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;
    using global::System.Runtime.Intrinsics.Arm;
    using global::System.Runtime.Intrinsics.X86;

    internal static partial class Kernels
    {
        /// <summary>Max pooling over each channel; padding never wins (it counts as negative infinity). Channels lie
        /// <paramref name="xPlane"/> and <paramref name="yPlane"/> floats apart when given (a band of rows of larger
        /// planes), else height·width and outH·outW.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void MaxPool2d(
            ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int padH, int padW, int outH, int outW, int xPlane = 0, int yPlane = 0)
        {
            if ((xPlane != 0 && xPlane != height * width) || (yPlane != 0 && yPlane != outH * outW))
            {
                for (int c = 0; c < channels; c++)
                {
                    MaxPool2d(x.Slice(c * xPlane, height * width), y.Slice(c * yPlane, outH * outW), 1, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW);
                }

                return;
            }

            if (padH == 0 && padW == 0)
            {
                MaxPoolInside(x, y, channels, height, width, kernelH, kernelW, strideH, strideW, outH, outW);
                return;
            }

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

        /// <summary>Max pooling without padding: every window lies inside the input, so no tap needs a check.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxPoolInside(
            ReadOnlySpan<float> x, Span<float> y, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int outH, int outW)
        {
            if (x.Length < (long)channels * height * width || y.Length < (long)channels * outH * outW
                || ((outH - 1) * strideH) + kernelH > height || ((outW - 1) * strideW) + kernelW > width)
            {
                throw new ArgumentException("x or y is shorter than the shapes need, or a window leaves the input.");
            }

            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            if (kernelH == 2 && kernelW == 2 && strideH == 2 && strideW == 2)
            {
                MaxPool2x2(ref xr, ref yr, channels, height, width, outH, outW);
                return;
            }

            for (int c = 0; c < channels; c++)
            {
                ref float plane = ref Unsafe.Add(ref xr, (nint)c * height * width);
                for (int oh = 0; oh < outH; oh++)
                {
                    ref float top = ref Unsafe.Add(ref plane, (nint)oh * strideH * width);
                    ref float outRow = ref Unsafe.Add(ref yr, (((nint)c * outH) + oh) * outW);
                    for (int ow = 0; ow < outW; ow++)
                    {
                        ref float window = ref Unsafe.Add(ref top, ow * strideW);
                        float max = window;
                        for (int kh = 0; kh < kernelH; kh++)
                        {
                            ref float row = ref Unsafe.Add(ref window, kh * width);
                            for (int kw = 0; kw < kernelW; kw++)
                            {
                                // Branch-free (a data-dependent branch mispredicts half the time); NaN propagates.
                                max = MathF.Max(max, Unsafe.Add(ref row, kw));
                            }
                        }

                        Unsafe.Add(ref outRow, ow) = max;
                    }
                }
            }
        }

        /// <summary>The 2×2, stride-2 max pool (the common one): eight outputs per step with AVX2 (rows of eight outputs or
        /// more), else four, from two vectors of each input row: the rows' elementwise maximum, then the maximum of its
        /// even and odd elements (one shuffle each, on x86 and on Arm64); the last vector of a row overlaps the one before
        /// it. A scalar loop elsewhere and for rows of fewer than four outputs. NaN wins, as in PyTorch.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaxPool2x2(ref float x, ref float y, int channels, int height, int width, int outH, int outW)
        {
            bool shuffles = Sse.IsSupported || AdvSimd.Arm64.IsSupported;
            for (int c = 0; c < channels; c++)
            {
                ref float plane = ref Unsafe.Add(ref x, (nint)c * height * width);
                for (int oh = 0; oh < outH; oh++)
                {
                    ref float r0 = ref Unsafe.Add(ref plane, (nint)2 * oh * width);
                    ref float r1 = ref Unsafe.Add(ref r0, width);
                    ref float outRow = ref Unsafe.Add(ref y, (((nint)c * outH) + oh) * outW);
                    int ow = 0;
                    if (Avx2.IsSupported && outW >= 8)
                    {
                        for (; ow <= outW - 8; ow += 8)
                        {
                            MaxPool2x2Eight(ref r0, ref r1, ref outRow, ow);
                        }

                        if (ow < outW)
                        {
                            MaxPool2x2Eight(ref r0, ref r1, ref outRow, outW - 8);
                            ow = outW;
                        }
                    }
                    else if (shuffles && outW >= 4)
                    {
                        for (; ow <= outW - 4; ow += 4)
                        {
                            MaxPool2x2Four(ref r0, ref r1, ref outRow, ow);
                        }

                        // The last outputs of the row as one more vector that overlaps the one before it (x and y are
                        // distinct, so an output written twice gets the same value): no scalar tail.
                        if (ow < outW)
                        {
                            MaxPool2x2Four(ref r0, ref r1, ref outRow, outW - 4);
                            ow = outW;
                        }
                    }

                    for (; ow < outW; ow++)
                    {
                        int i = 2 * ow;
                        float top = MathF.Max(Unsafe.Add(ref r0, i), Unsafe.Add(ref r0, i + 1));
                        float bottom = MathF.Max(Unsafe.Add(ref r1, i), Unsafe.Add(ref r1, i + 1));
                        Unsafe.Add(ref outRow, ow) = MathF.Max(top, bottom);
                    }
                }
            }
        }

        /// <summary>Outputs ow..ow+7 of a 2×2, stride-2 pooled row from input rows r0 and r1 (AVX2): the shuffles work
        /// within 128-bit lanes, so the maxima come out as [0 1 4 5 | 2 3 6 7] in 64-bit pairs; one permute orders them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MaxPool2x2Eight(ref float r0, ref float r1, ref float outRow, int ow)
        {
            nuint i = (nuint)(2 * ow);
            Vector256<float> low = MaxWithNaN(Vector256.LoadUnsafe(ref r0, i), Vector256.LoadUnsafe(ref r1, i));
            Vector256<float> high = MaxWithNaN(Vector256.LoadUnsafe(ref r0, i + 8), Vector256.LoadUnsafe(ref r1, i + 8));
            Vector256<float> pairs = MaxWithNaN(Avx.Shuffle(low, high, 0b10_00_10_00), Avx.Shuffle(low, high, 0b11_01_11_01));
            Avx2.Permute4x64(pairs.AsDouble(), 0b11_01_10_00).AsSingle().StoreUnsafe(ref outRow, (nuint)ow);
        }

        /// <summary><see cref="MaxWithNaN(Vector128{float}, Vector128{float})"/> for AVX: maxps with the first operand's NaNs blended back.</summary>
        private static Vector256<float> MaxWithNaN(Vector256<float> a, Vector256<float> b) =>
            Avx.BlendVariable(Avx.Max(a, b), a, Avx.Compare(a, a, FloatComparisonMode.UnorderedNonSignaling));

        /// <summary>Outputs ow..ow+3 of a 2×2, stride-2 pooled row from input rows r0 and r1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MaxPool2x2Four(ref float r0, ref float r1, ref float outRow, int ow)
        {
            nuint i = (nuint)(2 * ow);
            Vector128<float> low = MaxWithNaN(Vector128.LoadUnsafe(ref r0, i), Vector128.LoadUnsafe(ref r1, i));
            Vector128<float> high = MaxWithNaN(Vector128.LoadUnsafe(ref r0, i + 4), Vector128.LoadUnsafe(ref r1, i + 4));
            Vector128<float> even = Sse.IsSupported ? Sse.Shuffle(low, high, 0b10_00_10_00) : AdvSimd.Arm64.UnzipEven(low, high);
            Vector128<float> odd = Sse.IsSupported ? Sse.Shuffle(low, high, 0b11_01_11_01) : AdvSimd.Arm64.UnzipOdd(low, high);
            MaxWithNaN(even, odd).StoreUnsafe(ref outRow, (nuint)ow);
        }

        /// <summary>The elementwise maximum, NaN where either is NaN, on every runtime and cheaply: x86's maxps (which
        /// returns its second operand when either is NaN) with the first operand's NaNs blended back; Arm's fmax
        /// propagates NaN itself. (Vector128.Max does not propagate NaN on .NET 8 and is several instructions on .NET 9
        /// and later, for IEEE signed-zero ordering that pooling does not need.)</summary>
        private static Vector128<float> MaxWithNaN(Vector128<float> a, Vector128<float> b)
        {
            if (Sse41.IsSupported)
            {
                return Sse41.BlendVariable(Sse.Max(a, b), a, Sse.CompareUnordered(a, a));
            }

            if (Sse.IsSupported)
            {
                Vector128<float> nan = Sse.CompareUnordered(a, a);
                return Sse.Or(Sse.And(nan, a), Sse.AndNot(nan, Sse.Max(a, b)));
            }

            if (AdvSimd.IsSupported)
            {
                return AdvSimd.Max(a, b);
            }

            return Vector128.ConditionalSelect(Vector128.Equals(a, a) & Vector128.Equals(b, b), Vector128.Max(a, b), a + b);
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
