using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Linking;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Passes;

/// <summary>The sensitivity analysis (<see cref="Sensitivity"/>): per-group ratios that reach the uniform plan's MACs
/// with less error, the plan file it writes, and the report of a build from that plan.</summary>
public sealed class SensitivityTests
{
    [Fact]
    public void AGroupWhoseChannelsCarryLittle_IsPrunedMore_AndThePlanBeatsUniform()
    {
        // a has 8 channels of which only 2 carry anything; b's 8 all do. Uniform 0.5 keeps 4 of each; the analysis should
        // take 6 of a's (free) and only 2 of b's, within the same MACs.
        ModelSpec spec = Model([2, 4, 4], Conv("a", 2, 8, 1), Op("ReLU", "ra"), Conv("b", 8, 8, 1), Op("ReLU", "rb"), Conv("out", 8, 2, 1))
            with { Pruning = new PruneSpec { Ratio = 0.5, Multiple = 1 } };
        Differential.Case c = Differential.Prepare(spec, seed: 41, batch: 1);
        float[] a = c.Tensors["a.weight"];
        for (int o = 2; o < 8; o++)
        {
            a[(o * 2) + 0] = a[(o * 2) + 1] = 0;
            c.Tensors["a.bias"][o] = 0;
        }

        float[] inputs = new Rng(3).Uniform(64 * 2 * 16, -2, 2);

        SensitivityPlan plan = Sensitivity.Analyze(spec, CompileOptions.Default, name => c.Tensors[name], inputs, 64);

        Assert.Equal(0.75, plan.Ratios["a"]);
        Assert.True(plan.Macs <= plan.TargetMacs, plan.Macs + " MACs against " + plan.TargetMacs);
        Assert.True(plan.Error < plan.UniformError, plan.Error + " against " + plan.UniformError);
        Assert.Equal(0, plan.Groups.Single(g => g.Layer == "a").Errors.Single(e => e.Ratio == 0.75).Error, 6);

        (IReadOnlyList<ModelPlan> parsed, IReadOnlyList<PlanError> errors) = PlanFile.Parse("net.mcplan", Sensitivity.PlanText(plan));
        Assert.Empty(errors);
        Assert.Equal(0.75, parsed.Single().Find("a")!.Prune);
        Assert.StartsWith("0.25:", parsed.Single().Find("a")!.Sensitivity, System.StringComparison.Ordinal);
        Assert.Equal(plan.Ratios["b"], parsed.Single().Find("b")!.Prune);

        // A build from the plan reports the curves beside the ratios.
        ModelCompilation built = ModelCompilation.Compile(spec, CompileOptions.Default with { Plan = parsed.Single() });
        string report = ModelCompiler.Report.ModelReport.Markdown(built, "net.safetensors", "Tests.mcweights");
        Assert.Contains("| a | 0.75 | 0.25 → ", report, System.StringComparison.Ordinal);
        Assert.Equal(2, built.Graph!.Nodes.Single(n => n.Name == "a").Attributes.Int(ModelCompiler.Ops.Conv2dOp.OutChannels));
    }
}
