using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.Diagnostics;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>One import: walks the nodes in order (ONNX files are topologically sorted), folding what is known at
/// build time (initializers, Constant nodes, shape arithmetic), turning each op on the activation path into a
/// layer, and holding back the nodes that only mean something with the next one (a Pad before a Conv, a
/// HardSigmoid times its input, the Reshape-Transpose-Reshape of a pixel shuffle) until that node decides.</summary>
internal sealed partial class GraphImporter
{
    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly string _source;
    private readonly string? _baseDirectory;
    private readonly OnnxImportOptions _options;
    private readonly long _opset;

    private readonly Dictionary<string, Val> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _consumers = new(StringComparer.Ordinal);
    private readonly List<ImportedLayer> _layers = [];
    private readonly List<ImportedTensor> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal) { "input" };
    private readonly Dictionary<string, int> _stemCounters = new(StringComparer.Ordinal);
    private readonly List<DiagnosticInfo> _diagnostics = [];

    // The model input's per-sample shape as [Input] declares it; null until known.
    private int[]? _inputShape;

    // The input's only consumer is a Flatten or Reshape, which decides the declared input shape.
    private bool _inputReshapedFirst;

    // The batch size when the file fixes it (a Reshape to [1, -1] then means "keep the batch").
    private long? _fixedBatch;

    public GraphImporter(ModelProto model, string source, string? baseDirectory, OnnxImportOptions options)
    {
        _model = model;
        _graph = model.Graph;
        _source = source;
        _baseDirectory = baseDirectory;
        _options = options;
        OperatorSetIdProto? onnx = model.OpsetImport.FirstOrDefault(o => o.Domain.Length == 0 || o.Domain == "ai.onnx");
        _opset = onnx?.Version ?? 1;
    }

    /// <summary>The last emitted layer, "input" before the first: a layer reading it needs no Input = ...</summary>
    private string Previous => _layers.Count == 0 ? "input" : _layers[_layers.Count - 1].Name;

    public OnnxImportResult Run()
    {
        foreach (NodeProto node in _graph.Node)
        {
            foreach (string input in node.Input.Where(i => i.Length > 0))
            {
                _consumers[input] = _consumers.TryGetValue(input, out int n) ? n + 1 : 1;
            }
        }

        foreach (ValueInfoProto output in _graph.Output)
        {
            _consumers[output.Name] = _consumers.TryGetValue(output.Name, out int n) ? n + 1 : 1;
        }

        foreach (TensorProto initializer in _graph.Initializer)
        {
            try
            {
                _values[initializer.Name] = new Const(OnnxTensors.Decode(initializer, _baseDirectory));
            }
            catch (InvalidDataException e)
            {
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnreadable, null, _source, e.Message));
                return new OnnxImportResult(null, _diagnostics);
            }
        }

        _inputShape = ReadInput();
        if (_inputShape is null && !_values.Values.OfType<Act>().Any())
        {
            return new OnnxImportResult(null, _diagnostics);
        }

        foreach (NodeProto node in _graph.Node)
        {
            try
            {
                ImportNode(node);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException
                or DivideByZeroException or NullReferenceException or InvalidDataException or FormatException)
            {
                // A malformed file that slipped past the checks: an error naming the node, never a crash.
                _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, _source + ", node " + NodeLabel(node) + " (" + node.OpType + ")",
                    e.GetType().Name + ": " + e.Message));
                SetFailed(node);
            }
        }

        if (_diagnostics.Count == 0 && _inputShape is null)
        {
            GraphError("has an input that is reshaped to a shape other than [N, features] or [N, C, H, W]", "export the model with such an input");
        }

        if (_diagnostics.Count == 0)
        {
            CheckOutput();
        }

        if (_diagnostics.Count > 0)
        {
            return new OnnxImportResult(null, _diagnostics);
        }

        var model = new ImportedModel
        {
            Namespace = _options.Namespace,
            ClassName = _options.ClassName,
            Accessibility = _options.Accessibility,
            WeightsPath = _options.WeightsPath,
            InputShape = _inputShape!,
            Layers = _layers,
            Tensors = _tensors,
            SourceName = _source,
            Origin = Origin(),
        };
        return new OnnxImportResult(model, _diagnostics);
    }

    private string Origin()
    {
        string producer = (_model.ProducerName + " " + _model.ProducerVersion).Trim();
        return (producer.Length == 0 ? "unknown producer" : producer) + ", opset " + _opset.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The one graph input that is not an initializer: float, [N, features] or [N, C, H, W].</summary>
    private int[]? ReadInput()
    {
        var inputs = _graph.Input.Where(i => !_values.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            GraphError(inputs.Count == 0
                ? "has no input that is not an initializer"
                : "has " + inputs.Count + " inputs (" + string.Join(", ", inputs.Select(i => "'" + i.Name + "'")) + "), and a compiled model takes one",
                "export the model with a single input tensor");
            return null;
        }

        ValueInfoProto input = inputs[0];
        TypeProto.Types.Tensor? tensor = input.Type?.TensorType;
        if (tensor is null || tensor.ElemType != OnnxTensors.Float)
        {
            GraphError("has the input '" + input.Name + "' of type " + (tensor is null ? "other than a tensor" : OnnxTensors.TypeName(tensor.ElemType)) + ", and a compiled model takes float32",
                "export the model with a float32 input");
            return null;
        }

        var dims = tensor.Shape?.Dim.ToList() ?? [];
        // An input of another rank that is only flattened or reshaped (a wake-word model's [N, 16, 96] flattened
        // first, tf2onnx's NHWC [N, H, W, 1] reshaped to NCHW) becomes that shape: the bytes are the same.
        NodeProto? first = _graph.Node.Count(n => n.Input.Contains(input.Name)) == 1 && Consumers(input.Name) == 1
            ? _graph.Node.First(n => n.Input.Contains(input.Name)) : null;
        bool reshapedFirst = first is { OpType: "Flatten" or "Reshape" } && first.Input[0] == input.Name;
        bool fixedSizes = dims.Count > 1 && dims.Skip(1).All(d => d.HasDimValue && d.DimValue is > 0 and <= int.MaxValue);
        if (reshapedFirst && fixedSizes && dims.Count is not (2 or 4))
        {
            _fixedBatch = dims[0].HasDimValue ? dims[0].DimValue : null;
            _inputReshapedFirst = true;
            _values[input.Name] = new Act("input", dims.Skip(1).Select(d => (int)d.DimValue).ToArray());
            return null;
        }

        if (dims.Count is not (2 or 4))
        {
            GraphError("has the input '" + input.Name + "' of rank " + dims.Count + ", and a compiled model takes [N, features] or [N, C, H, W]",
                "export the model with such an input");

            // The nodes are still read, so that one import reports every problem.
            if (dims.Count > 1 && dims.Skip(1).All(d => d.HasDimValue && d.DimValue is > 0 and <= int.MaxValue))
            {
                _values[input.Name] = new Act("input", dims.Skip(1).Select(d => (int)d.DimValue).ToArray());
            }

            return null;
        }

        if (dims[0].HasDimValue)
        {
            _fixedBatch = dims[0].DimValue;
        }

        // An image input whose only consumer is a Reshape may be re-declared by it (NHWC with one channel).
        _inputReshapedFirst = reshapedFirst && fixedSizes && first!.OpType == "Reshape";

        var shape = new int[dims.Count - 1];
        for (int i = 1; i < dims.Count; i++)
        {
            bool spatial = dims.Count == 4 && i >= 2;
            if (dims[i].HasDimValue && dims[i].DimValue > 0 && dims[i].DimValue <= int.MaxValue)
            {
                shape[i - 1] = (int)dims[i].DimValue;
            }
            else if (spatial)
            {
                shape[i - 1] = -1;
            }
            else
            {
                GraphError("has the input '" + input.Name + "' whose dimension " + i + " (" + (dims[i].DimParam.Length > 0 ? dims[i].DimParam : "unknown") + ") is not fixed; only the batch, height and width may be",
                    "export the model with a fixed number of " + (dims.Count == 4 ? "channels" : "features"));
                return null;
            }
        }

        _values[input.Name] = new Act("input", shape);
        return shape;
    }

    private void CheckOutput()
    {
        if (_graph.Output.Count != 1)
        {
            GraphError("has " + _graph.Output.Count + " outputs (" + string.Join(", ", _graph.Output.Select(o => "'" + o.Name + "'")) + "), and a compiled model has one",
                "export the model with a single output tensor");
            return;
        }

        string name = _graph.Output[0].Name;
        if (!_values.TryGetValue(name, out Val? value) || value is Failed)
        {
            return;
        }

        Act? act = value switch
        {
            Act a => a,
            Pending p => Materialize(p, name),
            _ => null,
        };
        if (act is null)
        {
            if (value is Const)
            {
                GraphError("has the output '" + name + "', which is a constant", "export a model whose output depends on its input");
            }

            return;
        }

        if (act.Layer == "input")
        {
            GraphError("has the output '" + name + "', which is its input unchanged", "export a model with at least one layer");
        }
        else if (act.Layer != Previous)
        {
            GraphError("has the output '" + name + "' computed by layer '" + act.Layer + "', which is not the last layer ('" + Previous + "')",
                "export the model with its output computed last (the compiled model's output is its last layer)");
        }
    }

    /// <summary>The node that reshapes the model input first declares the input shape (see ReadInput).</summary>
    private bool DeclaresInput(NodeProto node, Act x, int[] shape)
    {
        if (!_inputReshapedFirst || x.Layer != "input" || _layers.Count > 0 || shape.Length is not (1 or 3) || shape.Any(d => d <= 0))
        {
            return false;
        }

        _inputReshapedFirst = false;
        _inputShape = shape;
        Set(node, 0, new Act("input", shape));
        return true;
    }

    private void GraphError(string what, string fix) =>
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxGraphUnsupported, null, _source, what, fix));

    // ---- values -------------------------------------------------------------------------------------------------

    /// <summary>A value of the graph as the import knows it.</summary>
    private abstract record Val;

    /// <summary>Known at build time.</summary>
    private sealed record Const(OnnxConstant Value) : Val;

    /// <summary>The output of a layer (or of the model input, Layer "input"); Shape is per sample, -1 for an open
    /// height or width.</summary>
    private sealed record Act(string Layer, int[] Shape) : Val;

    /// <summary>A node held back until its consumer decides (Pad, Sigmoid, HardSigmoid, pixel-shuffle steps).</summary>
    private sealed record Pending(string Kind, Act Source, int[] Shape, NodeProto Node, int[] Data) : Val;

    /// <summary>Produced by a node that already has an error: nodes that read it report nothing more.</summary>
    private sealed record Failed : Val;

    private static readonly Failed FailedValue = new();

    private void Set(NodeProto node, int output, Val value)
    {
        if (node.Output.Count > output && node.Output[output].Length > 0)
        {
            _values[node.Output[output]] = value;
        }
    }

    private void SetFailed(NodeProto node)
    {
        for (int i = 0; i < node.Output.Count; i++)
        {
            Set(node, i, FailedValue);
        }
    }

    private Val? Input(NodeProto node, int i) =>
        i < node.Input.Count && node.Input[i].Length > 0 ? (_values.TryGetValue(node.Input[i], out Val? v) ? v : null) : null;

    private bool HasInput(NodeProto node, int i) => i < node.Input.Count && node.Input[i].Length > 0;

    private int Consumers(string value) => _consumers.TryGetValue(value, out int n) ? n : 0;

    private bool OutputUsed(NodeProto node, int output) => node.Output.Count > output && node.Output[output].Length > 0 && Consumers(node.Output[output]) > 0;

    // ---- diagnostics ----------------------------------------------------------------------------------------------

    private string NodeLabel(NodeProto node) => "'" + (node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "?") + "'";

    private void Unsupported(NodeProto node, string fix)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxOperatorUnsupported, null, NodeLabel(node), node.OpType, _source, fix));
        SetFailed(node);
    }

    private void AttributeUnsupported(NodeProto node, string what, string value, string fix)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxAttributeUnsupported, null, NodeLabel(node), node.OpType, _source, what, value, fix));
        SetFailed(node);
    }

    private void Dynamic(NodeProto node, string what, string fix)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxDynamicShape, null, NodeLabel(node), node.OpType, _source, what, fix));
        SetFailed(node);
    }

    private void Unmapped(NodeProto node, string why, string fix)
    {
        _diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxNodeUnmapped, null, NodeLabel(node), node.OpType, _source, why, fix));
        SetFailed(node);
    }

    // ---- attributes -----------------------------------------------------------------------------------------------

    private static AttributeProto? Attr(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    private static long AttrInt(NodeProto node, string name, long fallback) => Attr(node, name) is { } a ? a.I : fallback;

    private static float AttrFloat(NodeProto node, string name, float fallback) => Attr(node, name) is { } a ? a.F : fallback;

    private static string AttrString(NodeProto node, string name, string fallback) => Attr(node, name) is { } a ? a.S.ToStringUtf8() : fallback;

    private static long[]? AttrInts(NodeProto node, string name) => Attr(node, name) is { } a ? a.Ints.ToArray() : null;

    private static string List<T>(IEnumerable<T> values) => "[" + string.Join(", ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))) + "]";

    // ---- layers ---------------------------------------------------------------------------------------------------

    /// <summary>A layer name from the node's name: kept when it is a plain name, else made one ("/layer1/conv/Conv"
    /// becomes "layer1_conv_Conv"); the operator's stem and a counter for a node without a name.</summary>
    private string LayerName(NodeProto node, string stem)
    {
        var text = new StringBuilder();
        foreach (char c in node.Name.Trim('/'))
        {
            text.Append(char.IsLetterOrDigit(c) || c is '_' or '.' ? c : '_');
        }

        string name = text.ToString().Trim('_', '.');
        if (name.Length == 0 || char.IsDigit(name[0]))
        {
            int n = _stemCounters.TryGetValue(stem, out int c) ? c + 1 : 1;
            _stemCounters[stem] = n;
            name = stem.TrimEnd('_') + n.ToString(CultureInfo.InvariantCulture);
        }

        string unique = name;
        for (int i = 2; !_names.Add(unique); i++)
        {
            unique = name + "_" + i.ToString(CultureInfo.InvariantCulture);
        }

        return unique;
    }

    /// <summary>Appends a layer reading <paramref name="source"/> (null for Add and Concat, whose inputs are arguments).</summary>
    private Act Emit(NodeProto node, string kind, string stem, Act? source, int[] shape, IReadOnlyList<ImportedArgument> arguments,
        IReadOnlyList<ImportedArgument> properties, string? origin = null, Func<string, IEnumerable<ImportedTensor>>? tensors = null)
    {
        string name = LayerName(node, stem);
        string? input = source is null || source.Layer == Previous ? null : source.Layer;
        _layers.Add(new ImportedLayer(kind, name, NameIsDefault: false, arguments, properties, input, origin));
        if (tensors is not null)
        {
            _tensors.AddRange(tensors(name));
        }

        return new Act(name, shape);
    }

    private static ImportedArgument Arg(string name, object value) => new(name, value);
}
