using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Generators.Model;
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
            ?? locations.FirstOrDefault()?.Location.ToLocation()
            ?? Location.None;
        return Diagnostic.Create(descriptor, location, info.Arguments.ToArray<object>());
    }
}
