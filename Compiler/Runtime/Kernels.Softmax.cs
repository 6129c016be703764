// ModelCompiler run-time kernels: softmax over channels.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        /// <summary>Softmax over the channel dimension: element (c, p) at c * inner + p, for each p.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Softmax(ReadOnlySpan<float> x, Span<float> y, int channels, int inner)
        {
            for (int p = 0; p < inner; p++)
            {
                float max = float.NegativeInfinity;
                for (int c = 0; c < channels; c++)
                {
                    max = Math.Max(max, x[(c * inner) + p]);
                }

                float sum = 0f;
                for (int c = 0; c < channels; c++)
                {
                    float e = MathF.Exp(x[(c * inner) + p] - max);
                    y[(c * inner) + p] = e;
                    sum += e;
                }

                for (int c = 0; c < channels; c++)
                {
                    y[(c * inner) + p] /= sum;
                }
            }
        }
    }
}
