using System;

namespace MnistTrainer;

/// <summary>Weight initialization. Uniform distributions avoid log/cos (Box-Muller), keeping init bit-exact everywhere.</summary>
internal static class Init
{
    /// <summary>He (Kaiming) uniform for layers followed by ReLU: Var = 2 / fanIn.</summary>
    public static void HeUniform(float[] weights, int fanIn, Rng rng) => Uniform(weights, Math.Sqrt(6.0 / fanIn), rng);

    /// <summary>LeCun uniform for the logits layer (no ReLU after it): Var = 1 / fanIn.</summary>
    public static void LeCunUniform(float[] weights, int fanIn, Rng rng) => Uniform(weights, Math.Sqrt(3.0 / fanIn), rng);

    private static void Uniform(float[] weights, double bound, Rng rng)
    {
        float b = (float)bound;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = ((2.0f * rng.NextFloat()) - 1.0f) * b;
        }
    }
}
