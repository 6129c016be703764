using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ModelCompiler.Generators.Model;

/// <summary>A Roslyn location as plain values (no SyntaxTree), so pipeline models stay cacheable.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location location) =>
        location.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
