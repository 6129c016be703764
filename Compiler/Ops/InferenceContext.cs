using System;
using System.Collections.Generic;
using System.Globalization;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>What an operator's <see cref="OpDefinition.InferShape"/> sees: the layer (the origin of any diagnostic),
/// the attributes in force, and the input values; plus the checks every operator uses, each reporting the
/// catalogue's message at the layer's attribute. Without a diagnostics list (the verifier re-inferring after a
/// pass) a failed check is a compiler bug and throws.</summary>
public sealed class InferenceContext
{
    private readonly List<DiagnosticInfo>? _diagnostics;
    private readonly SourceLocation? _fallback;

    public InferenceContext(LayerSpec layer, AttributeSet attributes, IReadOnlyList<Value> inputs, List<DiagnosticInfo>? diagnostics, SourceLocation? modelLocation)
    {
        Layer = layer;
        Attributes = attributes;
        Inputs = inputs;
        _diagnostics = diagnostics;
        _fallback = modelLocation;
    }

    public LayerSpec Layer { get; }

    public AttributeSet Attributes { get; }

    public IReadOnlyList<Value> Inputs { get; }

    /// <summary>The first (for most operators, the only) input.</summary>
    public Value X => Inputs[0];

    public void Report(DiagnosticDescriptor descriptor, params object[] arguments)
    {
        DiagnosticInfo info = DiagnosticInfo.Create(descriptor, Layer.Location ?? _fallback, arguments);
        if (_diagnostics is null)
        {
            throw new InvalidOperationException("shape inference failed for '" + Layer.Name + "' after a pass: " + info.Message);
        }

        _diagnostics.Add(info);
    }

    /// <summary>MC1005: "Layer 'x' (Op): {argument} is {value}, but {why}".</summary>
    public void InvalidArgument(string argument, object value, string why) =>
        Report(DiagnosticDescriptors.InvalidArgument, Layer.Name, Layer.Kind, argument, Text(value), why);

    /// <summary>MC1008: the layer expected <paramref name="expected"/> from <paramref name="from"/>.</summary>
    public void ShapeMismatch(string expected, Value from, string field) =>
        Report(DiagnosticDescriptors.ShapeMismatch, Layer.Name, Layer.Kind, expected, from.Name, from.Shape, field);

    /// <summary>Checks the rank of the first input (MC1009).</summary>
    public bool Rank(int rank, string expected)
    {
        if (X.Shape.Rank == rank)
        {
            return true;
        }

        Report(DiagnosticDescriptors.WrongInputRank, Layer.Name, Layer.Kind, expected, X.Name, X.Shape);
        return false;
    }

    public bool Positive(string argument, int value)
    {
        if (value > 0)
        {
            return true;
        }

        InvalidArgument(argument, value, "it must be at least 1");
        return false;
    }

    /// <summary>Checks an (H, W) pair; a square value is reported once, not once per dimension.</summary>
    public bool Positive(string argument, int h, int w) => Positive(argument, h) & (w == h || Positive(argument, w));

    public bool NonNegative(string argument, int value)
    {
        if (value >= 0)
        {
            return true;
        }

        InvalidArgument(argument, value, "it must be 0 or more");
        return false;
    }

    public bool NonNegative(string argument, params int[] values)
    {
        bool ok = true;
        var reported = new HashSet<int>();
        foreach (int v in values)
        {
            if (v < 0 && reported.Add(v))
            {
                ok &= NonNegative(argument, v);
            }
        }

        return ok;
    }

    public bool PositiveFloat(string argument, float value)
    {
        if (value > 0 && !float.IsInfinity(value))
        {
            return true;
        }

        InvalidArgument(argument, value, "it must be a positive finite number");
        return false;
    }

    public bool Finite(string argument, float value)
    {
        if (!float.IsNaN(value) && !float.IsInfinity(value))
        {
            return true;
        }

        InvalidArgument(argument, value, "it must be a finite number");
        return false;
    }

    private static string Text(object value) => value is float f ? f.ToString(CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
}
