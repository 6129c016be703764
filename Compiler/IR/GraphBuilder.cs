using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Diagnostics;
using ModelCompiler.Spec;

namespace ModelCompiler.IR;

/// <summary>Builds the IR from a spec: resolves inputs, infers and checks every shape, and reports each
/// problem against the attribute that declared it. Returns null graph when any error was reported.</summary>
public static class GraphBuilder
{
    public const string InputName = "input";

    public static (Graph? Graph, IReadOnlyList<DiagnosticInfo> Diagnostics) Build(ModelSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var builder = new Builder(spec, diagnostics);
        Graph? graph = builder.Run();
        bool failed = diagnostics.Any(d => d.Severity == Severity.Error);
        return (failed ? null : graph, diagnostics);
    }

    private sealed class Builder(ModelSpec spec, List<DiagnosticInfo> diagnostics)
    {
        private readonly Dictionary<string, Value> _values = new(System.StringComparer.Ordinal);

        // Layers whose own errors are already reported: a layer reading one of them is not reported again.
        private readonly HashSet<string> _failed = new(System.StringComparer.Ordinal);

        public Graph? Run()
        {
            if (spec.InputShape.Count is not (1 or 3) || spec.InputShape.Any(d => d <= 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, spec.Location, spec.FullName));
                return null;
            }

            if (spec.Layers.IsEmpty)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, spec.Location, spec.FullName));
                return null;
            }

            var input = new Value(InputName, new Shape(spec.InputShape.ToArray()), null);
            var graph = new Graph(spec, input);
            _values[InputName] = input;
            Value? previous = input;
            bool ok = true;

            foreach (LayerSpec layer in spec.Layers)
            {
                if (layer.Name == InputName)
                {
                    Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "the name", "'" + InputName + "'", "that name is reserved for the model input; choose another");
                    ok = false;
                    previous = null;
                    continue;
                }

                if (_values.ContainsKey(layer.Name) || _failed.Contains(layer.Name))
                {
                    Report(DiagnosticDescriptors.DuplicateLayerName, layer, layer.Name, spec.FullName);
                    ok = false;
                    previous = null;
                    continue;
                }

                List<Value>? inputs = ResolveInputs(layer, previous);
                Shape? output = inputs is null ? null : InferShape(layer, inputs);
                if (inputs is null || output is null)
                {
                    _failed.Add(layer.Name);
                    ok = false;
                    previous = null;
                    continue;
                }

                var node = new Node(layer, inputs, output);
                foreach (Value v in inputs)
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
                Report(DiagnosticDescriptors.UnusedLayer, node.Spec, node.Name);
            }

            return graph;
        }

        private List<Value>? ResolveInputs(LayerSpec layer, Value? previous)
        {
            if (layer.Inputs.IsEmpty)
            {
                if (layer.Kind.IsMultiInput())
                {
                    Report(DiagnosticDescriptors.InputCount, layer, layer.Name, layer.Kind, "2 or more", 0);
                    return null;
                }

                // An earlier layer failed: its error is already reported, do not cascade.
                return previous is null ? null : [previous];
            }

            if (!layer.Kind.IsMultiInput() && layer.Inputs.Count != 1)
            {
                Report(DiagnosticDescriptors.InputCount, layer, layer.Name, layer.Kind, 1, layer.Inputs.Count);
                return null;
            }

            if (layer.Kind.IsMultiInput() && layer.Inputs.Count < 2)
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
                        Report(DiagnosticDescriptors.UnknownInput, layer, layer.Name, name);
                    }

                    return null;
                }

                result.Add(value);
            }

            return result;
        }

        private Shape? InferShape(LayerSpec layer, List<Value> inputs)
        {
            Value x = inputs[0];
            Shape s = x.Shape;
            switch (layer.Kind)
            {
                case OpKind.Linear:
                    if (!Positive(layer, "in_features", layer.InFeatures) | !Positive(layer, "out_features", layer.OutFeatures)
                        || !Rank(layer, x, 1, "flat [N, features]"))
                    {
                        return null;
                    }

                    if (s[0] != layer.InFeatures)
                    {
                        Report(DiagnosticDescriptors.ShapeMismatch, layer, layer.Name, layer.Kind, "[N, " + layer.InFeatures + "]", x.Name, s, "in_features");
                        return null;
                    }

                    return new Shape(layer.OutFeatures);

                case OpKind.Conv2d:
                    return InferConv(layer, x);

                case OpKind.BatchNorm2d:
                    if (!Positive(layer, "num_features", layer.InFeatures) || !Rank(layer, x, 3, "[N, C, H, W]")
                        || !PositiveFloat(layer, "eps", layer.Epsilon))
                    {
                        return null;
                    }

                    if (s.C != layer.InFeatures)
                    {
                        Report(DiagnosticDescriptors.ShapeMismatch, layer, layer.Name, layer.Kind, "[N, " + layer.InFeatures + ", H, W]", x.Name, s, "num_features");
                        return null;
                    }

                    return s;

                case OpKind.ReLU or OpKind.ReLU6 or OpKind.Sigmoid or OpKind.Tanh or OpKind.GELU or OpKind.SiLU or OpKind.HardSwish:
                    return s;

                case OpKind.LeakyReLU:
                    if (float.IsNaN(layer.Alpha) || float.IsInfinity(layer.Alpha))
                    {
                        Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "negative_slope", layer.Alpha, "it must be a finite number");
                        return null;
                    }

                    return s;

                case OpKind.MaxPool2d or OpKind.AvgPool2d:
                    return InferPool(layer, x);

                case OpKind.GlobalAvgPool2d:
                    return Rank(layer, x, 3, "[N, C, H, W]") ? new Shape(s.C, 1, 1) : null;

                case OpKind.Flatten:
                    return new Shape(s.Size);

                case OpKind.Add:
                    foreach (Value other in inputs.Skip(1))
                    {
                        if (!other.Shape.Equals(s))
                        {
                            Report(DiagnosticDescriptors.ShapeMismatch, layer, layer.Name, layer.Kind, s + " (the shape of '" + x.Name + "')", other.Name, other.Shape, "inputs");
                            return null;
                        }
                    }

                    return s;

                case OpKind.Concat:
                    return InferConcat(layer, inputs);

                case OpKind.Upsample:
                    if (!Rank(layer, x, 3, "[N, C, H, W]") || !Positive(layer, "scale_factor", layer.Factor))
                    {
                        return null;
                    }

                    return new Shape(s.C, s.H * layer.Factor, s.W * layer.Factor);

                case OpKind.PixelShuffle:
                    if (!Rank(layer, x, 3, "[N, C, H, W]") || !Positive(layer, "upscale_factor", layer.Factor))
                    {
                        return null;
                    }

                    int f2 = layer.Factor * layer.Factor;
                    if (s.C % f2 != 0)
                    {
                        Report(DiagnosticDescriptors.ShapeMismatch, layer, layer.Name, layer.Kind, "channels divisible by " + f2, x.Name, s, "upscale_factor");
                        return null;
                    }

                    return new Shape(s.C / f2, s.H * layer.Factor, s.W * layer.Factor);

                case OpKind.Softmax:
                    return s;

                default:
                    Report(DiagnosticDescriptors.UnsupportedOption, layer, layer.Name, layer.Kind, "this operator", "it is not implemented");
                    return null;
            }
        }

        private Shape? InferConv(LayerSpec layer, Value x)
        {
            bool ok = Positive(layer, "in_channels", layer.InFeatures) & Positive(layer, "out_channels", layer.OutFeatures)
                & Positive(layer, "kernel_size", layer.KernelH, layer.KernelW)
                & Positive(layer, "stride", layer.StrideH, layer.StrideW)
                & NonNegative(layer, "padding", layer.PaddingH, layer.PaddingW)
                & Positive(layer, "dilation", layer.DilationH, layer.DilationW)
                & Positive(layer, "groups", layer.Groups);
            if (!ok || !Rank(layer, x, 3, "[N, C, H, W]"))
            {
                return null;
            }

            if (layer.InFeatures % layer.Groups != 0 || layer.OutFeatures % layer.Groups != 0)
            {
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "groups", layer.Groups,
                    "in_channels (" + layer.InFeatures + ") and out_channels (" + layer.OutFeatures + ") must both be divisible by it");
                return null;
            }

            Shape s = x.Shape;
            if (s.C != layer.InFeatures)
            {
                Report(DiagnosticDescriptors.ShapeMismatch, layer, layer.Name, layer.Kind, "[N, " + layer.InFeatures + ", H, W]", x.Name, s, "in_channels");
                return null;
            }

            int oh = ((s.H + (2 * layer.PaddingH) - (layer.DilationH * (layer.KernelH - 1)) - 1) / layer.StrideH) + 1;
            int ow = ((s.W + (2 * layer.PaddingW) - (layer.DilationW * (layer.KernelW - 1)) - 1) / layer.StrideW) + 1;
            if (oh < 1 || ow < 1 || s.H + (2 * layer.PaddingH) < (layer.DilationH * (layer.KernelH - 1)) + 1
                || s.W + (2 * layer.PaddingW) < (layer.DilationW * (layer.KernelW - 1)) + 1)
            {
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "kernel_size", layer.KernelH + "x" + layer.KernelW,
                    "the (dilated) kernel is larger than the padded input " + s + "; reduce it or add padding");
                return null;
            }

            return new Shape(layer.OutFeatures, oh, ow);
        }

        private Shape? InferPool(LayerSpec layer, Value x)
        {
            bool ok = Positive(layer, "kernel_size", layer.KernelH, layer.KernelW)
                & Positive(layer, "stride", layer.StrideH, layer.StrideW)
                & NonNegative(layer, "padding", layer.PaddingH, layer.PaddingW);
            if (!ok || !Rank(layer, x, 3, "[N, C, H, W]"))
            {
                return null;
            }

            if (layer.PaddingH * 2 > layer.KernelH || layer.PaddingW * 2 > layer.KernelW)
            {
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "padding", layer.PaddingH,
                    "it must be at most half the kernel size (" + layer.KernelH + "), as in PyTorch");
                return null;
            }

            Shape s = x.Shape;
            int oh = ((s.H + (2 * layer.PaddingH) - layer.KernelH) / layer.StrideH) + 1;
            int ow = ((s.W + (2 * layer.PaddingW) - layer.KernelW) / layer.StrideW) + 1;
            if (s.H + (2 * layer.PaddingH) < layer.KernelH || s.W + (2 * layer.PaddingW) < layer.KernelW)
            {
                Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, "kernel_size", layer.KernelH + "x" + layer.KernelW,
                    "it is larger than the padded input " + s);
                return null;
            }

            return new Shape(s.C, oh, ow);
        }

        private Shape? InferConcat(LayerSpec layer, List<Value> inputs)
        {
            Value first = inputs[0];
            int channels = 0;
            foreach (Value v in inputs)
            {
                if (v.Shape.Rank != first.Shape.Rank
                    || (v.Shape.Rank == 3 && (v.Shape.H != first.Shape.H || v.Shape.W != first.Shape.W)))
                {
                    string expected = first.Shape.Rank == 3 ? "[N, *, " + first.Shape.H + ", " + first.Shape.W + "]" : "[N, *]";
                    Report(DiagnosticDescriptors.ShapeMismatch, layer, layer.Name, layer.Kind, expected + " (like '" + first.Name + "')", v.Name, v.Shape, "inputs");
                    return null;
                }

                channels += v.Shape[0];
            }

            return first.Shape.Rank == 3 ? new Shape(channels, first.Shape.H, first.Shape.W) : new Shape(channels);
        }

        private bool Rank(LayerSpec layer, Value x, int rank, string expected)
        {
            if (x.Shape.Rank == rank)
            {
                return true;
            }

            Report(DiagnosticDescriptors.WrongInputRank, layer, layer.Name, layer.Kind, expected, x.Name, x.Shape);
            return false;
        }

        private bool Positive(LayerSpec layer, string argument, int value)
        {
            if (value > 0)
            {
                return true;
            }

            Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, argument, value, "it must be at least 1");
            return false;
        }

        /// <summary>Checks an (H, W) pair; a square value is reported once, not once per dimension.</summary>
        private bool Positive(LayerSpec layer, string argument, int h, int w) =>
            Positive(layer, argument, h) & (w == h || Positive(layer, argument, w));

        private bool NonNegative(LayerSpec layer, string argument, int h, int w) =>
            NonNegative(layer, argument, h) & (w == h || NonNegative(layer, argument, w));

        private bool NonNegative(LayerSpec layer, string argument, int value)
        {
            if (value >= 0)
            {
                return true;
            }

            Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, argument, value, "it must be 0 or more");
            return false;
        }

        private bool PositiveFloat(LayerSpec layer, string argument, float value)
        {
            if (value > 0 && !float.IsInfinity(value))
            {
                return true;
            }

            Report(DiagnosticDescriptors.InvalidArgument, layer, layer.Name, layer.Kind, argument, value, "it must be a positive finite number");
            return false;
        }

        private void Report(DiagnosticDescriptor descriptor, LayerSpec layer, params object[] args) =>
            diagnostics.Add(DiagnosticInfo.Create(descriptor, layer.Location ?? spec.Location, args));
    }
}
