// ModelCompiler run-time kernels: convolution as a matrix product, one tile of output pixels at a time.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>The alignment of a tile buffer's first float, in floats (64 bytes: a cache line, a Vector512).</summary>
        private const int TileAlignment = 16;

        [ThreadStatic]
        private static float[]? t_tile;

        [ThreadStatic]
        private static int t_tileOrigin;

        /// <summary>This thread's tile buffer of at least <paramref name="floats"/> floats, starting on a 64-byte boundary
        /// (so the tiles carved from its start at multiples of 16 floats take aligned vector loads and stores); grown
        /// once to the largest size it has needed, in the pinned object heap so it never moves. Every thread that
        /// computes a convolution tile, the calling one and the pool's, has its own.</summary>
        public static Span<float> TileBuffer(int floats)
        {
            float[]? tile = t_tile;
            if (tile is null || tile.Length - t_tileOrigin < floats)
            {
                tile = GC.AllocateArray<float>(floats + TileAlignment - 1, pinned: true);
                GCHandle handle = GCHandle.Alloc(tile, GCHandleType.Pinned);
                try
                {
                    long misalignment = handle.AddrOfPinnedObject().ToInt64() % (TileAlignment * sizeof(float));
                    t_tileOrigin = (int)(((TileAlignment * sizeof(float)) - misalignment) % (TileAlignment * sizeof(float)) / sizeof(float));
                }
                finally
                {
                    handle.Free();
                }

                t_tile = tile;
            }

            return tile.AsSpan(t_tileOrigin, floats);
        }

        /// <summary><paramref name="count"/> floats of a tile buffer from <paramref name="start"/>, as the table of B-row
        /// offsets a <see cref="PackedGemm"/> reads (the table and the tile share this thread's one buffer).</summary>
        private static Span<int> Offsets(Span<float> buffer, int start, int count) => MemoryMarshal.Cast<float, int>(buffer.Slice(start, count));

        /// <summary>Checks that the tile the build planned holds what the call needs.</summary>
        private static void RequireScratch(long needed, int scratchFloats)
        {
            if (needed > scratchFloats)
            {
                throw new ArgumentException("the tile needs " + needed + " floats, more than the planned " + scratchFloats + ".", nameof(scratchFloats));
            }
        }

        /// <summary>A 1×1, stride-1, unpadded convolution (groups = 1) for one sample: C = W·X + bias with W prepacked in
        /// panels of 6 output channels and X the input's channel planes, in column blocks of
        /// <paramref name="tilePixels"/> pixels (so a block of X stays in cache across the panels). Computes the channel
        /// panels [start, end).</summary>
        /// <param name="x">The input, [channels, pixels].</param>
        /// <param name="weight">The packed weight (panel(6) of [outChannels, channels]).</param>
        /// <param name="bias">[outChannels], or empty.</param>
        /// <param name="y">The output, [outChannels, pixels].</param>
        /// <param name="channels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="pixels">Pixels per channel.</param>
        /// <param name="tilePixels">Pixels per column block.</param>
        /// <param name="scratchFloats">This thread's tile buffer (the build's memory plan; checked).</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first channel panel to compute.</param>
        /// <param name="end">One past the last channel panel to compute.</param>
        /// <param name="width">The widest vectors to use.</param>
        /// <param name="xPlane">Floats from one input channel to the next (0: <paramref name="pixels"/>; more when x is a band of rows of a larger plane).</param>
        /// <param name="yPlane">Floats from one output channel to the next (0: <paramref name="pixels"/>).</param>
        /// <param name="xParts">Empty, or the input's channels in parts that lie apart in x (a concat that was never built):
        /// (start, channels, floats from one channel to the next) for each part, in channel order.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PointwiseGemm(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int channels, int outChannels, int pixels, int tilePixels, int scratchFloats, ActivationKind activation, float alpha, int start, int end, VectorWidth width,
            int xPlane = 0, int yPlane = 0, ReadOnlySpan<int> xParts = default)
        {
            xPlane = xPlane == 0 ? pixels : xPlane;
            yPlane = yPlane == 0 ? pixels : yPlane;
            // Each block of the input planes is packed (its rows one after another): the product then reads a few
            // pages, not one per input channel.
            RequireScratch(channels + ((long)channels * tilePixels), scratchFloats);
            Span<float> buffer = TileBuffer(scratchFloats);
            Span<float> block = buffer.Slice(0, channels * tilePixels);
            Span<int> offsets = Offsets(buffer, channels * tilePixels, channels);
            for (int first = 0; first < pixels; first += tilePixels)
            {
                int count = Math.Min(tilePixels, pixels - first);
                if (xParts.IsEmpty)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        offsets[c] = c * count;
                        x.Slice((c * xPlane) + first, count).CopyTo(block.Slice(c * count, count));
                    }
                }
                else
                {
                    for (int p = 0, c = 0; p + 2 < xParts.Length; p += 3)
                    {
                        for (int k = 0; k < xParts[p + 1] && c < channels; k++, c++)
                        {
                            offsets[c] = c * count;
                            x.Slice(xParts[p] + (k * xParts[p + 2]) + first, count).CopyTo(block.Slice(c * count, count));
                        }
                    }
                }

                PackedGemm(weight, block, offsets, y.Slice(first), yPlane, bias, outChannels, count, channels, activation, alpha, start, end, width);
            }
        }

        /// <summary>A stride-1 convolution (groups = 1) for one sample, without im2col: for each tile of
        /// <paramref name="tileRows"/> output rows, the input rows it reads are copied once into this thread's buffer,
        /// zero-padded to the padded width, and tap (c, kh, kw) of every output pixel of the tile is then one shifted
        /// window of that buffer, read by <see cref="PackedGemm"/> through an offsets table (an implicit im2col). The
        /// product covers the padded width; only the valid columns are copied to the output.</summary>
        /// <param name="x">The input, [channels, height, width].</param>
        /// <param name="weight">The packed weight (panel(6) of [outChannels, channels·kernelH·kernelW]).</param>
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
        /// <param name="scratchFloats">The tile buffer's size (the build's memory plan; checked).</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first channel panel to compute.</param>
        /// <param name="end">One past the last channel panel to compute.</param>
        /// <param name="vectorWidth">The widest vectors to use.</param>
        /// <param name="xPlane">Floats from one input channel to the next (0: height·width; more when x is a band of rows of a larger plane).</param>
        /// <param name="yPlane">Floats from one output channel to the next (0: outH·outW).</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ConvRowsGemm(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int channels, int height, int width, int outChannels, int kernelH, int kernelW, int padTop, int padLeft,
            int dilationH, int dilationW, int outH, int outW, int tileRows, int scratchFloats,
            ActivationKind activation, float alpha, int start, int end, VectorWidth vectorWidth, int xPlane = 0, int yPlane = 0)
        {
            xPlane = xPlane == 0 ? height * width : xPlane;
            yPlane = yPlane == 0 ? outH * outW : yPlane;
            int padded = outW + ((kernelW - 1) * dilationW);
            int inputRows = tileRows + ((kernelH - 1) * dilationH);
            int columns = RoundUp(tileRows * padded, 16);
            int depth = channels * kernelH * kernelW;
            int rowsFloats = RoundUp((channels * inputRows * padded) + columns + padded + 16, TileAlignment);
            int panelRows = Math.Min(outChannels - (start * GemmPanelRows), (end - start) * GemmPanelRows);
            RequireScratch(rowsFloats + ((long)panelRows * columns) + depth, scratchFloats);
            Span<float> buffer = TileBuffer(scratchFloats);
            Span<float> rows = buffer.Slice(0, rowsFloats);
            Span<float> product = buffer.Slice(rowsFloats, panelRows * columns);
            Span<int> offsets = Offsets(buffer, rowsFloats + (panelRows * columns), depth);
            int k = 0;
            for (int c = 0; c < channels; c++)
            {
                for (int kh = 0; kh < kernelH; kh++)
                {
                    for (int kw = 0; kw < kernelW; kw++)
                    {
                        offsets[k++] = (((c * inputRows) + (kh * dilationH)) * padded) + (kw * dilationW);
                    }
                }
            }

            int firstRow = start * GemmPanelRows;
            Span<float> own = y.Slice(firstRow * yPlane);
            ReadOnlySpan<float> ownBias = bias.IsEmpty ? bias : bias.Slice(firstRow);
            ReadOnlySpan<float> ownWeight = weight.Slice(start * depth * GemmPanelRows);
            int plane = xPlane;
            for (int r0 = 0; r0 < outH; r0 += tileRows)
            {
                int count = Math.Min(tileRows, outH - r0);

                // The input rows of this tile, each padded to the padded width; rows above or below the input are zeros.
                rows.Clear();
                for (int c = 0; c < channels; c++)
                {
                    for (int t = 0; t < count + ((kernelH - 1) * dilationH); t++)
                    {
                        int ih = r0 + t - padTop;
                        if ((uint)ih < (uint)height)
                        {
                            x.Slice((c * plane) + (ih * width), width).CopyTo(rows.Slice((((c * inputRows) + t) * padded) + padLeft, width));
                        }
                    }
                }

                // The product over the padded width; bias and activation go on while the valid columns are copied out.
                int n = RoundUp(count * padded, 16);
                PackedGemm(ownWeight, rows, offsets, product, columns, default, panelRows, n, depth, ActivationKind.None, 0f, 0, end - start, vectorWidth);
                for (int m = 0; m < panelRows; m++)
                {
                    float b = ownBias.IsEmpty ? 0f : ownBias[m];
                    Span<float> target = own.Slice((m * yPlane) + (r0 * outW), count * outW);
                    CopyRowsAdding(product.Slice(m * columns, ((count - 1) * padded) + outW), padded, target, outW, count, b, vectorWidth);
                    Activate(target, activation, alpha, vectorWidth);
                }
            }
        }

        /// <summary>Row r of y (rows <paramref name="width"/> apart) = row r of x (rows <paramref name="stride"/> apart) + b,
        /// for <paramref name="rows"/> rows, in one loop: each row in full vectors, the last of which may overlap the one
        /// before it (x and y are distinct, so an element written twice gets the same value), then a scalar tail only for
        /// rows narrower than the vector.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void CopyRowsAdding(ReadOnlySpan<float> x, int stride, Span<float> y, int width, int rows, float b, VectorWidth vectorWidth)
        {
            if (rows <= 0 || width <= 0)
            {
                return;
            }

            if (x.Length < ((long)(rows - 1) * stride) + width || y.Length < (long)rows * width)
            {
                throw new ArgumentException("x or y is shorter than the rows need.", nameof(x));
            }

            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int lanes = vectorWidth >= VectorWidth.V512 && Vector512.IsHardwareAccelerated && width >= 16 ? 16
                : vectorWidth >= VectorWidth.V256 && Vector256.IsHardwareAccelerated && width >= 8 ? 8
                : vectorWidth >= VectorWidth.V128 && Vector128.IsHardwareAccelerated && width >= 4 ? 4
                : 1;
            for (int r = 0; r < rows; r++)
            {
                ref float xs = ref Unsafe.Add(ref xr, (nint)r * stride);
                ref float ys = ref Unsafe.Add(ref yr, (nint)r * width);
                switch (lanes)
                {
                    case 16:
                    {
                        Vector512<float> v = Vector512.Create(b);
                        for (int i = 0; i < width; i += 16)
                        {
                            nuint at = (nuint)Math.Min(i, width - 16);
                            (Vector512.LoadUnsafe(ref xs, at) + v).StoreUnsafe(ref ys, at);
                        }

                        break;
                    }

                    case 8:
                    {
                        Vector256<float> v = Vector256.Create(b);
                        for (int i = 0; i < width; i += 8)
                        {
                            nuint at = (nuint)Math.Min(i, width - 8);
                            (Vector256.LoadUnsafe(ref xs, at) + v).StoreUnsafe(ref ys, at);
                        }

                        break;
                    }

                    case 4:
                    {
                        Vector128<float> v = Vector128.Create(b);
                        for (int i = 0; i < width; i += 4)
                        {
                            nuint at = (nuint)Math.Min(i, width - 4);
                            (Vector128.LoadUnsafe(ref xs, at) + v).StoreUnsafe(ref ys, at);
                        }

                        break;
                    }

                    default:
                        for (int i = 0; i < width; i++)
                        {
                            Unsafe.Add(ref ys, i) = Unsafe.Add(ref xs, i) + b;
                        }

                        break;
                }
            }
        }

        private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

        /// <summary>A convolution (groups = 1) of any stride for one sample, over tiles of <paramref name="tilePixels"/>
        /// output pixels whose columns are unfolded (im2col) into this thread's tile buffer, then C = W·columns + bias
        /// with W prepacked in panels of 6 output channels. Computes the channel panels [start, end).</summary>
        /// <param name="x">The input, [channels, height, width].</param>
        /// <param name="weight">The packed weight (panel(6) of [outChannels, channels·kernelH·kernelW]).</param>
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
        /// <param name="tilePixels">Output pixels per tile (the tile holds channels·kernelH·kernelW·tilePixels floats).</param>
        /// <param name="scratchFloats">This thread's tile buffer (the build's memory plan; checked).</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first channel panel to compute.</param>
        /// <param name="end">One past the last channel panel to compute.</param>
        /// <param name="vectorWidth">The widest vectors to use.</param>
        /// <param name="xPlane">Floats from one input channel to the next (0: height·width; more when x is a band of rows of a larger plane).</param>
        /// <param name="yPlane">Floats from one output channel to the next (0: outH·outW).</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ConvGemm(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int channels, int height, int width, int outChannels, int kernelH, int kernelW, int strideH, int strideW,
            int padTop, int padLeft, int dilationH, int dilationW, int outH, int outW, int tilePixels, int scratchFloats,
            ActivationKind activation, float alpha, int start, int end, VectorWidth vectorWidth, int xPlane = 0, int yPlane = 0)
        {
            int pixels = outH * outW;
            xPlane = xPlane == 0 ? height * width : xPlane;
            yPlane = yPlane == 0 ? pixels : yPlane;
            int depth = channels * kernelH * kernelW;
            RequireScratch(depth + ((long)depth * tilePixels), scratchFloats);
            Span<float> buffer = TileBuffer(scratchFloats);
            Span<float> tile = buffer.Slice(0, depth * tilePixels);
            Span<int> offsets = Offsets(buffer, depth * tilePixels, depth);
            for (int first = 0; first < pixels; first += tilePixels)
            {
                int count = Math.Min(tilePixels, pixels - first);
                for (int r = 0; r < depth; r++)
                {
                    offsets[r] = r * count;
                }

                Im2ColTile(x, xPlane, tile, count, first, channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outW);
                PackedGemm(weight, tile, offsets, y.Slice(first), yPlane, bias, outChannels, count, depth, activation, alpha, start, end, vectorWidth);
            }
        }

        /// <summary>The columns of output pixels [first, first + count) (row-major over the output): row r = (c, kh, kw)
        /// of the tile holds, for each of those pixels, the input value its window reads there (zero in the padding);
        /// rows are <paramref name="count"/> floats apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Im2ColTile(
            ReadOnlySpan<float> x, int xPlane, Span<float> tile, int count, int first, int channels, int height, int width, int kernelH, int kernelW,
            int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int outW)
        {
            if (strideH == 1 && strideW == 1 && outW == width)
            {
                Im2ColTileUnitStride(x, xPlane, tile, count, first, channels, height, width, kernelH, kernelW, padTop, padLeft, dilationH, dilationW);
                return;
            }

            int row = 0;
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> plane = x.Slice(c * xPlane, height * width);
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

        /// <summary>Stride 1 with the output as wide as the input: tap (dy, dx) reads pixel p + dy·width + dx, so each
        /// tile row is one shifted copy of the plane; then the pixels whose tap falls off the left or right edge, or
        /// above or below the plane, are zeroed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Im2ColTileUnitStride(
            ReadOnlySpan<float> x, int xPlane, Span<float> tile, int count, int first, int channels, int height, int width, int kernelH, int kernelW,
            int padTop, int padLeft, int dilationH, int dilationW)
        {
            int plane = height * width;
            int row = 0;
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> source = x.Slice(c * xPlane, plane);
                for (int kh = 0; kh < kernelH; kh++)
                {
                    int dy = (kh * dilationH) - padTop;
                    for (int kw = 0; kw < kernelW; kw++, row++)
                    {
                        int dx = (kw * dilationW) - padLeft;
                        Span<float> dst = tile.Slice(row * count, count);

                        // The whole shifted run, clipped to the plane; outside it, zeros.
                        int from = first + (dy * width) + dx;
                        int lo = Math.Max(0, -from), hi = Math.Min(count, plane - from);
                        if (hi <= lo)
                        {
                            dst.Clear();
                            continue;
                        }

                        dst.Slice(0, lo).Clear();
                        source.Slice(from + lo, hi - lo).CopyTo(dst.Slice(lo, hi - lo));
                        dst.Slice(hi).Clear();

                        // Rows whose tap row is outside the plane, and columns whose tap column is.
                        int firstRow = first / width, lastRow = (first + count - 1) / width;
                        for (int oh = firstRow; oh <= lastRow; oh++)
                        {
                            int start = Math.Max(oh * width, first) - first, end = Math.Min((oh + 1) * width, first + count) - first;
                            int ih = oh + dy;
                            if ((uint)ih >= (uint)height)
                            {
                                dst.Slice(start, end - start).Clear();
                                continue;
                            }

                            int rowStart = oh * width;
                            for (int ow = Math.Max(0, -dx); ow > 0; ow--)
                            {
                                int at = rowStart + ow - 1 - first;
                                if (at >= start && at < end)
                                {
                                    dst[at] = 0f;
                                }
                            }

                            for (int ow = width - Math.Max(0, dx); ow < width; ow++)
                            {
                                int at = rowStart + ow - first;
                                if (at >= start && at < end)
                                {
                                    dst[at] = 0f;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
