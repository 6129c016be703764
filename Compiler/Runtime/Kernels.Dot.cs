// ModelCompiler run-time kernels: the dot product (Linear layers).

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>The dot product of a and b (same length).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, VectorWidth width)
        {
            int n = a.Length;
            if (b.Length != n)
            {
                throw new ArgumentException("a and b differ in length.", nameof(b));
            }

            ref float ar = ref MemoryMarshal.GetReference(a);
            ref float br = ref MemoryMarshal.GetReference(b);
            int i = 0;
            float sum = 0f;
            if (width >= VectorWidth.V512 && n >= 16)
            {
                Vector512<float> acc = Vector512<float>.Zero;
                for (; i <= n - 16; i += 16)
                {
                    acc += Vector512.LoadUnsafe(ref ar, (nuint)i) * Vector512.LoadUnsafe(ref br, (nuint)i);
                }

                sum += Vector512.Sum(acc);
            }

            if (width >= VectorWidth.V256 && n - i >= 8)
            {
                Vector256<float> acc = Vector256<float>.Zero;
                for (; i <= n - 8; i += 8)
                {
                    acc += Vector256.LoadUnsafe(ref ar, (nuint)i) * Vector256.LoadUnsafe(ref br, (nuint)i);
                }

                sum += Vector256.Sum(acc);
            }

            if (width >= VectorWidth.V128 && n - i >= 4)
            {
                Vector128<float> acc = Vector128<float>.Zero;
                for (; i <= n - 4; i += 4)
                {
                    acc += Vector128.LoadUnsafe(ref ar, (nuint)i) * Vector128.LoadUnsafe(ref br, (nuint)i);
                }

                sum += Vector128.Sum(acc);
            }

            for (; i < n; i++)
            {
                sum += Unsafe.Add(ref ar, i) * Unsafe.Add(ref br, i);
            }

            return sum;
        }
    }
}
