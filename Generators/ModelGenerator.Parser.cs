using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Generators.Model;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>Symbols → spec. Reads only the attributes of the model class; no semantic model walk.</summary>
    internal static class Parser
    {
        private const string AttributeSuffix = "Attribute";

        /// <summary>The model declared by one [Model] attribute; null for a second [Model] on another part of the same
        /// class (the first reports MC1011, and one model per class is generated).</summary>
        public static ModelInfo? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            // Names as the runtime has them, without the '@' of a keyword used as a name (@event, Contoso.@internal):
            // '@' is not allowed in file names (CS8785), and the printer escapes keywords again.
            string ns = NamespaceName(symbol.ContainingNamespace);
            string fullName = ns.Length == 0 ? symbol.Name : ns + "." + symbol.Name;
            var diagnostics = new List<DiagnosticInfo>();
            var locations = new List<LocationEntry>();
            SourceLocation modelLocation = Track(declaration.Identifier.GetLocation(), locations);

            bool partial = declaration.Modifiers.Any(SyntaxKind.PartialKeyword);
            if (!partial)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNotPartial, modelLocation, fullName));
            }

            if (declaration is not ClassDeclarationSyntax)
            {
                // The generated part is a 'partial class'; a record or struct part would not merge with it.
                string kind = declaration is RecordDeclarationSyntax ? "a record" : declaration is StructDeclarationSyntax ? "a struct" : "not a class";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, modelLocation, fullName, kind));
            }
            else if (symbol.ContainingType is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, modelLocation, fullName, "nested in '" + symbol.ContainingType.ToDisplayString() + "'"));
            }
            else if (symbol.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClassShape, modelLocation, fullName, "generic"));
            }

            bool joinable = partial && declaration is ClassDeclarationSyntax && symbol.ContainingType is null && !symbol.IsGenericType;
            ImmutableArray<AttributeData> attributes = symbol.GetAttributes();
            AttributeData[] modelAttributes = attributes.Where(a => IsOurs(a, "ModelAttribute")).ToArray();
            if (modelAttributes.Length > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateModel, modelLocation, fullName));
            }

            // With [Model] on several parts of the class, only the part with the first one (by file and position)
            // reports, so the model is handled once.
            AttributeData model = context.Attributes[0];
            SyntaxNode? first = modelAttributes
                .Select(a => a.ApplicationSyntaxReference)
                .OrderBy(r => r?.SyntaxTree.FilePath, StringComparer.Ordinal)
                .ThenBy(r => r?.Span.Start ?? 0)
                .FirstOrDefault()?.GetSyntax(cancellationToken).Parent?.Parent;
            if (modelAttributes.Length > 1 && first != declaration)
            {
                return null;
            }

            string weights = model.ConstructorArguments.Length == 1 && model.ConstructorArguments[0].Value is string w ? w : string.Empty;
            SourceLocation weightsLocation = Track(model, locations, modelLocation);
            if (weights.Trim().Length == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingWeightsPath, weightsLocation, fullName));
            }

            // LayersOf = typeof(Other): the input, layers and groups are Other's; this class adds its own [Model] options
            // and may declare its own groups instead (a pruned, sliced or otherwise varied copy of a network declared once).
            ImmutableArray<AttributeData> ownAttributes = attributes;
            if (model.NamedArguments.FirstOrDefault(n => n.Key == "LayersOf").Value is { Kind: TypedConstantKind.Type, Value: INamedTypeSymbol source })
            {
                ImmutableArray<AttributeData> sourceAttributes = source.GetAttributes();
                string? why = ownAttributes.Any(a => IsOurs(a, "InputAttribute") || (a.AttributeClass is { } c && IsLayer(c)))
                    ? "declares an input or layers of its own; declare them on one of the two classes"
                    : sourceAttributes.FirstOrDefault(a => IsOurs(a, "ModelAttribute"))?.NamedArguments.Any(n => n.Key == "LayersOf") == true
                        ? "names '" + source.ToDisplayString() + "', which takes its own layers from another class; name that class instead"
                        : !sourceAttributes.Any(a => a.AttributeClass is { } c2 && IsLayer(c2))
                            ? "names '" + source.ToDisplayString() + "', which declares no layers"
                            : !source.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == declaration.SyntaxTree)
                                ? "names '" + source.ToDisplayString() + "', declared in another file; declare the variant in the network's file "
                                    + "(a model is regenerated when its own file changes)"
                                : null;
                if (why is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersOfInvalid, weightsLocation, fullName, why));
                }
                else
                {
                    // The variant's own [Group]s, if it declares any, replace the network's.
                    bool ownGroups = ownAttributes.Any(a => IsOurs(a, "GroupAttribute"));
                    attributes = ownGroups ? sourceAttributes.Where(a => !IsOurs(a, "GroupAttribute")).Concat(ownAttributes.Where(a => IsOurs(a, "GroupAttribute"))).ToImmutableArray()
                        : sourceAttributes;
                }
            }

            int[]? input = null;
            if (attributes.FirstOrDefault(a => IsOurs(a, "InputAttribute")) is { } inputAttribute
                && inputAttribute.ConstructorArguments.Length == 1 && inputAttribute.ConstructorArguments[0].Kind == TypedConstantKind.Array)
            {
                input = inputAttribute.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToArray();
            }

            bool open = input is { Length: 3 } && (input[1] == InputAttributeAny || input[2] == InputAttributeAny);
            int inputRank = input is { Length: 1 } ? 1 : 3;
            EquatableArray<MemberEntry> members = joinable ? UserMembers(symbol, locations) : EquatableArray<MemberEntry>.Empty;
            if (input is null || GraphBuilder.InputShape(input) is null)
            {
                SourceLocation at = attributes.FirstOrDefault(a => IsOurs(a, "InputAttribute")) is { } bad ? Track(bad, locations, modelLocation) : modelLocation;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, at, fullName));
            }

            var layerAttributes = attributes
                .Where(a => a.AttributeClass is { } c && IsLayer(c))
                .Select(a => (Attribute: a, Syntax: a.ApplicationSyntaxReference))
                .OrderBy(a => a.Syntax?.SyntaxTree.FilePath, StringComparer.Ordinal)
                .ThenBy(a => a.Syntax?.Span.Start ?? 0)
                .ToList();
            if (layerAttributes.Select(a => a.Syntax?.GetSyntax(cancellationToken).Parent?.Parent).Distinct().Count() > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplitAcrossDeclarations, modelLocation, fullName));
            }

            if (attributes.Any(a => a.AttributeClass is null or IErrorTypeSymbol || (IsOurs(a) && a.AttributeConstructor is null)))
            {
                // The compiler already reports the broken attribute; generating from a guess would only add noise.
                return new ModelInfo(fullName, null, diagnostics.ToEquatableArray(), locations.ToEquatableArray())
                {
                    Joinable = joinable, Open = open, InputRank = inputRank, Members = members,
                };
            }

            var counters = new Dictionary<string, int>(StringComparer.Ordinal);
            var layers = new List<LayerSpec>();
            foreach ((AttributeData attribute, _) in layerAttributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                OpDefinition op = Op(attribute.AttributeClass!)!;
                counters[op.Name] = counters.TryGetValue(op.Name, out int n) ? n + 1 : 1;
                LayerSpec layer = ParseLayer(attribute, op, op.NameStem + counters[op.Name].ToString(CultureInfo.InvariantCulture), Track(attribute, locations, modelLocation));
                if (op.IsVariadic && attribute.NamedArguments.Any(a => a.Key == "Input"))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOption, layer.Location, layer.Name, op.Name,
                        "Input", "name the layers it combines as its arguments instead, e.g. [" + op.Name + "(\"a\", \"b\")]"));
                }

                layers.Add(layer);
            }

            if (layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, modelLocation, fullName));
            }

            var groups = new List<GroupSpec>();
            foreach (AttributeData group in attributes.Where(a => IsOurs(a, "GroupAttribute"))
                .OrderBy(a => a.ApplicationSyntaxReference?.SyntaxTree.FilePath, StringComparer.Ordinal)
                .ThenBy(a => a.ApplicationSyntaxReference?.Span.Start ?? 0))
            {
                var declared = new DeclaredArguments(group.ConstructorArguments.Select((c, k) => new KeyValuePair<string, object?>(k == 0 ? "first" : "last", Value(c)))
                    .Concat(group.NamedArguments.Select(n => new KeyValuePair<string, object?>(n.Key, Value(n.Value)))));
                groups.Add(new GroupSpec
                {
                    Name = declared.Text("Name") ?? "group" + (groups.Count + 1).ToString(CultureInfo.InvariantCulture),
                    First = declared.Text("first") ?? string.Empty,
                    Last = declared.Text("last") ?? string.Empty,
                    Rows = group.NamedArguments.FirstOrDefault(n => n.Key == "Rows").Value.Value is int rows ? rows : 0,
                    Location = Track(group, locations, modelLocation),
                });
            }

            var pruning = new DeclaredArguments(model.NamedArguments.Select(n => new KeyValuePair<string, object?>(n.Key, Value(n.Value))));
            var spec = new ModelSpec
            {
                Namespace = ns,
                ClassName = symbol.Name,
                Accessibility = symbol.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                WeightsPath = weights,
                InputShape = (input ?? []).ToEquatableArray(),
                Layers = layers.ToEquatableArray(),
                Groups = groups.ToEquatableArray(),
                CalibrationPath = pruning.Text("Calibration"),
                RemovedBlocks = pruning.Texts("RemoveBlocks").ToEquatableArray(),
                Pruning = pruning.Names.Any(n => n.StartsWith("Prune", StringComparison.OrdinalIgnoreCase) || n.Equals("Reform", StringComparison.OrdinalIgnoreCase))
                    ? new PruneSpec
                    {
                        Ratio = pruning.Double("PruneRatio", 0),
                        Criterion = pruning.Int("PruneCriterion", 0) is int c && c >= 0 && c < PruneCriteria.ByNumber.Length ? PruneCriteria.ByNumber[c] : PruneCriteria.L1,
                        Multiple = pruning.Int("PruneMultiple", PruneSpec.DefaultMultiple),
                        Reform = pruning.Bool("Reform", false),
                    }
                    : PruneSpec.None,
                Location = modelLocation,
                WeightsLocation = weightsLocation,
            };
            return new ModelInfo(fullName, spec, diagnostics.ToEquatableArray(), locations.ToEquatableArray())
            {
                Joinable = joinable, Open = open, InputRank = inputRank, Members = members,
            };
        }

        /// <summary>A layer from its attribute: the name, inputs and weight prefix every layer has, and the operator's
        /// canonical attributes from what the attribute's arguments said (constructor arguments by parameter name,
        /// named arguments by property name).</summary>
        private static LayerSpec ParseLayer(AttributeData a, OpDefinition op, string defaultName, SourceLocation location)
        {
            var arguments = new List<KeyValuePair<string, object?>>();
            ImmutableArray<IParameterSymbol> parameters = a.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
            for (int i = 0; i < a.ConstructorArguments.Length && i < parameters.Length; i++)
            {
                arguments.Add(new KeyValuePair<string, object?>(parameters[i].Name, Value(a.ConstructorArguments[i])));
            }

            foreach (KeyValuePair<string, TypedConstant> named in a.NamedArguments)
            {
                arguments.Add(new KeyValuePair<string, object?>(named.Key, Value(named.Value)));
            }

            var declared = new DeclaredArguments(arguments);
            string? input = declared.Text("Input");
            return new LayerSpec
            {
                Kind = op.Name,
                Name = declared.Text("Name") ?? defaultName,
                Inputs = (op.IsVariadic ? declared.Texts("inputs") : input is null ? [] : [input]).ToEquatableArray(),
                WeightPrefix = declared.Text("WeightPrefix"),
                PruneRatio = declared.Has("PruneRatio") ? declared.Double("PruneRatio", 0) : null,
                Attributes = op.Declare(declared),
                Location = location,
            };
        }

        /// <summary>Dim.Any in [Input].</summary>
        private const int InputAttributeAny = -1;

        /// <summary>Every name the generated code may give a member of a model class, open or not.</summary>
        private static readonly HashSet<string> GeneratedMemberNames = new(
            ModelCompiler.Emit.ModelEmitter.MemberNames(open: true, 3, 3).Concat(ModelCompiler.Emit.ModelEmitter.MemberNames(open: false, 3, 3))
                .Concat(ModelCompiler.Emit.ModelEmitter.GroupMemberNames),
            StringComparer.Ordinal);

        /// <summary>The user's members of the model class (every partial part) named like a generated member.</summary>
        private static EquatableArray<MemberEntry> UserMembers(INamedTypeSymbol symbol, List<LocationEntry> locations) =>
            symbol.GetMembers()
                .Where(m => !m.IsImplicitlyDeclared && GeneratedMemberNames.Contains(m.Name) && m.Locations.Any(l => l.IsInSource))
                .Select(m => new MemberEntry(m.Name, Track(m.Locations.First(l => l.IsInSource), locations)))
                .ToEquatableArray();

        /// <summary>"A.B.C" from the namespace's own names (no '@'); empty for the global namespace.</summary>
        private static string NamespaceName(INamespaceSymbol? ns) =>
            ns is null || ns.IsGlobalNamespace ? string.Empty
            : ns.ContainingNamespace is { IsGlobalNamespace: false } parent ? NamespaceName(parent) + "." + ns.Name
            : ns.Name;

        /// <summary>A constant as a plain value: an enum as its number, an array as object?[].</summary>
        private static object? Value(TypedConstant constant) =>
            constant.Kind == TypedConstantKind.Array ? constant.Values.Select(Value).ToArray() : constant.Value;

        /// <summary>The operator whose attribute this is ([Conv2d] is Conv2dAttribute), or null.</summary>
        private static OpDefinition? Op(INamedTypeSymbol attribute) =>
            attribute.ContainingNamespace?.ToDisplayString() == AttributeSource.Namespace && attribute.Name.EndsWith(AttributeSuffix, StringComparison.Ordinal)
                ? OpRegistry.Find(attribute.Name.Substring(0, attribute.Name.Length - AttributeSuffix.Length))
                : null;

        /// <summary>Makes attribute file paths relative to the project directory, so the manifest (compiled into
        /// the assembly) does not depend on where the project is checked out.</summary>
        public static ModelInfo WithRelativePaths(ModelInfo model, string projectDirectory)
        {
            if (model.Spec is null || projectDirectory.Length == 0)
            {
                return model;
            }

            SourceLocation? Relative(SourceLocation? l) => l is null ? null : l with { File = MakeRelativePath(l.File, projectDirectory) };
            ModelSpec spec = model.Spec with
            {
                Location = Relative(model.Spec.Location),
                WeightsLocation = Relative(model.Spec.WeightsLocation),
                Layers = model.Spec.Layers.Select(l => l with { Location = Relative(l.Location) }).ToEquatableArray(),
                Groups = model.Spec.Groups.Select(g => g with { Location = Relative(g.Location) }).ToEquatableArray(),
            };
            return model with
            {
                Spec = spec,
                Diagnostics = model.Diagnostics.Select(d => d with { Location = Relative(d.Location) }).ToEquatableArray(),
                Locations = model.Locations.Select(e => e with { Key = Relative(e.Key)! }).ToEquatableArray(),
                Members = model.Members.Select(m => m with { Location = Relative(m.Location)! }).ToEquatableArray(),
            };
        }

        internal static string MakeRelativePath(string path, string directory)
        {
            string dir = directory.Replace('\\', '/').TrimEnd('/') + "/";
            string file = path.Replace('\\', '/');
            return file.StartsWith(dir, StringComparison.Ordinal) ? file.Substring(dir.Length) : Path.GetFileName(file);
        }

        private static bool IsOurs(AttributeData a, string? name = null) =>
            a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == AttributeSource.Namespace
            && (name is null ? Op(c) is not null || c.Name is "ModelAttribute" or "InputAttribute" or "GroupAttribute" : c.Name == name);

        private static bool IsLayer(INamedTypeSymbol c) => Op(c) is not null;

        private static SourceLocation Track(AttributeData attribute, List<LocationEntry> locations, SourceLocation fallback) =>
            attribute.ApplicationSyntaxReference is { } reference
                ? Track(reference.GetSyntax().GetLocation(), locations)
                : fallback;

        private static SourceLocation Track(Location location, List<LocationEntry> locations)
        {
            FileLinePositionSpan span = location.GetLineSpan();
            var key = new SourceLocation(span.Path ?? string.Empty, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
            if (LocationInfo.From(location) is { } info)
            {
                locations.Add(new LocationEntry(key, info));
            }

            return key;
        }
    }
}
