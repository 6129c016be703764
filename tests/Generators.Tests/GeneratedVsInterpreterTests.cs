using System;
using System.Collections.Generic;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Interpreter;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The differential suite: for every operator and several networks, the generated code equals the
/// reference interpreter (run on the declared graph and the raw tensors) within 1e-5 relative, with each SIMD
/// width forced in turn. Relative error is max|a - b| / max(1, max|b|).</summary>
public class GeneratedVsInterpreterTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // name, [Input(...)] shape, layer attributes
        { "linear", "24", "[Linear(\"fc\", 24, 7)]" },
        { "linear_no_bias_relu", "24", "[Linear(\"fc\", 24, 40, Bias = false)]\n[ReLU]" },
        { "conv3x3_pad1", "3, 10, 10", "[Conv2d(\"conv\", 3, 5, 3, Padding = 1)]" },
        { "conv_stride2", "3, 11, 11", "[Conv2d(\"conv\", 3, 6, 3, Stride = 2, Padding = 1)]" },
        { "conv_dilation2", "2, 12, 12", "[Conv2d(\"conv\", 2, 4, 3, Dilation = 2, Padding = 2)]" },
        { "conv_groups2", "4, 9, 9", "[Conv2d(\"conv\", 4, 6, 3, Groups = 2, Padding = 1)]" },
        { "conv_depthwise", "6, 9, 9", "[Conv2d(\"conv\", 6, 6, 3, Groups = 6, Padding = 1, Bias = false)]" },
        { "conv_nonsquare_no_bias", "2, 9, 7", "[Conv2d(\"conv\", 2, 3, 3, 1, PaddingHeight = 1, StrideWidth = 2, Bias = false)]" },
        { "conv_pointwise", "8, 6, 6", "[Conv2d(\"conv\", 8, 4, 1)]" },
        { "conv_batchnorm_folded", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn\", 4, Eps = 1e-3)]" },
        { "batchnorm_standalone", "3, 8, 8", "[BatchNorm2d(\"bn\", 3)]\n[ReLU]" },
        { "relu_fused", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[ReLU]" },
        { "relu6", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[ReLU6]" },
        { "leakyrelu", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[LeakyReLU(0.2)]" },
        { "sigmoid", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[Sigmoid]" },
        { "tanh", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[Tanh]" },
        { "gelu", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[GELU]" },
        { "silu", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[SiLU]" },
        { "hardswish", "3, 8, 8", "[Conv2d(\"conv\", 3, 4, 3)]\n[HardSwish]" },
        { "activations_standalone", "40", "[ReLU6]\n[LeakyReLU(0.1)]\n[Sigmoid]\n[Tanh]\n[GELU]\n[SiLU]\n[HardSwish]\n[ReLU]" },
        { "maxpool_k3_s2_p1", "3, 9, 9", "[MaxPool2d(3, Stride = 2, Padding = 1)]" },
        { "avgpool_include_pad", "3, 9, 9", "[AvgPool2d(3, Stride = 2, Padding = 1)]" },
        { "avgpool_exclude_pad", "3, 9, 9", "[AvgPool2d(3, Stride = 2, Padding = 1, CountIncludePad = false)]" },
        { "global_avg_pool", "5, 7, 7", "[GlobalAvgPool2d]\n[Flatten]" },
        { "add_three", "4, 6, 6", "[Conv2d(\"a\", 4, 4, 1)]\n[Conv2d(\"b\", 4, 4, 3, Padding = 1, Input = \"input\")]\n[Add(\"input\", \"a\", \"b\")]\n[ReLU]" },
        { "concat", "4, 6, 6", "[Conv2d(\"a\", 4, 2, 1)]\n[Concat(\"input\", \"a\")]" },
        { "upsample", "3, 5, 4", "[Upsample(2)]" },
        { "pixelshuffle", "8, 4, 5", "[PixelShuffle(2)]" },
        { "softmax_features", "12", "[Linear(\"fc\", 12, 9)]\n[Softmax]" },
        { "softmax_channels", "5, 3, 3", "[Softmax]" },
        { "mlp", "64", "[Linear(\"fc1\", 64, 48)]\n[ReLU]\n[Linear(\"fc2\", 48, 32)]\n[ReLU]\n[Linear(\"fc3\", 32, 10)]" },
        {
            "residual_cnn", "1, 16, 16",
            "[Conv2d(\"conv1\", 1, 8, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn1\", 8)]\n[ReLU]\n[MaxPool2d(2, Name = \"pool1\")]\n"
            + "[Conv2d(\"conv2\", 8, 8, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn2\", 8)]\n[ReLU]\n"
            + "[Conv2d(\"conv3\", 8, 8, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn3\", 8)]\n[Add(\"pool1\", \"bn3\")]\n[ReLU]\n"
            + "[Concat(\"relu3\", \"pool1\")]\n[MaxPool2d(2)]\n[Flatten]\n[Linear(\"fc\", 256, 10)]"
        },
        {
            "unet_like", "3, 8, 8",
            "[Conv2d(\"down\", 3, 8, 3, Stride = 2, Padding = 1)]\n[SiLU]\n[Conv2d(\"mid\", 8, 16, 3, Padding = 1)]\n[PixelShuffle(2)]\n"
            + "[Upsample(2, Input = \"silu1\", Name = \"up\")]\n[Concat(\"pixelshuffle1\", \"up\", \"input\")]\n[Conv2d(\"out\", 15, 2, 1)]\n[Sigmoid]"
        },
        { "large_conv_splits_channels", "16, 32, 32", "[Conv2d(\"big\", 16, 32, 3, Padding = 1)]\n[ReLU]" },
        {
            // Residual dense blocks: each block conv is written straight into its concat (strided slices of a chunk).
            "dense_blocks_in_place", "3, 8, 8",
            "[Conv2d(\"f0\", 3, 8, 3, Padding = 1)]\n[Conv2d(\"f1\", 8, 8, 3, Padding = 1)]\n[ReLU(Name = \"r1\")]\n[Concat(\"f0\", \"r1\", Name = \"cat1\")]\n"
            + "[Conv2d(\"lff1\", 16, 8, 1)]\n[Add(\"lff1\", \"f0\", Name = \"lrl1\")]\n[Conv2d(\"f2\", 8, 8, 3, Padding = 1)]\n[ReLU(Name = \"r2\")]\n"
            + "[Concat(\"lrl1\", \"r2\", Name = \"cat2\")]\n[Conv2d(\"lff2\", 16, 8, 1)]\n[Add(\"lff2\", \"lrl1\", Name = \"lrl2\")]\n"
            + "[Concat(\"lrl1\", \"lrl2\", Name = \"gcat\")]\n[Conv2d(\"gff\", 16, 3, 1)]"
        },

        // Winograd F(4x4, 3x3) (from 32 input, 16 output channels and 1,024 tiles x input channels): output sizes that
        // are not multiples of the tile, channels that are not multiples of 6 or 16, "same" padding, a folded
        // BatchNorm, several blocks (split across threads at batch 1).
        { "conv_winograd", "32, 33, 30", "[Conv2d(\"conv\", 32, 17, 3, Padding = 1)]\n[ReLU]" },
        { "conv_winograd_same_no_bias", "48, 17, 38", "[Conv2d(\"conv\", 48, 16, 3, PaddingMode = PaddingMode.Same, Bias = false)]\n[LeakyReLU(0.1)]" },
        { "conv_winograd_batchnorm_folded", "32, 32, 32", "[Conv2d(\"conv\", 32, 16, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn\", 16)]" },
        { "conv_winograd_blocks", "40, 70, 66", "[Conv2d(\"conv\", 40, 20, 3, Padding = 1)]\n[SiLU]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedEqualsInterpreter_AtEveryVectorWidth(string name, string inputShape, string layers)
    {
        string source = $$"""
            using ModelCompiler;
            namespace Differential;
            [Model("{{name}}.safetensors")]
            [Input({{inputShape}})]
            {{layers}}
            public partial class Net { }
            """;
        var data = new TestData((ulong)name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        using CompiledModel model = CompiledModel.Create(source, "Differential.Net", spec => data.Tensors(spec));
        const int batch = 3;
        float[] input = data.Floats(model.InputSize * batch, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(model.Spec)!, n => model.Tensors[n], input, batch);
        foreach (VectorWidthChoice width in new[] { VectorWidthChoice.Scalar, VectorWidthChoice.V128, VectorWidthChoice.V256, VectorWidthChoice.V512 })
        {
            AssertClose(expected, model.Run(input, batch, width), name + " at " + width);
        }

        // Batch 1 runs on the calling thread, where large layers split their channels across threads instead.
        AssertClose(expected[..model.OutputSize], model.Run(input[..model.InputSize], 1), name + " at batch 1");
    }

    public static TheoryData<string, string, string, string> PrunedCases => new()
    {
        // name, [Model] pruning options, [Input(...)] shape, layer attributes
        {
            "pruned_residual_concat_flatten", "PruneRatio = 0.5, PruneMultiple = 1", "1, 16, 16",
            "[Conv2d(\"conv1\", 1, 8, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn1\", 8)]\n[ReLU]\n[MaxPool2d(2, Name = \"pool1\")]\n"
            + "[Conv2d(\"conv2\", 8, 8, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn2\", 8)]\n[ReLU]\n"
            + "[Conv2d(\"conv3\", 8, 8, 3, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn3\", 8)]\n[Add(\"pool1\", \"bn3\")]\n[ReLU]\n"
            + "[Conv2d(\"side\", 8, 6, 1, Input = \"pool1\")]\n[Concat(\"relu3\", \"side\")]\n[MaxPool2d(2)]\n[Flatten]\n[Linear(\"fc\", 224, 10)]"
        },
        {
            "pruned_depthwise_pointwise", "PruneRatio = 0.25, PruneMultiple = 2, PruneCriterion = PruneCriterion.L2", "3, 12, 12",
            "[Conv2d(\"stem\", 3, 16, 3, Padding = 1)]\n[ReLU6]\n[Conv2d(\"dw\", 16, 16, 3, Padding = 1, Groups = 16)]\n[ReLU6]\n"
            + "[Conv2d(\"pw\", 16, 24, 1, PruneRatio = 0.5)]\n[GlobalAvgPool2d]\n[Flatten]\n[Linear(\"fc1\", 24, 32)]\n[ReLU]\n[Linear(\"fc2\", 32, 5)]"
        },
        {
            // Depth pruning: the first residual block removed, the second's channels pruned.
            "removed_block", "RemoveBlocks = new[] { \"add1\" }, PruneRatio = 0.5, PruneMultiple = 2", "3, 10, 10",
            "[Conv2d(\"stem\", 3, 8, 3, Padding = 1)]\n[ReLU]\n[Conv2d(\"a1\", 8, 8, 3, Padding = 1)]\n[ReLU(Name = \"r1\")]\n[Conv2d(\"a2\", 8, 8, 3, Padding = 1)]\n"
            + "[Add(\"a2\", \"relu1\")]\n[Conv2d(\"b1\", 8, 12, 3, Padding = 1)]\n[ReLU(Name = \"r2\")]\n[Conv2d(\"b2\", 12, 8, 1)]\n[Add(\"add1\", \"b2\")]\n"
            + "[Conv2d(\"out\", 8, 3, 3, Padding = 1)]"
        },
        {
            // Dense blocks whose outputs a global concat reads: removing block 2 makes the concat read block 1's twice.
            "removed_dense_block", "RemoveBlocks = new[] { \"lrl2\" }, PruneRatio = 0.25, PruneMultiple = 2", "3, 8, 8",
            "[Conv2d(\"f0\", 3, 8, 3, Padding = 1)]\n[Conv2d(\"f1\", 8, 8, 3, Padding = 1)]\n[ReLU(Name = \"r1\")]\n[Concat(\"f0\", \"r1\", Name = \"cat1\")]\n"
            + "[Conv2d(\"lff1\", 16, 8, 1)]\n[Add(\"lff1\", \"f0\", Name = \"lrl1\")]\n[Conv2d(\"f2\", 8, 8, 3, Padding = 1)]\n[ReLU(Name = \"r2\")]\n"
            + "[Concat(\"lrl1\", \"r2\", Name = \"cat2\")]\n[Conv2d(\"lff2\", 16, 8, 1)]\n[Add(\"lff2\", \"lrl1\", Name = \"lrl2\")]\n"
            + "[Concat(\"lrl1\", \"lrl2\", Name = \"gcat\")]\n[Conv2d(\"gff\", 16, 3, 1)]"
        },
        {
            // Wide enough that the convolutions take the Winograd and split paths with pruned channel counts.
            "pruned_winograd", "PruneRatio = 0.3", "32, 20, 20",
            "[Conv2d(\"a\", 32, 48, 3, Padding = 1)]\n[ReLU]\n[Conv2d(\"b\", 48, 40, 3, Padding = 1)]\n[ReLU]\n[Conv2d(\"c\", 40, 8, 1)]"
        },
    };

    [Theory]
    [MemberData(nameof(PrunedCases))]
    public void PrunedGeneratedEqualsInterpreter_AtEveryVectorWidth(string name, string options, string inputShape, string layers)
    {
        string source = $$"""
            using ModelCompiler;
            namespace Differential;
            [Model("{{name}}.safetensors", {{options}})]
            [Input({{inputShape}})]
            {{layers}}
            public partial class Net { }
            """;
        var data = new TestData((ulong)name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        using CompiledModel model = CompiledModel.Create(source, "Differential.Net", spec => data.Tensors(spec));
        ModelCompilation pruned = ModelCompilation.Compile(model.Spec);
        Assert.Contains(pruned.Passes, p => p.Pass == "prune" && p.Changed);
        Assert.True(pruned.Layout!.TensorBytes < ModelCompilation.Compile(model.Spec with { Pruning = Spec.PruneSpec.None }).Layout!.TensorBytes);
        const int batch = 3;
        float[] input = data.Floats(model.InputSize * batch, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(pruned.Graph!, n => model.Tensors[n], input, batch);
        foreach (VectorWidthChoice width in new[] { VectorWidthChoice.Scalar, VectorWidthChoice.V128, VectorWidthChoice.V256, VectorWidthChoice.V512 })
        {
            AssertClose(expected, model.Run(input, batch, width), name + " at " + width);
        }

        AssertClose(expected[..model.OutputSize], model.Run(input[..model.InputSize], 1), name + " at batch 1");
    }

    internal static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = 1;
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double diff = Math.Abs(expected[i] - actual[i]);
            if (diff > worst || double.IsNaN(diff))
            {
                worst = double.IsNaN(diff) ? double.PositiveInfinity : diff;
                worstIndex = i;
            }
        }

        Assert.True(worst / scale <= tolerance, $"{what}: element {worstIndex} is {actual[worstIndex]}, interpreter gives {expected[worstIndex]} (relative error {worst / scale:E2})");
    }
}
