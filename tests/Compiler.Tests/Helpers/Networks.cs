using ModelCompiler.Spec;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Helpers;

/// <summary>Small whole networks shared by the differential and pass tests.</summary>
internal static class Networks
{
    public static ModelSpec Mlp { get; } = Model([20],
        Linear("fc1", 20, 32), Op("ReLU", "relu1"),
        Linear("fc2", 32, 16), Op("GELU", "gelu"),
        Specs.LeakyReLU("leaky", 0.1f).From("gelu"),
        Linear("fc3", 16, 10, bias: false), Op("Softmax", "softmax"));

    /// <summary>Conv-BN-ReLU stem, a residual block, a concat branch, pooling, a depthwise block, a linear head.</summary>
    public static ModelSpec Cnn { get; } = Model([3, 12, 12],
        Conv("stem", 3, 8, 3, padding: 1, bias: false), BatchNorm("stem_bn", 8), Op("ReLU", "stem_relu"),
        Conv("block.conv1", 8, 8, 3, padding: 1), BatchNorm("block.bn1", 8), Op("ReLU", "block.relu1"),
        Conv("block.conv2", 8, 8, 3, padding: 1, bias: false), BatchNorm("block.bn2", 8),
        Add("block.add", "block.bn2", "stem_relu"), Op("ReLU", "block.relu"),
        Conv("side", 8, 4, 1).From("stem_relu"), Op("HardSwish", "side_act"),
        Concat("cat", "block.relu", "side_act"),
        MaxPool("pool1", 2, 2),
        Conv("dw", 12, 12, 3, padding: 1, groups: 12), BatchNorm("dw_bn", 12, eps: 1e-3f), Op("ReLU6", "dw_relu6"),
        Conv("pw", 12, 16, 1), BatchNorm("pw_bn", 16), Op("SiLU", "pw_silu"),
        AvgPool("pool2", 3, 2, 1),
        Op("GlobalAvgPool2d", "gap"), Op("Flatten", "flat"), Linear("head", 16, 10));

    /// <summary>Super-resolution shape: features, pixel shuffle, nearest upsample, a standalone BatchNorm
    /// after an Add (not foldable), a sigmoid output.</summary>
    public static ModelSpec Upsampling { get; } = Model([3, 5, 5],
        Conv("feat", 3, 16, 3, padding: 1), Op("SiLU", "feat_act"),
        Specs.PixelShuffle("shuffle", 2),
        Conv("refine", 4, 4, 3, padding: 1), Specs.LeakyReLU("refine_act", 0.2f),
        Add("skip", "refine_act", "shuffle"), BatchNorm("skip_bn", 4), Op("Tanh", "skip_tanh"),
        Upsample("up", 2),
        Conv("out", 4, 3, 3, padding: 1).With("kernel_size", 3, 1).With("padding", 1, 1, 0, 0), Op("Sigmoid", "out_act"));
}
