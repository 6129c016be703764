using System;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>Seeded random floats (SplitMix64: the same values on every .NET version, unlike System.Random).</summary>
internal sealed class Seeded(ulong seed)
{
    private ulong _state = seed;

    public float Next(float min, float max)
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return min + ((max - min) * (float)((z >> 40) / (double)(1UL << 24)));
    }

    public float[] Floats(int count, float min = -1f, float max = 1f)
    {
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Next(min, max);
        }

        return values;
    }

    /// <summary>Floats that also hit <paramref name="edges"/> (every seventh element, cycling).</summary>
    public float[] FloatsWithEdges(int count, float min, float max, ReadOnlySpan<float> edges)
    {
        float[] values = Floats(count, min, max);
        for (int i = 0, e = 0; i < values.Length; i += 7, e = (e + 1) % edges.Length)
        {
            values[i] = edges[e];
        }

        return values;
    }
}
