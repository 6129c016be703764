using System;
using ModelCompiler.Generated;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>Every activation in double precision from its PyTorch definition, the reference the kernel tests compare
/// against. GELU's erf comes from a numerical integral, independent of both the kernels' and the interpreter's erf.</summary>
internal static class ActivationReference
{
    public static double Apply(ActivationKind kind, double x, double alpha) => kind switch
    {
        ActivationKind.None => x,
        ActivationKind.ReLU => Math.Max(x, 0),
        ActivationKind.ReLU6 => Math.Min(Math.Max(x, 0), 6),
        ActivationKind.LeakyReLU => x > 0 ? x : alpha * x,
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-x)),
        ActivationKind.Tanh => Math.Tanh(x),
        ActivationKind.GELU => 0.5 * x * OnePlusErf(x / Math.Sqrt(2)),
        ActivationKind.SiLU => x / (1 + Math.Exp(-x)),
        ActivationKind.HardSwish => x * Math.Min(Math.Max(x + 3, 0), 6) / 6,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no reference"),
    };

    /// <summary>1 + erf(z) = 2 - erfc(z) = erfc(-z), from erfc of a non-negative argument so that the result keeps its
    /// relative precision for negative z.</summary>
    private static double OnePlusErf(double z) => z >= 0 ? 2 - Erfc(z) : Erfc(-z);

    /// <summary>erfc(z) = 2/√π ∫ exp(-t²) dt from z to ∞ for z ≥ 0: Simpson's rule on [z, z + 10] (the rest is below
    /// 1e-43 of the integrand at z), accurate to about 1e-9 relative.</summary>
    private static double Erfc(double z)
    {
        const int Steps = 4000;
        double h = 10.0 / Steps, sum = Integrand(z) + Integrand(z + 10);
        for (int i = 1; i < Steps; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * Integrand(z + (i * h));
        }

        return 2 / Math.Sqrt(Math.PI) * sum * h / 3;

        static double Integrand(double t) => Math.Exp(-t * t);
    }
}
