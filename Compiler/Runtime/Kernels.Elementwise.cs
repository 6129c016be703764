// ModelCompiler run-time kernels: elementwise multiply-add, add and scale-shift.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>y += a * x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void MultiplyAdd(ReadOnlySpan<float> x, float a, Span<float> y, VectorWidth width)
        {
            int n = y.Length;
            if (x.Length < n)
            {
                throw new ArgumentException("x is shorter than y.", nameof(x));
            }

            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            if (width >= VectorWidth.V512)
            {
                Vector512<float> va = Vector512.Create(a);
                for (; i <= n - 16; i += 16)
                {
                    Vector512<float> r = (Vector512.LoadUnsafe(ref xr, (nuint)i) * va) + Vector512.LoadUnsafe(ref yr, (nuint)i);
                    r.StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V256)
            {
                Vector256<float> va = Vector256.Create(a);
                for (; i <= n - 8; i += 8)
                {
                    Vector256<float> r = (Vector256.LoadUnsafe(ref xr, (nuint)i) * va) + Vector256.LoadUnsafe(ref yr, (nuint)i);
                    r.StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V128)
            {
                Vector128<float> va = Vector128.Create(a);
                for (; i <= n - 4; i += 4)
                {
                    Vector128<float> r = (Vector128.LoadUnsafe(ref xr, (nuint)i) * va) + Vector128.LoadUnsafe(ref yr, (nuint)i);
                    r.StoreUnsafe(ref yr, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref yr, i) += Unsafe.Add(ref xr, i) * a;
            }
        }

        /// <summary>y = a + b, elementwise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, VectorWidth width)
        {
            int n = y.Length;
            if (a.Length < n || b.Length < n)
            {
                throw new ArgumentException("an input is shorter than the output.", nameof(a));
            }

            ref float ar = ref MemoryMarshal.GetReference(a);
            ref float br = ref MemoryMarshal.GetReference(b);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            if (width >= VectorWidth.V512)
            {
                for (; i <= n - 16; i += 16)
                {
                    (Vector512.LoadUnsafe(ref ar, (nuint)i) + Vector512.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V256)
            {
                for (; i <= n - 8; i += 8)
                {
                    (Vector256.LoadUnsafe(ref ar, (nuint)i) + Vector256.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V128)
            {
                for (; i <= n - 4; i += 4)
                {
                    (Vector128.LoadUnsafe(ref ar, (nuint)i) + Vector128.LoadUnsafe(ref br, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                Unsafe.Add(ref yr, i) = Unsafe.Add(ref ar, i) + Unsafe.Add(ref br, i);
            }
        }

        /// <summary>y = x * scale + shift (one channel of an unfolded BatchNorm).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ScaleShift(ReadOnlySpan<float> x, float scale, float shift, Span<float> y, VectorWidth width)
        {
            y.Fill(shift);
            MultiplyAdd(x, scale, y, width);
        }

        /// <summary>Moves the rows of a group member's band that are still read to its top (<see cref="RowSchedule.Shift"/>),
        /// channel by channel: <paramref name="plane"/> floats apart, rows of <paramref name="width"/>; split across up to
        /// <paramref name="threads"/> threads by channel when there is much to move.</summary>
        public static void ShiftBand(float[] arena, int at, RowSchedule schedule, int member, int channels, int plane, int width, int threads)
        {
            ArgumentNullException.ThrowIfNull(schedule);
            schedule.Shift(member, out int drop, out int keep);
            if (drop > 0 && keep > 0)
            {
                Planes(PlaneOp.Copy, arena, at + (drop * width), plane, 0, 0, at, plane, channels, keep * width, ActivationKind.None, 0f, VectorWidth.Scalar, threads);
            }
        }
    }
}
