using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Generators.Model;
using ModelCompiler.Spec;
using RoslynDescriptor = Microsoft.CodeAnalysis.DiagnosticDescriptor;

namespace ModelCompiler.Generators;

/// <summary>Turns the Compiler's Roslyn-free diagnostics into Roslyn diagnostics at the attribute's exact span.</summary>
internal static class RoslynDiagnostics
{
    private static readonly ConcurrentDictionary<string, RoslynDescriptor> Descriptors = new();

    public static Diagnostic Create(DiagnosticInfo info, EquatableArray<LocationEntry> locations)
    {
        RoslynDescriptor descriptor = Descriptors.GetOrAdd(info.Id, _ => new RoslynDescriptor(
            info.Descriptor.Id,
            info.Descriptor.Title,
            info.Descriptor.MessageFormat,
            info.Descriptor.Category,
            info.Severity switch
            {
                Severity.Error => DiagnosticSeverity.Error,
                Severity.Warning => DiagnosticSeverity.Warning,
                _ => DiagnosticSeverity.Info,
            },
            isEnabledByDefault: true,
            description: "See docs/diagnostics.md in ModelCompiler for an example and a fix."));
        Location location = locations.FirstOrDefault(l => l.Key.Equals(info.Location))?.Location.ToLocation()
            ?? OutsideTheSource(info.Location)
            ?? locations.FirstOrDefault()?.Location.ToLocation()
            ?? Location.None;
        return Diagnostic.Create(descriptor, location, info.Arguments.ToArray<object>());
    }

    /// <summary>A line of a file that is not C# source (a plan file), or null.</summary>
    private static Location? OutsideTheSource(SourceLocation? location)
    {
        if (location is null || location.File.Length == 0 || location.File.EndsWith(".cs", System.StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var position = new LinePosition(System.Math.Max(0, location.Line - 1), System.Math.Max(0, location.Column - 1));
        return Location.Create(location.File, default, new LinePositionSpan(position, position));
    }
}
