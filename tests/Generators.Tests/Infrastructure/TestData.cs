using System;
using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Generators.Tests.Infrastructure;

/// <summary>Seeded random tensors and inputs (SplitMix64: stable across .NET versions, unlike System.Random).</summary>
public sealed class TestData(ulong seed)
{
    private ulong _state = seed;

    public float NextFloat(float min, float max)
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
        for (int i = 0; i < count; i++)
        {
            values[i] = NextFloat(min, max);
        }

        return values;
    }

    /// <summary>Random values for every tensor the declared model needs; BatchNorm variances positive.</summary>
    public Dictionary<string, float[]> Tensors(ModelSpec spec)
    {
        Graph graph = ModelCompilation.BuildUnoptimized(spec) ?? throw new ArgumentException("the spec does not build", nameof(spec));
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (RequiredTensor t in WeightLayout.RequiredTensors(graph))
        {
            int count = 1;
            foreach (int d in t.Shape)
            {
                count *= d;
            }

            tensors[t.Name] = t.Name.EndsWith(".running_var", StringComparison.Ordinal) ? Floats(count, 0.5f, 1.5f) : Floats(count, -0.5f, 0.5f);
        }

        return tensors;
    }
}
