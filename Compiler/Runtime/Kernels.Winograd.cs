// ModelCompiler run-time kernels: 3×3 stride-1 convolutions by Winograd's minimal filtering, F(m×m, 3×3).

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;
    using global::System.Runtime.Intrinsics.X86;

    internal static partial class Kernels
    {
        /// <summary>The largest input tile (F(4×4, 3×3) reads 6×6 inputs): the transforms' work area holds this many
        /// squared vectors.</summary>
        private const int WinogradMaxPoints = 36;

        /// <summary>Floats between the starts of two frequencies' matrices beyond the matrix itself: one cache line, so
        /// that the (m+2)² rows a transform reads or writes for a vector of tiles do not all fall into one cache set
        /// (a matrix is often a power of two of bytes).</summary>
        private const int WinogradFrequencyPadding = 16;

        /// <summary>Floats in 64 bytes: the buffers start at a 64-byte boundary, so that no Vector512 access straddles two
        /// cache lines (a straddling store cannot be forwarded to the load that reads it back at once, and the transforms
        /// read back every vector they store).</summary>
        private const int WinogradAlignment = 16;

        /// <summary>Tiles a gather or scatter may touch past a run (it moves whole vectors of 16 tiles).</summary>
        private const int WinogradTileSlack = 16;

        /// <summary>The floats of this thread's tile buffer <see cref="WinogradConv3x3"/> needs (the build plans the same
        /// sum), from a 64-byte boundary (16 floats more, for the alignment): the B-row offsets (rounded up to 16), the
        /// transformed inputs [(m+2)²][channels][blockTiles], their products with the transformed weights
        /// [(m+2)²][outChannels][blockTiles] (each frequency's matrix followed by a cache line of padding), one channel's
        /// input tiles [m+2][m+2][blockTiles + 16], one output channel's tiles [m][m][blockTiles + 16], and the m + 2
        /// zero-padded rows of a run of tiles (m·blockTiles rounded up to whole vectors of 16 tiles, and 16).</summary>
        /// <param name="channels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="tileSize">Outputs per tile side, m (2 or 4).</param>
        /// <param name="blockTiles">Tiles per block.</param>
        /// <returns>The floats the buffer must hold.</returns>
        public static long WinogradScratchFloats(int channels, int outChannels, int tileSize, int blockTiles)
        {
            long points = (long)(tileSize + 2) * (tileSize + 2);
            return WinogradAlignment + RoundUp(channels, WinogradAlignment)
                + (points * (((long)(channels + outChannels) * blockTiles) + (2 * WinogradFrequencyPadding)))
                + ((points + ((long)tileSize * tileSize)) * (blockTiles + WinogradTileSlack))
                + ((tileSize + 2L) * WinogradLineFloats(tileSize, blockTiles));
        }

        /// <summary>Floats of the zero-padded row a run of up to <paramref name="blockTiles"/> tiles reads or writes:
        /// whole vectors of 16 tiles of m columns, and a cache line for the input tiles' 2 columns beyond them (read as
        /// part of a vector 4 floats further on).</summary>
        private static int WinogradLineFloats(int tileSize, int blockTiles) => (RoundUp(blockTiles, 16) * tileSize) + 16;

        /// <summary>A 3×3, stride-1, undilated convolution (groups = 1) for one sample by Winograd's F(m×m, 3×3), m = 2 or
        /// 4 (Lavin and Gray, 2016). The output is cut into m×m tiles, each computed from an (m+2)×(m+2) input tile; the
        /// tiles are taken in blocks of <paramref name="blockTiles"/> (row-major over the tile grid, a block may span
        /// tile rows) and per block: every input tile is transformed (Bᵀ·d·B) into this thread's buffer, one matrix
        /// product per frequency multiplies the weights transformed at build time (U = G·g·Gᵀ, packed per frequency in
        /// panels of 6 output channels) by the transformed inputs with <see cref="PackedGemm"/>, and each output tile is
        /// transformed back (Aᵀ·M·A) with the bias and the activation. The transforms run on vectors of tiles (a block's
        /// tiles are the SIMD lanes): each channel's input tiles are first gathered element by element ([i][j][tile],
        /// so that the same element of consecutive tiles is contiguous) from zero-padded copies of the input rows, and
        /// the output tiles are scattered back into the output rows the same way. Tiles that cross the right or bottom
        /// edge compute their whole square and keep what lies inside. Computes the blocks [start, end).</summary>
        /// <param name="x">The input, [channels, height, width].</param>
        /// <param name="weight">The transformed weights: (m+2)² matrices [outChannels, channels], each in panels of 6
        /// rows (the "winograd(m,6)" layout).</param>
        /// <param name="bias">[outChannels], or empty.</param>
        /// <param name="y">The output, [outChannels, outH, outW].</param>
        /// <param name="channels">Input channels.</param>
        /// <param name="height">Input height.</param>
        /// <param name="width">Input width.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="padTop">Zero rows above the input.</param>
        /// <param name="padLeft">Zero columns left of the input.</param>
        /// <param name="outH">Output height.</param>
        /// <param name="outW">Output width.</param>
        /// <param name="tileSize">Outputs per tile side, m: 2 or 4.</param>
        /// <param name="blockTiles">Tiles per block.</param>
        /// <param name="scratchFloats">This thread's tile buffer (the build's memory plan; checked).</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first block to compute.</param>
        /// <param name="end">One past the last block to compute.</param>
        /// <param name="vectorWidth">The widest vectors to use.</param>
        /// <param name="xPlane">Floats from one input channel to the next (0: height·width; more when x is a band of rows of a larger plane).</param>
        /// <param name="yPlane">Floats from one output channel to the next (0: outH·outW).</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void WinogradConv3x3(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int channels, int height, int width, int outChannels, int padTop, int padLeft, int outH, int outW,
            int tileSize, int blockTiles, int scratchFloats, ActivationKind activation, float alpha, int start, int end, VectorWidth vectorWidth,
            int xPlane = 0, int yPlane = 0)
        {
            xPlane = xPlane == 0 ? height * width : xPlane;
            yPlane = yPlane == 0 ? outH * outW : yPlane;
            if (tileSize is not (2 or 4))
            {
                throw new ArgumentOutOfRangeException(nameof(tileSize), tileSize, "Winograd tiles are 2×2 or 4×4 outputs.");
            }

            int m = tileSize, points = (m + 2) * (m + 2);
            int tilesW = (outW + m - 1) / m, tiles = ((outH + m - 1) / m) * tilesW;
            int blocks = (tiles + blockTiles - 1) / blockTiles;
            int panels = (outChannels + GemmPanelRows - 1) / GemmPanelRows;
            int frequencyWeights = panels * GemmPanelRows * channels;
            if (blockTiles <= 0 || start < 0 || end > blocks || x.Length < ((long)(channels - 1) * xPlane) + ((long)height * width) || y.Length < ((long)(outChannels - 1) * yPlane) + ((long)outH * outW)
                || (!bias.IsEmpty && bias.Length < outChannels) || weight.Length < (long)points * frequencyWeights)
            {
                throw new ArgumentException("the input, weights, bias, output or block range does not fit the convolution's sizes.");
            }

            RequireScratch(WinogradScratchFloats(channels, outChannels, m, blockTiles), scratchFloats);
            Span<float> buffer = Aligned(TileBuffer(scratchFloats));
            Span<int> offsets = MemoryMarshal.Cast<float, int>(buffer.Slice(0, channels));

            // Each region after the offsets, and each row of tiles in it, starts on a 64-byte boundary when blockTiles is
            // a multiple of 16 (as the build plans it).
            int inputStride = (channels * blockTiles) + WinogradFrequencyPadding, productStride = (outChannels * blockTiles) + WinogradFrequencyPadding;
            int tileStride = blockTiles + WinogradTileSlack, lineFloats = WinogradLineFloats(m, blockTiles);
            int at = RoundUp(channels, WinogradAlignment);
            Span<float> transformed = buffer.Slice(at, points * inputStride);
            Span<float> products = buffer.Slice(at += transformed.Length, points * productStride);
            Span<float> inputTiles = buffer.Slice(at += products.Length, points * tileStride);
            Span<float> outputTiles = buffer.Slice(at += inputTiles.Length, m * m * tileStride);
            Span<float> lines = buffer.Slice(at + outputTiles.Length, (m + 2) * lineFloats);
            Span<float> work = Aligned(stackalloc float[(WinogradMaxPoints * 16) + WinogradAlignment]);
            for (int c = 0; c < channels; c++)
            {
                offsets[c] = c * blockTiles;
            }

            int plane = height * width, outPlane = outH * outW;
            for (int block = start; block < end; block++)
            {
                int first = block * blockTiles;
                int count = Math.Min(blockTiles, tiles - first);

                // With vectors, the transforms and products cover whole vectors of 16 tiles where the block has room: the
                // columns past the last tile hold whatever the buffer held (each column is computed on its own, and these
                // are never scattered into the output), at the cost of a little arithmetic; in exchange every product
                // runs on the widest microkernel.
                int columns = vectorWidth == VectorWidth.Scalar ? count : Math.Min(RoundUp(count, 16), blockTiles);

                // Bᵀ·d·B of every input tile of the block, channel by channel: the tiles gathered one run of a tile row at
                // a time, then transformed together.
                for (int c = 0; c < channels; c++)
                {
                    ReadOnlySpan<float> source = x.Slice(c * xPlane, plane);
                    for (int t = first; t < first + count;)
                    {
                        int ty = t / tilesW, tx = t - (ty * tilesW);
                        int run = Math.Min(first + count - t, tilesW - tx);
                        GatherTiles(
                            source, height, width, (ty * m) - padTop, (tx * m) - padLeft, run, m, lines, lineFloats, inputTiles, tileStride, t - first, vectorWidth);
                        t += run;
                    }

                    TransformInputs(inputTiles, tileStride, transformed.Slice(c * blockTiles), inputStride, columns, m, work, vectorWidth);
                }

                // One product per frequency: [outChannels × channels] · [channels × columns].
                for (int f = 0; f < points; f++)
                {
                    PackedGemm(
                        weight.Slice(f * frequencyWeights, frequencyWeights), transformed.Slice(f * inputStride, inputStride), offsets,
                        products.Slice(f * productStride, productStride), blockTiles, default, outChannels, columns, channels,
                        ActivationKind.None, 0f, 0, panels, vectorWidth);
                }

                // Aᵀ·M·A of every output tile with the bias and the activation (on the block's m² rows of tiles, with the
                // few unused floats between them), then the tiles scattered into the output rows.
                Span<float> activated = outputTiles.Slice(0, (((m * m) - 1) * tileStride) + columns);
                for (int k = 0; k < outChannels; k++)
                {
                    float b = bias.IsEmpty ? 0f : bias[k];
                    TransformOutputs(products.Slice(k * blockTiles), productStride, outputTiles, tileStride, columns, b, m, work, vectorWidth);
                    Activate(activated, activation, alpha, vectorWidth);
                    Span<float> target = y.Slice(k * yPlane, outPlane);
                    for (int t = first; t < first + count;)
                    {
                        int ty = t / tilesW, tx = t - (ty * tilesW);
                        int run = Math.Min(first + count - t, tilesW - tx);
                        ScatterTiles(outputTiles, tileStride, t - first, run, m, lines, lineFloats, target, outH, outW, ty * m, tx * m, vectorWidth);
                        t += run;
                    }
                }
            }
        }

        /// <summary>The part of <paramref name="buffer"/> from its first 64-byte boundary on (the address is read as an offset
        /// from null; the tile buffers are large arrays, which the GC does not move, and a moved one would only be slower).</summary>
        private static Span<float> Aligned(Span<float> buffer)
        {
            nuint address = (nuint)Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(buffer));
            nuint floats = address / sizeof(float) % WinogradAlignment;
            return buffer.Slice((int)((WinogradAlignment - floats) % WinogradAlignment));
        }

        /// <summary>The input tiles of a run of <paramref name="run"/> tiles of one tile row, from row <paramref name="row0"/>
        /// and column <paramref name="column0"/> of one channel's plane (either may be negative: padding): element
        /// [i][j] of the run's tile s (at (i·(m+2) + j)·<paramref name="stride"/> + <paramref name="at"/> + s) is column
        /// column0 + s·m + j of row row0 + i, zero outside the plane. The m + 2 rows are first copied, zero-padded, into
        /// <paramref name="lines"/> (all of them before any is read: a vector load of floats just stored by narrower or
        /// differently placed stores waits for them to reach the cache); with AVX-512 whole vectors of 16 tiles are then
        /// gathered (up to 15 tiles past the run get values too: the stride leaves room for them, and later runs
        /// overwrite them).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GatherTiles(
            ReadOnlySpan<float> plane, int height, int width, int row0, int column0, int run, int m, Span<float> lines, int lineFloats,
            Span<float> tiles, int stride, int at, VectorWidth vectorWidth)
        {
            int n = m + 2, needed = (run * m) + 2;
            bool permute = vectorWidth >= VectorWidth.V512 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
            int groups = (run + 15) / 16;
            if (lineFloats < (groups * 16 * m) + 4 || lines.Length < n * lineFloats || tiles.Length < (((n * n) - 1) * stride) + at + (permute ? groups * 16 : run))
            {
                throw new ArgumentException("the lines or the input tiles are shorter than the run needs.");
            }

            // The part of each row inside the plane: element k of a line is column column0 + k.
            int inside0 = Math.Clamp(-column0, 0, needed), inside1 = Math.Clamp(width - column0, inside0, needed);
            for (int i = 0; i < n; i++)
            {
                Span<float> line = lines.Slice(i * lineFloats, needed);
                int iy = row0 + i;
                if ((uint)iy >= (uint)height || inside1 == inside0)
                {
                    line.Clear();
                    continue;
                }

                line.Slice(0, inside0).Clear();
                plane.Slice((iy * width) + column0 + inside0, inside1 - inside0).CopyTo(line.Slice(inside0));
                line.Slice(inside1).Clear();
            }

            for (int i = 0; i < n; i++)
            {
                ref float from = ref Unsafe.Add(ref MemoryMarshal.GetReference(lines), i * lineFloats);
                ref float to = ref Unsafe.Add(ref MemoryMarshal.GetReference(tiles), (i * n * stride) + at);
                if (permute)
                {
                    if (m == 4)
                    {
                        GatherFours512(ref from, ref to, stride, groups);
                    }
                    else
                    {
                        GatherTwos512(ref from, ref to, stride, groups);
                    }

                    continue;
                }

                for (int s = 0; s < run; s++)
                {
                    ref float tile = ref Unsafe.Add(ref from, s * m);
                    for (int j = 0; j < n; j++)
                    {
                        Unsafe.Add(ref to, (j * stride) + s) = Unsafe.Add(ref tile, j);
                    }
                }
            }
        }

        /// <summary>Gathers the 6 columns of <paramref name="groups"/> groups of 16 tiles of 4 with two-source permutes:
        /// columns 0..3 from the 64 floats of the 16 tiles, columns 4 and 5 (the next tile's 0 and 1) from the same
        /// floats 4 further on (reading 68 floats per group).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GatherFours512(ref float from, ref float to, int stride, int groups)
        {
            // Round 1: columns 0 and 1 (and 2 and 3) of 8 tiles from two vectors; round 2: one column of 16 tiles.
            Vector512<int> evens = Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 1, 5, 9, 13, 17, 21, 25, 29);
            Vector512<int> odds = Vector512.Create(2, 6, 10, 14, 18, 22, 26, 30, 3, 7, 11, 15, 19, 23, 27, 31);
            Vector512<int> low = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
            Vector512<int> high = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
            for (int s = 0; s < groups * 16; s += 16)
            {
                ref float source = ref Unsafe.Add(ref from, s * 4);
                Vector512<float> v0 = Vector512.LoadUnsafe(ref source), v1 = Vector512.LoadUnsafe(ref source, 16);
                Vector512<float> v2 = Vector512.LoadUnsafe(ref source, 32), v3 = Vector512.LoadUnsafe(ref source, 48);
                Vector512<float> w0 = Vector512.LoadUnsafe(ref source, 4), w1 = Vector512.LoadUnsafe(ref source, 20);
                Vector512<float> w2 = Vector512.LoadUnsafe(ref source, 36), w3 = Vector512.LoadUnsafe(ref source, 52);
                Vector512<float> a = Avx512F.PermuteVar16x32x2(v0, evens, v1), b = Avx512F.PermuteVar16x32x2(v0, odds, v1);
                Vector512<float> c = Avx512F.PermuteVar16x32x2(v2, evens, v3), d = Avx512F.PermuteVar16x32x2(v2, odds, v3);
                Vector512<float> e = Avx512F.PermuteVar16x32x2(w0, evens, w1), f = Avx512F.PermuteVar16x32x2(w2, evens, w3);
                ref float target = ref Unsafe.Add(ref to, s);
                Avx512F.PermuteVar16x32x2(a, low, c).StoreUnsafe(ref target);
                Avx512F.PermuteVar16x32x2(a, high, c).StoreUnsafe(ref target, (nuint)stride);
                Avx512F.PermuteVar16x32x2(b, low, d).StoreUnsafe(ref target, (nuint)(2 * stride));
                Avx512F.PermuteVar16x32x2(b, high, d).StoreUnsafe(ref target, (nuint)(3 * stride));
                Avx512F.PermuteVar16x32x2(e, low, f).StoreUnsafe(ref target, (nuint)(4 * stride));
                Avx512F.PermuteVar16x32x2(e, high, f).StoreUnsafe(ref target, (nuint)(5 * stride));
            }
        }

        /// <summary>Gathers the 4 columns of <paramref name="groups"/> groups of 16 tiles of 2: columns 0 and 1 from the
        /// 32 floats of the 16 tiles, 2 and 3 from the same floats 2 further on (reading 34 floats per group).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void GatherTwos512(ref float from, ref float to, int stride, int groups)
        {
            Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            Vector512<int> odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            for (int s = 0; s < groups * 16; s += 16)
            {
                ref float source = ref Unsafe.Add(ref from, s * 2);
                Vector512<float> v0 = Vector512.LoadUnsafe(ref source), v1 = Vector512.LoadUnsafe(ref source, 16);
                Vector512<float> w0 = Vector512.LoadUnsafe(ref source, 2), w1 = Vector512.LoadUnsafe(ref source, 18);
                ref float target = ref Unsafe.Add(ref to, s);
                Avx512F.PermuteVar16x32x2(v0, evens, v1).StoreUnsafe(ref target);
                Avx512F.PermuteVar16x32x2(v0, odds, v1).StoreUnsafe(ref target, (nuint)stride);
                Avx512F.PermuteVar16x32x2(w0, evens, w1).StoreUnsafe(ref target, (nuint)(2 * stride));
                Avx512F.PermuteVar16x32x2(w0, odds, w1).StoreUnsafe(ref target, (nuint)(3 * stride));
            }
        }

        /// <summary>The output tiles of a run of <paramref name="run"/> tiles of one tile row into the output plane: element
        /// [r][q] of the run's tile s (at (r·m + q)·<paramref name="stride"/> + <paramref name="at"/>
        /// + s) goes to row row0 + r, column column0 + s·m + q, where that lies inside the plane. The rows are assembled
        /// in <paramref name="lines"/> (with AVX-512 from whole vectors of 16 tiles: up to 15 tiles past the run are
        /// read, and their values dropped), all of them before their valid parts are copied out.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ScatterTiles(
            ReadOnlySpan<float> tiles, int stride, int at, int run, int m, Span<float> lines, int lineFloats, Span<float> plane, int outH, int outW,
            int row0, int column0, VectorWidth vectorWidth)
        {
            bool permute = vectorWidth >= VectorWidth.V512 && Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
            int groups = (run + 15) / 16;
            int rows = Math.Min(m, outH - row0);
            int valid = Math.Min(run * m, outW - column0);
            if (lineFloats < groups * 16 * m || lines.Length < m * lineFloats || tiles.Length < (((m * m) - 1) * stride) + at + (permute ? groups * 16 : run))
            {
                throw new ArgumentException("the lines or the output tiles are shorter than the run needs.");
            }

            for (int r = 0; r < rows; r++)
            {
                ref float from = ref Unsafe.Add(ref MemoryMarshal.GetReference(tiles), (r * m * stride) + at);
                ref float to = ref Unsafe.Add(ref MemoryMarshal.GetReference(lines), r * lineFloats);
                if (permute && m == 4)
                {
                    ScatterFours512(ref from, ref to, stride, groups);
                }
                else if (permute)
                {
                    ScatterTwos512(ref from, ref to, stride, groups);
                }
                else
                {
                    for (int s = 0; s < run; s++)
                    {
                        ref float tile = ref Unsafe.Add(ref to, s * m);
                        for (int q = 0; q < m; q++)
                        {
                            Unsafe.Add(ref tile, q) = Unsafe.Add(ref from, (q * stride) + s);
                        }
                    }
                }
            }

            for (int r = 0; r < rows; r++)
            {
                lines.Slice(r * lineFloats, valid).CopyTo(plane.Slice(((row0 + r) * outW) + column0, valid));
            }
        }

        /// <summary>The inverse of <see cref="GatherFours512"/>'s first four columns: <paramref name="groups"/> groups of
        /// 16 tiles of 4 columns (each column <paramref name="stride"/> floats from the last) into 64 floats of a row
        /// each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ScatterFours512(ref float from, ref float to, int stride, int groups)
        {
            // Round 1: columns 0 and 1 (and 2 and 3) interleaved, 8 tiles per vector; round 2: pairs of pairs.
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            Vector512<int> high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            Vector512<int> first = Vector512.Create(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
            Vector512<int> second = Vector512.Create(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
            for (int s = 0; s < groups * 16; s += 16)
            {
                ref float source = ref Unsafe.Add(ref from, s);
                Vector512<float> p0 = Vector512.LoadUnsafe(ref source), p1 = Vector512.LoadUnsafe(ref source, (nuint)stride);
                Vector512<float> p2 = Vector512.LoadUnsafe(ref source, (nuint)(2 * stride)), p3 = Vector512.LoadUnsafe(ref source, (nuint)(3 * stride));
                Vector512<float> a = Avx512F.PermuteVar16x32x2(p0, low, p1), b = Avx512F.PermuteVar16x32x2(p2, low, p3);
                Vector512<float> c = Avx512F.PermuteVar16x32x2(p0, high, p1), d = Avx512F.PermuteVar16x32x2(p2, high, p3);
                ref float target = ref Unsafe.Add(ref to, s * 4);
                Avx512F.PermuteVar16x32x2(a, first, b).StoreUnsafe(ref target);
                Avx512F.PermuteVar16x32x2(a, second, b).StoreUnsafe(ref target, 16);
                Avx512F.PermuteVar16x32x2(c, first, d).StoreUnsafe(ref target, 32);
                Avx512F.PermuteVar16x32x2(c, second, d).StoreUnsafe(ref target, 48);
            }
        }

        /// <summary><paramref name="groups"/> groups of 16 tiles of 2 columns into 32 floats of a row each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ScatterTwos512(ref float from, ref float to, int stride, int groups)
        {
            Vector512<int> low = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
            Vector512<int> high = Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
            for (int s = 0; s < groups * 16; s += 16)
            {
                ref float source = ref Unsafe.Add(ref from, s);
                Vector512<float> p0 = Vector512.LoadUnsafe(ref source), p1 = Vector512.LoadUnsafe(ref source, (nuint)stride);
                ref float target = ref Unsafe.Add(ref to, s * 2);
                Avx512F.PermuteVar16x32x2(p0, low, p1).StoreUnsafe(ref target);
                Avx512F.PermuteVar16x32x2(p0, high, p1).StoreUnsafe(ref target, 16);
            }
        }

        /// <summary>Bᵀ·d·B of <paramref name="count"/> input tiles that <see cref="GatherTiles"/> laid out element by
        /// element (element [i][j] of tile s at (i·(m+2) + j)·<paramref name="tileStride"/> + s): frequency f of tile s
        /// goes to <paramref name="transformed"/>[f·stride + s]. Widest vectors of tiles first, then narrower ones, then
        /// single tiles.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransformInputs(
            ReadOnlySpan<float> tiles, int tileStride, Span<float> transformed, int stride, int count, int m, Span<float> work, VectorWidth width)
        {
            int points = (m + 2) * (m + 2);
            if (tiles.Length < ((points - 1) * tileStride) + count || transformed.Length < ((points - 1) * stride) + count)
            {
                throw new ArgumentException("the input tiles or the transformed inputs are shorter than the block needs.");
            }

            ref float d = ref MemoryMarshal.GetReference(tiles);
            ref float v = ref MemoryMarshal.GetReference(transformed);
            ref float w = ref MemoryMarshal.GetReference(work);
            int s = 0;
            if (width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated)
            {
                s = InputVectors<Lanes512, Vector512<float>>(ref d, tileStride, ref v, stride, ref w, s, count, m);
            }

            if (width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated)
            {
                s = InputVectors<Lanes256, Vector256<float>>(ref d, tileStride, ref v, stride, ref w, s, count, m);
            }

            if (width >= VectorWidth.V128 && Vector128.IsHardwareAccelerated)
            {
                s = InputVectors<Lanes128, Vector128<float>>(ref d, tileStride, ref v, stride, ref w, s, count, m);
            }

            InputVectors<LanesScalar, float>(ref d, tileStride, ref v, stride, ref w, s, count, m);
        }

        /// <summary>Transforms the tiles from <paramref name="s"/> on in whole vectors of <typeparamref name="TLanes"/>;
        /// returns the first tile left over.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int InputVectors<TLanes, TVector>(ref float d, int tileStride, ref float v, int stride, ref float work, int s, int count, int m)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            for (; s <= count - TLanes.Count; s += TLanes.Count)
            {
                if (m == 4)
                {
                    InputTiles6<TLanes, TVector>(ref Unsafe.Add(ref d, s), tileStride, ref Unsafe.Add(ref v, s), stride, ref work);
                }
                else
                {
                    InputTiles4<TLanes, TVector>(ref Unsafe.Add(ref d, s), tileStride, ref Unsafe.Add(ref v, s), stride, ref work);
                }
            }

            return s;
        }

        /// <summary>F(4×4, 3×3): Bᵀ·d·B of one vector of 6×6 input tiles, first down the columns (into the work area,
        /// [i][j]), then along the rows (frequency i·6 + j, <paramref name="stride"/> floats apart).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void InputTiles6<TLanes, TVector>(ref float d, int tileStride, ref float v, int stride, ref float work)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            nint row = 6 * (nint)tileStride;
            int lanes = TLanes.Count;
            for (int j = 0; j < 6; j++)
            {
                ref float column = ref Unsafe.Add(ref d, (nint)j * tileStride);
                Input6<TLanes, TVector>(
                    TLanes.Load(ref column), TLanes.Load(ref Unsafe.Add(ref column, row)), TLanes.Load(ref Unsafe.Add(ref column, 2 * row)),
                    TLanes.Load(ref Unsafe.Add(ref column, 3 * row)), TLanes.Load(ref Unsafe.Add(ref column, 4 * row)), TLanes.Load(ref Unsafe.Add(ref column, 5 * row)),
                    ref Unsafe.Add(ref work, j * lanes), 6 * lanes);
            }

            for (int i = 0; i < 6; i++)
            {
                ref float line = ref Unsafe.Add(ref work, i * 6 * lanes);
                Input6<TLanes, TVector>(
                    TLanes.Load(ref line), TLanes.Load(ref Unsafe.Add(ref line, lanes)), TLanes.Load(ref Unsafe.Add(ref line, 2 * lanes)),
                    TLanes.Load(ref Unsafe.Add(ref line, 3 * lanes)), TLanes.Load(ref Unsafe.Add(ref line, 4 * lanes)), TLanes.Load(ref Unsafe.Add(ref line, 5 * lanes)),
                    ref Unsafe.Add(ref v, (nint)i * 6 * stride), stride);
            }
        }

        /// <summary>Bᵀ·d for 6 points (F(4, 3), interpolation points 0, ±1, ±2, ∞), stored <paramref name="step"/> floats
        /// apart: Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Input6<TLanes, TVector>(TVector d0, TVector d1, TVector d2, TVector d3, TVector d4, TVector d5, ref float to, int step)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            TVector a = TLanes.MultiplyAdd(d2, -4f, d4), b = TLanes.MultiplyAdd(d1, -4f, d3);
            TVector c = TLanes.Subtract(d4, d2), e = TLanes.Subtract(d3, d1);
            TLanes.Store(TLanes.MultiplyAdd(d0, 4f, TLanes.MultiplyAdd(d2, -5f, d4)), ref to);
            TLanes.Store(TLanes.Add(a, b), ref Unsafe.Add(ref to, step));
            TLanes.Store(TLanes.Subtract(a, b), ref Unsafe.Add(ref to, 2 * step));
            TLanes.Store(TLanes.MultiplyAdd(e, 2f, c), ref Unsafe.Add(ref to, 3 * step));
            TLanes.Store(TLanes.MultiplyAdd(e, -2f, c), ref Unsafe.Add(ref to, 4 * step));
            TLanes.Store(TLanes.MultiplyAdd(d1, 4f, TLanes.MultiplyAdd(d3, -5f, d5)), ref Unsafe.Add(ref to, 5 * step));
        }

        /// <summary>F(2×2, 3×3): Bᵀ·d·B of one vector of 4×4 input tiles (as <see cref="InputTiles6{TLanes, TVector}"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void InputTiles4<TLanes, TVector>(ref float d, int tileStride, ref float v, int stride, ref float work)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            nint row = 4 * (nint)tileStride;
            int lanes = TLanes.Count;
            for (int j = 0; j < 4; j++)
            {
                ref float column = ref Unsafe.Add(ref d, (nint)j * tileStride);
                Input4<TLanes, TVector>(
                    TLanes.Load(ref column), TLanes.Load(ref Unsafe.Add(ref column, row)), TLanes.Load(ref Unsafe.Add(ref column, 2 * row)),
                    TLanes.Load(ref Unsafe.Add(ref column, 3 * row)), ref Unsafe.Add(ref work, j * lanes), 4 * lanes);
            }

            for (int i = 0; i < 4; i++)
            {
                ref float line = ref Unsafe.Add(ref work, i * 4 * lanes);
                Input4<TLanes, TVector>(
                    TLanes.Load(ref line), TLanes.Load(ref Unsafe.Add(ref line, lanes)), TLanes.Load(ref Unsafe.Add(ref line, 2 * lanes)),
                    TLanes.Load(ref Unsafe.Add(ref line, 3 * lanes)), ref Unsafe.Add(ref v, (nint)i * 4 * stride), stride);
            }
        }

        /// <summary>Bᵀ·d for 4 points (F(2, 3), points 0, ±1, ∞): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Input4<TLanes, TVector>(TVector d0, TVector d1, TVector d2, TVector d3, ref float to, int step)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            TLanes.Store(TLanes.Subtract(d0, d2), ref to);
            TLanes.Store(TLanes.Add(d1, d2), ref Unsafe.Add(ref to, step));
            TLanes.Store(TLanes.Subtract(d2, d1), ref Unsafe.Add(ref to, 2 * step));
            TLanes.Store(TLanes.Subtract(d1, d3), ref Unsafe.Add(ref to, 3 * step));
        }

        /// <summary>Aᵀ·M·A + bias of <paramref name="count"/> output tiles of one output channel, frequency f of tile s at
        /// <paramref name="products"/>[f·stride + s]; element [r][q] of tile s goes to <paramref name="tiles"/>[(r·m +
        /// q)·tileStride + s].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void TransformOutputs(
            ReadOnlySpan<float> products, int stride, Span<float> tiles, int tileStride, int count, float bias, int m, Span<float> work, VectorWidth width)
        {
            int points = (m + 2) * (m + 2);
            if (products.Length < ((points - 1) * stride) + count || tiles.Length < (((m * m) - 1) * tileStride) + count)
            {
                throw new ArgumentException("the products or the output tiles are shorter than the block needs.");
            }

            ref float p = ref MemoryMarshal.GetReference(products);
            ref float o = ref MemoryMarshal.GetReference(tiles);
            ref float w = ref MemoryMarshal.GetReference(work);
            int s = 0;
            if (width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated)
            {
                s = OutputVectors<Lanes512, Vector512<float>>(ref p, stride, ref o, tileStride, count, bias, ref w, s, m);
            }

            if (width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated)
            {
                s = OutputVectors<Lanes256, Vector256<float>>(ref p, stride, ref o, tileStride, count, bias, ref w, s, m);
            }

            if (width >= VectorWidth.V128 && Vector128.IsHardwareAccelerated)
            {
                s = OutputVectors<Lanes128, Vector128<float>>(ref p, stride, ref o, tileStride, count, bias, ref w, s, m);
            }

            OutputVectors<LanesScalar, float>(ref p, stride, ref o, tileStride, count, bias, ref w, s, m);
        }

        /// <summary>Transforms the tiles from <paramref name="s"/> on in whole vectors of <typeparamref name="TLanes"/>;
        /// returns the first tile left over.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int OutputVectors<TLanes, TVector>(
            ref float products, int stride, ref float tiles, int tileStride, int count, float bias, ref float work, int s, int m)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            TVector b = TLanes.Broadcast(bias);
            for (; s <= count - TLanes.Count; s += TLanes.Count)
            {
                if (m == 4)
                {
                    OutputTiles6<TLanes, TVector>(ref Unsafe.Add(ref products, s), stride, ref Unsafe.Add(ref tiles, s), tileStride, b, ref work);
                }
                else
                {
                    OutputTiles4<TLanes, TVector>(ref Unsafe.Add(ref products, s), stride, ref Unsafe.Add(ref tiles, s), tileStride, b, ref work);
                }
            }

            return s;
        }

        /// <summary>F(4×4, 3×3): Aᵀ·M·A + bias of one vector of tiles, first down the columns (into the work area,
        /// [r][j]), then along the rows (element [r][q] at (r·4 + q)·<paramref name="tileStride"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void OutputTiles6<TLanes, TVector>(ref float products, int stride, ref float tiles, int tileStride, TVector bias, ref float work)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            int lanes = TLanes.Count;
            nint row = 6 * (nint)stride;
            for (int j = 0; j < 6; j++)
            {
                ref float column = ref Unsafe.Add(ref products, (nint)j * stride);
                TVector m1 = TLanes.Load(ref Unsafe.Add(ref column, row));
                if (j == 1)
                {
                    // Column 1 of Aᵀ is all ones, so Aᵀ·(b·e₁·e₁ᵀ)·A = b everywhere: the bias joins frequency (1, 1).
                    m1 = TLanes.Add(m1, bias);
                }

                Output6<TLanes, TVector>(
                    TLanes.Load(ref column), m1, TLanes.Load(ref Unsafe.Add(ref column, 2 * row)),
                    TLanes.Load(ref Unsafe.Add(ref column, 3 * row)), TLanes.Load(ref Unsafe.Add(ref column, 4 * row)), TLanes.Load(ref Unsafe.Add(ref column, 5 * row)),
                    ref Unsafe.Add(ref work, j * lanes), 6 * lanes);
            }

            for (int r = 0; r < 4; r++)
            {
                ref float line = ref Unsafe.Add(ref work, r * 6 * lanes);
                Output6<TLanes, TVector>(
                    TLanes.Load(ref line), TLanes.Load(ref Unsafe.Add(ref line, lanes)), TLanes.Load(ref Unsafe.Add(ref line, 2 * lanes)),
                    TLanes.Load(ref Unsafe.Add(ref line, 3 * lanes)), TLanes.Load(ref Unsafe.Add(ref line, 4 * lanes)), TLanes.Load(ref Unsafe.Add(ref line, 5 * lanes)),
                    ref Unsafe.Add(ref tiles, r * 4 * tileStride), tileStride);
            }
        }

        /// <summary>Aᵀ·m for 6 points to 4 outputs, stored <paramref name="step"/> floats apart:
        /// Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Output6<TLanes, TVector>(TVector m0, TVector m1, TVector m2, TVector m3, TVector m4, TVector m5, ref float to, int step)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            TVector a = TLanes.Add(m1, m2), b = TLanes.Subtract(m1, m2), c = TLanes.Add(m3, m4), d = TLanes.Subtract(m3, m4);
            TLanes.Store(TLanes.Add(m0, TLanes.Add(a, c)), ref to);
            TLanes.Store(TLanes.MultiplyAdd(d, 2f, b), ref Unsafe.Add(ref to, step));
            TLanes.Store(TLanes.MultiplyAdd(c, 4f, a), ref Unsafe.Add(ref to, 2 * step));
            TLanes.Store(TLanes.Add(TLanes.MultiplyAdd(d, 8f, b), m5), ref Unsafe.Add(ref to, 3 * step));
        }

        /// <summary>F(2×2, 3×3): Aᵀ·M·A + bias of one vector of tiles (as <see cref="OutputTiles6{TLanes, TVector}"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void OutputTiles4<TLanes, TVector>(ref float products, int stride, ref float tiles, int tileStride, TVector bias, ref float work)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            int lanes = TLanes.Count;
            nint row = 4 * (nint)stride;
            for (int j = 0; j < 4; j++)
            {
                ref float column = ref Unsafe.Add(ref products, (nint)j * stride);
                TVector m1 = TLanes.Load(ref Unsafe.Add(ref column, row));
                if (j == 1)
                {
                    m1 = TLanes.Add(m1, bias);
                }

                Output4<TLanes, TVector>(
                    TLanes.Load(ref column), m1, TLanes.Load(ref Unsafe.Add(ref column, 2 * row)),
                    TLanes.Load(ref Unsafe.Add(ref column, 3 * row)), ref Unsafe.Add(ref work, j * lanes), 4 * lanes);
            }

            for (int r = 0; r < 2; r++)
            {
                ref float line = ref Unsafe.Add(ref work, r * 4 * lanes);
                Output4<TLanes, TVector>(
                    TLanes.Load(ref line), TLanes.Load(ref Unsafe.Add(ref line, lanes)), TLanes.Load(ref Unsafe.Add(ref line, 2 * lanes)),
                    TLanes.Load(ref Unsafe.Add(ref line, 3 * lanes)), ref Unsafe.Add(ref tiles, r * 2 * tileStride), tileStride);
            }
        }

        /// <summary>Aᵀ·m for 4 points to 2 outputs: Aᵀ = [1 1 1 0; 0 1 −1 −1] (column 1 all ones, as for 6 points).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Output4<TLanes, TVector>(TVector m0, TVector m1, TVector m2, TVector m3, ref float to, int step)
            where TLanes : struct, IWinogradLanes<TVector>
            where TVector : struct
        {
            TLanes.Store(TLanes.Add(m0, TLanes.Add(m1, m2)), ref to);
            TLanes.Store(TLanes.Subtract(TLanes.Subtract(m1, m2), m3), ref Unsafe.Add(ref to, step));
        }

        /// <summary>The arithmetic the Winograd transforms need on a vector of tiles, one implementation per width, so
        /// that each transform is written once and compiled for every width.</summary>
        /// <typeparam name="TVector">The vector type (a float for single tiles).</typeparam>
        private interface IWinogradLanes<TVector>
            where TVector : struct
        {
            /// <summary>Gets the tiles per vector.</summary>
            static abstract int Count { get; }

            /// <summary>The vector at <paramref name="source"/>.</summary>
            static abstract TVector Load(ref float source);

            /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/>.</summary>
            static abstract void Store(TVector value, ref float destination);

            /// <summary>Every lane <paramref name="value"/>.</summary>
            static abstract TVector Broadcast(float value);

            /// <summary>left + right.</summary>
            static abstract TVector Add(TVector left, TVector right);

            /// <summary>left − right.</summary>
            static abstract TVector Subtract(TVector left, TVector right);

            /// <summary>left · factor + addend, fused.</summary>
            static abstract TVector MultiplyAdd(TVector left, float factor, TVector addend);
        }

        /// <summary>Sixteen tiles per vector.</summary>
        private readonly struct Lanes512 : IWinogradLanes<Vector512<float>>
        {
            public static int Count => Vector512<float>.Count;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector512<float> MultiplyAdd(Vector512<float> left, float factor, Vector512<float> addend) =>
                Vector512.FusedMultiplyAdd(left, Vector512.Create(factor), addend);
        }

        /// <summary>Eight tiles per vector.</summary>
        private readonly struct Lanes256 : IWinogradLanes<Vector256<float>>
        {
            public static int Count => Vector256<float>.Count;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector256<float> MultiplyAdd(Vector256<float> left, float factor, Vector256<float> addend) =>
                Vector256.FusedMultiplyAdd(left, Vector256.Create(factor), addend);
        }

        /// <summary>Four tiles per vector.</summary>
        private readonly struct Lanes128 : IWinogradLanes<Vector128<float>>
        {
            public static int Count => Vector128<float>.Count;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector128<float> Load(ref float source) => Vector128.LoadUnsafe(ref source);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Vector128<float> MultiplyAdd(Vector128<float> left, float factor, Vector128<float> addend) =>
                Vector128.FusedMultiplyAdd(left, Vector128.Create(factor), addend);
        }

        /// <summary>One tile at a time: the scalar path, and the tiles left over after the vectors.</summary>
        private readonly struct LanesScalar : IWinogradLanes<float>
        {
            public static int Count => 1;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static float Load(ref float source) => source;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Store(float value, ref float destination) => destination = value;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static float Broadcast(float value) => value;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static float Add(float left, float right) => left + right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static float Subtract(float left, float right) => left - right;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static float MultiplyAdd(float left, float factor, float addend) => MathF.FusedMultiplyAdd(left, factor, addend);
        }
    }
}
