// ModelCompiler run-time kernels: a linear layer on weights prepacked in blocks of 16 output features.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>Output features per block of a weight packed for <see cref="PackedLinear"/>: the build packs
        /// [outFeatures, inFeatures] as [ceil(out / 16)][in][16] (the "panel(16)" layout), the last block zero-padded.</summary>
        public const int LinearBlockRows = 16;

        /// <summary>Samples per register tile of <see cref="PackedLinear"/> on a whole group of samples.</summary>
        private const int LinearTileSamples = 6;

        /// <summary>y[n, o] = activation(x[n] · W[o] + bias[o]) for the output blocks [start, end) (16 features each) and
        /// every sample. Groups of six samples take register tiles of 6 samples × 64 features (Vector512; 6 × 16 with
        /// Vector256 and 6 × 8 with Vector128), so every weight loaded serves six samples; a group of fewer than three
        /// samples takes tiles of one sample × 8 vectors instead. Every output is one multiply-add chain over the input
        /// features in order, started from zero, then the bias added: a sample's result is the same bit for bit whatever
        /// the batch it is in, its place in it and the vector width.</summary>
        /// <param name="x">[batch, inFeatures].</param>
        /// <param name="weight">The packed weight: ceil(outFeatures / 16) * inFeatures * 16 floats.</param>
        /// <param name="bias">[outFeatures], or empty.</param>
        /// <param name="y">[batch, outFeatures].</param>
        /// <param name="batch">Samples.</param>
        /// <param name="inFeatures">Features per input sample.</param>
        /// <param name="outFeatures">Features per output sample.</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first block of 16 output features.</param>
        /// <param name="end">One past the last block.</param>
        /// <param name="width">The widest vectors to use.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PackedLinear(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int batch, int inFeatures, int outFeatures, ActivationKind activation, float alpha, int start, int end, VectorWidth width)
        {
            const int B = LinearBlockRows;
            int blocks = (outFeatures + B - 1) / B;
            if (weight.Length < (long)blocks * inFeatures * B || x.Length < (long)batch * inFeatures || y.Length < (long)batch * outFeatures)
            {
                throw new ArgumentException("x, the weight or y is shorter than the batch and features need.");
            }

            if (start < 0 || end > blocks || start > end)
            {
                throw new ArgumentOutOfRangeException(nameof(end), "the blocks [" + start + ", " + end + ") are not within the layer's " + blocks + ".");
            }

            int lanes = width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated ? 16
                : width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated ? 8
                : width >= VectorWidth.V128 && Vector128.IsHardwareAccelerated ? 4
                : 1;

            // Blocks per tile: a group of samples covers up to four blocks with Vector512 and one otherwise (so the
            // tile's accumulators fit the sixteen registers of AVX2 and SSE; Vector128 takes each block in halves); a
            // single sample covers up to eight vectors. A tile never covers blocks past the range: a tail takes a
            // narrower tile, so no weight is loaded twice.
            int groupBlocks = lanes == 16 ? 4 : 1;
            int singleBlocks = Math.Max(1, lanes / 2);
            Span<float> tile = stackalloc float[LinearTileSamples * 64];
            ref float w = ref MemoryMarshal.GetReference(weight);
            ref float xr = ref MemoryMarshal.GetReference(x);
            int grouped = batch < 3 ? 0 : batch - (batch % LinearTileSamples is 1 or 2 ? batch % LinearTileSamples : 0);

            // Blocks outside, samples inside: a tile's weights stay in cache while every group of samples passes over them.
            for (int b0 = start; b0 < end; b0 += groupBlocks)
            {
                int tileBlocks = Math.Min(groupBlocks, end - b0);
                for (int n0 = 0; n0 < grouped; n0 += LinearTileSamples)
                {
                    int samples = Math.Min(LinearTileSamples, grouped - n0);
                    ref float x0 = ref Unsafe.Add(ref xr, (nint)n0 * inFeatures);
                    ref float wb = ref Unsafe.Add(ref w, (nint)b0 * inFeatures * B);
                    for (int half = 0; half < (lanes == 4 ? 2 : 1); half++)
                    {
                        int o0 = (b0 * B) + (half * 8);
                        int stride = lanes == 4 ? 8 : tileBlocks * B;
                        int features = Math.Min(stride, outFeatures - o0);
                        if (features <= 0)
                        {
                            break;
                        }

                        switch (lanes)
                        {
                            case 16:
                                LinearGroup512(ref wb, ref x0, inFeatures, samples, tileBlocks, tile);
                                break;
                            case 8:
                                LinearGroup256(ref wb, ref x0, inFeatures, samples, tile);
                                break;
                            case 4:
                                LinearGroup128(ref Unsafe.Add(ref wb, half * 8), ref x0, inFeatures, samples, tile);
                                break;
                            default:
                                LinearTileScalar(ref wb, ref x0, inFeatures, samples, features, B, tile);
                                break;
                        }

                        StoreLinearTile(tile, stride, bias, y, n0, samples, outFeatures, o0, features, activation, alpha, width);
                    }
                }
            }

            for (int n0 = grouped; n0 < batch; n0++)
            {
                for (int b0 = start; b0 < end; b0 += singleBlocks)
                {
                    int tileBlocks = Math.Min(singleBlocks, end - b0);
                    int o0 = b0 * B;
                    int features = Math.Min(tileBlocks * B, outFeatures - o0);
                    ref float x0 = ref Unsafe.Add(ref xr, (nint)n0 * inFeatures);
                    ref float wb = ref Unsafe.Add(ref w, (nint)b0 * inFeatures * B);
                    switch (lanes)
                    {
                        case 16:
                            LinearSingle512(ref wb, ref x0, inFeatures, tileBlocks, tile);
                            break;
                        case 8:
                            LinearSingle256(ref wb, ref x0, inFeatures, tileBlocks, tile);
                            break;
                        case 4:
                            LinearSingle128(ref wb, ref x0, inFeatures, tileBlocks, tile);
                            break;
                        default:
                            LinearTileScalar(ref wb, ref x0, inFeatures, 1, features, tileBlocks * B, tile);
                            break;
                    }

                    StoreLinearTile(tile, tileBlocks * B, bias, y, n0, 1, outFeatures, o0, features, activation, alpha, width);
                }
            }
        }

        /// <summary>Adds the bias to a tile's sums ([sample][stride]), applies the activation and writes the valid features.</summary>
        private static void StoreLinearTile(
            Span<float> tile, int stride, ReadOnlySpan<float> bias, Span<float> y, int n0, int samples, int outFeatures, int o0, int features,
            ActivationKind activation, float alpha, VectorWidth width)
        {
            for (int s = 0; s < samples; s++)
            {
                Span<float> row = y.Slice(((n0 + s) * outFeatures) + o0, features);
                Span<float> sums = tile.Slice(s * stride, features);
                if (bias.IsEmpty)
                {
                    sums.CopyTo(row);
                }
                else
                {
                    Add(sums, bias.Slice(o0, features), row, width);
                }

                Activate(row, activation, alpha, width);
            }
        }

        /// <summary>A count known when the JIT compiles a kernel instantiated on it (the number of blocks or vectors a
        /// register tile covers), so the unused accumulators of a narrower tile vanish from the compiled code.</summary>
        private interface ITileCount
        {
            static abstract int Value { get; }
        }

        private readonly struct Count1 : ITileCount
        {
            public static int Value => 1;
        }

        private readonly struct Count2 : ITileCount
        {
            public static int Value => 2;
        }

        private readonly struct Count3 : ITileCount
        {
            public static int Value => 3;
        }

        private readonly struct Count4 : ITileCount
        {
            public static int Value => 4;
        }

        private readonly struct Count5 : ITileCount
        {
            public static int Value => 5;
        }

        private readonly struct Count6 : ITileCount
        {
            public static int Value => 6;
        }

        private readonly struct Count7 : ITileCount
        {
            public static int Value => 7;
        }

        private readonly struct Count8 : ITileCount
        {
            public static int Value => 8;
        }

        /// <summary>Up to six samples × one to four blocks in Vector512 accumulators, the tile [sample][blocks × 16].</summary>
        private static void LinearGroup512(ref float w, ref float x, int k, int samples, int blocks, Span<float> tile)
        {
            switch (blocks)
            {
                case 4:
                    LinearGroup512<Count4>(ref w, ref x, k, samples, tile);
                    break;
                case 3:
                    LinearGroup512<Count3>(ref w, ref x, k, samples, tile);
                    break;
                case 2:
                    LinearGroup512<Count2>(ref w, ref x, k, samples, tile);
                    break;
                default:
                    LinearGroup512<Count1>(ref w, ref x, k, samples, tile);
                    break;
            }
        }

        /// <summary>Six samples × <typeparamref name="TBlocks"/> blocks (at most four: 24 accumulators). Samples past
        /// <paramref name="samples"/> repeat the last one (their sums are not stored), so the tile is always six rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearGroup512<TBlocks>(ref float w, ref float x, int k, int samples, Span<float> tile)
            where TBlocks : struct, ITileCount
        {
            int blocks = TBlocks.Value;
            nint stride = (nint)k * LinearBlockRows;
            ref float x0 = ref x;
            ref float x1 = ref Unsafe.Add(ref x, (nint)Math.Min(1, samples - 1) * k);
            ref float x2 = ref Unsafe.Add(ref x, (nint)Math.Min(2, samples - 1) * k);
            ref float x3 = ref Unsafe.Add(ref x, (nint)Math.Min(3, samples - 1) * k);
            ref float x4 = ref Unsafe.Add(ref x, (nint)Math.Min(4, samples - 1) * k);
            ref float x5 = ref Unsafe.Add(ref x, (nint)Math.Min(5, samples - 1) * k);
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
            Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
            Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
            Vector512<float> b1 = default, b2 = default, b3 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector512<float> b0 = Vector512.LoadUnsafe(ref wi);
                if (blocks > 1)
                {
                    b1 = Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, stride));
                }

                if (blocks > 2)
                {
                    b2 = Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, 2 * stride));
                }

                if (blocks > 3)
                {
                    b3 = Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, 3 * stride));
                }

                Vector512<float> a = Vector512.Create(Unsafe.Add(ref x0, i));
                c00 = Vector512.FusedMultiplyAdd(b0, a, c00);
                c01 = blocks > 1 ? Vector512.FusedMultiplyAdd(b1, a, c01) : c01;
                c02 = blocks > 2 ? Vector512.FusedMultiplyAdd(b2, a, c02) : c02;
                c03 = blocks > 3 ? Vector512.FusedMultiplyAdd(b3, a, c03) : c03;
                a = Vector512.Create(Unsafe.Add(ref x1, i));
                c10 = Vector512.FusedMultiplyAdd(b0, a, c10);
                c11 = blocks > 1 ? Vector512.FusedMultiplyAdd(b1, a, c11) : c11;
                c12 = blocks > 2 ? Vector512.FusedMultiplyAdd(b2, a, c12) : c12;
                c13 = blocks > 3 ? Vector512.FusedMultiplyAdd(b3, a, c13) : c13;
                a = Vector512.Create(Unsafe.Add(ref x2, i));
                c20 = Vector512.FusedMultiplyAdd(b0, a, c20);
                c21 = blocks > 1 ? Vector512.FusedMultiplyAdd(b1, a, c21) : c21;
                c22 = blocks > 2 ? Vector512.FusedMultiplyAdd(b2, a, c22) : c22;
                c23 = blocks > 3 ? Vector512.FusedMultiplyAdd(b3, a, c23) : c23;
                a = Vector512.Create(Unsafe.Add(ref x3, i));
                c30 = Vector512.FusedMultiplyAdd(b0, a, c30);
                c31 = blocks > 1 ? Vector512.FusedMultiplyAdd(b1, a, c31) : c31;
                c32 = blocks > 2 ? Vector512.FusedMultiplyAdd(b2, a, c32) : c32;
                c33 = blocks > 3 ? Vector512.FusedMultiplyAdd(b3, a, c33) : c33;
                a = Vector512.Create(Unsafe.Add(ref x4, i));
                c40 = Vector512.FusedMultiplyAdd(b0, a, c40);
                c41 = blocks > 1 ? Vector512.FusedMultiplyAdd(b1, a, c41) : c41;
                c42 = blocks > 2 ? Vector512.FusedMultiplyAdd(b2, a, c42) : c42;
                c43 = blocks > 3 ? Vector512.FusedMultiplyAdd(b3, a, c43) : c43;
                a = Vector512.Create(Unsafe.Add(ref x5, i));
                c50 = Vector512.FusedMultiplyAdd(b0, a, c50);
                c51 = blocks > 1 ? Vector512.FusedMultiplyAdd(b1, a, c51) : c51;
                c52 = blocks > 2 ? Vector512.FusedMultiplyAdd(b2, a, c52) : c52;
                c53 = blocks > 3 ? Vector512.FusedMultiplyAdd(b3, a, c53) : c53;
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            int row = blocks * LinearBlockRows;
            StoreTileRow512<TBlocks>(ref t, c00, c01, c02, c03);
            StoreTileRow512<TBlocks>(ref Unsafe.Add(ref t, row), c10, c11, c12, c13);
            StoreTileRow512<TBlocks>(ref Unsafe.Add(ref t, 2 * row), c20, c21, c22, c23);
            StoreTileRow512<TBlocks>(ref Unsafe.Add(ref t, 3 * row), c30, c31, c32, c33);
            StoreTileRow512<TBlocks>(ref Unsafe.Add(ref t, 4 * row), c40, c41, c42, c43);
            StoreTileRow512<TBlocks>(ref Unsafe.Add(ref t, 5 * row), c50, c51, c52, c53);
        }

        private static void StoreTileRow512<TBlocks>(ref float row, Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
            where TBlocks : struct, ITileCount
        {
            a.StoreUnsafe(ref row);
            if (TBlocks.Value > 1)
            {
                b.StoreUnsafe(ref row, 16);
            }

            if (TBlocks.Value > 2)
            {
                c.StoreUnsafe(ref row, 32);
            }

            if (TBlocks.Value > 3)
            {
                d.StoreUnsafe(ref row, 48);
            }
        }

        /// <summary>Up to six samples × one block of 16 features in 12 Vector256 accumulators (missing samples repeat
        /// the last one), the tile [sample][16].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearGroup256(ref float w, ref float x, int k, int samples, Span<float> tile)
        {
            ref float x0 = ref x;
            ref float x1 = ref Unsafe.Add(ref x, (nint)Math.Min(1, samples - 1) * k);
            ref float x2 = ref Unsafe.Add(ref x, (nint)Math.Min(2, samples - 1) * k);
            ref float x3 = ref Unsafe.Add(ref x, (nint)Math.Min(3, samples - 1) * k);
            ref float x4 = ref Unsafe.Add(ref x, (nint)Math.Min(4, samples - 1) * k);
            ref float x5 = ref Unsafe.Add(ref x, (nint)Math.Min(5, samples - 1) * k);
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector256<float> b0 = Vector256.LoadUnsafe(ref wi), b1 = Vector256.LoadUnsafe(ref wi, 8);
                Vector256<float> a = Vector256.Create(Unsafe.Add(ref x0, i));
                c00 = Vector256.FusedMultiplyAdd(b0, a, c00);
                c01 = Vector256.FusedMultiplyAdd(b1, a, c01);
                a = Vector256.Create(Unsafe.Add(ref x1, i));
                c10 = Vector256.FusedMultiplyAdd(b0, a, c10);
                c11 = Vector256.FusedMultiplyAdd(b1, a, c11);
                a = Vector256.Create(Unsafe.Add(ref x2, i));
                c20 = Vector256.FusedMultiplyAdd(b0, a, c20);
                c21 = Vector256.FusedMultiplyAdd(b1, a, c21);
                a = Vector256.Create(Unsafe.Add(ref x3, i));
                c30 = Vector256.FusedMultiplyAdd(b0, a, c30);
                c31 = Vector256.FusedMultiplyAdd(b1, a, c31);
                a = Vector256.Create(Unsafe.Add(ref x4, i));
                c40 = Vector256.FusedMultiplyAdd(b0, a, c40);
                c41 = Vector256.FusedMultiplyAdd(b1, a, c41);
                a = Vector256.Create(Unsafe.Add(ref x5, i));
                c50 = Vector256.FusedMultiplyAdd(b0, a, c50);
                c51 = Vector256.FusedMultiplyAdd(b1, a, c51);
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            c00.StoreUnsafe(ref t, 0);
            c01.StoreUnsafe(ref t, 8);
            c10.StoreUnsafe(ref t, 16);
            c11.StoreUnsafe(ref t, 24);
            c20.StoreUnsafe(ref t, 32);
            c21.StoreUnsafe(ref t, 40);
            c30.StoreUnsafe(ref t, 48);
            c31.StoreUnsafe(ref t, 56);
            c40.StoreUnsafe(ref t, 64);
            c41.StoreUnsafe(ref t, 72);
            c50.StoreUnsafe(ref t, 80);
            c51.StoreUnsafe(ref t, 88);
        }

        /// <summary>Up to six samples × 8 features (half a block) in 12 Vector128 accumulators (missing samples repeat
        /// the last one), the tile [sample][8].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearGroup128(ref float w, ref float x, int k, int samples, Span<float> tile)
        {
            ref float x0 = ref x;
            ref float x1 = ref Unsafe.Add(ref x, (nint)Math.Min(1, samples - 1) * k);
            ref float x2 = ref Unsafe.Add(ref x, (nint)Math.Min(2, samples - 1) * k);
            ref float x3 = ref Unsafe.Add(ref x, (nint)Math.Min(3, samples - 1) * k);
            ref float x4 = ref Unsafe.Add(ref x, (nint)Math.Min(4, samples - 1) * k);
            ref float x5 = ref Unsafe.Add(ref x, (nint)Math.Min(5, samples - 1) * k);
            Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector128<float> b0 = Vector128.LoadUnsafe(ref wi), b1 = Vector128.LoadUnsafe(ref wi, 4);
                Vector128<float> a = Vector128.Create(Unsafe.Add(ref x0, i));
                c00 = Vector128.FusedMultiplyAdd(b0, a, c00);
                c01 = Vector128.FusedMultiplyAdd(b1, a, c01);
                a = Vector128.Create(Unsafe.Add(ref x1, i));
                c10 = Vector128.FusedMultiplyAdd(b0, a, c10);
                c11 = Vector128.FusedMultiplyAdd(b1, a, c11);
                a = Vector128.Create(Unsafe.Add(ref x2, i));
                c20 = Vector128.FusedMultiplyAdd(b0, a, c20);
                c21 = Vector128.FusedMultiplyAdd(b1, a, c21);
                a = Vector128.Create(Unsafe.Add(ref x3, i));
                c30 = Vector128.FusedMultiplyAdd(b0, a, c30);
                c31 = Vector128.FusedMultiplyAdd(b1, a, c31);
                a = Vector128.Create(Unsafe.Add(ref x4, i));
                c40 = Vector128.FusedMultiplyAdd(b0, a, c40);
                c41 = Vector128.FusedMultiplyAdd(b1, a, c41);
                a = Vector128.Create(Unsafe.Add(ref x5, i));
                c50 = Vector128.FusedMultiplyAdd(b0, a, c50);
                c51 = Vector128.FusedMultiplyAdd(b1, a, c51);
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            c00.StoreUnsafe(ref t, 0);
            c01.StoreUnsafe(ref t, 4);
            c10.StoreUnsafe(ref t, 8);
            c11.StoreUnsafe(ref t, 12);
            c20.StoreUnsafe(ref t, 16);
            c21.StoreUnsafe(ref t, 20);
            c30.StoreUnsafe(ref t, 24);
            c31.StoreUnsafe(ref t, 28);
            c40.StoreUnsafe(ref t, 32);
            c41.StoreUnsafe(ref t, 36);
            c50.StoreUnsafe(ref t, 40);
            c51.StoreUnsafe(ref t, 44);
        }

        /// <summary>One sample × one to eight blocks in Vector512 accumulators, the tile [blocks × 16].</summary>
        private static void LinearSingle512(ref float w, ref float x, int k, int blocks, Span<float> tile)
        {
            switch (blocks)
            {
                case 8:
                    LinearSingle512<Count8>(ref w, ref x, k, tile);
                    break;
                case 7:
                    LinearSingle512<Count7>(ref w, ref x, k, tile);
                    break;
                case 6:
                    LinearSingle512<Count6>(ref w, ref x, k, tile);
                    break;
                case 5:
                    LinearSingle512<Count5>(ref w, ref x, k, tile);
                    break;
                case 4:
                    LinearSingle512<Count4>(ref w, ref x, k, tile);
                    break;
                case 3:
                    LinearSingle512<Count3>(ref w, ref x, k, tile);
                    break;
                case 2:
                    LinearSingle512<Count2>(ref w, ref x, k, tile);
                    break;
                default:
                    LinearSingle512<Count1>(ref w, ref x, k, tile);
                    break;
            }
        }

        /// <summary>One sample × <typeparamref name="TBlocks"/> blocks (at most eight) in Vector512 accumulators: each
        /// step loads one vector per block, so this is bound by how fast the weights arrive.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearSingle512<TBlocks>(ref float w, ref float x, int k, Span<float> tile)
            where TBlocks : struct, ITileCount
        {
            int blocks = TBlocks.Value;
            nint stride = (nint)k * LinearBlockRows;
            ref float w1 = ref Unsafe.Add(ref w, stride);
            ref float w2 = ref Unsafe.Add(ref w, 2 * stride);
            ref float w3 = ref Unsafe.Add(ref w, 3 * stride);
            ref float w4 = ref Unsafe.Add(ref w, 4 * stride);
            ref float w5 = ref Unsafe.Add(ref w, 5 * stride);
            ref float w6 = ref Unsafe.Add(ref w, 6 * stride);
            ref float w7 = ref Unsafe.Add(ref w, 7 * stride);
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int i = 0; i < k; i++)
            {
                nuint at = (nuint)i * LinearBlockRows;
                Vector512<float> a = Vector512.Create(Unsafe.Add(ref x, i));
                c0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w, at), a, c0);
                c1 = blocks > 1 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, at), a, c1) : c1;
                c2 = blocks > 2 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w2, at), a, c2) : c2;
                c3 = blocks > 3 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w3, at), a, c3) : c3;
                c4 = blocks > 4 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w4, at), a, c4) : c4;
                c5 = blocks > 5 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w5, at), a, c5) : c5;
                c6 = blocks > 6 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w6, at), a, c6) : c6;
                c7 = blocks > 7 ? Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w7, at), a, c7) : c7;
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            StoreTileRow512<TBlocks>(ref t, c0, c1, c2, c3);
            if (blocks > 4)
            {
                StoreTileRow512<TBlocks>(ref Unsafe.Add(ref t, 64), c4, c5, c6, c7);
            }
        }

        /// <summary>One sample × one to four blocks in eight Vector256 accumulators at most, the tile [blocks × 16].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearSingle256(ref float w, ref float x, int k, int blocks, Span<float> tile)
        {
            // Blocks past the range read the last one again (its sums are not stored): with at most four blocks this
            // costs loads only on a layer's last tile.
            nint stride = (nint)k * LinearBlockRows;
            nint d1 = Math.Min(1, blocks - 1) * stride, d2 = Math.Min(2, blocks - 1) * stride, d3 = Math.Min(3, blocks - 1) * stride;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector256<float> a = Vector256.Create(Unsafe.Add(ref x, i));
                c0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wi), a, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wi, 8), a, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref wi, d1)), a, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref wi, d1), 8), a, c3);
                c4 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref wi, d2)), a, c4);
                c5 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref wi, d2), 8), a, c5);
                c6 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref wi, d3)), a, c6);
                c7 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref Unsafe.Add(ref wi, d3), 8), a, c7);
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            c0.StoreUnsafe(ref t, 0);
            c1.StoreUnsafe(ref t, 8);
            if (blocks > 1)
            {
                c2.StoreUnsafe(ref t, 16);
                c3.StoreUnsafe(ref t, 24);
            }

            if (blocks > 2)
            {
                c4.StoreUnsafe(ref t, 32);
                c5.StoreUnsafe(ref t, 40);
            }

            if (blocks > 3)
            {
                c6.StoreUnsafe(ref t, 48);
                c7.StoreUnsafe(ref t, 56);
            }
        }

        /// <summary>One sample × one or two blocks in eight Vector128 accumulators at most, the tile [blocks × 16].</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearSingle128(ref float w, ref float x, int k, int blocks, Span<float> tile)
        {
            nint d1 = Math.Min(1, blocks - 1) * (nint)k * LinearBlockRows;
            Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                ref float wj = ref Unsafe.Add(ref wi, d1);
                Vector128<float> a = Vector128.Create(Unsafe.Add(ref x, i));
                c0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wi), a, c0);
                c1 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wi, 4), a, c1);
                c2 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wi, 8), a, c2);
                c3 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wi, 12), a, c3);
                c4 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wj), a, c4);
                c5 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wj, 4), a, c5);
                c6 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wj, 8), a, c6);
                c7 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref wj, 12), a, c7);
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            c0.StoreUnsafe(ref t, 0);
            c1.StoreUnsafe(ref t, 4);
            c2.StoreUnsafe(ref t, 8);
            c3.StoreUnsafe(ref t, 12);
            if (blocks > 1)
            {
                c4.StoreUnsafe(ref t, 16);
                c5.StoreUnsafe(ref t, 20);
                c6.StoreUnsafe(ref t, 24);
                c7.StoreUnsafe(ref t, 28);
            }
        }

        /// <summary>Plain loops (no vectors) over the first <paramref name="features"/> features of a run of blocks: one
        /// chain per output, as every vector path computes it; the tile [sample][stride].</summary>
        private static void LinearTileScalar(ref float w, ref float x, int k, int samples, int features, int stride, Span<float> tile)
        {
            for (int s = 0; s < samples; s++)
            {
                ref float xs = ref Unsafe.Add(ref x, (nint)s * k);
                for (int o = 0; o < features; o++)
                {
                    ref float wo = ref Unsafe.Add(ref w, ((nint)(o / LinearBlockRows) * k * LinearBlockRows) + (o % LinearBlockRows));
                    float sum = 0f;
                    for (int i = 0; i < k; i++)
                    {
                        sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref wo, (nint)i * LinearBlockRows), Unsafe.Add(ref xs, i), sum);
                    }

                    tile[(s * stride) + o] = sum;
                }
            }
        }
    }
}
