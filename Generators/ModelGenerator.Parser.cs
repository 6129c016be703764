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
using ModelCompiler.Spec;

namespace ModelCompiler.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>Symbols → spec. Reads only the attributes of the model class; no semantic model walk.</summary>
    internal static class Parser
    {
        private static readonly Dictionary<string, OpKind> LayerAttributes = Enum.GetValues(typeof(OpKind)).Cast<OpKind>()
            .ToDictionary(k => k + "Attribute", k => k, StringComparer.Ordinal);

        /// <summary>Default name stems, PyTorch-like ("conv1", "relu2").</summary>
        private static readonly Dictionary<OpKind, string> NameStems = new()
        {
            [OpKind.Linear] = "fc", [OpKind.Conv2d] = "conv", [OpKind.BatchNorm2d] = "bn", [OpKind.ReLU] = "relu",
            [OpKind.ReLU6] = "relu6_", [OpKind.LeakyReLU] = "leakyrelu", [OpKind.Sigmoid] = "sigmoid", [OpKind.Tanh] = "tanh",
            [OpKind.GELU] = "gelu", [OpKind.SiLU] = "silu", [OpKind.HardSwish] = "hardswish", [OpKind.MaxPool2d] = "maxpool",
            [OpKind.AvgPool2d] = "avgpool", [OpKind.GlobalAvgPool2d] = "gap", [OpKind.Flatten] = "flatten", [OpKind.Add] = "add",
            [OpKind.Concat] = "concat", [OpKind.Upsample] = "upsample", [OpKind.PixelShuffle] = "pixelshuffle", [OpKind.Softmax] = "softmax",
        };

        public static ModelInfo Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var symbol = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            string hintName = symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty) + ".g.cs";
            var diagnostics = new List<DiagnosticInfo>();
            var locations = new List<LocationEntry>();
            SourceLocation modelLocation = Track(declaration.Identifier.GetLocation(), locations);
            string fullName = symbol.ToDisplayString();

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
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

            ImmutableArray<AttributeData> attributes = symbol.GetAttributes();
            AttributeData[] modelAttributes = attributes.Where(a => IsOurs(a, "ModelAttribute")).ToArray();
            if (modelAttributes.Length > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateModel, modelLocation, fullName));
            }

            // Only the declaration that carries [Model] reports, so a partial class is handled once.
            AttributeData model = context.Attributes[0];
            if (modelAttributes.Length > 1 && !ReferenceEquals(model, modelAttributes[0]))
            {
                return new ModelInfo(hintName, null, EquatableArray<DiagnosticInfo>.Empty, EquatableArray<LocationEntry>.Empty);
            }

            string weights = model.ConstructorArguments.Length == 1 && model.ConstructorArguments[0].Value is string w ? w : string.Empty;
            if (weights.Trim().Length == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingWeightsPath, Track(model, locations, modelLocation), fullName));
            }

            int[]? input = null;
            if (attributes.FirstOrDefault(a => IsOurs(a, "InputAttribute")) is { } inputAttribute
                && inputAttribute.ConstructorArguments.Length == 1 && inputAttribute.ConstructorArguments[0].Kind == TypedConstantKind.Array)
            {
                input = inputAttribute.ConstructorArguments[0].Values.Select(v => v.Value is int i ? i : 0).ToArray();
            }

            if (input is null || input.Length is not (1 or 3) || input.Any(d => d <= 0))
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
                return new ModelInfo(hintName, null, diagnostics.ToEquatableArray(), locations.ToEquatableArray());
            }

            var counters = new Dictionary<OpKind, int>();
            var layers = new List<LayerSpec>();
            foreach ((AttributeData attribute, _) in layerAttributes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                OpKind kind = LayerAttributes[attribute.AttributeClass!.Name];
                counters[kind] = counters.TryGetValue(kind, out int n) ? n + 1 : 1;
                LayerSpec layer = ParseLayer(attribute, kind, NameStems[kind] + counters[kind].ToString(CultureInfo.InvariantCulture), Track(attribute, locations, modelLocation));
                if (kind.IsMultiInput() && attribute.NamedArguments.Any(a => a.Key == "Input"))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOption, layer.Location, layer.Name, kind,
                        "Input", "name the layers it combines as its arguments instead, e.g. [" + kind + "(\"a\", \"b\")]"));
                }

                layers.Add(layer);
            }

            if (layers.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, modelLocation, fullName));
            }

            var spec = new ModelSpec
            {
                Namespace = symbol.ContainingNamespace.IsGlobalNamespace ? string.Empty : symbol.ContainingNamespace.ToDisplayString(),
                ClassName = symbol.Name,
                Accessibility = symbol.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                WeightsPath = weights,
                InputShape = (input ?? []).ToEquatableArray(),
                Layers = layers.ToEquatableArray(),
                Location = modelLocation,
            };
            return new ModelInfo(hintName, spec, diagnostics.ToEquatableArray(), locations.ToEquatableArray());
        }

        private static LayerSpec ParseLayer(AttributeData a, OpKind kind, string defaultName, SourceLocation location)
        {
            ImmutableArray<TypedConstant> args = a.ConstructorArguments;
            int Arg(int index) => index < args.Length && args[index].Value is int v ? v : 0;
            T Named<T>(string name, T fallback) =>
                a.NamedArguments.FirstOrDefault(p => p.Key == name).Value.Value is T v ? v : fallback;
            bool Has(string name) => a.NamedArguments.Any(p => p.Key == name);

            string? ctorName = kind.HasWeights() && args.Length > 0 ? args[0].Value as string : null;
            string name = Named<string?>("Name", null) ?? ctorName ?? defaultName;
            string? input = Named<string?>("Input", null);
            string[] multi = kind.IsMultiInput() && args.Length == 1 && args[0].Kind == TypedConstantKind.Array
                ? args[0].Values.Select(v => v.Value as string ?? string.Empty).ToArray()
                : [];
            var spec = new LayerSpec
            {
                Kind = kind,
                Name = name,
                Inputs = (kind.IsMultiInput() ? multi : input is null ? [] : [input]).ToEquatableArray(),
                WeightPrefix = Named<string?>("WeightPrefix", null),
                Location = location,
            };

            switch (kind)
            {
                case OpKind.Linear:
                    return spec with { InFeatures = Arg(1), OutFeatures = Arg(2), Bias = Named("Bias", true) };
                case OpKind.Conv2d:
                {
                    int stride = Named("Stride", 1), padding = Named("Padding", 0), dilation = Named("Dilation", 1);
                    return spec with
                    {
                        InFeatures = Arg(1),
                        OutFeatures = Arg(2),
                        KernelH = Arg(3),
                        KernelW = args.Length > 4 ? Arg(4) : Arg(3),
                        StrideH = Has("StrideHeight") ? Named("StrideHeight", 1) : stride,
                        StrideW = Has("StrideWidth") ? Named("StrideWidth", 1) : stride,
                        PaddingH = Has("PaddingHeight") ? Named("PaddingHeight", 0) : padding,
                        PaddingW = Has("PaddingWidth") ? Named("PaddingWidth", 0) : padding,
                        DilationH = dilation,
                        DilationW = dilation,
                        Groups = Named("Groups", 1),
                        Bias = Named("Bias", true),
                    };
                }

                case OpKind.BatchNorm2d:
                    return spec with { InFeatures = Arg(1), Epsilon = (float)Named("Eps", 1e-5) };
                case OpKind.LeakyReLU:
                    return spec with { Alpha = args.Length > 0 && args[0].Value is double slope ? (float)slope : 0.01f };
                case OpKind.MaxPool2d or OpKind.AvgPool2d:
                {
                    int k = Arg(0);
                    int stride = Named("Stride", 0);
                    int padding = Named("Padding", 0);
                    return spec with
                    {
                        KernelH = k,
                        KernelW = k,
                        StrideH = Has("Stride") ? stride : k,
                        StrideW = Has("Stride") ? stride : k,
                        PaddingH = padding,
                        PaddingW = padding,
                        CountIncludePad = Named("CountIncludePad", true),
                    };
                }

                case OpKind.Upsample or OpKind.PixelShuffle:
                    return spec with { Factor = Arg(0) };
                default:
                    return spec;
            }
        }

        /// <summary>Makes attribute file paths relative to the project directory, so the manifest (compiled into
        /// the assembly) does not depend on where the project is checked out.</summary>
        public static ModelInfo WithRelativePaths(ModelInfo model, string projectDirectory)
        {
            if (model.Spec is null || projectDirectory.Length == 0)
            {
                return model;
            }

            SourceLocation? Relative(SourceLocation? l) => l is null ? null : l with { File = MakeRelative(l.File, projectDirectory) };
            ModelSpec spec = model.Spec with
            {
                Location = Relative(model.Spec.Location),
                Layers = model.Spec.Layers.Select(l => l with { Location = Relative(l.Location) }).ToEquatableArray(),
            };
            return model with
            {
                Spec = spec,
                Diagnostics = model.Diagnostics.Select(d => d with { Location = Relative(d.Location) }).ToEquatableArray(),
                Locations = model.Locations.Select(e => e with { Key = Relative(e.Key)! }).ToEquatableArray(),
            };
        }

        private static string MakeRelative(string path, string directory)
        {
            string dir = directory.Replace('\\', '/').TrimEnd('/') + "/";
            string file = path.Replace('\\', '/');
            return file.StartsWith(dir, StringComparison.Ordinal) ? file.Substring(dir.Length) : Path.GetFileName(file);
        }

        private static bool IsOurs(AttributeData a, string? name = null) =>
            a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == AttributeSource.Namespace
            && (name is null ? LayerAttributes.ContainsKey(c.Name) || c.Name is "ModelAttribute" or "InputAttribute" : c.Name == name);

        private static bool IsLayer(INamedTypeSymbol c) =>
            c.ContainingNamespace?.ToDisplayString() == AttributeSource.Namespace && LayerAttributes.ContainsKey(c.Name);

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
