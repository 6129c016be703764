using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Ops;
using ModelCompiler.Spec;

namespace ModelCompiler.IR;

/// <summary>Builds the IR from a spec: resolves inputs, asks each layer's operator to check its attributes and
/// infer its shape, and reports each problem against the attribute that declared it. Returns a null graph when
/// any error was reported; a layer reading a failed layer is not reported again (no cascades).</summary>
public static class GraphBuilder
{
    public const string InputName = "input";

    /// <summary>The value of an [Input] dimension chosen at run time (<c>Dim.Any</c> in the attribute API).</summary>
    public const int OpenSize = -1;

    /// <summary>The most elements one tensor of one sample may have: a span's limit.</summary>
    public const long MaxElements = int.MaxValue;

    public static (Graph? Graph, IReadOnlyList<DiagnosticInfo> Diagnostics) Build(ModelSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var builder = new Builder(spec, diagnostics);
        Graph? graph = builder.Run();
        bool failed = diagnostics.Any(d => d.Severity == Severity.Error);
        return (failed ? null : graph, diagnostics);
    }

    /// <summary>The input shape an [Input] declares, or null when it is not a valid one: 1 or 3 sizes, all positive,
    /// except that an image's height and width may be open (<see cref="OpenSize"/>).</summary>
    public static Shape? InputShape(IReadOnlyList<int> dims)
    {
        if (dims.Count == 1 && dims[0] > 0)
        {
            return new Shape(dims[0]);
        }

        if (dims.Count != 3 || dims[0] <= 0 || dims.Skip(1).Any(d => d <= 0 && d != OpenSize))
        {
            return null;
        }

        return new Shape(dims[0], dims[1] == OpenSize ? Dim.Height : dims[1], dims[2] == OpenSize ? Dim.Width : dims[2]);
    }

    private sealed class Builder(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        private readonly Dictionary<string, Value> _values = new(StringComparer.Ordinal);

        // Layers whose own errors are already reported: a layer reading one of them is not reported again.
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);

        public Graph? Run()
        {
            Shape? inputShape = InputShape(spec.InputShape);
            if (inputShape is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, spec.Location, spec.FullName));
                return null;
            }

            if (spec.Layers.IsEmpty)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, spec.Location, spec.FullName));
                return null;
            }

            var input = new Value(InputName, TensorType.Float32(inputShape), null);
            var graph = new Graph(spec, input);
            _values[InputName] = input;
            Value? previous = input;
            bool ok = true;

            foreach (LayerSpec layer in spec.Layers)
            {
                Node? node = Add(layer, previous);
                if (node is null)
                {
                    ok = false;
                    previous = null;
                    continue;
                }

                foreach (Value v in node.Inputs)
                {
                    v.Consumers.Add(node);
                }

                graph.Nodes.Add(node);
                _values[layer.Name] = node.Output;
                previous = node.Output;
            }

            if (!ok)
            {
                return null;
            }

            graph.Output = graph.Nodes[graph.Nodes.Count - 1].Output;
            foreach (Node node in graph.Nodes.Take(graph.Nodes.Count - 1).Where(n => n.Output.Consumers.Count == 0))
            {
                Report(DiagnosticDescriptors.UnusedLayer, node.Origin, node.Name);
            }

            return graph;
        }

        private Node? Add(LayerSpec layer, Value? previous)
        {
            if (layer.Name.Trim().Length == 0)
            {
                // Tensors are found by the name ("<name>.weight"); an empty one would only fail later, in the weights file.
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "the name", layer.Name.Length == 0 ? "empty" : "blank",
                    "a layer needs a name (its tensors are '<name>.weight', ...); give it the state_dict name, or leave Name unset for a default");
                _failed.Add(layer.Name);
                return null;
            }

            if (layer.WeightPrefix is { } prefix && prefix.Trim().Length == 0)
            {
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "WeightPrefix", prefix.Length == 0 ? "empty" : "blank",
                    "tensors are named '<WeightPrefix>.weight'; set it to the state_dict prefix (e.g. 'features.0'), or leave it unset to use the layer name");
                _failed.Add(layer.Name);
                return null;
            }

            if (layer.Name == InputName)
            {
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "the name", "'" + InputName + "'", "that name is reserved for the model input; choose another");
                return null;
            }

            if (_values.ContainsKey(layer.Name) || _failed.Contains(layer.Name))
            {
                Report(DiagnosticDescriptors.DuplicateLayerName, layer, layer.Name, spec.FullName);
                return null;
            }

            OpDefinition? op = OpRegistry.Find(layer.Kind);
            List<Value>? inputs = op is null ? null : ResolveInputs(op, layer, previous);
            if (op is null)
            {
                Report(DiagnosticDescriptors.UnsupportedOption, layer, layer.Name, layer.Kind, "this operator", "it is not implemented");
            }

            Shape? output = null;
            if (op is not null && inputs is not null)
            {
                try
                {
                    output = op.InferShape(new InferenceContext(layer, layer.Attributes, inputs, diagnostics, spec.Location));
                    if (output is not null && output.IsConstant && output.Size.Value > MaxElements)
                    {
                        Report(DiagnosticDescriptors.TensorTooLarge, layer, layer.Name, layer.Kind, output, output.Size, MaxElements);
                        output = null;
                    }
                }
                catch (OverflowException)
                {
                    Report(DiagnosticDescriptors.TensorTooLarge, layer, layer.Name, layer.Kind, "its output", "more than 2^63", MaxElements);
                    output = null;
                }
            }

            if (op is null || output is null)
            {
                _failed.Add(layer.Name);
                return null;
            }

            var node = new Node(op, layer, inputs!, TensorType.Float32(output));
            node.Weights.AddRange(op.DeclaredWeights(layer));
            return node;
        }

        private List<Value>? ResolveInputs(OpDefinition op, LayerSpec layer, Value? previous)
        {
            if (layer.Inputs.IsEmpty)
            {
                if (op.IsVariadic)
                {
                    Report(DiagnosticDescriptors.InputCount, layer, layer.Name, layer.Kind, "2 or more", 0);
                    return null;
                }

                // An earlier layer failed: its error is already reported, do not cascade.
                return previous is null ? null : [previous];
            }

            if (!op.IsVariadic && layer.Inputs.Count != 1)
            {
                Report(DiagnosticDescriptors.InputCount, layer, layer.Name, layer.Kind, 1, layer.Inputs.Count);
                return null;
            }

            if (op.IsVariadic && layer.Inputs.Count < 2)
            {
                Report(DiagnosticDescriptors.InputCount, layer, layer.Name, layer.Kind, "2 or more", layer.Inputs.Count);
                return null;
            }

            var result = new List<Value>();
            foreach (string name in layer.Inputs)
            {
                if (!_values.TryGetValue(name, out Value? value))
                {
                    if (!_failed.Contains(name))
                    {
                        Report(DiagnosticDescriptors.UnknownInput, layer, layer.Name, name, UnknownInputHint(layer, name));
                    }

                    return null;
                }

                result.Add(value);
            }

            return result;
        }

        /// <summary>" ('b' is declared after it)", " (did you mean 'UPN1'?)" among the names it can read, or nothing.</summary>
        private string UnknownInputHint(LayerSpec layer, string name)
        {
            if (name == layer.Name)
            {
                return " (a layer cannot read its own output)";
            }

            if (spec.Layers.Any(l => l.Name == name))
            {
                return " ('" + name + "' is declared after it; layers run in declaration order)";
            }

            string? near = Suggestions.Closest(name, _values.Keys.Concat(_failed));
            return near is null ? string.Empty : " (did you mean '" + near + "'?)";
        }

        private void Report(DiagnosticDescriptor descriptor, LayerSpec layer, params object[] args) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, layer.Location ?? spec.Location, args));
    }
}
