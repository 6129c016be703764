using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelCompiler.IR;
using Xunit;

namespace ModelCompiler.Tests.IR;

/// <summary>Symbolic dimensions: constants, arithmetic on the open sizes H and W, the canonical form (equal
/// expressions compare and print equal), floor/ceil division and max with their simplifications, evaluation
/// (floor, not truncation, for negative numerators), checked overflow, and the readable and C# forms. Expected
/// values are hand-written integers or plain formulas in the test, never another Dim computation.</summary>
public sealed class DimTests
{
    private static readonly Dim H = Dim.Height;
    private static readonly Dim W = Dim.Width;

    /// <summary>Input sizes for evaluation: small ones (where floor and truncation differ), powers of two, odd, large.</summary>
    private static readonly long[] Sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 224, 1079, 1080];

    [Fact]
    public void Constants_AreConstant()
    {
        Dim seven = 7;
        Assert.True(seven.IsConstant);
        Assert.Equal(7, seven.Value);
        Assert.Equal("7", seven.ToString());
        Assert.Equal("-3", ((Dim)(-3)).ToString());
        Assert.Equal("0", Dim.Zero.ToString());
        Assert.Same(Dim.Zero, Dim.Constant(0));
        Assert.Same(Dim.One, Dim.Constant(1));
        Assert.Empty(seven.Variables);
        Assert.Equal(12, ((Dim)3 * 4).Value);
        Assert.Equal(-2, ((Dim)3 - 5).Value);
        Assert.Equal(7, ((Dim)3 + 4).Value);
        Assert.Equal(7, seven.Evaluate(100, 200));
    }

    [Fact]
    public void OpenSizes_AreNotConstant()
    {
        Assert.False(H.IsConstant);
        Assert.Equal("H", H.ToString());
        Assert.Equal("W", W.ToString());
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => H.Value);
        Assert.Equal("dimension H is not a constant", e.Message);
        Assert.Equal(["H"], H.Variables);
        Assert.Equal(["H", "W"], (W * H + 2).Variables);
        Assert.Equal(["W"], Dim.FloorDiv(W - 1, 2).Variables);
        Assert.Equal(["H", "W"], Dim.Max(3 * H, Dim.FloorDiv(W, 3)).Variables);
    }

    [Theory]
    [InlineData("2*H", "2*H")]
    [InlineData("H + W", "H + W")]
    [InlineData("W + H", "H + W")]
    [InlineData("H*W", "H*W")]
    [InlineData("W*H", "H*W")]
    [InlineData("64*H*W", "64*H*W")]
    [InlineData("H - 1", "H - 1")]
    [InlineData("3 - H", "-H + 3")]
    [InlineData("H*H", "H*H")]
    [InlineData("(H + 1)*(W - 1)", "-H + H*W + W - 1")]
    [InlineData("(H + 1)*(H - 1)", "H*H - 1")]
    [InlineData("H - H", "0")]
    [InlineData("2*H + H", "3*H")]
    [InlineData("H*W - W*H + 5", "5")]
    [InlineData("-2*W + 0*H", "-2*W")]
    public void Arithmetic_PrintsTheCanonicalForm(string expression, string expected) =>
        Assert.Equal(expected, Expressions[expression].ToString());

    private static readonly Dictionary<string, Dim> Expressions = new()
    {
        ["2*H"] = 2 * H,
        ["H + W"] = H + W,
        ["W + H"] = W + H,
        ["H*W"] = H * W,
        ["W*H"] = W * H,
        ["64*H*W"] = 64 * H * W,
        ["H - 1"] = H - 1,
        ["3 - H"] = 3 - H,
        ["H*H"] = H * H,
        ["(H + 1)*(W - 1)"] = (H + 1) * (W - 1),
        ["(H + 1)*(H - 1)"] = (H + 1) * (H - 1),
        ["H - H"] = H - H,
        ["2*H + H"] = (2 * H) + H,
        ["H*W - W*H + 5"] = (H * W) - (W * H) + 5,
        ["-2*W + 0*H"] = (-2 * W) + (0 * H),
    };

    [Fact]
    public void Equality_IsStructuralOnTheCanonicalForm()
    {
        Assert.Equal(H + W, W + H);
        Assert.Equal((2 * H) + H, 3 * H);
        Assert.Equal((H + 1) * (H - 1), (H * H) - 1);
        Assert.Equal(H * W * 3, 3 * W * H);
        Assert.Equal((H + W).GetHashCode(), (W + H).GetHashCode());
        Assert.NotEqual(2 * H, 3 * H);
        Assert.NotEqual(H, W);
        Assert.NotEqual(H + 1, H);
        Assert.True((H - H).IsConstant);
        Assert.Equal(Dim.Zero, H - H);
        Assert.True(((Dim)5).Equals((Dim)5));
        Assert.False(H.Equals(null));
        Assert.Equal(new Shape(3, H, W), new Shape(3, (W - W) + H, W));
        Assert.NotEqual(new Shape(3, H, W), new Shape(3, W, H));
    }

    [Fact]
    public void FloorDiv_SimplifiesExactly_WhenEveryCoefficientDivides()
    {
        Assert.Equal("2*H + 3", Dim.FloorDiv((4 * H) + 6, 2).ToString());
        Assert.Equal("2*H + 2", Dim.FloorDiv((4 * H) + 5, 2).ToString());

        // floor(-1 / 2) is -1, not 0.
        Assert.Equal("2*H - 1", Dim.FloorDiv((4 * H) - 1, 2).ToString());
        Assert.Equal("3*H + 2*W + 1", Dim.FloorDiv((6 * H) + (4 * W) + 3, 2).ToString());
        Assert.Equal("H*W", Dim.FloorDiv(3 * H * W, 3).ToString());
        Assert.Same(H, Dim.FloorDiv(H, 1));
    }

    [Fact]
    public void FloorDiv_IsAnAtom_WhenACoefficientDoesNotDivide()
    {
        Dim d = Dim.FloorDiv(3 * H, 2);
        Assert.Equal("floor((3*H) / 2)", d.ToString());
        Assert.Equal("floor((H + W) / 2)", Dim.FloorDiv(H + W, 2).ToString());
        Assert.Equal("floor((H + 1) / 2) + 1", (Dim.FloorDiv(H + 1, 2) + 1).ToString());
        Assert.Equal("floor((floor((H + 1) / 2) + 1) / 2)", Dim.FloorDiv(Dim.FloorDiv(H + 1, 2) + 1, 2).ToString());

        // An atom takes part in arithmetic like a variable: 2·a - a = a.
        Assert.Equal(d, (2 * d) - d);
        Assert.Equal("2*floor((3*H) / 2)", (d + d).ToString());
        foreach (long h in Sizes)
        {
            Assert.Equal(FloorDivide(3 * h, 2), d.Evaluate(h, 1));
        }
    }

    /// <summary>floor((a + d·q) / d) = floor(a / d) + q: the constant inside a floor is kept in [0, d), so one function
    /// has one form (a conv with "same" padding and one with padding 1 give equal output sizes, and so equal dims).</summary>
    [Fact]
    public void FloorDiv_KeepsTheConstantOfItsNumeratorBelowTheDivisor()
    {
        Assert.Equal(Dim.CeilDiv(H, 2), Dim.FloorDiv(H - 1, 2) + 1);
        Assert.Equal("floor((H + 1) / 2)", (Dim.FloorDiv(H - 1, 2) + 1).ToString());
        Assert.Equal("floor((H) / 2)", (Dim.FloorDiv(H - 2, 2) + 1).ToString());
        Assert.Equal("floor((3*H + 1) / 2) + 1", Dim.FloorDiv((3 * H) + 3, 2).ToString());
        Assert.Equal("floor((H + 2) / 3) - 2", Dim.FloorDiv(H - 4, 3).ToString());
        foreach (long h in Sizes.Concat([0L, -1, -2, -3, -7]))
        {
            Assert.Equal(FloorDivide(h - 1, 2) + 1, (Dim.FloorDiv(H - 1, 2) + 1).Evaluate(h, 1));
            Assert.Equal(FloorDivide((3 * h) + 3, 2), Dim.FloorDiv((3 * H) + 3, 2).Evaluate(h, 1));
            Assert.Equal(FloorDivide(h - 4, 3), Dim.FloorDiv(H - 4, 3).Evaluate(h, 1));
        }
    }

    [Theory]
    [InlineData(7, 2, 3)]
    [InlineData(8, 2, 4)]
    [InlineData(-7, 2, -4)]
    [InlineData(-8, 2, -4)]
    [InlineData(-1, 3, -1)]
    [InlineData(0, 5, 0)]
    public void FloorDiv_OfConstants_RoundsDown(long a, long divisor, long expected) =>
        Assert.Equal(expected, Dim.FloorDiv(a, divisor).Value);

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void FloorDiv_RefusesANonPositiveDivisor(long divisor) =>
        Assert.Throws<ArgumentOutOfRangeException>("divisor", () => Dim.FloorDiv(H, divisor));

    [Fact]
    public void CeilDiv_IsFloorOfTheShiftedNumerator()
    {
        Dim half = Dim.CeilDiv(H, 2);
        Assert.Equal("floor((H + 1) / 2)", half.ToString());
        Assert.Equal(Dim.FloorDiv(H + 1, 2), half);
        Assert.Equal("2*H", Dim.CeilDiv(4 * H, 2).ToString());
        Assert.Equal("2*H + 1", Dim.CeilDiv((6 * H) + 1, 3).ToString());
        Assert.Equal(4, Dim.CeilDiv(7, 2).Value);
        Assert.Equal(4, Dim.CeilDiv(8, 2).Value);
        Assert.Equal(-3, Dim.CeilDiv(-7, 2).Value);
        foreach (long h in Sizes)
        {
            Assert.Equal((long)Math.Ceiling(h / 2.0), half.Evaluate(h, 1));
            Assert.Equal((long)Math.Ceiling(h / 3.0), Dim.CeilDiv(H, 3).Evaluate(h, 1));
        }
    }

    [Fact]
    public void Max_Simplifies_WhenTheDifferenceIsConstant()
    {
        Assert.Equal(H + 3, Dim.Max(H + 3, H + 1));
        Assert.Equal(H + 3, Dim.Max(H + 1, H + 3));
        Assert.Equal(H, Dim.Max(H - 5, H));
        Assert.Equal(H * W, Dim.Max(H * W, H * W));
        Assert.Equal(5, Dim.Max(5, 3).Value);
        Assert.Equal(0, Dim.Max(-2, 0).Value);
    }

    [Fact]
    public void Max_Simplifies_OnTheSameMonomial()
    {
        Assert.Equal(64 * H * W, Dim.Max(64 * H * W, 3 * H * W));
        Assert.Equal(64 * H * W, Dim.Max(3 * H * W, 64 * H * W));
        Assert.Equal(2 * H, Dim.Max(H, 2 * H));
    }

    [Fact]
    public void Max_IsAnOrderIndependentAtom_Otherwise()
    {
        Assert.Equal("max(H, W)", Dim.Max(H, W).ToString());
        Assert.Equal(Dim.Max(H, W), Dim.Max(W, H));
        Dim m = Dim.Max(H + 1, 2 * H);
        Assert.Equal("max(2*H, H + 1)", m.ToString());
        Assert.Equal(m, Dim.Max(2 * H, H + 1));
        foreach (long h in Sizes)
        {
            Assert.Equal(Math.Max(h + 1, 2 * h), m.Evaluate(h, 1));
        }
    }

    [Fact]
    public void Evaluate_RoundsNegativeNumeratorsTowardMinusInfinity()
    {
        Dim d = Dim.FloorDiv(H - 5, 2);
        Assert.Equal("floor((H + 1) / 2) - 3", d.ToString());
        long[] expected = [-3, -2, -2, -1, -1, 0, 0, 1];
        for (long h = 0; h < expected.Length; h++)
        {
            Assert.Equal(expected[h], d.Evaluate(h, 1));
        }

        Dim minusThird = Dim.FloorDiv(-1 * H, 3);
        Assert.Equal([-1L, -1, -1, -2, -2, -2, -3], Enumerable.Range(1, 7).Select(h => minusThird.Evaluate(h, 1)));
    }

    [Fact]
    public void Evaluate_BindsEachVariableByName()
    {
        Dim d = (H * W) + (2 * H) - W;
        Assert.Equal((4 * 9) + 8 - 9, d.Evaluate(4, 9));
        Assert.Equal((4 * 9) + 8 - 9, d.Evaluate(name => name switch { "H" => 4, "W" => 9, _ => throw new ArgumentException(name) }));
        Assert.Equal((9 * 4) + 18 - 4, d.Evaluate(9, 4));
    }

    [Fact]
    public void Arithmetic_IsChecked()
    {
        Assert.Throws<OverflowException>(() => Dim.Constant(long.MaxValue) + 1);
        Assert.Throws<OverflowException>(() => Dim.Constant(long.MinValue) - 1);
        Assert.Throws<OverflowException>(() => Dim.Constant(long.MaxValue) * 2);
        Assert.Throws<OverflowException>(() => H * long.MaxValue * 2);
        Assert.Throws<OverflowException>(() => (H * long.MaxValue) + (H * long.MaxValue));
        Assert.Throws<OverflowException>(() => (H + long.MaxValue) * (W + 2));
    }

    [Fact]
    public void Evaluate_IsChecked()
    {
        Assert.Throws<OverflowException>(() => (H * H * H * H).Evaluate(1L << 20, 1));
        Assert.Throws<OverflowException>(() => (H * (long.MaxValue / 2)).Evaluate(3, 1));
        Assert.Throws<OverflowException>(() => (H + long.MaxValue).Evaluate(1, 1));
        Assert.Equal(1L << 60, (H * H * H).Evaluate(1L << 20, 1));
    }

    [Fact]
    public void CompareTo_OrdersConstantsByValueBeforeOpenExpressions()
    {
        List<Dim> dims = [W, 10, H + 1, -4, H, 2];
        dims.Sort();
        Assert.Equal(["-4", "2", "10", "H", "H + 1", "W"], dims.Select(d => d.ToString()));
        Assert.True(((Dim)1000).CompareTo(H) < 0);
        Assert.True(H.CompareTo(null) > 0);
    }

    [Fact]
    public void Sum_And_Product()
    {
        Assert.Equal("0", Dim.Sum([]).ToString());
        Assert.Equal("1", Dim.Product([]).ToString());
        Assert.Equal("3*H*W", Dim.Product([3, H, W]).ToString());
        Assert.Equal("2*H + 5", Dim.Sum([H, 2, H, 3]).ToString());
    }

    [Fact]
    public void ToCSharp_SpellsVariablesAndCallsTheFloorDivision()
    {
        Assert.Equal("FloorDiv(height + 1, 2) - 1", (Dim.FloorDiv(H + 1, 2) - 1).ToCSharp(Name, "FloorDiv"));
        Assert.Equal("64 * height * width", (64 * H * W).ToCSharp(Name, "FloorDiv"));
        Assert.Equal("global::System.Math.Max(height, width)", Dim.Max(H, W).ToCSharp(Name, "FloorDiv"));
        Assert.Equal("-height + 3", (3 - H).ToCSharp(Name, "FloorDiv"));
        Assert.Equal("12", ((Dim)12).ToCSharp(Name, "FloorDiv"));
    }

    /// <summary>The C# text, read back by a small evaluator with C#'s precedence (unary minus, then *, then + and -,
    /// left to right) in checked 64-bit arithmetic, computes what a hand-written formula computes at every size.
    /// The evaluator knows no '/': a printer that emitted C#'s truncating division would fail here.</summary>
    [Theory]
    [MemberData(nameof(CSharpCases))]
    public void ToCSharp_ComputesTheFormula(string name)
    {
        (Dim dim, Func<long, long, long> formula) = Formulas[name];
        string code = dim.ToCSharp(Name, "FloorDiv");
        foreach (long h in Sizes)
        {
            foreach (long w in Sizes)
            {
                long expected = formula(h, w);
                Assert.Equal(expected, dim.Evaluate(h, w));
                Assert.Equal(expected, CSharpExpression.Evaluate(code, h, w));
            }
        }
    }

    public static TheoryData<string> CSharpCases => [.. Formulas.Keys];

    private static readonly Dictionary<string, (Dim Dim, Func<long, long, long> Formula)> Formulas = new()
    {
        ["conv k3 s2 p1"] = (Dim.FloorDiv(H + 2 - 3, 2) + 1, (h, w) => ((h - 1) / 2) + 1),
        ["same s3, both axes, 16 channels"] = (Dim.CeilDiv(H, 3) * Dim.CeilDiv(W, 3) * 16, (h, w) => ((h + 2) / 3) * ((w + 2) / 3) * 16),
        ["max of a negative floor"] = (Dim.Max(Dim.FloorDiv(H - 7, 2), W - 9), (h, w) => Math.Max(FloorDivide(h - 7, 2), w - 9)),
        ["polynomial"] = (((H + 1) * (W - 1)) - (3 * H), (h, w) => ((h + 1) * (w - 1)) - (3 * h)),
        ["nested floors"] = (Dim.FloorDiv(Dim.FloorDiv((3 * H) - 1, 2) - W, 4), (h, w) => FloorDivide(FloorDivide((3 * h) - 1, 2) - w, 4)),
        ["max of products"] = (Dim.Max(H * W, (2 * H) + 5), (h, w) => Math.Max(h * w, (2 * h) + 5)),
        ["negative leading term"] = (7 - (2 * W * H), (h, w) => 7 - (2 * w * h)),
    };

    private static string Name(string variable) => variable switch
    {
        "H" => "height",
        "W" => "width",
        _ => throw new ArgumentException(variable),
    };

    private static long FloorDivide(long a, long b) => (long)Math.Floor(a / (double)b);

    /// <summary>Evaluates the C# subset <see cref="Dim.ToCSharp"/> prints: integer literals, <c>height</c>,
    /// <c>width</c>, <c>FloorDiv(a, b)</c> (rounding down), <c>global::System.Math.Max(a, b)</c>, parentheses,
    /// unary minus and the binary operators + - *.</summary>
    private sealed class CSharpExpression
    {
        private readonly string _text;
        private readonly long _height;
        private readonly long _width;
        private int _at;

        private CSharpExpression(string text, long height, long width)
        {
            _text = text;
            _height = height;
            _width = width;
        }

        public static long Evaluate(string text, long height, long width)
        {
            var parser = new CSharpExpression(text, height, width);
            long value = parser.Sum();
            parser.Skip();
            Assert.True(parser._at == text.Length, "unparsed text at " + parser._at + " in '" + text + "'");
            return value;
        }

        private long Sum()
        {
            long value = Product();
            while (true)
            {
                if (Accept('+'))
                {
                    value = checked(value + Product());
                }
                else if (Accept('-'))
                {
                    value = checked(value - Product());
                }
                else
                {
                    return value;
                }
            }
        }

        private long Product()
        {
            long value = Unary();
            while (Accept('*'))
            {
                value = checked(value * Unary());
            }

            return value;
        }

        private long Unary() => Accept('-') ? checked(-Unary()) : Primary();

        private long Primary()
        {
            Skip();
            if (Accept('('))
            {
                long inner = Sum();
                Expect(')');
                return inner;
            }

            int start = _at;
            if (char.IsDigit(_text[_at]))
            {
                while (_at < _text.Length && char.IsDigit(_text[_at]))
                {
                    _at++;
                }

                return long.Parse(_text.AsSpan(start, _at - start), NumberStyles.None, CultureInfo.InvariantCulture);
            }

            while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] is ':' or '.'))
            {
                _at++;
            }

            string name = _text[start.._at];
            switch (name)
            {
                case "height":
                    return _height;
                case "width":
                    return _width;
                case "FloorDiv":
                case "global::System.Math.Max":
                {
                    Expect('(');
                    long a = Sum();
                    Expect(',');
                    long b = Sum();
                    Expect(')');
                    return name == "FloorDiv" ? FloorDivide(a, b) : Math.Max(a, b);
                }

                default:
                    throw new FormatException("unexpected '" + name + "' at " + start + " in '" + _text + "'");
            }
        }

        private bool Accept(char c)
        {
            Skip();
            if (_at < _text.Length && _text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!Accept(c))
            {
                throw new FormatException("expected '" + c + "' at " + _at + " in '" + _text + "'");
            }
        }

        private void Skip()
        {
            while (_at < _text.Length && _text[_at] == ' ')
            {
                _at++;
            }
        }
    }
}
