using System;
using System.Collections.Generic;
using ModelCompiler.IR;
using ModelCompiler.Lowering;
using ModelCompiler.Spec;

namespace ModelCompiler.Ops;

/// <summary>An elementwise activation (ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, HardSwish): output
/// shape = input shape, no weights; usually fused into its producer's epilogue (<see cref="Passes.FuseActivation"/>).
/// Each is one instance of this class with its PyTorch definition.</summary>
public sealed class ActivationOp : OpDefinition
{
    public const string NegativeSlope = "negative_slope";

    private readonly Func<double, float, double> _apply;
    private readonly bool _hasSlope;

    private ActivationOp(string name, string stem, Func<double, float, double> apply, bool hasSlope = false)
    {
        Name = name;
        NameStem = stem;
        _apply = apply;
        _hasSlope = hasSlope;
    }

    public static ActivationOp ReLU { get; } = new("ReLU", "relu", (x, _) => x < 0 ? 0 : x); // NaN passes through, as in PyTorch

    public static ActivationOp ReLU6 { get; } = new("ReLU6", "relu6_", (x, _) => Math.Min(Math.Max(x, 0), 6));

    public static ActivationOp LeakyReLU { get; } = new("LeakyReLU", "leakyrelu", (x, slope) => x > 0 ? x : slope * x, hasSlope: true);

    public static ActivationOp Sigmoid { get; } = new("Sigmoid", "sigmoid", (x, _) => 1 / (1 + Math.Exp(-x)));

    public static ActivationOp Tanh { get; } = new("Tanh", "tanh", (x, _) => Math.Tanh(x));

    /// <summary>The exact (erf) form PyTorch uses by default (approximate='none').</summary>
    public static ActivationOp GELU { get; } = new("GELU", "gelu", (x, _) => 0.5 * x * (1 + Erf(x / Math.Sqrt(2))));

    public static ActivationOp SiLU { get; } = new("SiLU", "silu", (x, _) => x / (1 + Math.Exp(-x)));

    public static ActivationOp HardSwish { get; } = new("HardSwish", "hardswish", (x, _) => x * Math.Min(Math.Max(x + 3, 0), 6) / 6);

    public static IReadOnlyList<ActivationOp> All { get; } = [ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, GELU, SiLU, HardSwish];

    public override string Name { get; }

    public override string NameStem { get; }

    public override bool IsActivation => true;

    /// <summary>The activation as a node's epilogue carries it.</summary>
    public Activation Of(AttributeSet a) => new(Name, _hasSlope ? a.Float(NegativeSlope) : 0f);

    /// <summary>f(x) in double precision.</summary>
    public double Apply(double x, float alpha) => _apply(x, alpha);

    public override AttributeSet Declare(DeclaredArguments a) =>
        _hasSlope ? AttributeSet.Empty.With(NegativeSlope, (float)a.Double("negativeSlope", 0.01)) : AttributeSet.Empty;

    public override Shape? InferShape(InferenceContext c) =>
        _hasSlope && !c.Finite("negative_slope", c.Attributes.Float(NegativeSlope)) ? null : c.X.Shape;

    public override IReadOnlyList<ChannelMap> Coupling(AttributeSet a, IReadOnlyList<Shape> inputs) => [ChannelMap.Identity];

    public override OpCost Cost(Node node) => OpCost.Traffic(node);

    public override void Interpret(InterpreterFrame f)
    {
        float alpha = _hasSlope ? f.Attributes.Float(NegativeSlope) : 0f;
        for (int i = 0; i < f.Output.Length; i++)
        {
            f.Output[i] = (float)_apply(f.X[i], alpha);
        }
    }

    public override KernelPlan Lower(Node node, LoweringContext context) =>
        KernelPlan.Of("elementwise", KernelCall.Elementwise("Activation",
            new InputArg("x", 0), new OutputArg("y"), new ActivationArg(Of(node.Attributes)), new VectorWidthArg()));

    /// <summary>The error function to double precision (netstandard2.0 has none):
    /// erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_k (2x^2)^k x / (1*3*...*(2k+1)), a series of positive terms (no
    /// cancellation) that converges for every x; beyond |x| = 6, erf is 1 to double precision.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        double a = Math.Abs(x);
        if (a >= 6)
        {
            return Math.Sign(x);
        }

        double term = a;
        double sum = a;
        for (int k = 1; term > sum * 1e-17; k++)
        {
            term *= 2 * a * a / ((2 * k) + 1);
            sum += term;
        }

        double result = 2 / Math.Sqrt(Math.PI) * Math.Exp(-a * a) * sum;
        return x < 0 ? -result : result;
    }
}
