using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Weights;

/// <summary>One packed tensor as the generated code reads it: a slice of the model's float array.</summary>
/// <param name="Node">The IR node that reads it.</param>
/// <param name="Role">"weight", "bias", "scale" or "shift".</param>
public sealed record PackedTensor(string Node, string Role, int[] Shape, int Offset, int Length);

/// <summary>A tensor the weights file must hold, as the layer declared it.</summary>
public sealed record RequiredTensor(string Name, int[] Shape, LayerSpec Layer);

/// <summary>Where every packed tensor of a model lives. Depends only on the declaration (never on weight
/// values), so the generator and the weight-linking task compute the same layout independently.</summary>
public sealed class WeightLayout
{
    /// <summary>Offsets are multiples of this many floats (64 bytes), so vector loads of a tensor start aligned
    /// relative to the array start.</summary>
    public const int Alignment = 16;

    private readonly Dictionary<(string, string), PackedTensor> _byKey = [];

    private WeightLayout(List<PackedTensor> tensors, int totalLength)
    {
        Tensors = tensors;
        TotalLength = totalLength;
        foreach (PackedTensor t in tensors)
        {
            _byKey[(t.Node, t.Role)] = t;
        }
    }

    public IReadOnlyList<PackedTensor> Tensors { get; }

    /// <summary>Floats in the packed array.</summary>
    public int TotalLength { get; }

    public PackedTensor? Find(string node, string role) => _byKey.TryGetValue((node, role), out PackedTensor? t) ? t : null;

    public static WeightLayout Create(Graph graph)
    {
        var tensors = new List<PackedTensor>();
        int offset = 0;
        void Add(Node node, string role, params int[] shape)
        {
            int length = 1;
            foreach (int d in shape)
            {
                length *= d;
            }

            tensors.Add(new PackedTensor(node.Name, role, shape, offset, length));
            offset += (length + Alignment - 1) / Alignment * Alignment;
        }

        foreach (Node node in graph.Nodes)
        {
            LayerSpec s = node.Spec;
            switch (node.Op)
            {
                case OpKind.Conv2d:
                    Add(node, "weight", s.OutFeatures, s.InFeatures / s.Groups, s.KernelH, s.KernelW);
                    if (s.Bias || node.FoldedBatchNorm is not null)
                    {
                        Add(node, "bias", s.OutFeatures);
                    }

                    break;
                case OpKind.Linear:
                    Add(node, "weight", s.OutFeatures, s.InFeatures);
                    if (s.Bias)
                    {
                        Add(node, "bias", s.OutFeatures);
                    }

                    break;
                case OpKind.BatchNorm2d:
                    Add(node, "scale", s.InFeatures);
                    Add(node, "shift", s.InFeatures);
                    break;
            }
        }

        return new WeightLayout(tensors, offset);
    }

    /// <summary>The tensors the weights file must provide, in execution order.</summary>
    public static IReadOnlyList<RequiredTensor> RequiredTensors(Graph graph)
    {
        var result = new List<RequiredTensor>();
        foreach (Node node in graph.Nodes)
        {
            LayerSpec s = node.Spec;
            string p = s.TensorPrefix;
            switch (node.Op)
            {
                case OpKind.Conv2d:
                    result.Add(new RequiredTensor(p + ".weight", [s.OutFeatures, s.InFeatures / s.Groups, s.KernelH, s.KernelW], s));
                    if (s.Bias)
                    {
                        result.Add(new RequiredTensor(p + ".bias", [s.OutFeatures], s));
                    }

                    if (node.FoldedBatchNorm is { } bn)
                    {
                        AddBatchNorm(result, bn);
                    }

                    break;
                case OpKind.Linear:
                    result.Add(new RequiredTensor(p + ".weight", [s.OutFeatures, s.InFeatures], s));
                    if (s.Bias)
                    {
                        result.Add(new RequiredTensor(p + ".bias", [s.OutFeatures], s));
                    }

                    break;
                case OpKind.BatchNorm2d:
                    AddBatchNorm(result, s);
                    break;
            }
        }

        return result;
    }

    private static void AddBatchNorm(List<RequiredTensor> result, LayerSpec bn)
    {
        string p = bn.TensorPrefix;
        foreach (string suffix in new[] { ".weight", ".bias", ".running_mean", ".running_var" })
        {
            result.Add(new RequiredTensor(p + suffix, [bn.InFeatures], bn));
        }
    }
}
