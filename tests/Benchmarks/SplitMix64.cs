namespace ModelCompiler.Benchmarks;

/// <summary>splitmix64: a fixed, documented generator, so weights and inputs never depend on a runtime's System.Random.</summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits: every value is an exact float.</summary>
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

    /// <summary><paramref name="count"/> values uniform in [0, 1).</summary>
    public float[] Floats(int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = NextFloat();
        }

        return values;
    }
}
