using System;

namespace ModelCompiler.Weights;

/// <summary>The filter side of Winograd's minimal filtering F(m×m, 3×3) (Lavin and Gray, 2016): a 3×3 filter g becomes
/// the (m+2)×(m+2) matrix U = G·g·Gᵀ that the run-time kernel multiplies with transformed input tiles, and back.
/// The interpolation points are 0, ±1, ∞ for m = 2 and 0, ±1, ±2, ∞ for m = 4, the ones the kernel's Bᵀ and Aᵀ
/// (Compiler/Runtime/Kernels.Winograd.cs) are written for. Double precision throughout.</summary>
public static class WinogradFilter
{
    /// <summary>G for F(2, 3): 4 × 3.</summary>
    private static readonly double[,] G2 =
    {
        { 1, 0, 0 },
        { 0.5, 0.5, 0.5 },
        { 0.5, -0.5, 0.5 },
        { 0, 0, 1 },
    };

    /// <summary>G for F(4, 3): 6 × 3.</summary>
    private static readonly double[,] G4 =
    {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };

    /// <summary>Whether F(<paramref name="tile"/>×<paramref name="tile"/>, 3×3) has a transform here (2 or 4).</summary>
    public static bool Supports(int tile) => tile is 2 or 4;

    /// <summary>Points per side of the transformed filter: the input tile, m + 2.</summary>
    public static int Points(int tile) => tile + 2;

    /// <summary>U = G·g·Gᵀ: <paramref name="filter"/> holds g row-major (9 values from <paramref name="offset"/>); the
    /// result is (m+2)² values, row-major.</summary>
    public static double[] Transform(int tile, double[] filter, int offset)
    {
        double[,] g = Matrix(tile);
        int n = g.GetLength(0);

        // G·g (n × 3), then (G·g)·Gᵀ.
        double[,] left = new double[n, 3];
        for (int a = 0; a < n; a++)
        {
            for (int x = 0; x < 3; x++)
            {
                double sum = 0;
                for (int y = 0; y < 3; y++)
                {
                    sum += g[a, y] * filter[offset + (y * 3) + x];
                }

                left[a, x] = sum;
            }
        }

        double[] u = new double[n * n];
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                double sum = 0;
                for (int x = 0; x < 3; x++)
                {
                    sum += left[a, x] * g[b, x];
                }

                u[(a * n) + b] = sum;
            }
        }

        return u;
    }

    /// <summary>The 3×3 filter whose transform is nearest to <paramref name="u"/> in least squares: g = G⁺·U·G⁺ᵀ with
    /// G⁺ = (GᵀG)⁻¹Gᵀ, G's pseudo-inverse (G has full column rank). Exact (up to rounding) for a U that is a transform;
    /// for a U rounded to float, the filter the rounded U stands for.</summary>
    public static double[] Recover(int tile, double[] u)
    {
        double[,] pinv = PseudoInverse(Matrix(tile));
        int n = pinv.GetLength(1);
        double[,] left = new double[3, n];
        for (int y = 0; y < 3; y++)
        {
            for (int b = 0; b < n; b++)
            {
                double sum = 0;
                for (int a = 0; a < n; a++)
                {
                    sum += pinv[y, a] * u[(a * n) + b];
                }

                left[y, b] = sum;
            }
        }

        double[] g = new double[9];
        for (int y = 0; y < 3; y++)
        {
            for (int x = 0; x < 3; x++)
            {
                double sum = 0;
                for (int b = 0; b < n; b++)
                {
                    sum += left[y, b] * pinv[x, b];
                }

                g[(y * 3) + x] = sum;
            }
        }

        return g;
    }

    private static double[,] Matrix(int tile) => tile switch
    {
        2 => G2,
        4 => G4,
        _ => throw new ArgumentOutOfRangeException(nameof(tile), tile, "Winograd tiles are 2 or 4 outputs per side"),
    };

    /// <summary>(GᵀG)⁻¹Gᵀ for an n × 3 matrix of full column rank: 3 × n.</summary>
    private static double[,] PseudoInverse(double[,] g)
    {
        int n = g.GetLength(0);
        double[,] gram = new double[3, 3];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int a = 0; a < n; a++)
                {
                    gram[i, j] += g[a, i] * g[a, j];
                }
            }
        }

        double[,] inverse = Invert3(gram);
        double[,] result = new double[3, n];
        for (int i = 0; i < 3; i++)
        {
            for (int a = 0; a < n; a++)
            {
                for (int j = 0; j < 3; j++)
                {
                    result[i, a] += inverse[i, j] * g[a, j];
                }
            }
        }

        return result;
    }

    /// <summary>The inverse of a 3 × 3 matrix by its adjugate.</summary>
    private static double[,] Invert3(double[,] m)
    {
        double c00 = (m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1]);
        double c01 = (m[1, 2] * m[2, 0]) - (m[1, 0] * m[2, 2]);
        double c02 = (m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0]);
        double det = (m[0, 0] * c00) + (m[0, 1] * c01) + (m[0, 2] * c02);
        return new double[,]
        {
            { c00 / det, ((m[0, 2] * m[2, 1]) - (m[0, 1] * m[2, 2])) / det, ((m[0, 1] * m[1, 2]) - (m[0, 2] * m[1, 1])) / det },
            { c01 / det, ((m[0, 0] * m[2, 2]) - (m[0, 2] * m[2, 0])) / det, ((m[0, 2] * m[1, 0]) - (m[0, 0] * m[1, 2])) / det },
            { c02 / det, ((m[0, 1] * m[2, 0]) - (m[0, 0] * m[2, 1])) / det, ((m[0, 0] * m[1, 1]) - (m[0, 1] * m[1, 0])) / det },
        };
    }
}
