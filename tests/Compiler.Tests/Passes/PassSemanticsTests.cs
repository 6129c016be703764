using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Linking;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Passes;

/// <summary>Passes preserve semantics: the interpreter gives the same output on the declared graph, on the
/// optimized graph (BatchNorm folded, activations fused), and on the optimized graph with the packed weights
/// <see cref="WeightPacker"/> produced (what generated code reads). Tolerance as in <see cref="Differential"/>.</summary>
public sealed class PassSemanticsTests
{
    public static TheoryData<string> Cases => [.. Models.Keys];

    private static readonly Dictionary<string, ModelSpec> Models = new()
    {
        ["mlp"] = Networks.Mlp,
        ["cnn"] = Networks.Cnn,
        ["upsampling"] = Networks.Upsampling,
        ["conv+bn without bias, then relu"] = Model([3, 6, 6],
            Conv("conv", 3, 4, 3, padding: 1, bias: false), BatchNorm("bn", 4), Op("ReLU", "relu")),
        ["grouped conv+bn, leaky relu"] = Model([4, 6, 6],
            Conv("conv", 4, 6, 3, stride: 2, padding: 1, groups: 2), BatchNorm("bn", 6, eps: 1e-3f), Specs.LeakyReLU("act", 0.3f)),
        ["bn standalone on input, then gelu"] = Model([3, 4, 4], BatchNorm("bn", 3), Op("GELU", "gelu")),
        ["conv read twice: no fold"] = Model([3, 5, 5],
            Conv("conv", 3, 3, 3, padding: 1), BatchNorm("bn", 3), Add("sum", "bn", "conv"), Op("HardSwish", "act")),
        ["activation on the input stays"] = Model([6], Op("Tanh", "tanh"), Specs.Linear("fc", 6, 4), Op("Sigmoid", "sig")),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OptimizedGraph_MatchesDeclaredGraph(string name)
    {
        ModelSpec spec = Models[name];
        Differential.Case c = Differential.Prepare(spec, seed: 7, batch: 2, inputLow: -3, inputHigh: 3);
        ModelCompilation compilation = ModelCompilation.Compile(spec);
        Graph optimized = compilation.Graph!;

        float[] declared = c.Interpret();
        float[] folded = c.Interpret(optimized);
        float[] packed = ReferenceInterpreter.RunPacked(optimized, compilation.Layout!,
            WeightLinker.Pack(compilation.Layout!, name => c.Tensors[name]), c.Input, c.Batch);

        Differential.AssertClose(declared, folded, "optimized graph vs declared graph");
        Differential.AssertClose(declared, packed, "packed weights vs declared graph");
    }

    [Fact]
    public void Passes_ActuallyFoldAndFuse()
    {
        Graph optimized = ModelCompilation.Compile(Networks.Cnn).Graph!;
        Graph declared = ModelCompilation.BuildUnoptimized(Networks.Cnn)!;

        Assert.Equal(["stem_bn", "block.bn1", "block.bn2", "dw_bn", "pw_bn"],
            optimized.Nodes.SelectMany(n => n.Fused).Where(f => f.Kind == "BatchNorm2d").Select(f => f.Name));
        Assert.Equal("ReLU", optimized.Nodes.Single(n => n.Name == "block.add").Epilogue.Activation!.Kind);
        Assert.DoesNotContain(optimized.Nodes, n => n.Op is BatchNorm2dOp || n.Op.IsActivation);
        Assert.True(optimized.Nodes.Count < declared.Nodes.Count - 10, optimized.Dump());
    }

    [Fact]
    public void Passes_KeepLeakyReLUSlopeWhenFusing()
    {
        Graph optimized = ModelCompilation.Compile(Models["grouped conv+bn, leaky relu"]).Graph!;
        Node conv = Assert.Single(optimized.Nodes);
        Assert.Equal(new Activation("LeakyReLU", 0.3f), conv.Epilogue.Activation);
    }
}
