// ModelCompiler run-time kernels: matrix products on weights prepacked at build time.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>Rows of a weight panel for <see cref="PackedGemm"/>: the build packs weights as
        /// [ceil(m / 6)][k][6] (the "panel(6)" layout), the last panel zero-padded.</summary>
        public const int GemmPanelRows = 6;

        /// <summary>C = activation(A·B + bias) for the row panels [panelStart, panelEnd) of A: A is m×k, prepacked in
        /// panels of <see cref="GemmPanelRows"/> rows ([panel][k][6]); row p of B (n floats) starts at
        /// <paramref name="rowOffsets"/>[p] in <paramref name="b"/> (rows of a matrix, or shifted windows of an image:
        /// an implicit im2col); C is m×n, rows <paramref name="ldc"/> apart; bias has one value per row of A (or is
        /// empty). Register blocking: 6 rows × 64 columns with Vector512, × 16 with Vector256, × 4 with Vector128;
        /// narrower widths and a scalar loop finish the columns.</summary>
        /// <param name="a">The packed A: ceil(m / 6) * k * 6 floats.</param>
        /// <param name="b">Where B's rows are.</param>
        /// <param name="rowOffsets">k offsets into <paramref name="b"/>, each followed by n floats.</param>
        /// <param name="c">C: (m - 1) * ldc + n floats at least.</param>
        /// <param name="ldc">Floats from one row of C to the next.</param>
        /// <param name="bias">m values, or empty.</param>
        /// <param name="m">Rows of A and C.</param>
        /// <param name="n">Columns of B and C.</param>
        /// <param name="k">Columns of A, rows of B.</param>
        /// <param name="activation">Applied to every element of C.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="panelStart">The first panel (6 rows) to compute.</param>
        /// <param name="panelEnd">One past the last panel to compute.</param>
        /// <param name="width">The widest vectors to use.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PackedGemm(
            ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<int> rowOffsets, Span<float> c, int ldc, ReadOnlySpan<float> bias,
            int m, int n, int k, ActivationKind activation, float alpha, int panelStart, int panelEnd, VectorWidth width)
        {
            const int R = GemmPanelRows;
            if (a.Length < (long)((m + R - 1) / R) * k * R || rowOffsets.Length < k || (m > 0 && c.Length < ((long)(m - 1) * ldc) + n))
            {
                throw new ArgumentException("A, the row offsets or C is shorter than m, n, k and the strides need.");
            }

            if (panelStart < 0 || panelEnd > (m + R - 1) / R || panelStart > panelEnd)
            {
                throw new ArgumentOutOfRangeException(nameof(panelEnd), "the panels [" + panelStart + ", " + panelEnd + ") are not within the " + ((m + R - 1) / R) + " of A.");
            }

            for (int p = 0; p < k; p++)
            {
                if ((uint)rowOffsets[p] > (uint)(b.Length - n))
                {
                    throw new ArgumentException("row " + p + " of B, at " + rowOffsets[p] + ", runs past the end of b.", nameof(rowOffsets));
                }
            }

            ref int offsets = ref MemoryMarshal.GetReference(rowOffsets);

            for (int panel = panelStart; panel < panelEnd; panel++)
            {
                int row = panel * R;
                int rows = Math.Min(R, m - row);
                ref float ap = ref Unsafe.Add(ref MemoryMarshal.GetReference(a), (nint)panel * k * R);
                ref float br = ref MemoryMarshal.GetReference(b);
                ref float cr = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), (nint)row * ldc);
                int j = 0;
                if (width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated)
                {
                    // A last panel of fewer than six rows (16 output channels: 6 + 6 + 4) runs without the missing rows' work.
                    for (; j <= n - 64; j += 64)
                    {
                        ref float bj = ref Unsafe.Add(ref br, j);
                        ref float cj = ref Unsafe.Add(ref cr, j);
                        switch (rows)
                        {
                            case 6:
                                Panel512x4<Count6>(ref ap, ref bj, ref offsets, ref cj, ldc, rows, k);
                                break;
                            case 5:
                                Panel512x4<Count5>(ref ap, ref bj, ref offsets, ref cj, ldc, rows, k);
                                break;
                            case 4:
                                Panel512x4<Count4>(ref ap, ref bj, ref offsets, ref cj, ldc, rows, k);
                                break;
                            case 3:
                                Panel512x4<Count3>(ref ap, ref bj, ref offsets, ref cj, ldc, rows, k);
                                break;
                            case 2:
                                Panel512x4<Count2>(ref ap, ref bj, ref offsets, ref cj, ldc, rows, k);
                                break;
                            default:
                                Panel512x4<Count1>(ref ap, ref bj, ref offsets, ref cj, ldc, rows, k);
                                break;
                        }
                    }

                    for (; j <= n - 16; j += 16)
                    {
                        Panel512x1(ref ap, ref Unsafe.Add(ref br, j), ref offsets, ref Unsafe.Add(ref cr, j), ldc, rows, k);
                    }
                }

                if (width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated)
                {
                    for (; j <= n - 16; j += 16)
                    {
                        Panel256x2(ref ap, ref Unsafe.Add(ref br, j), ref offsets, ref Unsafe.Add(ref cr, j), ldc, rows, k);
                    }

                    for (; j <= n - 8; j += 8)
                    {
                        Panel256x1(ref ap, ref Unsafe.Add(ref br, j), ref offsets, ref Unsafe.Add(ref cr, j), ldc, rows, k);
                    }
                }

                if (width >= VectorWidth.V128 && Vector128.IsHardwareAccelerated)
                {
                    for (; j <= n - 4; j += 4)
                    {
                        Panel128x1(ref ap, ref Unsafe.Add(ref br, j), ref offsets, ref Unsafe.Add(ref cr, j), ldc, rows, k);
                    }
                }

                for (; j < n; j++)
                {
                    PanelScalar(ref ap, ref Unsafe.Add(ref br, j), ref offsets, ref Unsafe.Add(ref cr, j), ldc, rows, k);
                }

                for (int i = 0; i < rows; i++)
                {
                    Span<float> line = c.Slice(((row + i) * ldc), n);
                    if (!bias.IsEmpty)
                    {
                        AddScalar(line, bias[row + i], width);
                    }

                    Activate(line, activation, alpha, width);
                }
            }
        }

        /// <summary>y += value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddScalar(Span<float> y, float value, VectorWidth width)
        {
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0, n = y.Length;
            if (width >= VectorWidth.V512 && Vector512.IsHardwareAccelerated)
            {
                Vector512<float> v = Vector512.Create(value);
                for (; i <= n - 16; i += 16)
                {
                    (Vector512.LoadUnsafe(ref yr, (nuint)i) + v).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V256 && Vector256.IsHardwareAccelerated)
            {
                Vector256<float> v = Vector256.Create(value);
                for (; i <= n - 8; i += 8)
                {
                    (Vector256.LoadUnsafe(ref yr, (nuint)i) + v).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref yr, i) += value;
            }
        }

        /// <summary>Up to 6 rows (<typeparamref name="TRows"/>, the panel's valid rows; the others cost nothing) × 64
        /// columns: 24 accumulators at most, 4 loads of B and one broadcast of A per row per step of k.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Panel512x4<TRows>(ref float a, ref float b, ref int offsets, ref float c, int ldc, int rows, int k)
            where TRows : struct, ITileCount
        {
            int valid = TRows.Value;
            Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
            Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
            Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
            Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
            Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
            Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, Unsafe.Add(ref offsets, p));
                Vector512<float> b0 = Vector512.LoadUnsafe(ref bp);
                Vector512<float> b1 = Vector512.LoadUnsafe(ref bp, 16);
                Vector512<float> b2 = Vector512.LoadUnsafe(ref bp, 32);
                Vector512<float> b3 = Vector512.LoadUnsafe(ref bp, 48);
                ref float ap = ref Unsafe.Add(ref a, p * GemmPanelRows);
                Vector512<float> w = Vector512.Create(ap);
                c00 = Vector512.FusedMultiplyAdd(w, b0, c00);
                c01 = Vector512.FusedMultiplyAdd(w, b1, c01);
                c02 = Vector512.FusedMultiplyAdd(w, b2, c02);
                c03 = Vector512.FusedMultiplyAdd(w, b3, c03);
                if (valid > 1)
                {
                    w = Vector512.Create(Unsafe.Add(ref ap, 1));
                    c10 = Vector512.FusedMultiplyAdd(w, b0, c10);
                    c11 = Vector512.FusedMultiplyAdd(w, b1, c11);
                    c12 = Vector512.FusedMultiplyAdd(w, b2, c12);
                    c13 = Vector512.FusedMultiplyAdd(w, b3, c13);
                }
                if (valid > 2)
                {
                    w = Vector512.Create(Unsafe.Add(ref ap, 2));
                    c20 = Vector512.FusedMultiplyAdd(w, b0, c20);
                    c21 = Vector512.FusedMultiplyAdd(w, b1, c21);
                    c22 = Vector512.FusedMultiplyAdd(w, b2, c22);
                    c23 = Vector512.FusedMultiplyAdd(w, b3, c23);
                }
                if (valid > 3)
                {
                    w = Vector512.Create(Unsafe.Add(ref ap, 3));
                    c30 = Vector512.FusedMultiplyAdd(w, b0, c30);
                    c31 = Vector512.FusedMultiplyAdd(w, b1, c31);
                    c32 = Vector512.FusedMultiplyAdd(w, b2, c32);
                    c33 = Vector512.FusedMultiplyAdd(w, b3, c33);
                }
                if (valid > 4)
                {
                    w = Vector512.Create(Unsafe.Add(ref ap, 4));
                    c40 = Vector512.FusedMultiplyAdd(w, b0, c40);
                    c41 = Vector512.FusedMultiplyAdd(w, b1, c41);
                    c42 = Vector512.FusedMultiplyAdd(w, b2, c42);
                    c43 = Vector512.FusedMultiplyAdd(w, b3, c43);
                }
                if (valid > 5)
                {
                    w = Vector512.Create(Unsafe.Add(ref ap, 5));
                    c50 = Vector512.FusedMultiplyAdd(w, b0, c50);
                    c51 = Vector512.FusedMultiplyAdd(w, b1, c51);
                    c52 = Vector512.FusedMultiplyAdd(w, b2, c52);
                    c53 = Vector512.FusedMultiplyAdd(w, b3, c53);
                }
            }

            Store4(ref c, c00, c01, c02, c03);
            if (rows > 1)
            {
                Store4(ref Unsafe.Add(ref c, ldc), c10, c11, c12, c13);
            }

            if (rows > 2)
            {
                Store4(ref Unsafe.Add(ref c, 2 * ldc), c20, c21, c22, c23);
            }

            if (rows > 3)
            {
                Store4(ref Unsafe.Add(ref c, 3 * ldc), c30, c31, c32, c33);
            }

            if (rows > 4)
            {
                Store4(ref Unsafe.Add(ref c, 4 * ldc), c40, c41, c42, c43);
            }

            if (rows > 5)
            {
                Store4(ref Unsafe.Add(ref c, 5 * ldc), c50, c51, c52, c53);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store4(ref float c, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
        {
            v0.StoreUnsafe(ref c);
            v1.StoreUnsafe(ref c, 16);
            v2.StoreUnsafe(ref c, 32);
            v3.StoreUnsafe(ref c, 48);
        }

        /// <summary>6 rows × 16 columns.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Panel512x1(ref float a, ref float b, ref int offsets, ref float c, int ldc, int rows, int k)
        {
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            for (int p = 0; p < k; p++)
            {
                Vector512<float> b0 = Vector512.LoadUnsafe(ref Unsafe.Add(ref b, Unsafe.Add(ref offsets, p)));
                ref float ap = ref Unsafe.Add(ref a, p * GemmPanelRows);
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ap), b0, c0);
                c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ap, 1)), b0, c1);
                c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ap, 2)), b0, c2);
                c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ap, 3)), b0, c3);
                c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ap, 4)), b0, c4);
                c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ap, 5)), b0, c5);
            }

            Span<Vector512<float>> rowsOut = [c0, c1, c2, c3, c4, c5];
            for (int i = 0; i < rows; i++)
            {
                rowsOut[i].StoreUnsafe(ref Unsafe.Add(ref c, (nint)i * ldc));
            }
        }

        /// <summary>6 rows × 16 columns as two Vector256 each: 12 accumulators.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Panel256x2(ref float a, ref float b, ref int offsets, ref float c, int ldc, int rows, int k)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, Unsafe.Add(ref offsets, p));
                Vector256<float> b0 = Vector256.LoadUnsafe(ref bp);
                Vector256<float> b1 = Vector256.LoadUnsafe(ref bp, 8);
                ref float ap = ref Unsafe.Add(ref a, p * GemmPanelRows);
                Vector256<float> w = Vector256.Create(ap);
                c00 = Vector256.FusedMultiplyAdd(w, b0, c00);
                c01 = Vector256.FusedMultiplyAdd(w, b1, c01);
                w = Vector256.Create(Unsafe.Add(ref ap, 1));
                c10 = Vector256.FusedMultiplyAdd(w, b0, c10);
                c11 = Vector256.FusedMultiplyAdd(w, b1, c11);
                w = Vector256.Create(Unsafe.Add(ref ap, 2));
                c20 = Vector256.FusedMultiplyAdd(w, b0, c20);
                c21 = Vector256.FusedMultiplyAdd(w, b1, c21);
                w = Vector256.Create(Unsafe.Add(ref ap, 3));
                c30 = Vector256.FusedMultiplyAdd(w, b0, c30);
                c31 = Vector256.FusedMultiplyAdd(w, b1, c31);
                w = Vector256.Create(Unsafe.Add(ref ap, 4));
                c40 = Vector256.FusedMultiplyAdd(w, b0, c40);
                c41 = Vector256.FusedMultiplyAdd(w, b1, c41);
                w = Vector256.Create(Unsafe.Add(ref ap, 5));
                c50 = Vector256.FusedMultiplyAdd(w, b0, c50);
                c51 = Vector256.FusedMultiplyAdd(w, b1, c51);
            }

            Span<Vector256<float>> rowsOut = [c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51];
            for (int i = 0; i < rows; i++)
            {
                ref float cr = ref Unsafe.Add(ref c, (nint)i * ldc);
                rowsOut[2 * i].StoreUnsafe(ref cr);
                rowsOut[(2 * i) + 1].StoreUnsafe(ref cr, 8);
            }
        }

        /// <summary>6 rows × 8 columns.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Panel256x1(ref float a, ref float b, ref int offsets, ref float c, int ldc, int rows, int k)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            for (int p = 0; p < k; p++)
            {
                Vector256<float> b0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, Unsafe.Add(ref offsets, p)));
                ref float ap = ref Unsafe.Add(ref a, p * GemmPanelRows);
                c0 = Vector256.FusedMultiplyAdd(Vector256.Create(ap), b0, c0);
                c1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 1)), b0, c1);
                c2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 2)), b0, c2);
                c3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 3)), b0, c3);
                c4 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 4)), b0, c4);
                c5 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref ap, 5)), b0, c5);
            }

            Span<Vector256<float>> rowsOut = [c0, c1, c2, c3, c4, c5];
            for (int i = 0; i < rows; i++)
            {
                rowsOut[i].StoreUnsafe(ref Unsafe.Add(ref c, (nint)i * ldc));
            }
        }

        /// <summary>6 rows × 4 columns.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Panel128x1(ref float a, ref float b, ref int offsets, ref float c, int ldc, int rows, int k)
        {
            Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            for (int p = 0; p < k; p++)
            {
                Vector128<float> b0 = Vector128.LoadUnsafe(ref Unsafe.Add(ref b, Unsafe.Add(ref offsets, p)));
                ref float ap = ref Unsafe.Add(ref a, p * GemmPanelRows);
                c0 = Vector128.FusedMultiplyAdd(Vector128.Create(ap), b0, c0);
                c1 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref ap, 1)), b0, c1);
                c2 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref ap, 2)), b0, c2);
                c3 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref ap, 3)), b0, c3);
                c4 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref ap, 4)), b0, c4);
                c5 = Vector128.FusedMultiplyAdd(Vector128.Create(Unsafe.Add(ref ap, 5)), b0, c5);
            }

            Span<Vector128<float>> rowsOut = [c0, c1, c2, c3, c4, c5];
            for (int i = 0; i < rows; i++)
            {
                rowsOut[i].StoreUnsafe(ref Unsafe.Add(ref c, (nint)i * ldc));
            }
        }

        /// <summary>6 rows × 1 column.</summary>
        private static void PanelScalar(ref float a, ref float b, ref int offsets, ref float c, int ldc, int rows, int k)
        {
            for (int i = 0; i < rows; i++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, (p * GemmPanelRows) + i), Unsafe.Add(ref b, Unsafe.Add(ref offsets, p)), sum);
                }

                Unsafe.Add(ref c, (nint)i * ldc) = sum;
            }
        }
    }
}
