using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Weights;

namespace ModelCompiler.Tests.Helpers;

/// <summary>Random source tensors for a declared graph, sized like PyTorch's default init (±1/sqrt(fan_in)) so
/// activations stay near unit scale through a few layers; BatchNorm statistics non-trivial, variance positive.</summary>
internal static class RandomWeights
{
    public static Dictionary<string, float[]> For(Graph graph, ulong seed)
    {
        var rng = new Rng(seed);
        var tensors = new Dictionary<string, float[]>();
        foreach (RequiredTensor t in WeightLayout.RequiredTensors(graph))
        {
            int count = t.Shape.Aggregate(1, (a, d) => a * d);
            string suffix = t.Name.Substring(t.Name.LastIndexOf('.'));
            bool batchNorm = t.Layer.Kind == "BatchNorm2d";
            double bound = t.Shape.Length > 1 ? 1.0 / System.Math.Sqrt(count / t.Shape[0]) : 0.5;
            tensors[t.Name] = (batchNorm, suffix) switch
            {
                (true, ".weight") => rng.Uniform(count, 0.5, 1.5),
                (true, ".running_var") => rng.Uniform(count, 0.2, 2.0),
                (true, _) => rng.Uniform(count, -0.5, 0.5),
                _ => rng.Uniform(count, -bound, bound),
            };
        }

        return tensors;
    }
}
