using System;

namespace ModelCompiler.Tests.Helpers;

/// <summary>A seeded generator (xorshift64*) so every test sees the same numbers on every runtime version.</summary>
internal sealed class Rng(ulong seed)
{
    private ulong _state = seed * 0x9E3779B97F4A7C15UL + 1;

    public double NextDouble()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return ((_state * 0x2545F4914F6CDD1DUL) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Uniform in [lo, hi).</summary>
    public float[] Uniform(int count, double lo, double hi)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(lo + ((hi - lo) * NextDouble()));
        }

        return values;
    }
}
