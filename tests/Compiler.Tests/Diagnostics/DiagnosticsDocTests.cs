using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using ModelCompiler.Diagnostics;
using Xunit;

using ModelCompiler.Tests.Shared;

namespace ModelCompiler.Tests.Diagnostics;

/// <summary>docs/diagnostics.md and the diagnostics table agree: every descriptor has a "## MCxxxx: Title"
/// section with the table's title, no section names an ID the table lacks, sections are in ID order, and the
/// table's IDs are unique and complete.</summary>
public sealed class DiagnosticsDocTests
{
    private static readonly Regex IdHeading = new(@"^##\s+(MC\d+)\b", RegexOptions.CultureInvariant);

    private static readonly Lazy<string[]> DocLines = new(() => File.ReadAllLines(FindDoc()));

    [Fact]
    public void EveryDescriptor_HasAHeadingWithItsIdAndTitle()
    {
        HashSet<string> headings = DocLines.Value.Select(l => l.TrimEnd()).ToHashSet(StringComparer.Ordinal);

        string[] missing = DiagnosticDescriptors.All
            .Select(d => "## " + d.Id + ": " + d.Title)
            .Where(h => !headings.Contains(h))
            .ToArray();

        Assert.True(missing.Length == 0, "docs/diagnostics.md lacks these headings:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void EveryIdHeading_NamesAnIdInTheTable()
    {
        HashSet<string> ids = DiagnosticDescriptors.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        string[] unknown = DocLines.Value
            .Select(l => IdHeading.Match(l))
            .Where(m => m.Success && !ids.Contains(m.Groups[1].Value))
            .Select(m => m.Value)
            .ToArray();

        Assert.True(unknown.Length == 0, "docs/diagnostics.md has headings for IDs not in DiagnosticDescriptors.All:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void EveryIdHeading_AppearsOnce()
    {
        string[] repeated = DocLines.Value
            .Select(l => IdHeading.Match(l))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups[1].Value, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToArray();

        Assert.True(repeated.Length == 0, "docs/diagnostics.md has more than one section for: " + string.Join(", ", repeated));
    }

    [Fact]
    public void IdHeadings_AreInIdOrder()
    {
        string[] order = DocLines.Value.Select(l => IdHeading.Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(order.OrderBy(id => id, StringComparer.Ordinal), order);
    }

    [Fact]
    public void All_ListsEveryDescriptorOfTheTable()
    {
        DiagnosticDescriptor[] declared = typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToArray();

        Assert.NotEmpty(declared);
        Assert.All(declared, d => Assert.Contains(d, DiagnosticDescriptors.All));
    }

    [Fact]
    public void TableIds_AreUniqueAndStartWithMC()
    {
        string[] ids = DiagnosticDescriptors.All.Select(d => d.Id).ToArray();

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.StartsWith("MC", id, StringComparison.Ordinal));
        string[] duplicates = ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(duplicates.Length == 0, "duplicate IDs in DiagnosticDescriptors.All: " + string.Join(", ", duplicates));
    }

    /// <summary>docs/diagnostics.md beside Compiler.sln.</summary>
    private static string FindDoc()
    {
        string doc = Path.Combine(Repository.Root, "docs", "diagnostics.md");
        Assert.True(File.Exists(doc), "docs/diagnostics.md is missing beside Compiler.sln");
        return doc;
    }
}
