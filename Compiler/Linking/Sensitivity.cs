using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Linking;

/// <summary>One channel group's sensitivity: the model's output error when this group alone is pruned at each ratio.</summary>
/// <param name="Layer">The group's first producing layer (the group's name, and the layer a plan line sets).</param>
/// <param name="Errors">Relative output error (mean squared error over the mean square of the unpruned output) by ratio.</param>
public sealed record GroupSensitivity(string Layer, int Channels, IReadOnlyList<(double Ratio, double Error)> Errors);

/// <summary>A sensitivity-chosen pruning plan: a ratio per group, its MACs against the target, the error it measured.</summary>
public sealed record SensitivityPlan(
    string Model, IReadOnlyList<GroupSensitivity> Groups, IReadOnlyDictionary<string, double> Ratios, long TargetMacs, long Macs, double Error, double UniformError);

/// <summary>Per-layer sensitivity (U-Net generator pruning; compiler-aware pruning searches): each prunable channel group is
/// pruned alone at several ratios (and refitted, when the model declares Reform, on calibration inputs other than those
/// it is measured on) and the model's output on calibration inputs compared with the unpruned output; then
/// ratios per group are chosen to reach the MACs that the declared model-wide ratio reaches, losing as little as the
/// measurements say. The result is written as a plan file (<see cref="PlanText"/>) that the user reviews and commits and
/// later builds read: a build with an unchanged plan does no calibration work.</summary>
public static class Sensitivity
{
    /// <summary>The ratios each group is tried at.</summary>
    public static readonly double[] Ratios = [0.25, 0.5, 0.75];

    /// <summary>At most this many calibration samples measure a candidate's error (the last ones).</summary>
    public const int MaxSamples = 256;

    /// <summary>The analysis as the calibration task runs it for one model: the weights file checked, the calibration
    /// inputs read (MC2009 when [Model] names none or they cannot be used); null after reporting why not.</summary>
    public static SensitivityPlan? Calibrate(ModelSpec spec, CompileOptions options, string projectDirectory, List<DiagnosticInfo> diagnostics)
    {
        if (string.IsNullOrWhiteSpace(spec.CalibrationPath))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CalibrationUnusable, spec.WeightsLocation ?? spec.Location, "(none)", spec.FullName,
                "[Model] names no calibration inputs; add Calibration = \"path/to/calibration.safetensors\" (a tensor 'input' of shape [N, ...the input shape])"));
            return null;
        }

        WeightLinkResult check = WeightLinker.Check(spec, projectDirectory, options);
        diagnostics.AddRange(check.Diagnostics.Where(d => d.Severity == Severity.Error));
        (float[] Data, int Count, int Height, int Width)? samples = check.Succeeded
            ? WeightLinker.ReadCalibration(spec, WeightLinker.ResolvePath(spec.CalibrationPath ?? string.Empty, projectDirectory), diagnostics)
            : null;
        if (samples is not { } s)
        {
            return null;
        }

        using var stream = new FileStream(check.WeightsFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        SafetensorsFile file = SafetensorsFile.Parse(stream);
        var cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
        return Analyze(spec, options, name => cache.TryGetValue(name, out float[]? t) ? t : cache[name] = file.ReadFloat32(name), s.Data, s.Count, s.Height, s.Width);
    }

    public static SensitivityPlan Analyze(ModelSpec spec, CompileOptions options, Func<string, float[]> tensors, float[] inputs, int count, int height = 0, int width = 0)
    {
        CompileOptions unplanned = options with { Plan = ModelPlan.Empty };
        // Errors are measured on the last samples (at most MaxSamples, a quarter of them when refits need the rest);
        // a refit is fitted on the others, so the choice does not favour a plan that only fits its own samples.
        int size = inputs.Length / count;
        int n = spec.Pruning.Reform && count >= 2 ? Math.Min(MaxSamples, Math.Max(1, count / 4)) : Math.Min(count, MaxSamples);
        int fitCount = spec.Pruning.Reform && count >= 2 ? count - n : count;
        float[] samples = inputs.Skip(size * (count - n)).ToArray();
        float[] fitSamples = inputs.Take(size * fitCount).ToArray();
        PruneSpec model = spec.Pruning;
        ModelSpec Variant(PruneSpec pruning) => spec with
        {
            Pruning = pruning,
            Layers = spec.Layers.Select(l => l with { PruneRatio = null }).ToEquatableArray(),
        };
        CompileOptions Planned(IReadOnlyDictionary<string, double> ratios) => options with
        {
            Plan = new ModelPlan(spec.FullName, ratios.Select(r => new LayerPlan(r.Key, null, 0) { Prune = r.Value }).ToEquatableArray(), "sensitivity"),
        };

        ModelCompilation full = Compile(Variant(PruneSpec.None), unplanned);
        float[] reference = Run(full, tensors, samples, n, height, width);
        double scale = reference.Average(v => (double)v * v) + 1e-30;
        // With Reform declared, each candidate is measured after its refit (fitted on the other samples), as it will be built.
        double Error(ModelCompilation c) =>
            Run(c, Reformation.Sources(c, tensors, fitSamples, fitCount, height, width), samples, n, height, width)
                .Zip(reference, (a, b) => (double)(a - b) * (a - b)).Average() / scale;

        // The groups, named after their first producers: those a uniform pruning at the declared ratio touches.
        PruneSpec none = model with { Ratio = 0 };
        ModelCompilation uniform = Compile(Variant(model), unplanned);
        var groups = new List<GroupSensitivity>();
        foreach (ChannelGroup group in uniform.ChannelGroups)
        {
            var errors = new List<(double, double)>();
            foreach (double ratio in Ratios)
            {
                ModelCompilation alone = Compile(Variant(none), Planned(new Dictionary<string, double> { [group.Id] = ratio }));
                errors.Add((ratio, alone.ChannelGroups.Count > 0 ? Error(alone) : 0));
            }

            groups.Add(new GroupSensitivity(group.Id, group.Size, errors));
        }

        long target = Macs(uniform);
        Dictionary<string, double> ratios = Choose(groups, target, trial => Compile(Variant(none), Planned(trial)), Error);
        ModelCompilation current = Compile(Variant(none), Planned(ratios));
        return new SensitivityPlan(spec.FullName, groups, ratios, target, Macs(current), Error(current), Error(uniform));
    }

    /// <summary>At most this many combinations of ratios are measured one by one; past it the choice is greedy.</summary>
    public const int MaxCombinations = 64;

    /// <summary>Per-group ratios whose MACs are at most <paramref name="target"/>: with few groups, every combination of
    /// ratios (none included) is compiled and the feasible one whose measured error is least wins; with many, greedily
    /// from nothing pruned, raising the group whose next ratio adds the least single-group error per MAC saved.</summary>
    private static Dictionary<string, double> Choose(
        IReadOnlyList<GroupSensitivity> groups, long target, Func<Dictionary<string, double>, ModelCompilation> compile, Func<ModelCompilation, double> error)
    {
        double[] levels = [0, .. Ratios];
        if (Math.Pow(levels.Length, groups.Count) <= MaxCombinations)
        {
            Dictionary<string, double>? best = null;
            double bestError = double.PositiveInfinity;
            int combinations = (int)Math.Pow(levels.Length, groups.Count);
            for (int c = 0; c < combinations; c++)
            {
                var trial = new Dictionary<string, double>(StringComparer.Ordinal);
                for (int g = 0, rest = c; g < groups.Count; g++, rest /= levels.Length)
                {
                    trial[groups[g].Layer] = levels[rest % levels.Length];
                }

                ModelCompilation compiled = compile(trial);
                if (Macs(compiled) <= target && error(compiled) is double e && e < bestError)
                {
                    (best, bestError) = (trial, e);
                }
            }

            return best ?? groups.ToDictionary(g => g.Layer, _ => Ratios[Ratios.Length - 1], StringComparer.Ordinal);
        }

        var ratios = groups.ToDictionary(g => g.Layer, _ => 0.0, StringComparer.Ordinal);
        ModelCompilation current = compile(ratios);
        while (Macs(current) > target)
        {
            (string Layer, double Ratio, double Score, ModelCompilation Compiled)? step = null;
            foreach (GroupSensitivity g in groups)
            {
                int level = Array.IndexOf(levels, ratios[g.Layer]);
                for (int next = level + 1; next < levels.Length; next++)
                {
                    // The next ratio that removes anything: rounding to the multiple can make a step remove nothing.
                    ModelCompilation compiled = compile(new Dictionary<string, double>(ratios, StringComparer.Ordinal) { [g.Layer] = levels[next] });
                    long saved = Macs(current) - Macs(compiled);
                    if (saved <= 0)
                    {
                        continue;
                    }

                    double added = g.Errors[next - 1].Error - (level > 0 ? g.Errors[level - 1].Error : 0);
                    double score = Math.Max(added, 0) / saved;
                    if (step is null || score < step.Value.Score)
                    {
                        step = (g.Layer, levels[next], score, compiled);
                    }

                    break;
                }
            }

            if (step is null)
            {
                break;
            }

            ratios[step.Value.Layer] = step.Value.Ratio;
            current = step.Value.Compiled;
        }

        return ratios;
    }

    /// <summary>The plan file for <paramref name="plan"/>: one commented layer line per group, the measurements above it;
    /// the algorithm lines of <paramref name="existing"/> (the model's plan so far) are kept.</summary>
    public static string PlanText(SensitivityPlan plan, ModelPlan? existing = null)
    {
        static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        static string E(double v) => v.ToString("0.###E+0", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.Append("# ModelCompiler plan: pruning ratios chosen by sensitivity (dotnet build -t:ModelCompilerCalibrate).\n");
        text.Append("# Review and commit it; the next builds read it, and a build with an unchanged plan does no calibration work.\n");
        text.Append("# Target: the MACs of the declared PruneRatio, ").Append(plan.TargetMacs.ToString("N0", CultureInfo.InvariantCulture))
            .Append(" per sample; this plan: ").Append(plan.Macs.ToString("N0", CultureInfo.InvariantCulture))
            .Append(". Relative output error on the calibration inputs: ").Append(E(plan.Error)).Append(" (uniform: ").Append(E(plan.UniformError)).Append(").\n");
        text.Append("model ").Append(plan.Model).Append('\n');
        foreach (GroupSensitivity g in plan.Groups)
        {
            text.Append("  # ").Append(g.Layer).Append(": ").Append(g.Channels.ToString(CultureInfo.InvariantCulture))
                .Append(" channels; sensitivity: the relative output error with this group alone pruned at each ratio").Append('\n');
            text.Append("  layer ").Append(g.Layer).Append(" prune=").Append(F(plan.Ratios[g.Layer]))
                .Append(" sensitivity=").Append(string.Join(",", g.Errors.Select(e => F(e.Ratio) + ":" + E(e.Error))))
                .Append(existing?.Find(g.Layer)?.Algorithm is { } algorithm ? " algorithm=" + algorithm : string.Empty).Append('\n');
        }

        foreach (LayerPlan kept in existing?.Layers.Where(l => l.Algorithm is not null && !plan.Ratios.ContainsKey(l.Layer)) ?? [])
        {
            text.Append("  layer ").Append(kept.Layer).Append(" algorithm=").Append(kept.Algorithm).Append('\n');
        }

        return text.ToString();
    }

    private static ModelCompilation Compile(ModelSpec spec, CompileOptions options)
    {
        ModelCompilation compilation = ModelCompilation.Compile(spec, options);
        return compilation.Succeeded ? compilation
            : throw new InvalidOperationException("model '" + spec.FullName + "' did not compile for the sensitivity analysis: "
                + string.Join("; ", compilation.Diagnostics.Select(d => d.Message)));
    }

    private static float[] Run(ModelCompilation compilation, Func<string, float[]> tensors, float[] samples, int n, int height, int width) =>
        ReferenceInterpreter.Run(compilation.Graph!, tensors, samples, n, compilation.Graph!.HasOpenSize ? height : 0, compilation.Graph.HasOpenSize ? width : 0);

    private static long Macs(ModelCompilation compilation) =>
        compilation.Graph!.Nodes.Sum(node => node.Op.Cost(node).Macs is { IsConstant: true } macs ? macs.Value : 0);
}
