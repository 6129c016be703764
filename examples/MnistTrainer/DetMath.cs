using System;

namespace MnistTrainer;

/// <summary>
/// Math that must give the same bits everywhere. Math.Exp comes from the platform's C library
/// and may differ in the last bit between systems; +, *, / and sqrt are IEEE-exact, so
/// building on them keeps training bit-reproducible across machines.
/// </summary>
internal static class DetMath
{
    // ln 2 split into a head with trailing zero bits and a tail (fdlibm constants),
    // so k * Ln2Hi is exact for the k we use.
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;

    /// <summary>e^x to ~1 ulp using range reduction and a Taylor polynomial.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        if (x > 709.0)
        {
            return double.PositiveInfinity;
        }

        if (x < -745.0)
        {
            return 0.0;
        }

        // x = k ln2 + r with |r| <= ln2 / 2; exp(x) = 2^k exp(r).
        double k = Math.Round(x * InvLn2);
        double r = (x - (k * Ln2Hi)) - (k * Ln2Lo);

        // Horner form of sum_{i=0..13} r^i / i!; the truncation error is below 1e-17 for |r| <= 0.35.
        double p = 1.0;
        for (int i = 13; i >= 1; i--)
        {
            p = 1.0 + (p * r / i);
        }

        return Math.ScaleB(p, (int)k);
    }
}
