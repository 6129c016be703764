using System.Collections.Generic;
using System.Linq;
using System.Text;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Weights;

/// <summary>One packed tensor as the generated code reads it: a byte range of the model's weight block.</summary>
/// <param name="Node">The IR node that reads it.</param>
/// <param name="Role">"weight", "bias", "scale" or "shift".</param>
public sealed record PackedTensor(string Node, string Role, Encode Program, long Offset, long Bytes)
{
    public long Count => Program.Count;
}

/// <summary>A tensor the weights file must hold, as the layer declared it.</summary>
public sealed record RequiredTensor(string Name, int[] Shape, LayerSpec Layer);

/// <summary>Where every packed tensor of a model lives and how it is made. Depends only on the compiled graph
/// (never on weight values), so the generator and the weight-linking task compute the same layout independently;
/// <see cref="Describe"/> is part of the layout hash, so code built for one layout never reads another's bytes.</summary>
public sealed class WeightLayout
{
    /// <summary>Tensors start at multiples of this many bytes (a cache line), relative to the block's start.</summary>
    public const int Alignment = 64;

    /// <summary>The generated code holds a weight block in arrays of this many bytes (1 GiB, the run-time
    /// <c>WeightBlock.ChunkBytes</c>); no tensor crosses from one to the next, and none may be larger.</summary>
    public const long ChunkBytes = 1L << 30;

    private readonly Dictionary<(string, string), PackedTensor> _byKey = [];

    private WeightLayout(List<PackedTensor> tensors, long totalBytes)
    {
        Tensors = tensors;
        TotalBytes = totalBytes;
        foreach (PackedTensor t in tensors)
        {
            _byKey[(t.Node, t.Role)] = t;
        }
    }

    public IReadOnlyList<PackedTensor> Tensors { get; }

    /// <summary>Bytes of the weight block, alignment padding included.</summary>
    public long TotalBytes { get; }

    /// <summary>Bytes of the tensors themselves, without alignment padding.</summary>
    public long TensorBytes => Tensors.Sum(t => t.Bytes);

    public PackedTensor? Find(string node, string role) => _byKey.TryGetValue((node, role), out PackedTensor? t) ? t : null;

    public static WeightLayout Create(Graph graph)
    {
        var tensors = new List<PackedTensor>();
        long offset = 0;
        foreach (Node node in graph.Nodes)
        {
            foreach (NodeWeight weight in node.Weights)
            {
                long bytes = weight.Program.Bytes;
                if (bytes <= ChunkBytes && offset / ChunkBytes != (offset + bytes - 1) / ChunkBytes)
                {
                    // The run-time block is held in arrays of ChunkBytes: a tensor starts the next one rather than cross.
                    offset = (offset / ChunkBytes + 1) * ChunkBytes;
                }

                tensors.Add(new PackedTensor(node.Name, weight.Role, weight.Program, offset, bytes));
                offset = checked((offset + bytes + Alignment - 1) / Alignment * Alignment);
            }
        }

        return new WeightLayout(tensors, offset);
    }

    /// <summary>One line per tensor: node, role, type, offset and program. Hashed into the layout key.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (PackedTensor t in Tensors)
        {
            text.Append(t.Node).Append(' ').Append(t.Role).Append(' ').Append(t.Program.TypeText).Append(" @").Append(t.Offset)
                .Append(' ').Append(t.Program).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The tensors the weights file must provide, in execution order, each once.</summary>
    public static IReadOnlyList<RequiredTensor> RequiredTensors(Graph declared)
    {
        var result = new List<RequiredTensor>();
        var seen = new HashSet<(string, LayerSpec)>();
        foreach (Node node in declared.Nodes)
        {
            foreach (LoadTensor load in node.Weights.SelectMany(w => w.Program.Sources).OrderBy(l => SourceOrder(l.Name)))
            {
                if (seen.Add((load.Name, node.Origin)))
                {
                    result.Add(new RequiredTensor(load.Name, load.Shape.ToArray(), node.Origin));
                }
            }
        }

        return result;
    }

    /// <summary>PyTorch's state_dict order within a layer: weight, bias, running_mean, running_var.</summary>
    private static int SourceOrder(string name) =>
        name.EndsWith(".weight", System.StringComparison.Ordinal) ? 0
        : name.EndsWith(".bias", System.StringComparison.Ordinal) ? 1
        : name.EndsWith(".running_mean", System.StringComparison.Ordinal) ? 2
        : 3;
}
