using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;

namespace ModelCompiler.Emit;

/// <summary>How the generated code spells a size. Constants print as literals. With an open input size every other
/// size becomes a field of the generated <c>Geometry</c> class (computed once per input size, checked), named in
/// the order first used: <c>g.D0</c>, <c>g.D1</c>, ...</summary>
internal sealed class SizeNames
{
    private readonly Dictionary<(Dim, bool), int> _index = [];
    private readonly List<(Dim Size, string What, bool Wide)> _sizes = [];

    /// <summary>Every registered size: <c>Wide</c> ones are <c>long</c> fields (a count of work, not bounded by the
    /// arena), the rest <c>int</c>.</summary>
    public IReadOnlyList<(Dim Size, string What, bool Wide)> Sizes => _sizes;

    /// <summary>The C# expression for <paramref name="size"/> (an int, or a long when <paramref name="wide"/>);
    /// <paramref name="what"/> says what it is, for the field's doc comment.</summary>
    public string Of(Dim size, string what, bool wide = false)
    {
        if (size.IsConstant)
        {
            return CodeWriter.Int(size.Value);
        }

        if (size.Equals(Dim.Height) || size.Equals(Dim.Width))
        {
            return size.Equals(Dim.Height) ? "g.Height" : "g.Width";
        }

        if (!_index.TryGetValue((size, wide), out int k))
        {
            k = _sizes.Count;
            _index[(size, wide)] = k;
            _sizes.Add((size, what, wide));
        }

        return "g.D" + CodeWriter.Int(k);
    }

    public bool Any => _sizes.Count > 0;

    public int Count(System.Func<Dim, bool> predicate) => _sizes.Count(s => predicate(s.Size));
}
