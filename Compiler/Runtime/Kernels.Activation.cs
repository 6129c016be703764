// ModelCompiler run-time kernels: activations applied in place.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;
    using global::System.Runtime.InteropServices;
    using global::System.Runtime.Intrinsics;

    internal static partial class Kernels
    {
        /// <summary>Applies an activation in place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Activate(Span<float> y, ActivationKind kind, float alpha, VectorWidth width)
        {
            switch (kind)
            {
                case ActivationKind.None:
                    return;
                case ActivationKind.ReLU:
                    Clamp(y, 0f, float.PositiveInfinity, width);
                    return;
                case ActivationKind.ReLU6:
                    Clamp(y, 0f, 6f, width);
                    return;
                case ActivationKind.LeakyReLU:
                    LeakyReLU(y, alpha, width);
                    return;
                default:
                    for (int i = 0; i < y.Length; i++)
                    {
                        y[i] = Scalar(y[i], kind);
                    }

                    return;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static float Scalar(float x, ActivationKind kind) => kind switch
        {
            ActivationKind.Sigmoid => 1f / (1f + MathF.Exp(-x)),
            ActivationKind.Tanh => MathF.Tanh(x),
            ActivationKind.GELU => (float)(0.5 * x * (1.0 + Erf(x * 0.70710678118654752))),
            ActivationKind.SiLU => x / (1f + MathF.Exp(-x)),
            ActivationKind.HardSwish => x * Math.Clamp(x + 3f, 0f, 6f) / 6f,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a scalar activation"),
        };

        /// <summary>The error function, to about 1e-15 (W. J. Cody's rational approximations via erfc).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Erf(double x)
        {
            double ax = Math.Abs(x);
            if (ax < 0.5)
            {
                double t = x * x;
                double top = (((((0.1857777061846032 * t) + 3.161123743870566) * t) + 113.8641541510502) * t) + 377.485237685302;
                top = (top * t) + 3209.377589138469;
                double bottom = ((((t + 23.60129095234412) * t) + 244.0246379344442) * t) + 1282.616526077372;
                bottom = (bottom * t) + 2844.236833439171;
                return x * top / bottom;
            }

            double erfc = ax < 4.0 ? ErfcMid(ax) : ErfcTail(ax);
            return x < 0 ? erfc - 1.0 : 1.0 - erfc;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double ErfcMid(double x)
        {
            double top = 2.15311535474403846e-8;
            top = (top * x) + 0.564188496988670089;
            top = (top * x) + 8.88314979438837594;
            top = (top * x) + 66.1191906371416295;
            top = (top * x) + 298.635138197400131;
            top = (top * x) + 881.95222124176909;
            top = (top * x) + 1712.04761263407058;
            top = (top * x) + 2051.07837782607147;
            top = (top * x) + 1230.33935479799725;
            double bottom = x + 15.7449261107098347;
            bottom = (bottom * x) + 117.693950891312499;
            bottom = (bottom * x) + 537.181101862009858;
            bottom = (bottom * x) + 1621.38957456669019;
            bottom = (bottom * x) + 3290.79923573345963;
            bottom = (bottom * x) + 4362.61909014324716;
            bottom = (bottom * x) + 3439.36767414372164;
            bottom = (bottom * x) + 1230.33935480374942;
            return Math.Exp(-x * x) * top / bottom;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double ErfcTail(double x)
        {
            double z = 1.0 / (x * x);
            double top = 0.0163153871373020978;
            top = (top * z) + 0.305326634961232344;
            top = (top * z) + 0.360344899949804439;
            top = (top * z) + 0.125781726111229246;
            top = (top * z) + 0.0160837851487422766;
            top = (top * z) + 6.58749161529837803e-4;
            double bottom = z + 2.56852019228982242;
            bottom = (bottom * z) + 1.87295284992346725;
            bottom = (bottom * z) + 0.527905102951428412;
            bottom = (bottom * z) + 0.0605183413124413191;
            bottom = (bottom * z) + 0.00233520497626869185;
            double r = z * top / bottom;
            return Math.Exp(-x * x) / x * (0.564189583547756287 - r);
        }

        /// <summary>y = min(max(y, min), max), NaN kept as NaN (as the scalar path and PyTorch do; .NET 8's vector Max and
        /// Min do not propagate NaN, so the vector paths select it back).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Clamp(Span<float> y, float min, float max, VectorWidth width)
        {
            int n = y.Length;
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            if (width >= VectorWidth.V512)
            {
                Vector512<float> lo = Vector512.Create(min), hi = Vector512.Create(max);
                for (; i <= n - 16; i += 16)
                {
                    Vector512<float> v = Vector512.LoadUnsafe(ref yr, (nuint)i);
                    Vector512.ConditionalSelect(Vector512.Equals(v, v), Vector512.Min(Vector512.Max(v, lo), hi), v).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V256)
            {
                Vector256<float> lo = Vector256.Create(min), hi = Vector256.Create(max);
                for (; i <= n - 8; i += 8)
                {
                    Vector256<float> v = Vector256.LoadUnsafe(ref yr, (nuint)i);
                    Vector256.ConditionalSelect(Vector256.Equals(v, v), Vector256.Min(Vector256.Max(v, lo), hi), v).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V128)
            {
                Vector128<float> lo = Vector128.Create(min), hi = Vector128.Create(max);
                for (; i <= n - 4; i += 4)
                {
                    Vector128<float> v = Vector128.LoadUnsafe(ref yr, (nuint)i);
                    Vector128.ConditionalSelect(Vector128.Equals(v, v), Vector128.Min(Vector128.Max(v, lo), hi), v).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                float v = Unsafe.Add(ref yr, i);
                Unsafe.Add(ref yr, i) = v < min ? min : (v > max ? max : v);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void LeakyReLU(Span<float> y, float alpha, VectorWidth width)
        {
            int n = y.Length;
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            if (width >= VectorWidth.V512)
            {
                Vector512<float> a = Vector512.Create(alpha);
                for (; i <= n - 16; i += 16)
                {
                    Vector512<float> v = Vector512.LoadUnsafe(ref yr, (nuint)i);
                    Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), v, v * a).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V256)
            {
                Vector256<float> a = Vector256.Create(alpha);
                for (; i <= n - 8; i += 8)
                {
                    Vector256<float> v = Vector256.LoadUnsafe(ref yr, (nuint)i);
                    Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), v, v * a).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            if (width >= VectorWidth.V128)
            {
                Vector128<float> a = Vector128.Create(alpha);
                for (; i <= n - 4; i += 4)
                {
                    Vector128<float> v = Vector128.LoadUnsafe(ref yr, (nuint)i);
                    Vector128.ConditionalSelect(Vector128.GreaterThan(v, Vector128<float>.Zero), v, v * a).StoreUnsafe(ref yr, (nuint)i);
                }
            }

            for (; i < n; i++)
            {
                float v = Unsafe.Add(ref yr, i);
                Unsafe.Add(ref yr, i) = v > 0f ? v : v * alpha;
            }
        }
    }
}
