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

        /// <summary>Output features per register tile of <see cref="PackedLinear"/> for a single sample: eight vectors
        /// of the widest width (Vector512: eight blocks), so eight independent multiply-add chains overlap.</summary>
        private const int LinearTileSingle = 8;

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

            // Features per tile: a group of samples covers four vectors with Vector512 and two otherwise (so the tile's
            // accumulators fit the sixteen registers of AVX2 and SSE); one sample covers eight vectors.
            int groupFeatures = lanes == 16 ? 64 : lanes * 2;
            int singleFeatures = lanes * LinearTileSingle;
            Span<float> tile = stackalloc float[LinearTileSamples * 128];
            ref float w = ref MemoryMarshal.GetReference(weight);
            ref float xr = ref MemoryMarshal.GetReference(x);
            int first = start * B, last = Math.Min(end * B, outFeatures);
            int n0 = 0;
            for (; batch - n0 >= 3; n0 += LinearTileSamples)
            {
                int samples = Math.Min(LinearTileSamples, batch - n0);
                for (int o0 = first; o0 < last; o0 += groupFeatures)
                {
                    int features = Math.Min(groupFeatures, last - o0);
                    ref float x0 = ref Unsafe.Add(ref xr, (nint)n0 * inFeatures);
                    switch (lanes)
                    {
                        case 16:
                            LinearTile6x64(ref w, ref x0, inFeatures, samples, o0, features, tile);
                            break;
                        case 8:
                            LinearTile6x16(ref w, ref x0, inFeatures, samples, o0, tile);
                            break;
                        case 4:
                            LinearTile6x8(ref w, ref x0, inFeatures, samples, o0, tile);
                            break;
                        default:
                            LinearTileScalar(ref w, ref x0, inFeatures, samples, o0, features, groupFeatures, tile);
                            break;
                    }

                    StoreLinearTile(tile, groupFeatures, bias, y, n0, samples, outFeatures, o0, features, activation, alpha, width);
                }
            }

            for (; n0 < batch; n0++)
            {
                for (int o0 = first; o0 < last; o0 += singleFeatures)
                {
                    int features = Math.Min(singleFeatures, last - o0);
                    ref float x0 = ref Unsafe.Add(ref xr, (nint)n0 * inFeatures);
                    switch (lanes)
                    {
                        case 16:
                            LinearSingle512(ref w, ref x0, inFeatures, o0, features, tile);
                            break;
                        case 8:
                            LinearSingle256(ref w, ref x0, inFeatures, o0, features, tile);
                            break;
                        case 4:
                            LinearSingle128(ref w, ref x0, inFeatures, o0, features, tile);
                            break;
                        default:
                            LinearTileScalar(ref w, ref x0, inFeatures, 1, o0, features, singleFeatures, tile);
                            break;
                    }

                    StoreLinearTile(tile, singleFeatures, bias, y, n0, 1, outFeatures, o0, features, activation, alpha, width);
                }
            }
        }

        /// <summary>Element [i, feature] of a weight packed in blocks of 16 features: [block][i][16].</summary>
        private static ref float PackedWeight(ref float w, int k, int i, int feature) =>
            ref Unsafe.Add(ref w, ((((nint)(feature / LinearBlockRows) * k) + i) * LinearBlockRows) + (feature % LinearBlockRows));

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

        /// <summary>Up to six samples × 64 features (four blocks) in 24 Vector512 accumulators. Samples past
        /// <paramref name="samples"/> repeat the last one and blocks past <paramref name="features"/> the last one (their
        /// sums are not stored), so the tile is always full.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearTile6x64(ref float w, ref float x, int k, int samples, int o0, int features, Span<float> tile)
        {
            int lastBlock = (o0 + features - 1) / LinearBlockRows;
            ref float w0 = ref PackedWeight(ref w, k, 0, o0);
            ref float w1 = ref PackedWeight(ref w, k, 0, Math.Min(o0 / LinearBlockRows + 1, lastBlock) * LinearBlockRows);
            ref float w2 = ref PackedWeight(ref w, k, 0, Math.Min(o0 / LinearBlockRows + 2, lastBlock) * LinearBlockRows);
            ref float w3 = ref PackedWeight(ref w, k, 0, Math.Min(o0 / LinearBlockRows + 3, lastBlock) * LinearBlockRows);
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
            for (int i = 0; i < k; i++)
            {
                nint offset = (nint)i * LinearBlockRows;
                Vector512<float> b0 = Vector512.LoadUnsafe(ref Unsafe.Add(ref w0, offset));
                Vector512<float> b1 = Vector512.LoadUnsafe(ref Unsafe.Add(ref w1, offset));
                Vector512<float> b2 = Vector512.LoadUnsafe(ref Unsafe.Add(ref w2, offset));
                Vector512<float> b3 = Vector512.LoadUnsafe(ref Unsafe.Add(ref w3, offset));
                Vector512<float> a = Vector512.Create(Unsafe.Add(ref x0, i));
                c00 = Vector512.FusedMultiplyAdd(b0, a, c00);
                c01 = Vector512.FusedMultiplyAdd(b1, a, c01);
                c02 = Vector512.FusedMultiplyAdd(b2, a, c02);
                c03 = Vector512.FusedMultiplyAdd(b3, a, c03);
                a = Vector512.Create(Unsafe.Add(ref x1, i));
                c10 = Vector512.FusedMultiplyAdd(b0, a, c10);
                c11 = Vector512.FusedMultiplyAdd(b1, a, c11);
                c12 = Vector512.FusedMultiplyAdd(b2, a, c12);
                c13 = Vector512.FusedMultiplyAdd(b3, a, c13);
                a = Vector512.Create(Unsafe.Add(ref x2, i));
                c20 = Vector512.FusedMultiplyAdd(b0, a, c20);
                c21 = Vector512.FusedMultiplyAdd(b1, a, c21);
                c22 = Vector512.FusedMultiplyAdd(b2, a, c22);
                c23 = Vector512.FusedMultiplyAdd(b3, a, c23);
                a = Vector512.Create(Unsafe.Add(ref x3, i));
                c30 = Vector512.FusedMultiplyAdd(b0, a, c30);
                c31 = Vector512.FusedMultiplyAdd(b1, a, c31);
                c32 = Vector512.FusedMultiplyAdd(b2, a, c32);
                c33 = Vector512.FusedMultiplyAdd(b3, a, c33);
                a = Vector512.Create(Unsafe.Add(ref x4, i));
                c40 = Vector512.FusedMultiplyAdd(b0, a, c40);
                c41 = Vector512.FusedMultiplyAdd(b1, a, c41);
                c42 = Vector512.FusedMultiplyAdd(b2, a, c42);
                c43 = Vector512.FusedMultiplyAdd(b3, a, c43);
                a = Vector512.Create(Unsafe.Add(ref x5, i));
                c50 = Vector512.FusedMultiplyAdd(b0, a, c50);
                c51 = Vector512.FusedMultiplyAdd(b1, a, c51);
                c52 = Vector512.FusedMultiplyAdd(b2, a, c52);
                c53 = Vector512.FusedMultiplyAdd(b3, a, c53);
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            StoreRow512(ref t, 0, c00, c01, c02, c03);
            StoreRow512(ref t, 1, c10, c11, c12, c13);
            StoreRow512(ref t, 2, c20, c21, c22, c23);
            StoreRow512(ref t, 3, c30, c31, c32, c33);
            StoreRow512(ref t, 4, c40, c41, c42, c43);
            StoreRow512(ref t, 5, c50, c51, c52, c53);
        }

        private static void StoreRow512(ref float tile, int row, Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
        {
            ref float r = ref Unsafe.Add(ref tile, row * 64);
            a.StoreUnsafe(ref r);
            b.StoreUnsafe(ref r, 16);
            c.StoreUnsafe(ref r, 32);
            d.StoreUnsafe(ref r, 48);
        }

        /// <summary>Up to six samples × one block of 16 features in 12 Vector256 accumulators (missing samples repeat
        /// the last one).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearTile6x16(ref float w, ref float x, int k, int samples, int o0, Span<float> tile)
        {
            ref float wb = ref PackedWeight(ref w, k, 0, o0);
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
                ref float wi = ref Unsafe.Add(ref wb, (nint)i * LinearBlockRows);
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
        /// the last one).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearTile6x8(ref float w, ref float x, int k, int samples, int o0, Span<float> tile)
        {
            ref float wb = ref PackedWeight(ref w, k, 0, o0);
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
                ref float wi = ref Unsafe.Add(ref wb, (nint)i * LinearBlockRows);
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

        /// <summary>One sample × eight blocks (128 features) in eight Vector512 accumulators; blocks past
        /// <paramref name="features"/> repeat the last one (their sums are not stored).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearSingle512(ref float w, ref float x, int k, int o0, int features, Span<float> tile)
        {
            int block = o0 / LinearBlockRows, lastBlock = (o0 + features - 1) / LinearBlockRows;
            nint stride = (nint)k * LinearBlockRows;
            ref float w0 = ref Unsafe.Add(ref w, block * stride);
            nint d1 = Math.Min(1, lastBlock - block) * stride, d2 = Math.Min(2, lastBlock - block) * stride;
            nint d3 = Math.Min(3, lastBlock - block) * stride, d4 = Math.Min(4, lastBlock - block) * stride;
            nint d5 = Math.Min(5, lastBlock - block) * stride, d6 = Math.Min(6, lastBlock - block) * stride;
            nint d7 = Math.Min(7, lastBlock - block) * stride;
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w0, (nint)i * LinearBlockRows);
                Vector512<float> a = Vector512.Create(Unsafe.Add(ref x, i));
                c0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wi), a, c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d1)), a, c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d2)), a, c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d3)), a, c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d4)), a, c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d5)), a, c5);
                c6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d6)), a, c6);
                c7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref wi, d7)), a, c7);
            }

            ref float t = ref MemoryMarshal.GetReference(tile);
            c0.StoreUnsafe(ref t, 0);
            c1.StoreUnsafe(ref t, 16);
            c2.StoreUnsafe(ref t, 32);
            c3.StoreUnsafe(ref t, 48);
            c4.StoreUnsafe(ref t, 64);
            c5.StoreUnsafe(ref t, 80);
            c6.StoreUnsafe(ref t, 96);
            c7.StoreUnsafe(ref t, 112);
        }

        /// <summary>One sample × four blocks (64 features) in eight Vector256 accumulators; blocks past
        /// <paramref name="features"/> repeat the last one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearSingle256(ref float w, ref float x, int k, int o0, int features, Span<float> tile)
        {
            int block = o0 / LinearBlockRows, lastBlock = (o0 + features - 1) / LinearBlockRows;
            nint stride = (nint)k * LinearBlockRows;
            ref float w0 = ref Unsafe.Add(ref w, block * stride);
            nint d1 = Math.Min(1, lastBlock - block) * stride, d2 = Math.Min(2, lastBlock - block) * stride;
            nint d3 = Math.Min(3, lastBlock - block) * stride;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w0, (nint)i * LinearBlockRows);
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
            c2.StoreUnsafe(ref t, 16);
            c3.StoreUnsafe(ref t, 24);
            c4.StoreUnsafe(ref t, 32);
            c5.StoreUnsafe(ref t, 40);
            c6.StoreUnsafe(ref t, 48);
            c7.StoreUnsafe(ref t, 56);
        }

        /// <summary>One sample × two blocks (32 features) in eight Vector128 accumulators; a second block past
        /// <paramref name="features"/> repeats the first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LinearSingle128(ref float w, ref float x, int k, int o0, int features, Span<float> tile)
        {
            int block = o0 / LinearBlockRows, lastBlock = (o0 + features - 1) / LinearBlockRows;
            nint stride = (nint)k * LinearBlockRows;
            ref float w0 = ref Unsafe.Add(ref w, block * stride);
            nint d1 = Math.Min(1, lastBlock - block) * stride;
            Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w0, (nint)i * LinearBlockRows);
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
            c4.StoreUnsafe(ref t, 16);
            c5.StoreUnsafe(ref t, 20);
            c6.StoreUnsafe(ref t, 24);
            c7.StoreUnsafe(ref t, 28);
        }

        /// <summary>Plain loops (no vectors): one chain per output, as every vector path computes it.</summary>
        private static void LinearTileScalar(ref float w, ref float x, int k, int samples, int o0, int features, int stride, Span<float> tile)
        {
            for (int s = 0; s < samples; s++)
            {
                ref float xs = ref Unsafe.Add(ref x, (nint)s * k);
                for (int o = 0; o < features; o++)
                {
                    ref float wo = ref PackedWeight(ref w, k, 0, o0 + o);
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
