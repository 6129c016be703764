using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;

namespace ModelCompiler.Lowering;

/// <summary>Concat without copies: a concat's input may be written by its producer straight into its slice of the
/// concat's output (the DenseNet and residual-dense-network pattern), so the concat copies only the other inputs, or
/// nothing. An input qualifies when it is neither the model's input nor its output, its producer computes it one
/// sample at a time and is not a view or another concat, and every reader reads it one sample at a time and none
/// takes a view of it (a value placed in a concat's samples is not contiguous across a chunk); elementwise calls
/// (Add, activations) qualify by running per sample once a value they touch is placed. A value read by several
/// concats goes into the last of them (it is live until then anyway). Placing an input makes the concat's buffer live
/// from that input's birth, which can cost memory (a U-Net skip connection would reserve the decoder's half early), so
/// each placement is kept only when the memory plan's activation arena does not grow: at the fixed size, or
/// for an open size at <see cref="ReferenceSize"/>; inputs are tried one at a time, in order.</summary>
public static class ConcatPlacement
{
    /// <summary>The height and width at which an open-size model's arena sizes are compared.</summary>
    public const int ReferenceSize = 256;

    /// <param name="graph">The graph.</param>
    /// <param name="lowered">Every node's plan.</param>
    /// <param name="banded">The nodes of sliced groups: their values live in bands, which concats inside the group copy.</param>
    /// <returns>The plans, concat inputs placed where it pays.</returns>
    public static IReadOnlyList<LoweredNode> Apply(Graph graph, IReadOnlyList<LoweredNode> lowered, ISet<Node>? banded = null)
    {
        banded ??= new HashSet<Node>();
        var plans = lowered.ToDictionary(l => l.Node, l => l.Plan);
        var readers = new Dictionary<Value, List<Node>>();
        foreach (Node node in graph.Nodes)
        {
            foreach (Value input in node.Inputs.Distinct())
            {
                (readers.TryGetValue(input, out List<Node>? list) ? list : readers[input] = []).Add(node);
            }
        }

        var producer = graph.Nodes.ToDictionary(n => n.Output, n => n);
        List<LoweredNode> current = [.. lowered];
        long arena = ArenaAtReference(graph, current);
        for (int index = 0; index < current.Count; index++)
        {
            Node concat = current[index].Node;
            if (concat.Op.Name != "Concat" || banded.Contains(concat))
            {
                continue;
            }

            // One input at a time, in order, each kept only if the arena does not grow with it.
            var placed = new List<int>();
            foreach (int i in Enumerable.Range(0, concat.Inputs.Count).Where(i => Qualifies(graph, concat, concat.Inputs[i], producer, readers, plans)
                && !banded.Contains(producer[concat.Inputs[i]]) && !readers[concat.Inputs[i]].Any(banded.Contains)))
            {
                List<LoweredNode> trial = [.. current];
                trial[index] = new LoweredNode(concat, InPlace(lowered[index].Plan, concat, [.. placed, i]));
                foreach (Node touching in readers[concat.Inputs[i]].Append(producer[concat.Inputs[i]]).Where(n => n != concat))
                {
                    int at = trial.FindIndex(l => l.Node == touching);
                    trial[at] = trial[at] with { Plan = PerSample(trial[at].Plan) };
                }

                long trialArena = ArenaAtReference(graph, trial);
                if (trialArena <= arena)
                {
                    (current, arena) = (trial, trialArena);
                    placed.Add(i);
                }
            }
        }

        return current;
    }

    /// <summary>The plan with its elementwise calls run one sample at a time (every other call already is).</summary>
    private static KernelPlan PerSample(KernelPlan plan) => plan with { Calls = plan.Calls.Select(c => c.PerSampleCall()).ToEquatableArray() };

    /// <summary>The concat's copy plan without the copies of <paramref name="placed"/>.</summary>
    private static KernelPlan InPlace(KernelPlan copy, Node concat, List<int> placed) => copy with
    {
        Algorithm = placed.Count == concat.Inputs.Count ? "in-place" : copy.Algorithm,
        Calls = copy.Calls.Where(c => !c.Args.OfType<InputArg>().Any(a => placed.Contains(a.Index))).ToEquatableArray(),
        InPlaceInputs = placed.ToEquatableArray(),
    };

    private static bool Qualifies(
        Graph graph, Node concat, Value value, Dictionary<Value, Node> producer, Dictionary<Value, List<Node>> readers,
        Dictionary<Node, KernelPlan> plans)
    {
        if (value == graph.Input || value == graph.Output || concat.Inputs.Count(v => v == value) != 1
            || !producer.TryGetValue(value, out Node? source))
        {
            return false;
        }

        KernelPlan made = plans[source];
        if (made.OutputAliasesInput || made.Calls.IsEmpty || source.Op.Name == "Concat" || !made.Calls.All(OneSampleAtATime))
        {
            return false;
        }

        List<Node> all = readers[value];
        Node lastConcat = all.Last(r => r.Op.Name == "Concat");
        return lastConcat == concat
            && all.All(r => !plans[r].OutputAliasesInput && plans[r].Calls.All(OneSampleAtATime));
    }

    /// <summary>Whether the call runs, or can run, one sample at a time.</summary>
    private static bool OneSampleAtATime(KernelCall call) => call.Scope == CallScope.Sample || call.IsElementwise;

    private static long ArenaAtReference(Graph graph, IReadOnlyList<LoweredNode> lowered)
    {
        Dim floats = MemoryPlan.Create(graph, lowered).ActivationFloats;
        return floats.IsConstant ? floats.Value : floats.Evaluate(ReferenceSize, ReferenceSize);
    }
}
