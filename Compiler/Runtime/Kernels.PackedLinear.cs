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

        /// <summary>y[n, o] = activation(x[n] · W[o] + bias[o]) for the output blocks [start, end) (16 features each) and
        /// every sample: 16 outputs per vector operation, the weights streamed once per group of samples (four with
        /// Vector512, two with Vector256), each sample's sum split over interleaved chains so the multiply-adds overlap.
        /// A sample's result does not depend on the batch it is in: its summation order is fixed per vector width.</summary>
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

            bool v512 = width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated;
            bool v256 = !v512 && width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated;
            int group = v512 ? 4 : v256 ? 2 : 1;
            Span<float> sums = stackalloc float[B * 4];
            for (int block = start; block < end; block++)
            {
                int o0 = block * B;
                int outputs = Math.Min(B, outFeatures - o0);
                ref float w = ref Unsafe.Add(ref MemoryMarshal.GetReference(weight), (nint)block * inFeatures * B);
                for (int n0 = 0; n0 < batch; n0 += group)
                {
                    int samples = Math.Min(group, batch - n0);
                    ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), (nint)n0 * inFeatures);
                    if (v512)
                    {
                        Block512(ref w, ref xr, inFeatures, samples, sums);
                    }
                    else if (v256)
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

        /// <summary>One block of 16 features for up to four samples (a Vector512 each), each sample's sum over four chains
        /// (k mod 4), the chains added pairwise at the end.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Block512(ref float w, ref float x, int k, int samples, Span<float> sums)
        {
            for (int s0 = 0; s0 < samples; s0 += 2)
            {
                // Two samples × four chains = eight accumulators; a third or fourth sample takes the next pass.
                bool two = s0 + 1 < samples;
                ref float xa = ref Unsafe.Add(ref x, (nint)s0 * k);
                ref float xb = ref Unsafe.Add(ref x, (nint)(two ? s0 + 1 : s0) * k);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default;
                int i = 0;
                for (; i <= k - 4; i += 4)
                {
                    ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                    Vector512<float> w0 = Vector512.LoadUnsafe(ref wi), w1 = Vector512.LoadUnsafe(ref wi, 16);
                    Vector512<float> w2 = Vector512.LoadUnsafe(ref wi, 32), w3 = Vector512.LoadUnsafe(ref wi, 48);
                    a0 = Vector512.FusedMultiplyAdd(w0, Vector512.Create(Unsafe.Add(ref xa, i)), a0);
                    a1 = Vector512.FusedMultiplyAdd(w1, Vector512.Create(Unsafe.Add(ref xa, i + 1)), a1);
                    a2 = Vector512.FusedMultiplyAdd(w2, Vector512.Create(Unsafe.Add(ref xa, i + 2)), a2);
                    a3 = Vector512.FusedMultiplyAdd(w3, Vector512.Create(Unsafe.Add(ref xa, i + 3)), a3);
                    b0 = Vector512.FusedMultiplyAdd(w0, Vector512.Create(Unsafe.Add(ref xb, i)), b0);
                    b1 = Vector512.FusedMultiplyAdd(w1, Vector512.Create(Unsafe.Add(ref xb, i + 1)), b1);
                    b2 = Vector512.FusedMultiplyAdd(w2, Vector512.Create(Unsafe.Add(ref xb, i + 2)), b2);
                    b3 = Vector512.FusedMultiplyAdd(w3, Vector512.Create(Unsafe.Add(ref xb, i + 3)), b3);
                }

                for (; i < k; i++)
                {
                    Vector512<float> wi = Vector512.LoadUnsafe(ref Unsafe.Add(ref w, (nint)i * LinearBlockRows));
                    a0 = Vector512.FusedMultiplyAdd(wi, Vector512.Create(Unsafe.Add(ref xa, i)), a0);
                    b0 = Vector512.FusedMultiplyAdd(wi, Vector512.Create(Unsafe.Add(ref xb, i)), b0);
                }

                ref float sr = ref MemoryMarshal.GetReference(sums);
                ((a0 + a1) + (a2 + a3)).StoreUnsafe(ref sr, (nuint)(s0 * LinearBlockRows));
                if (two)
                {
                    ((b0 + b1) + (b2 + b3)).StoreUnsafe(ref sr, (nuint)((s0 + 1) * LinearBlockRows));
                }
            }
        }

        /// <summary>One block of 16 features for up to two samples (two Vector256 each), each sample's sum over two chains
        /// (k mod 2), added at the end.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Block256(ref float w, ref float x, int k, int samples, Span<float> sums)
        {
            bool two = samples > 1;
            ref float xb = ref Unsafe.Add(ref x, two ? k : 0);
            Vector256<float> a0 = default, a1 = default, c0 = default, c1 = default;
            Vector256<float> b0 = default, b1 = default, d0 = default, d1 = default;
            int i = 0;
            for (; i <= k - 2; i += 2)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector256<float> lo0 = Vector256.LoadUnsafe(ref wi), hi0 = Vector256.LoadUnsafe(ref wi, 8);
                Vector256<float> lo1 = Vector256.LoadUnsafe(ref wi, 16), hi1 = Vector256.LoadUnsafe(ref wi, 24);
                Vector256<float> v0 = Vector256.Create(Unsafe.Add(ref x, i)), v1 = Vector256.Create(Unsafe.Add(ref x, i + 1));
                a0 = Vector256.FusedMultiplyAdd(lo0, v0, a0);
                c0 = Vector256.FusedMultiplyAdd(hi0, v0, c0);
                a1 = Vector256.FusedMultiplyAdd(lo1, v1, a1);
                c1 = Vector256.FusedMultiplyAdd(hi1, v1, c1);
                v0 = Vector256.Create(Unsafe.Add(ref xb, i));
                v1 = Vector256.Create(Unsafe.Add(ref xb, i + 1));
                b0 = Vector256.FusedMultiplyAdd(lo0, v0, b0);
                d0 = Vector256.FusedMultiplyAdd(hi0, v0, d0);
                b1 = Vector256.FusedMultiplyAdd(lo1, v1, b1);
                d1 = Vector256.FusedMultiplyAdd(hi1, v1, d1);
            }

            for (; i < k; i++)
            {
                ref float wi = ref Unsafe.Add(ref w, (nint)i * LinearBlockRows);
                Vector256<float> lo = Vector256.LoadUnsafe(ref wi), hi = Vector256.LoadUnsafe(ref wi, 8);
                Vector256<float> v = Vector256.Create(Unsafe.Add(ref x, i));
                a0 = Vector256.FusedMultiplyAdd(lo, v, a0);
                c0 = Vector256.FusedMultiplyAdd(hi, v, c0);
                v = Vector256.Create(Unsafe.Add(ref xb, i));
                b0 = Vector256.FusedMultiplyAdd(lo, v, b0);
                d0 = Vector256.FusedMultiplyAdd(hi, v, d0);
            }

            ref float sr = ref MemoryMarshal.GetReference(sums);
            (a0 + a1).StoreUnsafe(ref sr);
            (c0 + c1).StoreUnsafe(ref sr, 8);
            if (two)
            {
                (b0 + b1).StoreUnsafe(ref sr, 16);
                (d0 + d1).StoreUnsafe(ref sr, 24);
            }
        }

        /// <summary>Plain loops (the Vector128 and scalar widths): one chain per output.</summary>
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
