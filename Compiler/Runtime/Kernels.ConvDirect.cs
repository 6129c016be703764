// ModelCompiler run-time kernels: direct convolution for few input channels (a first layer on an image).

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>Output channels per block of <see cref="ConvDirect"/> (the unit its range and its threads split).</summary>
        public const int DirectBlockChannels = 4;

        /// <summary>A stride-1 convolution (groups = 1) with few input channels, computed directly: when a pixel's taps
        /// are few (an RGB or grayscale first layer: 9 or 27), a matrix product spends more on its tiles than on its
        /// multiply-adds. For each tile of <paramref name="tileRows"/> output rows, the input rows it reads are copied
        /// once, zero-padded, into this thread's buffer; then each block of four output channels takes up to four vectors
        /// of an output row at a time, every tap one load per vector and one broadcast weight per channel, and stores
        /// the sums with the bias straight into the output (the last vector of a row overlaps the one before it rather
        /// than running a scalar tail). The activation runs over the tile's rows of each channel.</summary>
        /// <param name="x">The input, [channels, height, width].</param>
        /// <param name="weight">The weight as declared, [outChannels, channels, kernelH, kernelW].</param>
        /// <param name="bias">[outChannels], or empty.</param>
        /// <param name="y">The output, [outChannels, outH, outW].</param>
        /// <param name="channels">Input channels.</param>
        /// <param name="height">Input height.</param>
        /// <param name="width">Input width.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernelH">Kernel height.</param>
        /// <param name="kernelW">Kernel width.</param>
        /// <param name="padTop">Zero rows above the input.</param>
        /// <param name="padLeft">Zero columns left of the input.</param>
        /// <param name="dilationH">Vertical dilation.</param>
        /// <param name="dilationW">Horizontal dilation.</param>
        /// <param name="outH">Output height.</param>
        /// <param name="outW">Output width.</param>
        /// <param name="tileRows">Output rows per tile.</param>
        /// <param name="scratchFloats">This thread's tile buffer (the build's memory plan; checked).</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first block of four output channels to compute.</param>
        /// <param name="end">One past the last block.</param>
        /// <param name="vectorWidth">The widest vectors to use.</param>
        /// <param name="xPlane">Floats from one input channel to the next (0: height·width; more when x is a band of rows of a larger plane).</param>
        /// <param name="yPlane">Floats from one output channel to the next (0: outH·outW).</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ConvDirect(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int channels, int height, int width, int outChannels, int kernelH, int kernelW, int padTop, int padLeft,
            int dilationH, int dilationW, int outH, int outW, int tileRows, int scratchFloats,
            ActivationKind activation, float alpha, int start, int end, VectorWidth vectorWidth, int xPlane = 0, int yPlane = 0)
        {
            xPlane = xPlane == 0 ? height * width : xPlane;
            yPlane = yPlane == 0 ? outH * outW : yPlane;
            int depth = channels * kernelH * kernelW;
            int padded = outW + ((kernelW - 1) * dilationW);
            int inputRows = tileRows + ((kernelH - 1) * dilationH);
            int blocks = (outChannels + DirectBlockChannels - 1) / DirectBlockChannels;
            if (x.Length < ((long)(channels - 1) * xPlane) + ((long)height * width) || weight.Length < (long)outChannels * depth
                || y.Length < ((long)(outChannels - 1) * yPlane) + ((long)outH * outW) || (!bias.IsEmpty && bias.Length < outChannels))
            {
                throw new ArgumentException("x, the weight, the bias or y is shorter than the shapes need.");
            }

            if (start < 0 || end > blocks || start > end)
            {
                throw new ArgumentOutOfRangeException(nameof(end), "the blocks [" + start + ", " + end + ") are not within the layer's " + blocks + ".");
            }

            RequireScratch((long)channels * inputRows * padded, scratchFloats);
            Span<float> rows = TileBuffer(scratchFloats).Slice(0, channels * inputRows * padded);
            int lanes = vectorWidth >= VectorWidth.V512 && Vector512.IsHardwareAccelerated && outW >= 16 ? 16
                : vectorWidth >= VectorWidth.V256 && Vector256.IsHardwareAccelerated && outW >= 8 ? 8
                : vectorWidth >= VectorWidth.V128 && Vector128.IsHardwareAccelerated && outW >= 4 ? 4
                : 1;
            int plane = yPlane;
            int halo = (kernelH - 1) * dilationH;
            Span<float> blockBias = stackalloc float[DirectBlockChannels];
            ref float rowsRef = ref MemoryMarshal.GetReference(rows);
            for (int r0 = 0; r0 < outH; r0 += tileRows)
            {
                int count = Math.Min(tileRows, outH - r0);

                // The input rows of this tile, each padded to the padded width; rows above or below the input are zeros.
                rows.Clear();
                for (int c = 0; c < channels; c++)
                {
                    for (int t = 0; t < count + halo; t++)
                    {
                        int ih = r0 + t - padTop;
                        if ((uint)ih < (uint)height)
                        {
                            x.Slice((c * xPlane) + (ih * width), width).CopyTo(rows.Slice((((c * inputRows) + t) * padded) + padLeft, width));
                        }
                    }
                }

                for (int block = start; block < end; block++)
                {
                    int oc0 = block * DirectBlockChannels;
                    int here = Math.Min(DirectBlockChannels, outChannels - oc0);
                    for (int j = 0; j < DirectBlockChannels; j++)
                    {
                        blockBias[j] = bias.IsEmpty || j >= here ? 0f : bias[oc0 + j];
                    }

                    ref float w = ref Unsafe.Add(ref MemoryMarshal.GetReference(weight), (nint)oc0 * depth);
                    ref float y0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), ((nint)oc0 * plane) + (r0 * outW));
                    if (lanes == 1)
                    {
                        for (int r = 0; r < count; r++)
                        {
                            DirectRowScalar(ref Unsafe.Add(ref rowsRef, r * padded), ref w, depth, here, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW,
                                outW, ref Unsafe.Add(ref y0, r * outW), plane, blockBias);
                        }
                    }
                    else
                    {
                        // Whole pieces of four vectors, then one piece of the vectors that remain (the last one moved back).
                        int full = outW / (4 * lanes);
                        int rest = (outW - (full * 4 * lanes) + lanes - 1) / lanes;
                        DirectRows(lanes, 4, ref rowsRef, ref w, depth, here, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, 0, full, outW, ref y0, plane, blockBias);
                        DirectRows(lanes, rest, ref rowsRef, ref w, depth, here, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, full * 4 * lanes, rest > 0 ? 1 : 0, outW, ref y0, plane, blockBias);
                    }

                    for (int j = 0; j < here; j++)
                    {
                        Activate(y.Slice(((oc0 + j) * plane) + (r0 * outW), count * outW), activation, alpha, vectorWidth);
                    }
                }
            }
        }

        /// <summary>Runs the pieces on the kernel of their width and vector count (nothing when there are none).</summary>
        private static void DirectRows(
            int lanes, int vectors, ref float rows, ref float w, int depth, int channelsHere, int channels, int inputRows, int padded, int kernelH, int kernelW,
            int dilationH, int dilationW, int count, int xs, int pieces, int outW, ref float y, int plane, ReadOnlySpan<float> bias)
        {
            if (pieces == 0)
            {
                return;
            }

            switch ((lanes, vectors))
            {
                case (16, 4):
                    DirectRows512<Count4>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (16, 3):
                    DirectRows512<Count3>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (16, 2):
                    DirectRows512<Count2>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (16, _):
                    DirectRows512<Count1>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (8, 4):
                    DirectRows256<Count4>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (8, 3):
                    DirectRows256<Count3>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (8, 2):
                    DirectRows256<Count2>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (8, _):
                    DirectRows256<Count1>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (_, 4):
                    DirectRows128<Count4>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (_, 3):
                    DirectRows128<Count3>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                case (_, 2):
                    DirectRows128<Count2>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
                default:
                    DirectRows128<Count1>(ref rows, ref w, depth, channelsHere, channels, inputRows, padded, kernelH, kernelW, dilationH, dilationW, count, xs, pieces, outW, ref y, plane, bias);
                    break;
            }
        }

        /// <summary>One output row of up to four channels without vectors (rows narrower than a vector, or no SIMD).</summary>
        private static void DirectRowScalar(
            ref float rows, ref float w, int depth, int channelsHere, int channels, int inputRows, int padded, int kernelH, int kernelW,
            int dilationH, int dilationW, int outW, ref float y0, int plane, ReadOnlySpan<float> bias)
        {
            for (int j = 0; j < channelsHere; j++)
            {
                ref float wj = ref Unsafe.Add(ref w, j * depth);
                for (int ox = 0; ox < outW; ox++)
                {
                    float sum = 0f;
                    int tap = 0;
                    for (int c = 0; c < channels; c++)
                    {
                        for (int kh = 0; kh < kernelH; kh++)
                        {
                            ref float row = ref Unsafe.Add(ref rows, (((c * inputRows) + (kh * dilationH)) * padded) + ox);
                            for (int kw = 0; kw < kernelW; kw++, tap++)
                            {
                                sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref row, kw * dilationW), Unsafe.Add(ref wj, tap), sum);
                            }
                        }
                    }

                    Unsafe.Add(ref y0, (j * plane) + ox) = sum + bias[j];
                }
            }
        }

        /// <summary>Output channels [0, 4) of a block (channels past <paramref name="channelsHere"/> repeat the last one and
        /// are not stored) over <paramref name="count"/> output rows, each in <paramref name="pieces"/> pieces of
        /// <typeparamref name="TVectors"/> vectors of 16 pixels from column <paramref name="xs"/> (a vector past the row
        /// end is moved back to end at it): per tap, one load per vector and one broadcast weight per channel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DirectRows512<TVectors>(
            ref float rows, ref float w, int depth, int channelsHere, int channels, int inputRows, int padded, int kernelH, int kernelW,
            int dilationH, int dilationW, int count, int xs, int pieces, int outW, ref float y, int plane, ReadOnlySpan<float> bias)
            where TVectors : struct, ITileCount
        {
            int vectors = TVectors.Value;
            ref float w1 = ref Unsafe.Add(ref w, Math.Min(1, channelsHere - 1) * depth);
            ref float w2 = ref Unsafe.Add(ref w, Math.Min(2, channelsHere - 1) * depth);
            ref float w3 = ref Unsafe.Add(ref w, Math.Min(3, channelsHere - 1) * depth);
            Vector512<float> bias0 = Vector512.Create(bias[0]), bias1 = Vector512.Create(bias[1]), bias2 = Vector512.Create(bias[2]), bias3 = Vector512.Create(bias[3]);
            for (int r = 0; r < count; r++)
            {
                ref float rowsAt = ref Unsafe.Add(ref rows, r * padded);
                ref float yRow = ref Unsafe.Add(ref y, r * outW);
                for (int p = 0; p < pieces; p++)
                {
                    int start = xs + (p * vectors * 16);
                    nuint x0 = (nuint)Math.Min(start, outW - 16), x1 = (nuint)Math.Min(start + 16, outW - 16);
                    nuint x2 = (nuint)Math.Min(start + (2 * 16), outW - 16), x3 = (nuint)Math.Min(start + (3 * 16), outW - 16);
                    Vector512<float> a0 = bias0, a1 = bias1, a2 = bias2, a3 = bias3;
                    Vector512<float> b0 = bias0, b1 = bias1, b2 = bias2, b3 = bias3;
                    Vector512<float> c0 = bias0, c1 = bias1, c2 = bias2, c3 = bias3;
                    Vector512<float> d0 = bias0, d1 = bias1, d2 = bias2, d3 = bias3;
                    int tap = 0;
                    for (int c = 0; c < channels; c++)
                    {
                        for (int kh = 0; kh < kernelH; kh++)
                        {
                            ref float row = ref Unsafe.Add(ref rowsAt, ((c * inputRows) + (kh * dilationH)) * padded);
                            for (int kw = 0; kw < kernelW; kw++, tap++)
                            {
                                ref float at = ref Unsafe.Add(ref row, kw * dilationW);
                                Vector512<float> v0 = Vector512.LoadUnsafe(ref at, x0);
                                Vector512<float> v1 = vectors > 1 ? Vector512.LoadUnsafe(ref at, x1) : default;
                                Vector512<float> v2 = vectors > 2 ? Vector512.LoadUnsafe(ref at, x2) : default;
                                Vector512<float> v3 = vectors > 3 ? Vector512.LoadUnsafe(ref at, x3) : default;
                                Vector512<float> k = Vector512.Create(Unsafe.Add(ref w, tap));
                                a0 = Vector512.FusedMultiplyAdd(v0, k, a0);
                                if (vectors > 1)
                                {
                                    b0 = Vector512.FusedMultiplyAdd(v1, k, b0);
                                }

                                if (vectors > 2)
                                {
                                    c0 = Vector512.FusedMultiplyAdd(v2, k, c0);
                                }

                                if (vectors > 3)
                                {
                                    d0 = Vector512.FusedMultiplyAdd(v3, k, d0);
                                }

                                k = Vector512.Create(Unsafe.Add(ref w1, tap));
                                a1 = Vector512.FusedMultiplyAdd(v0, k, a1);
                                if (vectors > 1)
                                {
                                    b1 = Vector512.FusedMultiplyAdd(v1, k, b1);
                                }

                                if (vectors > 2)
                                {
                                    c1 = Vector512.FusedMultiplyAdd(v2, k, c1);
                                }

                                if (vectors > 3)
                                {
                                    d1 = Vector512.FusedMultiplyAdd(v3, k, d1);
                                }

                                k = Vector512.Create(Unsafe.Add(ref w2, tap));
                                a2 = Vector512.FusedMultiplyAdd(v0, k, a2);
                                if (vectors > 1)
                                {
                                    b2 = Vector512.FusedMultiplyAdd(v1, k, b2);
                                }

                                if (vectors > 2)
                                {
                                    c2 = Vector512.FusedMultiplyAdd(v2, k, c2);
                                }

                                if (vectors > 3)
                                {
                                    d2 = Vector512.FusedMultiplyAdd(v3, k, d2);
                                }

                                k = Vector512.Create(Unsafe.Add(ref w3, tap));
                                a3 = Vector512.FusedMultiplyAdd(v0, k, a3);
                                if (vectors > 1)
                                {
                                    b3 = Vector512.FusedMultiplyAdd(v1, k, b3);
                                }

                                if (vectors > 2)
                                {
                                    c3 = Vector512.FusedMultiplyAdd(v2, k, c3);
                                }

                                if (vectors > 3)
                                {
                                    d3 = Vector512.FusedMultiplyAdd(v3, k, d3);
                                }
                            }
                        }
                    }

                    StoreDirect512<TVectors>(ref yRow, x0, x1, x2, x3, a0, b0, c0, d0);
                    if (channelsHere > 1)
                    {
                        StoreDirect512<TVectors>(ref Unsafe.Add(ref yRow, plane), x0, x1, x2, x3, a1, b1, c1, d1);
                    }

                    if (channelsHere > 2)
                    {
                        StoreDirect512<TVectors>(ref Unsafe.Add(ref yRow, 2 * plane), x0, x1, x2, x3, a2, b2, c2, d2);
                    }

                    if (channelsHere > 3)
                    {
                        StoreDirect512<TVectors>(ref Unsafe.Add(ref yRow, 3 * plane), x0, x1, x2, x3, a3, b3, c3, d3);
                    }
                }
            }
        }

        private static void StoreDirect512<TVectors>(ref float row, nuint x0, nuint x1, nuint x2, nuint x3, Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
            where TVectors : struct, ITileCount
        {
            a.StoreUnsafe(ref row, x0);
            if (TVectors.Value > 1)
            {
                b.StoreUnsafe(ref row, x1);
            }

            if (TVectors.Value > 2)
            {
                c.StoreUnsafe(ref row, x2);
            }

            if (TVectors.Value > 3)
            {
                d.StoreUnsafe(ref row, x3);
            }
        }

        /// <summary>Output channels [0, 4) of a block (channels past <paramref name="channelsHere"/> repeat the last one and
        /// are not stored) over <paramref name="count"/> output rows, each in <paramref name="pieces"/> pieces of
        /// <typeparamref name="TVectors"/> vectors of 8 pixels from column <paramref name="xs"/> (a vector past the row
        /// end is moved back to end at it): per tap, one load per vector and one broadcast weight per channel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DirectRows256<TVectors>(
            ref float rows, ref float w, int depth, int channelsHere, int channels, int inputRows, int padded, int kernelH, int kernelW,
            int dilationH, int dilationW, int count, int xs, int pieces, int outW, ref float y, int plane, ReadOnlySpan<float> bias)
            where TVectors : struct, ITileCount
        {
            int vectors = TVectors.Value;
            ref float w1 = ref Unsafe.Add(ref w, Math.Min(1, channelsHere - 1) * depth);
            ref float w2 = ref Unsafe.Add(ref w, Math.Min(2, channelsHere - 1) * depth);
            ref float w3 = ref Unsafe.Add(ref w, Math.Min(3, channelsHere - 1) * depth);
            Vector256<float> bias0 = Vector256.Create(bias[0]), bias1 = Vector256.Create(bias[1]), bias2 = Vector256.Create(bias[2]), bias3 = Vector256.Create(bias[3]);
            for (int r = 0; r < count; r++)
            {
                ref float rowsAt = ref Unsafe.Add(ref rows, r * padded);
                ref float yRow = ref Unsafe.Add(ref y, r * outW);
                for (int p = 0; p < pieces; p++)
                {
                    int start = xs + (p * vectors * 8);
                    nuint x0 = (nuint)Math.Min(start, outW - 8), x1 = (nuint)Math.Min(start + 8, outW - 8);
                    nuint x2 = (nuint)Math.Min(start + (2 * 8), outW - 8), x3 = (nuint)Math.Min(start + (3 * 8), outW - 8);
                    Vector256<float> a0 = bias0, a1 = bias1, a2 = bias2, a3 = bias3;
                    Vector256<float> b0 = bias0, b1 = bias1, b2 = bias2, b3 = bias3;
                    Vector256<float> c0 = bias0, c1 = bias1, c2 = bias2, c3 = bias3;
                    Vector256<float> d0 = bias0, d1 = bias1, d2 = bias2, d3 = bias3;
                    int tap = 0;
                    for (int c = 0; c < channels; c++)
                    {
                        for (int kh = 0; kh < kernelH; kh++)
                        {
                            ref float row = ref Unsafe.Add(ref rowsAt, ((c * inputRows) + (kh * dilationH)) * padded);
                            for (int kw = 0; kw < kernelW; kw++, tap++)
                            {
                                ref float at = ref Unsafe.Add(ref row, kw * dilationW);
                                Vector256<float> v0 = Vector256.LoadUnsafe(ref at, x0);
                                Vector256<float> v1 = vectors > 1 ? Vector256.LoadUnsafe(ref at, x1) : default;
                                Vector256<float> v2 = vectors > 2 ? Vector256.LoadUnsafe(ref at, x2) : default;
                                Vector256<float> v3 = vectors > 3 ? Vector256.LoadUnsafe(ref at, x3) : default;
                                Vector256<float> k = Vector256.Create(Unsafe.Add(ref w, tap));
                                a0 = Vector256.FusedMultiplyAdd(v0, k, a0);
                                if (vectors > 1)
                                {
                                    b0 = Vector256.FusedMultiplyAdd(v1, k, b0);
                                }

                                if (vectors > 2)
                                {
                                    c0 = Vector256.FusedMultiplyAdd(v2, k, c0);
                                }

                                if (vectors > 3)
                                {
                                    d0 = Vector256.FusedMultiplyAdd(v3, k, d0);
                                }

                                k = Vector256.Create(Unsafe.Add(ref w1, tap));
                                a1 = Vector256.FusedMultiplyAdd(v0, k, a1);
                                if (vectors > 1)
                                {
                                    b1 = Vector256.FusedMultiplyAdd(v1, k, b1);
                                }

                                if (vectors > 2)
                                {
                                    c1 = Vector256.FusedMultiplyAdd(v2, k, c1);
                                }

                                if (vectors > 3)
                                {
                                    d1 = Vector256.FusedMultiplyAdd(v3, k, d1);
                                }

                                k = Vector256.Create(Unsafe.Add(ref w2, tap));
                                a2 = Vector256.FusedMultiplyAdd(v0, k, a2);
                                if (vectors > 1)
                                {
                                    b2 = Vector256.FusedMultiplyAdd(v1, k, b2);
                                }

                                if (vectors > 2)
                                {
                                    c2 = Vector256.FusedMultiplyAdd(v2, k, c2);
                                }

                                if (vectors > 3)
                                {
                                    d2 = Vector256.FusedMultiplyAdd(v3, k, d2);
                                }

                                k = Vector256.Create(Unsafe.Add(ref w3, tap));
                                a3 = Vector256.FusedMultiplyAdd(v0, k, a3);
                                if (vectors > 1)
                                {
                                    b3 = Vector256.FusedMultiplyAdd(v1, k, b3);
                                }

                                if (vectors > 2)
                                {
                                    c3 = Vector256.FusedMultiplyAdd(v2, k, c3);
                                }

                                if (vectors > 3)
                                {
                                    d3 = Vector256.FusedMultiplyAdd(v3, k, d3);
                                }
                            }
                        }
                    }

                    StoreDirect256<TVectors>(ref yRow, x0, x1, x2, x3, a0, b0, c0, d0);
                    if (channelsHere > 1)
                    {
                        StoreDirect256<TVectors>(ref Unsafe.Add(ref yRow, plane), x0, x1, x2, x3, a1, b1, c1, d1);
                    }

                    if (channelsHere > 2)
                    {
                        StoreDirect256<TVectors>(ref Unsafe.Add(ref yRow, 2 * plane), x0, x1, x2, x3, a2, b2, c2, d2);
                    }

                    if (channelsHere > 3)
                    {
                        StoreDirect256<TVectors>(ref Unsafe.Add(ref yRow, 3 * plane), x0, x1, x2, x3, a3, b3, c3, d3);
                    }
                }
            }
        }

        private static void StoreDirect256<TVectors>(ref float row, nuint x0, nuint x1, nuint x2, nuint x3, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
            where TVectors : struct, ITileCount
        {
            a.StoreUnsafe(ref row, x0);
            if (TVectors.Value > 1)
            {
                b.StoreUnsafe(ref row, x1);
            }

            if (TVectors.Value > 2)
            {
                c.StoreUnsafe(ref row, x2);
            }

            if (TVectors.Value > 3)
            {
                d.StoreUnsafe(ref row, x3);
            }
        }

        /// <summary>Output channels [0, 4) of a block (channels past <paramref name="channelsHere"/> repeat the last one and
        /// are not stored) over <paramref name="count"/> output rows, each in <paramref name="pieces"/> pieces of
        /// <typeparamref name="TVectors"/> vectors of 4 pixels from column <paramref name="xs"/> (a vector past the row
        /// end is moved back to end at it): per tap, one load per vector and one broadcast weight per channel.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void DirectRows128<TVectors>(
            ref float rows, ref float w, int depth, int channelsHere, int channels, int inputRows, int padded, int kernelH, int kernelW,
            int dilationH, int dilationW, int count, int xs, int pieces, int outW, ref float y, int plane, ReadOnlySpan<float> bias)
            where TVectors : struct, ITileCount
        {
            int vectors = TVectors.Value;
            ref float w1 = ref Unsafe.Add(ref w, Math.Min(1, channelsHere - 1) * depth);
            ref float w2 = ref Unsafe.Add(ref w, Math.Min(2, channelsHere - 1) * depth);
            ref float w3 = ref Unsafe.Add(ref w, Math.Min(3, channelsHere - 1) * depth);
            Vector128<float> bias0 = Vector128.Create(bias[0]), bias1 = Vector128.Create(bias[1]), bias2 = Vector128.Create(bias[2]), bias3 = Vector128.Create(bias[3]);
            for (int r = 0; r < count; r++)
            {
                ref float rowsAt = ref Unsafe.Add(ref rows, r * padded);
                ref float yRow = ref Unsafe.Add(ref y, r * outW);
                for (int p = 0; p < pieces; p++)
                {
                    int start = xs + (p * vectors * 4);
                    nuint x0 = (nuint)Math.Min(start, outW - 4), x1 = (nuint)Math.Min(start + 4, outW - 4);
                    nuint x2 = (nuint)Math.Min(start + (2 * 4), outW - 4), x3 = (nuint)Math.Min(start + (3 * 4), outW - 4);
                    Vector128<float> a0 = bias0, a1 = bias1, a2 = bias2, a3 = bias3;
                    Vector128<float> b0 = bias0, b1 = bias1, b2 = bias2, b3 = bias3;
                    Vector128<float> c0 = bias0, c1 = bias1, c2 = bias2, c3 = bias3;
                    Vector128<float> d0 = bias0, d1 = bias1, d2 = bias2, d3 = bias3;
                    int tap = 0;
                    for (int c = 0; c < channels; c++)
                    {
                        for (int kh = 0; kh < kernelH; kh++)
                        {
                            ref float row = ref Unsafe.Add(ref rowsAt, ((c * inputRows) + (kh * dilationH)) * padded);
                            for (int kw = 0; kw < kernelW; kw++, tap++)
                            {
                                ref float at = ref Unsafe.Add(ref row, kw * dilationW);
                                Vector128<float> v0 = Vector128.LoadUnsafe(ref at, x0);
                                Vector128<float> v1 = vectors > 1 ? Vector128.LoadUnsafe(ref at, x1) : default;
                                Vector128<float> v2 = vectors > 2 ? Vector128.LoadUnsafe(ref at, x2) : default;
                                Vector128<float> v3 = vectors > 3 ? Vector128.LoadUnsafe(ref at, x3) : default;
                                Vector128<float> k = Vector128.Create(Unsafe.Add(ref w, tap));
                                a0 = Vector128.FusedMultiplyAdd(v0, k, a0);
                                if (vectors > 1)
                                {
                                    b0 = Vector128.FusedMultiplyAdd(v1, k, b0);
                                }

                                if (vectors > 2)
                                {
                                    c0 = Vector128.FusedMultiplyAdd(v2, k, c0);
                                }

                                if (vectors > 3)
                                {
                                    d0 = Vector128.FusedMultiplyAdd(v3, k, d0);
                                }

                                k = Vector128.Create(Unsafe.Add(ref w1, tap));
                                a1 = Vector128.FusedMultiplyAdd(v0, k, a1);
                                if (vectors > 1)
                                {
                                    b1 = Vector128.FusedMultiplyAdd(v1, k, b1);
                                }

                                if (vectors > 2)
                                {
                                    c1 = Vector128.FusedMultiplyAdd(v2, k, c1);
                                }

                                if (vectors > 3)
                                {
                                    d1 = Vector128.FusedMultiplyAdd(v3, k, d1);
                                }

                                k = Vector128.Create(Unsafe.Add(ref w2, tap));
                                a2 = Vector128.FusedMultiplyAdd(v0, k, a2);
                                if (vectors > 1)
                                {
                                    b2 = Vector128.FusedMultiplyAdd(v1, k, b2);
                                }

                                if (vectors > 2)
                                {
                                    c2 = Vector128.FusedMultiplyAdd(v2, k, c2);
                                }

                                if (vectors > 3)
                                {
                                    d2 = Vector128.FusedMultiplyAdd(v3, k, d2);
                                }

                                k = Vector128.Create(Unsafe.Add(ref w3, tap));
                                a3 = Vector128.FusedMultiplyAdd(v0, k, a3);
                                if (vectors > 1)
                                {
                                    b3 = Vector128.FusedMultiplyAdd(v1, k, b3);
                                }

                                if (vectors > 2)
                                {
                                    c3 = Vector128.FusedMultiplyAdd(v2, k, c3);
                                }

                                if (vectors > 3)
                                {
                                    d3 = Vector128.FusedMultiplyAdd(v3, k, d3);
                                }
                            }
                        }
                    }

                    StoreDirect128<TVectors>(ref yRow, x0, x1, x2, x3, a0, b0, c0, d0);
                    if (channelsHere > 1)
                    {
                        StoreDirect128<TVectors>(ref Unsafe.Add(ref yRow, plane), x0, x1, x2, x3, a1, b1, c1, d1);
                    }

                    if (channelsHere > 2)
                    {
                        StoreDirect128<TVectors>(ref Unsafe.Add(ref yRow, 2 * plane), x0, x1, x2, x3, a2, b2, c2, d2);
                    }

                    if (channelsHere > 3)
                    {
                        StoreDirect128<TVectors>(ref Unsafe.Add(ref yRow, 3 * plane), x0, x1, x2, x3, a3, b3, c3, d3);
                    }
                }
            }
        }

        private static void StoreDirect128<TVectors>(ref float row, nuint x0, nuint x1, nuint x2, nuint x3, Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
            where TVectors : struct, ITileCount
        {
            a.StoreUnsafe(ref row, x0);
            if (TVectors.Value > 1)
            {
                b.StoreUnsafe(ref row, x1);
            }

            if (TVectors.Value > 2)
            {
                c.StoreUnsafe(ref row, x2);
            }

            if (TVectors.Value > 3)
            {
                d.StoreUnsafe(ref row, x3);
            }
        }
    }
}
