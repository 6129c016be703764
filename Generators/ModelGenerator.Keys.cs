using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Emit;
using ModelCompiler.Generators.Model;
using ModelCompiler.Options;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>Location-free compile keys and the cheap last step that puts the locations back.</summary>
    internal static class Keys
    {
        /// <summary>The file name of the ordinal locations a key's spec carries instead of real ones.</summary>
        private const string Ordinal = "";

        /// <summary>The compile key of a parsed model: locations replaced by ordinals (the model 0, layer i at i + 1, group i at -(i + 1)),
        /// options from the plan files. A declaration error stops here (no compile).</summary>
        public static CompileKey For(ModelInfo model, PlanSet plans)
        {
            if (model.Spec is null || model.Diagnostics.Any(d => d.Severity == Severity.Error))
            {
                return new CompileKey(model.Name, null, CompileOptions.Default);
            }

            ModelSpec spec = model.Spec with
            {
                Location = new SourceLocation(Ordinal, 0, 0),
                WeightsLocation = null,
                Layers = model.Spec.Layers.Select((l, i) => l with { Location = new SourceLocation(Ordinal, i + 1, 0) }).ToEquatableArray(),
                Groups = model.Spec.Groups.Select((g, i) => g with { Location = new SourceLocation(Ordinal, -(i + 1), 0) }).ToEquatableArray(),
            };
            ModelPlan plan = plans.Models.FirstOrDefault(p => p.Model == spec.FullName) ?? ModelPlan.Empty;
            return new CompileKey(model.Name, spec, CompileOptions.Default with { Plan = plan });
        }

        /// <summary>The file and diagnostics of a compiled model, at the real locations of its declaration. A model with
        /// errors (in its declaration, or a user member named like a generated one, MC1022) gets the placeholder surface
        /// instead of its code, so uses of it still compile and the build's only errors are the real ones.</summary>
        public static GeneratedModel Finish(CompiledModel compiled, ImmutableArray<ModelInfo> models)
        {
            ModelInfo model = models.First(m => m.Name == compiled.Name);
            string hintName = HintName(model.Name, models.Select(m => m.Name));
            var diagnostics = model.Diagnostics.Concat(compiled.Diagnostics.Select(d => d with { Location = Real(d.Location, model.Spec) })).ToList();

            // The names the real code defines when it compiled; else every name a model of this kind can have.
            IReadOnlyList<string> generated = compiled.Code is not null
                ? compiled.MemberNames.ToArray()
                : ModelEmitter.MemberNames(model.Open, model.InputRank, outputRank: 3);
            MemberEntry[] taken = model.Members.Where(m => generated.Contains(m.Name)).ToArray();
            diagnostics.AddRange(taken.Select(m => DiagnosticInfo.Create(DiagnosticDescriptors.MemberNameTaken, m.Location, model.Name, m.Name, string.Join(", ", generated))));
            if (compiled.Code is not null && model.Spec is not null && taken.Length == 0)
            {
                return new GeneratedModel(hintName, ModelEmitter.File(model.Spec, compiled.Options, compiled.Code), true, diagnostics.ToEquatableArray(), model.Locations);
            }

            string? placeholder = null;
            if (model.Joinable)
            {
                int dot = model.Name.LastIndexOf('.');
                placeholder = PlaceholderEmitter.File(
                    dot < 0 ? string.Empty : model.Name.Substring(0, dot), model.Name.Substring(dot + 1), model.Open, model.InputRank,
                    new HashSet<string>(model.Members.Select(m => m.Name), StringComparer.Ordinal));
            }

            return new GeneratedModel(hintName, placeholder, false, diagnostics.ToEquatableArray(), model.Locations);
        }

        /// <summary>The file name of a model's code: its full name and ".g.cs" ("Demo.Net.g.cs"). Roslyn compares hint
        /// names ignoring case, so models whose names differ only in case ("Demo.Net", "Demo.NET"), or a model named
        /// like one of the fixed files ("ModelCompiler.Kernels"), each get "-" and their rank in ordinal order
        /// ("Demo.NET-1.g.cs", "Demo.Net-2.g.cs"): a name never holds '-', so no two files can clash.</summary>
        internal static string HintName(string name, IEnumerable<string> allNames)
        {
            string[] sameFile = allNames.Where(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.Ordinal)
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToArray();
            bool fixedFile = FixedFiles.Contains(name + ".g.cs");
            return sameFile.Length > 1 || fixedFile
                ? name + "-" + (Array.IndexOf(sameFile, name) + 1).ToString(CultureInfo.InvariantCulture) + ".g.cs"
                : name + ".g.cs";
        }

        /// <summary>The files every project gets: the attributes and the run-time sources.</summary>
        private static readonly HashSet<string> FixedFiles = new(
            RuntimeSource.Files.Select(RuntimeSource.HintName).Append(AttributeSource.HintName), StringComparer.OrdinalIgnoreCase);

        private static SourceLocation? Real(SourceLocation? location, ModelSpec? spec)
        {
            if (location is null || location.File != Ordinal || spec is null)
            {
                return location;
            }

            return location.Line == 0 ? spec.Location
                : location.Line < 0 ? spec.Groups[-location.Line - 1].Location ?? spec.Location
                : spec.Layers[location.Line - 1].Location ?? spec.Location;
        }
    }
}
