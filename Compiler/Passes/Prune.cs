using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Passes;

/// <summary>Structured pruning (DepGraph-style): finds the groups of coupled channels from each operator's channel
/// map, decides how many channels each group keeps from the declared ratios, and rewrites every node that touches a
/// pruned group: its channel attributes shrink (so the emitted loops and buffers shrink) and its weight programs select
/// the kept channels along the axes its operator names. Which channels are kept is left to the weights: each program
/// carries its group, and the build task ranks the group's channels when it runs the programs.
/// <para>Coupling rules, from <see cref="OpDefinition.Coupling"/>: a layer with weights (Conv2d, Linear) starts a new
/// group with its output channels and consumes its input's channels on its weights' input axis; identity maps
/// (BatchNorm, activations, pooling, a depthwise Conv2d) pass a value's channels through; a residual Add merges the
/// groups of its inputs into one; a Concat lays its inputs' channels side by side; a Flatten widens each channel to its
/// H·W features. Channels that reach the model's output, come from its input, or meet an operator that mixes them
/// without weights (PixelShuffle, Softmax, a grouped convolution) are never pruned.</para></summary>
public sealed class Prune(Options.ModelPlan plan) : IPass
{
    public Prune()
        : this(Options.ModelPlan.Empty)
    {
    }

    public string Name => "prune";

    public bool Run(Graph graph)
    {
        PruneSpec model = graph.Spec.Pruning;
        if (model.Ratio <= 0 && !graph.Nodes.Any(n => Explicit(n) > 0))
        {
            return false;
        }

        var analysis = new Analysis(graph);
        IReadOnlyDictionary<int, ChannelGroup> pruned = analysis.Groups(model, Explicit);
        if (pruned.Count == 0)
        {
            return false;
        }

        foreach (Node node in graph.Nodes)
        {
            IReadOnlyList<PrunedAxes>? axes = node.Op.PruneAxes(node.Attributes);
            EquatableArray<ChannelSegment> output = analysis.Segments(node.Output, pruned);
            EquatableArray<ChannelSegment> input = analysis.Segments(node.Input, pruned);
            bool outputPruned = output.Any(s => s.Group is not null), inputPruned = input.Any(s => s.Group is not null);
            if (axes is null || (!outputPruned && !inputPruned))
            {
                continue;
            }

            var weights = node.Weights.ToList();
            node.Weights.Clear();
            foreach (NodeWeight weight in weights)
            {
                WeightExpr x = weight.Program.X;
                PrunedAxes? axis = axes.FirstOrDefault(a => a.Role == weight.Role);
                if (axis?.Output is int o && outputPruned)
                {
                    x = new SelectKept(x, o, output);
                }

                if (axis?.Input is int i && inputPruned)
                {
                    x = new SelectKept(x, i, input);
                }

                node.Weights.Add(weight with { Program = weight.Program with { X = x } });
            }

            node.Attributes = node.Op.WithChannels(node.Attributes, input.Sum(s => s.Kept), output.Sum(s => s.Kept));
        }

        return true;
    }

    /// <summary>The ratio a layer states for its own output channels: its attribute's, else the plan file's; null when
    /// it leaves them to [Model]'s ratio.</summary>
    private double? Explicit(Node node) => node.Origin.PruneRatio ?? plan.Find(node.Name)?.Prune;

    /// <summary>The channel structure of every value: a list of segments, each a run of one group's channels (each
    /// channel Repeat indices wide), with the groups merged where operators couple them.</summary>
    private sealed class Analysis
    {
        private readonly Graph _graph;
        private readonly List<int> _parent = [];
        private readonly List<int> _size = [];
        private readonly List<bool> _frozen = [];
        private readonly List<List<Node>> _producers = [];
        private readonly Dictionary<Value, List<(int Group, int Count, int Repeat)>> _segments = [];

        public Analysis(Graph graph)
        {
            _graph = graph;
            _segments[graph.Input] = Fresh(graph.Input, frozen: true, producer: null);
            foreach (Node node in graph.Nodes)
            {
                Visit(node);
            }

            Freeze(graph.Output);
        }

        /// <summary>The groups that lose channels, by root: their kept count from the smallest ratio their producers state
        /// (an attribute's or the plan's), else the model's, rounded up to the declared multiple.</summary>
        public IReadOnlyDictionary<int, ChannelGroup> Groups(PruneSpec model, Func<Node, double?> stated)
        {
            var result = new Dictionary<int, ChannelGroup>();
            var members = Enumerable.Range(0, _parent.Count).GroupBy(Find).ToList();
            foreach (IGrouping<int, int> group in members)
            {
                int root = group.Key;
                var producers = group.SelectMany(g => _producers[g]).ToList();
                if (group.Any(g => _frozen[g]) || producers.Count == 0)
                {
                    continue;
                }

                double[] explicitRatios = producers.Select(stated).OfType<double>().ToArray();
                double ratio = explicitRatios.Length > 0 ? explicitRatios.Min() : model.Ratio;
                int size = _size[root];
                int multiple = Math.Max(1, model.Multiple);
                int keep = ratio <= 0 ? size : Math.Min(size, Math.Max(multiple, (int)Math.Ceiling(size * (1 - ratio) / multiple) * multiple));
                if (keep < size)
                {
                    result[root] = new ChannelGroup(producers[0].Name, size, keep, model.Criterion, Sources(root).ToEquatableArray());
                }
            }

            return result;
        }

        /// <summary>The segments of <paramref name="value"/> with the pruned groups filled in.</summary>
        public EquatableArray<ChannelSegment> Segments(Value value, IReadOnlyDictionary<int, ChannelGroup> pruned) =>
            _segments[value].Select(s => pruned.TryGetValue(Find(s.Group), out ChannelGroup? g)
                ? new ChannelSegment(g, s.Count, s.Repeat)
                : new ChannelSegment(null, s.Count, s.Repeat)).ToEquatableArray();

        /// <summary>Every weight slice of the group's channels, before any selection: the producers' output rows, and the
        /// input columns of every layer that reads them through its weights.</summary>
        private IEnumerable<ImportanceSource> Sources(int root)
        {
            foreach (Node node in _graph.Nodes)
            {
                IReadOnlyList<PrunedAxes>? axes = node.Op.PruneAxes(node.Attributes);
                if (axes is null)
                {
                    continue;
                }

                foreach (PrunedAxes axis in axes)
                {
                    if (node.Weight(axis.Role) is not { } weight || weight.Role != "weight")
                    {
                        continue;
                    }

                    foreach ((Value value, int? at) in new[] { (node.Output, axis.Output), (node.Input, axis.Input) })
                    {
                        if (at is not int a)
                        {
                            continue;
                        }

                        int offset = 0;
                        foreach ((int group, int count, int repeat) in _segments[value])
                        {
                            if (Find(group) == root)
                            {
                                yield return new ImportanceSource(weight.Program.X, a, offset, repeat);
                            }

                            offset += count * repeat;
                        }
                    }
                }
            }
        }

        private void Visit(Node node)
        {
            IReadOnlyList<ChannelMap> maps = node.Op.Coupling(node.Attributes, node.Inputs.Select(v => v.Shape).ToList());
            IReadOnlyList<PrunedAxes>? axes = node.Op.PruneAxes(node.Attributes);
            if (axes is null || !Constant(node.Output))
            {
                Mix(node);
            }
            else if (maps.All(m => m.Relation == ChannelRelation.Independent) && axes.Count > 0)
            {
                _segments[node.Output] = Fresh(node.Output, frozen: false, producer: node);
            }
            else if (maps.All(m => m.Relation == ChannelRelation.Identity))
            {
                List<(int Group, int Count, int Repeat)> first = _segments[node.Inputs[0]];
                foreach (Value other in node.Inputs.Skip(1))
                {
                    List<(int Group, int Count, int Repeat)> segments = _segments[other];
                    if (segments.Count != first.Count || segments.Zip(first, (a, b) => a.Count != b.Count || a.Repeat != b.Repeat).Any(x => x))
                    {
                        Mix(node);
                        return;
                    }

                    for (int s = 0; s < segments.Count; s++)
                    {
                        Union(segments[s].Group, first[s].Group);
                    }
                }

                _segments[node.Output] = first;
            }
            else if (maps.All(m => m.Relation == ChannelRelation.Offset))
            {
                _segments[node.Output] = node.Inputs.SelectMany(v => _segments[v]).ToList();
            }
            else if (maps.Count == 1 && maps[0].Relation == ChannelRelation.Spread && maps[0].Factor.IsConstant)
            {
                int factor = checked((int)maps[0].Factor.Value);
                _segments[node.Output] = _segments[node.Input].Select(s => (s.Group, s.Count, checked(s.Repeat * factor))).ToList();
            }
            else
            {
                Mix(node);
            }
        }

        /// <summary>An operator that mixes channels without weights, or whose channels cannot be pruned: its inputs'
        /// groups are kept whole, and its output starts a group that is kept whole too.</summary>
        private void Mix(Node node)
        {
            foreach (Value input in node.Inputs)
            {
                Freeze(input);
            }

            _segments[node.Output] = Fresh(node.Output, frozen: true, producer: null);
        }

        private static bool Constant(Value value) => value.Shape.Rank > 0 && value.Shape.C.IsConstant;

        private List<(int, int, int)> Fresh(Value value, bool frozen, Node? producer)
        {
            int size = Constant(value) ? checked((int)value.Shape.C.Value) : 0;
            _parent.Add(_parent.Count);
            _size.Add(size);
            _frozen.Add(frozen || size == 0);
            _producers.Add(producer is null ? [] : [producer]);
            return [(_parent.Count - 1, size, 1)];
        }

        private void Freeze(Value value)
        {
            foreach ((int group, _, _) in _segments[value])
            {
                _frozen[Find(group)] = true;
            }
        }

        private int Find(int group)
        {
            while (_parent[group] != group)
            {
                _parent[group] = _parent[_parent[group]];
                group = _parent[group];
            }

            return group;
        }

        private void Union(int a, int b)
        {
            a = Find(a);
            b = Find(b);
            if (a == b)
            {
                return;
            }

            // The earlier group is the root, so a merged group is named after its first producer.
            (int root, int child) = a < b ? (a, b) : (b, a);
            _parent[child] = root;
            _frozen[root] |= _frozen[child];
            _producers[root].AddRange(_producers[child]);
            _producers[child].Clear();
        }
    }
}
