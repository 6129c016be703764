using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelCompiler.Generators;
using ModelCompiler.Ops;
using ModelCompiler.Tests.Shared;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>docs/attributes.md against the attribute source the generator emits: every attribute has its section (or,
/// for an activation without arguments, its row), every constructor parameter and property is named in it, every
/// <c>PaddingMode</c> member and <c>Dim</c> constant is listed, and the default name of each layer without a name
/// argument is the compiler's (its operator's stem and 1).</summary>
public class AttributeReferenceTests
{
    private static readonly string Reference = File.ReadAllText(Path.Combine(Repository.Root, "docs", "attributes.md"));

    [Fact]
    public void TheReference_DocumentsEveryAttributeParameterAndProperty()
    {
        IReadOnlyList<string> missing = Missing(AttributeSource.Text, Reference);

        Assert.True(missing.Count == 0, "docs/attributes.md lacks: " + string.Join("; ", missing));
    }

    /// <summary>The check fails when the source gains what the reference does not say.</summary>
    [Fact]
    public void AnUndocumentedAdditionIsFound()
    {
        string source = AttributeSource.Text
            .Replace("public int Groups { get; set; } = 1;", "public int Groups { get; set; } = 1;\n        public int Shuffle { get; set; }", StringComparison.Ordinal)
            .Replace("internal sealed class SoftmaxAttribute : LayerAttribute", "internal sealed class MishAttribute : LayerAttribute\n    {\n    }\n\n    internal sealed class SoftmaxAttribute : LayerAttribute", StringComparison.Ordinal)
            .Replace("SameLower = 2,", "SameLower = 2,\n        Valid = 3,", StringComparison.Ordinal);

        IReadOnlyList<string> missing = Missing(source, Reference);

        Assert.Contains("Conv2d: `Shuffle`", missing);
        Assert.Contains("Mish: no section or row", missing);
        Assert.Contains("PaddingMode: `PaddingMode.Valid`", missing);
        Assert.Equal(3, missing.Count);
    }

    private static List<string> Missing(string source, string reference)
    {
        var missing = new List<string>();
        Dictionary<string, string> sections = Sections(reference);
        CompilationUnitSyntax root = CSharpSyntaxTree.ParseText(source).GetCompilationUnitRoot();

        foreach (ClassDeclarationSyntax type in root.DescendantNodes().OfType<ClassDeclarationSyntax>().Where(t => t.Identifier.Text.EndsWith("Attribute", StringComparison.Ordinal)))
        {
            bool isAbstract = type.Modifiers.Any(m => m.IsKind(SyntaxKind.AbstractKeyword));
            string name = type.Identifier.Text[..^"Attribute".Length];
            string? section = isAbstract ? Find(sections, "Options on every layer") : Section(sections, name);
            if (section is null)
            {
                missing.Add(name + ": no section or row");
                continue;
            }

            IEnumerable<string> members = type.Members.OfType<PropertyDeclarationSyntax>()
                .Where(p => p.Modifiers.Any(m => m.IsKind(SyntaxKind.PublicKeyword)))
                .Select(p => p.Identifier.Text)
                .Concat(type.Members.OfType<ConstructorDeclarationSyntax>().SelectMany(c => c.ParameterList.Parameters).Select(p => p.Identifier.Text))
                .Distinct(StringComparer.Ordinal);
            missing.AddRange(members.Where(m => !section.Contains("`" + m + "`", StringComparison.Ordinal)).Select(m => name + ": `" + m + "`"));

            bool named = type.Members.OfType<ConstructorDeclarationSyntax>().Any(c => c.ParameterList.Parameters.Any(p => p.Identifier.Text == "name"));
            OpDefinition? op = OpRegistry.Find(name);
            if (!isAbstract && !named && op is not null && !section.Contains("`" + op.NameStem + "1`", StringComparison.Ordinal))
            {
                missing.Add(name + ": default name `" + op.NameStem + "1`");
            }
        }

        foreach (EnumDeclarationSyntax type in root.DescendantNodes().OfType<EnumDeclarationSyntax>())
        {
            string section = Find(sections, "`" + type.Identifier.Text + "`") ?? string.Empty;
            missing.AddRange(type.Members.Select(m => type.Identifier.Text + "." + m.Identifier.Text)
                .Where(m => !section.Contains("`" + m + "`", StringComparison.Ordinal))
                .Select(m => type.Identifier.Text + ": `" + m + "`"));
        }

        foreach (ClassDeclarationSyntax type in root.DescendantNodes().OfType<ClassDeclarationSyntax>().Where(t => !t.Identifier.Text.EndsWith("Attribute", StringComparison.Ordinal)))
        {
            string section = Find(sections, "`" + type.Identifier.Text + "`") ?? string.Empty;
            missing.AddRange(type.Members.OfType<FieldDeclarationSyntax>().SelectMany(f => f.Declaration.Variables)
                .Select(v => type.Identifier.Text + "." + v.Identifier.Text)
                .Where(m => !section.Contains("`" + m + "`", StringComparison.Ordinal))
                .Select(m => type.Identifier.Text + ": `" + m + "`"));
        }

        return missing;
    }

    /// <summary>The attribute's own section (a heading <c>`[Name]`</c>), else the section whose table has its row.</summary>
    private static string? Section(Dictionary<string, string> sections, string name) =>
        Find(sections, "`[" + name + "]`") ?? sections.Values.FirstOrDefault(s => s.Contains("| `[" + name + "]` |", StringComparison.Ordinal));

    private static string? Find(Dictionary<string, string> sections, string heading) =>
        sections.TryGetValue(heading, out string? text) ? text : null;

    /// <summary>Heading text (without the #s) → the text up to the next heading.</summary>
    private static Dictionary<string, string> Sections(string markdown)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? heading = null;
        var body = new List<string>();
        foreach (string line in markdown.Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                Close();
                heading = line.TrimStart('#').Trim();
                body.Clear();
            }
            else
            {
                body.Add(line);
            }
        }

        Close();
        return sections;

        void Close()
        {
            if (heading is not null)
            {
                sections[heading] = string.Join('\n', body);
            }
        }
    }
}
