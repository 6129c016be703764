using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;

namespace ModelCompiler.Emit;

/// <summary>How the generated code spells a size. Constants print as literals. With an open input size every other
/// size becomes a field of the generated <c>Geometry</c> class (computed once per input size, checked), named in
/// the order first used: <c>g.D0</c>, <c>g.D1</c>, ...</summary>
internal sealed class SizeNames
{
    private readonly Dictionary<Dim, int> _index = [];
    private readonly List<(Dim Size, string What)> _sizes = [];

    public IReadOnlyList<(Dim Size, string What)> Sizes => _sizes;

    /// <summary>The C# int expression for <paramref name="size"/>; <paramref name="what"/> says what it is, for the
    /// field's doc comment.</summary>
    public string Of(Dim size, string what)
    {
        if (size.IsConstant)
        {
            return CodeWriter.Int(size.Value);
        }

        if (size.Equals(Dim.Height) || size.Equals(Dim.Width))
        {
            return size.Equals(Dim.Height) ? "g.Height" : "g.Width";
        }

        if (!_index.TryGetValue(size, out int k))
        {
            k = _sizes.Count;
            _index[size] = k;
            _sizes.Add((size, what));
        }

        return "g.D" + CodeWriter.Int(k);
    }

    public bool Any => _sizes.Count > 0;

    public int Count(System.Func<Dim, bool> predicate) => _sizes.Count(s => predicate(s.Size));
}
