using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelCompiler.IR;

/// <summary>A tensor dimension or size: an integer constant, or a polynomial in the model's open input sizes
/// (<see cref="Height"/>, <see cref="Width"/>) whose atoms may be floor divisions and maxima, e.g.
/// <c>floor((H + 1) / 2)</c> for a stride-2 convolution over an open height. Immutable; equal
/// expressions compare equal (a canonical sum of products), so shapes can be checked structurally.
/// All arithmetic is 64-bit and checked: a product that overflows throws <see cref="OverflowException"/>,
/// which shape inference turns into a diagnostic.</summary>
public sealed class Dim : IEquatable<Dim>, IComparable<Dim>
{
    /// <summary>The open input height of a model declared with <c>Dim.Any</c>.</summary>
    public static readonly Dim Height = FromAtom(new Variable("H"));

    /// <summary>The open input width.</summary>
    public static readonly Dim Width = FromAtom(new Variable("W"));

    public static readonly Dim Zero = new(0, []);

    public static readonly Dim One = new(1, []);

    private readonly long _constant;
    private readonly Term[] _terms;
    private string? _text;

    private Dim(long constant, Term[] terms)
    {
        _constant = constant;
        _terms = terms;
    }

    public bool IsConstant => _terms.Length == 0;

    /// <summary>The value of a constant dimension; throws for an open one.</summary>
    public long Value => IsConstant ? _constant : throw new InvalidOperationException("dimension " + this + " is not a constant");

    /// <summary>The open sizes this expression reads ("H", "W"), ordered.</summary>
    public IEnumerable<string> Variables => Atoms().OfType<Variable>().Select(v => v.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal);

    public static implicit operator Dim(long value) => Constant(value);

    public static Dim Constant(long value) => value switch
    {
        0 => Zero,
        1 => One,
        _ => new Dim(value, []),
    };

    public static Dim operator +(Dim a, Dim b) => Combine(a, b, 1);

    public static Dim operator -(Dim a, Dim b) => Combine(a, b, -1);

    public static Dim operator *(Dim a, Dim b)
    {
        if (a.IsConstant)
        {
            return Scale(b, a._constant);
        }

        if (b.IsConstant)
        {
            return Scale(a, b._constant);
        }

        var terms = new Dictionary<string, Term>(StringComparer.Ordinal);
        long constant = checked(a._constant * b._constant);
        void Add(long coefficient, Atom[] factors)
        {
            if (coefficient == 0)
            {
                return;
            }

            if (factors.Length == 0)
            {
                constant = checked(constant + coefficient);
                return;
            }

            var term = new Term(coefficient, factors);
            terms[term.Key] = terms.TryGetValue(term.Key, out Term? existing)
                ? new Term(checked(existing.Coefficient + coefficient), factors)
                : term;
        }

        foreach (Term t in a._terms)
        {
            Add(checked(t.Coefficient * b._constant), t.Factors);
            foreach (Term u in b._terms)
            {
                Add(checked(t.Coefficient * u.Coefficient), [.. t.Factors, .. u.Factors]);
            }
        }

        foreach (Term u in b._terms)
        {
            Add(checked(u.Coefficient * a._constant), u.Factors);
        }

        return Make(constant, terms.Values);
    }

    /// <summary>floor(a / divisor), divisor positive. Exact simplification when every variable term divides.</summary>
    public static Dim FloorDiv(Dim a, long divisor)
    {
        if (divisor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(divisor), divisor, "the divisor must be positive");
        }

        if (divisor == 1)
        {
            return a;
        }

        if (a.IsConstant)
        {
            return Constant(FloorDivide(a._constant, divisor));
        }

        if (a._terms.All(t => t.Coefficient % divisor == 0))
        {
            // floor((d*q + b) / d) = q + floor(b / d) for integer-valued q.
            return Make(FloorDivide(a._constant, divisor), a._terms.Select(t => new Term(t.Coefficient / divisor, t.Factors)));
        }

        // floor((b + d*q) / d) = floor(b / d) + q: keep the constant in [0, d), so that equal functions have one form
        // (floor((H - 1) / 2) + 1 and ceil(H / 2) = floor((H + 1) / 2) are the same size).
        long quotient = FloorDivide(a._constant, divisor);
        return FromAtom(new FloorDivision(a - checked(quotient * divisor), divisor)) + quotient;
    }

    /// <summary>ceil(a / divisor) = floor((a + divisor - 1) / divisor).</summary>
    public static Dim CeilDiv(Dim a, long divisor) => FloorDiv(a + (divisor - 1), divisor);

    /// <summary>max(a, b). Nested maxima are flattened into one, and an operand another one always reaches is
    /// dropped (a constant difference, or the same monomial with a smaller non-negative coefficient).</summary>
    public static Dim Max(Dim a, Dim b)
    {
        var operands = new List<Dim>();
        foreach (Dim d in Operands(a).Concat(Operands(b)))
        {
            if (operands.Any(o => Dominates(o, d)))
            {
                continue;
            }

            operands.RemoveAll(o => Dominates(d, o));
            operands.Add(d);
        }

        return operands.Count == 1 ? operands[0] : FromAtom(new Maximum(operands.OrderBy(o => o.ToString(), StringComparer.Ordinal).ToArray()));
    }

    /// <summary>The operands of a maximum (itself when it is not one).</summary>
    private static IEnumerable<Dim> Operands(Dim d) =>
        d._constant == 0 && d._terms.Length == 1 && d._terms[0].Coefficient == 1 && d._terms[0].Factors.Length == 1 && d._terms[0].Factors[0] is Maximum max ? max.Operands : [d];

    /// <summary>Whether a ≥ b for every value of the open sizes, as far as the two forms show it.</summary>
    private static bool Dominates(Dim a, Dim b)
    {
        Dim difference = a - b;
        if (difference.IsConstant)
        {
            return difference._constant >= 0;
        }

        return a._constant == 0 && b._constant == 0 && a._terms.Length == 1 && b._terms.Length == 1
            && a._terms[0].Key == b._terms[0].Key && b._terms[0].Coefficient >= 0 && a._terms[0].Coefficient >= b._terms[0].Coefficient;
    }

    /// <summary>The product of <paramref name="dims"/>; 1 for none.</summary>
    public static Dim Product(IEnumerable<Dim> dims) => dims.Aggregate(One, (p, d) => p * d);

    /// <summary>The sum of <paramref name="dims"/>; 0 for none.</summary>
    public static Dim Sum(IEnumerable<Dim> dims) => dims.Aggregate(Zero, (s, d) => s + d);

    /// <summary>Evaluates with the open sizes given by name ("H", "W").</summary>
    public long Evaluate(Func<string, long> variable)
    {
        long result = _constant;
        foreach (Term t in _terms)
        {
            long product = t.Coefficient;
            foreach (Atom a in t.Factors)
            {
                product = checked(product * a.Evaluate(variable));
            }

            result = checked(result + product);
        }

        return result;
    }

    /// <summary>Evaluates with the open sizes bound to a height and a width.</summary>
    public long Evaluate(long height, long width) => Evaluate(v => v == "H" ? height : width);

    /// <summary>C# source that computes this expression as a <c>long</c>, with the open sizes spelled by
    /// <paramref name="variable"/> (e.g. "height") and floor divisions as calls of <paramref name="floorDivision"/>
    /// (a method (long, long) -> long that rounds toward negative infinity, unlike C#'s '/').</summary>
    public string ToCSharp(Func<string, string> variable, string floorDivision) => Print(variable, floorDivision);

    /// <summary>Readable: <c>64*H*W</c>, <c>floor((H + 1) / 2) - 1</c>.</summary>
    public override string ToString() => _text ??= Print(v => v, floorDivision: null);

    public bool Equals(Dim? other) => other is not null && (ReferenceEquals(this, other) || ToString() == other.ToString());

    public override bool Equals(object? obj) => Equals(obj as Dim);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    /// <summary>Constants by value, then open expressions by text (a stable order, not a numeric one).</summary>
    public int CompareTo(Dim? other) =>
        other is null ? 1
        : IsConstant && other.IsConstant ? _constant.CompareTo(other._constant)
        : IsConstant ? -1
        : other.IsConstant ? 1
        : string.CompareOrdinal(ToString(), other.ToString());

    private IEnumerable<Atom> Atoms()
    {
        foreach (Term t in _terms)
        {
            foreach (Atom a in t.Factors)
            {
                yield return a;
                foreach (Atom inner in a.Inner())
                {
                    yield return inner;
                }
            }
        }
    }

    private string Print(Func<string, string> variable, string? floorDivision)
    {
        bool csharp = floorDivision is not null;
        if (IsConstant)
        {
            return _constant.ToString(CultureInfo.InvariantCulture);
        }

        var text = new StringBuilder();
        foreach (Term t in _terms)
        {
            long c = t.Coefficient;
            if (text.Length > 0)
            {
                text.Append(c < 0 ? " - " : " + ");
                c = Math.Abs(c);
            }
            else if (c < 0)
            {
                text.Append('-');
                c = -c;
            }

            if (c != 1)
            {
                text.Append(c.ToString(CultureInfo.InvariantCulture)).Append(csharp ? " * " : "*");
            }

            text.Append(string.Join(csharp ? " * " : "*", t.Factors.Select(a => a.Print(variable, floorDivision))));
        }

        if (_constant != 0)
        {
            text.Append(_constant < 0 ? " - " : " + ").Append(Math.Abs(_constant).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static long FloorDivide(long a, long d) => a >= 0 ? a / d : -((-a + d - 1) / d);

    private static Dim FromAtom(Atom atom) => new(0, [new Term(1, [atom])]);

    private static Dim Scale(Dim a, long factor) =>
        factor == 0 ? Zero : Make(checked(a._constant * factor), a._terms.Select(t => new Term(checked(t.Coefficient * factor), t.Factors)));

    private static Dim Combine(Dim a, Dim b, long sign)
    {
        var terms = new Dictionary<string, Term>(StringComparer.Ordinal);
        foreach (Term t in a._terms)
        {
            terms[t.Key] = t;
        }

        foreach (Term u in b._terms)
        {
            long c = checked(u.Coefficient * sign);
            terms[u.Key] = terms.TryGetValue(u.Key, out Term? t) ? new Term(checked(t.Coefficient + c), u.Factors) : new Term(c, u.Factors);
        }

        return Make(checked(a._constant + (sign * b._constant)), terms.Values);
    }

    private static Dim Make(long constant, IEnumerable<Term> terms)
    {
        Term[] kept = terms.Where(t => t.Coefficient != 0).OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        return kept.Length == 0 ? Constant(constant) : new Dim(constant, kept);
    }

    /// <summary>coefficient × a product of atoms (sorted, so equal monomials have equal keys).</summary>
    private sealed class Term
    {
        public Term(long coefficient, Atom[] factors)
        {
            Coefficient = coefficient;
            Factors = factors.OrderBy(a => a.Key, StringComparer.Ordinal).ToArray();
            Key = string.Join("*", Factors.Select(a => a.Key));
        }

        public long Coefficient { get; }

        public Atom[] Factors { get; }

        public string Key { get; }
    }

    private abstract class Atom
    {
        public abstract string Key { get; }

        public abstract long Evaluate(Func<string, long> variable);

        /// <summary>Readable text, or C# when <paramref name="floorDivision"/> names the floor-division method.</summary>
        public abstract string Print(Func<string, string> variable, string? floorDivision);

        public virtual IEnumerable<Atom> Inner() => [];
    }

    private sealed class Variable(string name) : Atom
    {
        public string Name => name;

        public override string Key => name;

        public override long Evaluate(Func<string, long> variable) => variable(name);

        public override string Print(Func<string, string> variable, string? floorDivision) => variable(name);
    }

    private sealed class FloorDivision(Dim numerator, long divisor) : Atom
    {
        public override string Key => "floor((" + numerator + ") / " + divisor.ToString(CultureInfo.InvariantCulture) + ")";

        public override long Evaluate(Func<string, long> variable) => FloorDivide(numerator.Evaluate(variable), divisor);

        public override string Print(Func<string, string> variable, string? floorDivision) => floorDivision is not null
            ? floorDivision + "(" + numerator.Print(variable, floorDivision) + ", " + divisor.ToString(CultureInfo.InvariantCulture) + ")"
            : "floor((" + numerator.Print(variable, floorDivision) + ") / " + divisor.ToString(CultureInfo.InvariantCulture) + ")";

        public override IEnumerable<Atom> Inner() => numerator.Atoms();
    }

    private sealed class Maximum(Dim[] operands) : Atom
    {
        public Dim[] Operands => operands;

        public override string Key => "max(" + string.Join(", ", operands.Select(o => o.ToString())) + ")";

        public override long Evaluate(Func<string, long> variable) => operands.Max(o => o.Evaluate(variable));

        public override string Print(Func<string, string> variable, string? floorDivision)
        {
            if (floorDivision is null)
            {
                return "max(" + string.Join(", ", operands.Select(o => o.Print(variable, floorDivision))) + ")";
            }

            // Math.Max takes two: nest them.
            string text = operands[operands.Length - 1].Print(variable, floorDivision);
            for (int i = operands.Length - 2; i >= 0; i--)
            {
                text = "global::System.Math.Max(" + operands[i].Print(variable, floorDivision) + ", " + text + ")";
            }

            return text;
        }

        public override IEnumerable<Atom> Inner() => operands.SelectMany(o => o.Atoms());
    }
}
