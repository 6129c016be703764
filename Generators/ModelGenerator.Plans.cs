using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Generators.Model;
using ModelCompiler.Options;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>Plan files (additional files ending in .mcplan) → every model's plan.</summary>
    internal static class Plans
    {
        public static PlanSet Parse(ImmutableArray<(string Path, string Text)> files, string projectDirectory)
        {
            if (files.IsEmpty)
            {
                return PlanSet.Empty;
            }

            var models = new List<ModelPlan>();
            var errors = new List<DiagnosticInfo>();
            foreach ((string path, string text) in files.OrderBy(f => f.Path, System.StringComparer.Ordinal))
            {
                string file = Parser.MakeRelativePath(path, projectDirectory);
                (IReadOnlyList<ModelPlan> parsed, IReadOnlyList<PlanError> bad) = PlanFile.Parse(file, text);
                models.AddRange(parsed);
                errors.AddRange(bad.Select(e => DiagnosticInfo.Create(DiagnosticDescriptors.PlanLineInvalid, new SourceLocation(path, e.Line, 1), e.File, e.Line, e.Message)));
            }

            return new PlanSet(models.ToEquatableArray(), errors.ToEquatableArray());
        }
    }
}
