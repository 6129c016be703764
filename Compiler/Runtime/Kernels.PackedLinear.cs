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

        /// <summary>Samples a block computes together: each weight vector loaded is used this many times.</summary>
        private const int LinearSamples = 4;

        /// <summary>y[n, o] = activation(x[n] · W[o] + bias[o]) for the output blocks [start, end) (16 features each) and
        /// every sample: the weights stream once per group of four samples, 16 outputs per vector operation; a
        /// single sample keeps four partial sums so the multiply-adds overlap.</summary>
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
            if (weight.Length < (long)((outFeatures + B - 1) / B) * inFeatures * B || x.Length < (long)batch * inFeatures || y.Length < (long)batch * outFeatures)
            {
                throw new ArgumentException("x, the weight or y is shorter than the batch and features need.");
            }

            Span<float> sums = stackalloc float[B * LinearSamples];
            for (int block = start; block < end; block++)
            {
                int o0 = block * B;
                int outputs = Math.Min(B, outFeatures - o0);
                ref float w = ref Unsafe.Add(ref MemoryMarshal.GetReference(weight), (nint)block * inFeatures * B);
                for (int n0 = 0; n0 < batch; n0 += LinearSamples)
                {
                    int samples = Math.Min(LinearSamples, batch - n0);
                    ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)n0 * inFeatures);
                    if (width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated)
                    {
                        Block512(ref w, ref xr, inFeatures, samples, sums);
                    }
                    else if (width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated)
                    {
                        Block256(ref w, ref xr, inFeatures, samples, sums);
                    }
                    else
                    {
                        BlockScalar(ref w, ref xr, inFeatures, samples, sums);
                    }

                    for (int s = 0; s < samples; s++)
                    {
                        Span<float> row = y.Slice(((n0 + s) * outFeatures) + o0, outputs);
                        for (int o = 0; o < outputs; o++)
                        {
                            row[o] = sums[(s * B) + o] + (bias.IsEmpty ? 0f : bias[o0 + o]);
                        }

                        Activate(row, activation, alpha, width);
                    }
                }
            }
        }

        /// <summary>Sums of one block of 16 features for up to four samples, one Vector512 per sample.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Block512(ref float w, ref float x, int k, int samples, Span<float> sums)
        {
            if (samples == 1)
            {
                // One sample: four independent chains over k keep the multiply-adds overlapping.
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                int i = 0;
                for (; i <= k - 4; i += 4)
                {
                    ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wi), Vector512.Create(Unsafe.Add(ref x, i)), a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wi, 16), Vector512.Create(Unsafe.Add(ref x, i + 1)), a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wi, 32), Vector512.Create(Unsafe.Add(ref x, i + 2)), a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wi, 48), Vector512.Create(Unsafe.Add(ref x, i + 3)), a3);
                }

                for (; i < k; i++)
                {
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref Unsafe.Add(ref w, (nint)i * LinearBlockRows)), Vector512.Create(Unsafe.Add(ref x, i)), a0);
                }

                ((a0 + a1) + (a2 + a3)).StoreUnsafe(ref MemoryMarshal.GetReference(sums));
                return;
            }

            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            ref float x1 = ref Unsafe.Add(ref x, samples > 1 ? k : 0);
            ref float x2 = ref Unsafe.Add(ref x, samples > 2 ? 2 * k : 0);
            ref float x3 = ref Unsafe.Add(ref x, samples > 3 ? 3 * k : 0);
            for (int i = 0; i < k; i++)
            {
                Vector512<float> wv = Vector512.LoadUnsafe(ref Unsafe.Add(ref w, (nint)i * LinearBlockRows));
                s0 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(Unsafe.Add(ref x, i)), s0);
                s1 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(Unsafe.Add(ref x1, i)), s1);
                s2 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(Unsafe.Add(ref x2, i)), s2);
                s3 = Vector512.FusedMultiplyAdd(wv, Vector512.Create(Unsafe.Add(ref x3, i)), s3);
            }

            ref float sr = ref MemoryMarshal.GetReference(sums);
            s0.StoreUnsafe(ref sr);
            s1.StoreUnsafe(ref sr, 16);
            s2.StoreUnsafe(ref sr, 32);
            s3.StoreUnsafe(ref sr, 48);
        }

        /// <summary>As <see cref="Block512"/> with two Vector256 per sample.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Block256(ref float w, ref float x, int k, int samples, Span<float> sums)
        {
            Vector256<float> s0 = default, t0 = default, s1 = default, t1 = default, s2 = default, t2 = default, s3 = default, t3 = default;
            ref float x1 = ref Unsafe.Add(ref x, samples > 1 ? k : 0);
            ref float x2 = ref Unsafe.Add(ref x, samples > 2 ? 2 * k : 0);
            ref float x3 = ref Unsafe.Add(ref x, samples > 3 ? 3 * k : 0);
            for (int i = 0; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector256<float> lo = Vector256.LoadUnsafe(ref wi), hi = Vector256.LoadUnsafe(ref wi, 8);
                Vector256<float> v = Vector256.Create(Unsafe.Add(ref x, i));
                s0 = Vector256.FusedMultiplyAdd(lo, v, s0);
                t0 = Vector256.FusedMultiplyAdd(hi, v, t0);
                v = Vector256.Create(Unsafe.Add(ref x1, i));
                s1 = Vector256.FusedMultiplyAdd(lo, v, s1);
                t1 = Vector256.FusedMultiplyAdd(hi, v, t1);
                v = Vector256.Create(Unsafe.Add(ref x2, i));
                s2 = Vector256.FusedMultiplyAdd(lo, v, s2);
                t2 = Vector256.FusedMultiplyAdd(hi, v, t2);
                v = Vector256.Create(Unsafe.Add(ref x3, i));
                s3 = Vector256.FusedMultiplyAdd(lo, v, s3);
                t3 = Vector256.FusedMultiplyAdd(hi, v, t3);
            }

            ref float sr = ref MemoryMarshal.GetReference(sums);
            s0.StoreUnsafe(ref sr);
            t0.StoreUnsafe(ref sr, 8);
            s1.StoreUnsafe(ref sr, 16);
            t1.StoreUnsafe(ref sr, 24);
            s2.StoreUnsafe(ref sr, 32);
            t2.StoreUnsafe(ref sr, 40);
            s3.StoreUnsafe(ref sr, 48);
            t3.StoreUnsafe(ref sr, 56);
        }

        /// <summary>Plain loops (the Vector128 and scalar widths).</summary>
        private static void BlockScalar(ref float w, ref float x, int k, int samples, Span<float> sums)
        {
            for (int s = 0; s < samples; s++)
            {
                ref float xs = ref Unsafe.Add(ref x, (nint)s * k);
                for (int o = 0; o < LinearBlockRows; o++)
                {
                    float sum = 0f;
                    for (int i = 0; i < k; i++)
                    {
                        sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref w, ((nint)i * LinearBlockRows) + o), Unsafe.Add(ref xs, i), sum);
                    }

                    sums[(s * LinearBlockRows) + o] = sum;
                }
            }
        }
    }
}
