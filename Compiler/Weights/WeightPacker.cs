using System;
using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Weights;

/// <summary>Turns validated source tensors into the packed float array the generated code reads:
/// BatchNorm folded into convs, standalone BatchNorm reduced to scale/shift. Arithmetic in double.</summary>
public static class WeightPacker
{
    /// <param name="tensor">Returns a required tensor by name (already validated for shape and finiteness).</param>
    public static float[] Pack(Graph graph, WeightLayout layout, Func<string, float[]> tensor)
    {
        float[] packed = new float[layout.TotalLength];
        foreach (Node node in graph.Nodes)
        {
            LayerSpec s = node.Spec;
            string p = s.TensorPrefix;
            switch (node.Op)
            {
                case OpKind.Conv2d:
                {
                    float[] w = tensor(p + ".weight");
                    float[] b = s.Bias ? tensor(p + ".bias") : new float[s.OutFeatures];
                    if (node.FoldedBatchNorm is { } bn)
                    {
                        (double[] scale, double[] shift) = BatchNormAffine(bn, tensor);
                        int perChannel = w.Length / s.OutFeatures;
                        float[] wf = new float[w.Length];
                        float[] bf = new float[b.Length];
                        for (int oc = 0; oc < s.OutFeatures; oc++)
                        {
                            for (int i = 0; i < perChannel; i++)
                            {
                                wf[(oc * perChannel) + i] = (float)(w[(oc * perChannel) + i] * scale[oc]);
                            }

                            bf[oc] = (float)((b[oc] * scale[oc]) + shift[oc]);
                        }

                        w = wf;
                        b = bf;
                    }

                    Copy(w, packed, layout.Find(node.Name, "weight")!);
                    if (layout.Find(node.Name, "bias") is { } biasSlot)
                    {
                        Copy(b, packed, biasSlot);
                    }

                    break;
                }

                case OpKind.Linear:
                    Copy(tensor(p + ".weight"), packed, layout.Find(node.Name, "weight")!);
                    if (s.Bias)
                    {
                        Copy(tensor(p + ".bias"), packed, layout.Find(node.Name, "bias")!);
                    }

                    break;
                case OpKind.BatchNorm2d:
                {
                    (double[] scale, double[] shift) = BatchNormAffine(s, tensor);
                    Copy(Array.ConvertAll(scale, v => (float)v), packed, layout.Find(node.Name, "scale")!);
                    Copy(Array.ConvertAll(shift, v => (float)v), packed, layout.Find(node.Name, "shift")!);
                    break;
                }
            }
        }

        return packed;
    }

    /// <summary>y = x * scale + shift with scale = gamma / sqrt(var + eps), shift = beta - mean * scale.</summary>
    public static (double[] Scale, double[] Shift) BatchNormAffine(LayerSpec bn, Func<string, float[]> tensor)
    {
        string p = bn.TensorPrefix;
        float[] gamma = tensor(p + ".weight");
        float[] beta = tensor(p + ".bias");
        float[] mean = tensor(p + ".running_mean");
        float[] variance = tensor(p + ".running_var");
        double[] scale = new double[gamma.Length];
        double[] shift = new double[gamma.Length];
        for (int c = 0; c < gamma.Length; c++)
        {
            scale[c] = gamma[c] / Math.Sqrt(variance[c] + (double)bn.Epsilon);
            shift[c] = beta[c] - (mean[c] * scale[c]);
        }

        return (scale, shift);
    }

    private static void Copy(float[] source, float[] packed, PackedTensor slot)
    {
        if (source.Length != slot.Length)
        {
            throw new ArgumentException($"Tensor for {slot.Node}.{slot.Role} has {source.Length} elements, the layout expects {slot.Length}.");
        }

        Array.Copy(source, 0, packed, slot.Offset, slot.Length);
    }

    /// <summary>Convenience for tests and tools: pack from a dictionary of tensors.</summary>
    public static float[] Pack(Graph graph, WeightLayout layout, IReadOnlyDictionary<string, float[]> tensors) =>
        Pack(graph, layout, name => tensors[name]);
}
