using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>What an ONNX import produces: the declaration a person would write (layers as attributes with their
/// constructor arguments and named properties) and the tensors its weights file holds, named as the declaration
/// expects (<c>{layer}.weight</c>, <c>{layer}.bias</c>, <c>{layer}.running_mean</c>, ...).</summary>
public sealed class ImportedModel
{
    public required string Namespace { get; init; }

    public required string ClassName { get; init; }

    /// <summary>"public" or "internal".</summary>
    public string Accessibility { get; init; } = "internal";

    /// <summary>The weights path as [Model] says it (relative to the project directory).</summary>
    public required string WeightsPath { get; init; }

    /// <summary>The per-sample input shape as [Input] says it (-1 for an open height or width).</summary>
    public required int[] InputShape { get; init; }

    public required IReadOnlyList<ImportedLayer> Layers { get; init; }

    public required IReadOnlyList<ImportedTensor> Tensors { get; init; }

    /// <summary>The ONNX file's name, for the header comment.</summary>
    public required string SourceName { get; init; }

    /// <summary>"pytorch 2.1.0, opset 17": who wrote the file.</summary>
    public required string Origin { get; init; }

    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;

    /// <summary>The spec the generator extracts from the printed declaration: each layer's operator declares its
    /// canonical attributes from the same arguments.</summary>
    public ModelSpec ToSpec() => new()
    {
        Namespace = Namespace,
        ClassName = ClassName,
        Accessibility = Accessibility,
        WeightsPath = WeightsPath,
        InputShape = InputShape.ToEquatableArray(),
        Layers = Layers.Select(l => l.ToSpec()).ToEquatableArray(),
    };

    /// <summary>The weights file: a standard F32 safetensors file.</summary>
    public byte[] WeightsFile() => SafetensorsWriter.Write(
        Tensors.Select(t => (t.Name, t.Shape, t.Data)).ToList(),
        metadata: new Dictionary<string, string> { ["format"] = "pt", ["source"] = SourceName });

    public IReadOnlyDictionary<string, float[]> TensorsByName() => Tensors.ToDictionary(t => t.Name, t => t.Data, StringComparer.Ordinal);
}

/// <summary>One layer attribute: <c>[{Kind}({Arguments}, {Properties})]</c>.</summary>
/// <param name="Kind">The operator ("Conv2d").</param>
/// <param name="Name">The layer's name.</param>
/// <param name="NameIsDefault">True when the name is the one the generator gives an unnamed layer (no Name = ...).</param>
/// <param name="Arguments">Constructor arguments after the name, by parameter name, in order.</param>
/// <param name="Properties">Named properties, in the order they are printed.</param>
/// <param name="Input">The layer it reads when not the previous one; null: the previous one.</param>
/// <param name="Origin">The ONNX nodes it came from, when more than the one it is named after ("Pad + Conv").</param>
public sealed record ImportedLayer(string Kind, string Name, bool NameIsDefault, IReadOnlyList<ImportedArgument> Arguments,
    IReadOnlyList<ImportedArgument> Properties, string? Input, string? Origin)
{
    public LayerSpec ToSpec()
    {
        OpDefinition op = OpRegistry.Find(Kind) ?? throw new InvalidOperationException("no operator " + Kind);
        var arguments = Arguments.Concat(Properties).Select(a => new KeyValuePair<string, object?>(a.Name, a.Value switch
        {
            ImportedEnum e => e.Value,
            string[] names => names.Cast<object?>().ToArray(),
            _ => a.Value,
        })).ToList();
        var declared = new DeclaredArguments(arguments);
        return new LayerSpec
        {
            Kind = Kind,
            Name = Name,
            Inputs = (op.IsVariadic ? declared.Texts("inputs") : Input is null ? [] : [Input]).ToEquatableArray(),
            Attributes = op.Declare(declared),
        };
    }
}

/// <summary>A constructor argument or property: int, double, bool, string, string[] (Add/Concat inputs) or an enum member.</summary>
public sealed record ImportedArgument(string Name, object Value);

/// <summary>An enum member as C# names it (<c>PaddingMode.Same</c>) and its value.</summary>
public sealed record ImportedEnum(string Type, string Member, int Value);

/// <summary>A tensor of the weights file.</summary>
public sealed record ImportedTensor(string Name, int[] Shape, float[] Data);
