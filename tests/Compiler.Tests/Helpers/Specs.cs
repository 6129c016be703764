using ModelCompiler.Common;
using ModelCompiler.Spec;

namespace ModelCompiler.Tests.Helpers;

/// <summary>Terse constructors for specs: one call per layer, PyTorch argument order, options as named
/// arguments; anything rarer through <c>with { ... }</c> (e.g. non-square kernels).</summary>
internal static class Specs
{
    public static ModelSpec Model(int[] input, params LayerSpec[] layers) => new()
    {
        Namespace = "Tests",
        ClassName = "Net",
        WeightsPath = "net.safetensors",
        InputShape = input.ToEquatableArray(),
        Layers = layers.ToEquatableArray(),
    };

    public static LayerSpec Op(OpKind kind, string name, params string[] inputs) =>
        new() { Kind = kind, Name = name, Inputs = inputs.ToEquatableArray() };

    public static LayerSpec Linear(string name, int inFeatures, int outFeatures, bool bias = true) =>
        Op(OpKind.Linear, name) with { InFeatures = inFeatures, OutFeatures = outFeatures, Bias = bias };

    public static LayerSpec Conv(string name, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = true) =>
        Op(OpKind.Conv2d, name) with
        {
            InFeatures = inChannels, OutFeatures = outChannels, KernelH = kernel, KernelW = kernel,
            StrideH = stride, StrideW = stride, PaddingH = padding, PaddingW = padding,
            DilationH = dilation, DilationW = dilation, Groups = groups, Bias = bias,
        };

    public static LayerSpec BatchNorm(string name, int features, float eps = 1e-5f) =>
        Op(OpKind.BatchNorm2d, name) with { InFeatures = features, Epsilon = eps };

    public static LayerSpec MaxPool(string name, int kernel, int stride, int padding = 0) =>
        Pool(OpKind.MaxPool2d, name, kernel, stride, padding);

    public static LayerSpec AvgPool(string name, int kernel, int stride, int padding = 0, bool countIncludePad = true) =>
        Pool(OpKind.AvgPool2d, name, kernel, stride, padding) with { CountIncludePad = countIncludePad };

    public static LayerSpec LeakyReLU(string name, float alpha, params string[] inputs) => Op(OpKind.LeakyReLU, name, inputs) with { Alpha = alpha };

    public static LayerSpec Upsample(string name, int factor, params string[] inputs) => Op(OpKind.Upsample, name, inputs) with { Factor = factor };

    public static LayerSpec PixelShuffle(string name, int factor, params string[] inputs) => Op(OpKind.PixelShuffle, name, inputs) with { Factor = factor };

    public static LayerSpec Add(string name, params string[] inputs) => Op(OpKind.Add, name, inputs);

    public static LayerSpec Concat(string name, params string[] inputs) => Op(OpKind.Concat, name, inputs);

    private static LayerSpec Pool(OpKind kind, string name, int kernel, int stride, int padding) =>
        Op(kind, name) with
        {
            KernelH = kernel, KernelW = kernel, StrideH = stride, StrideW = stride, PaddingH = padding, PaddingW = padding,
        };

    /// <summary>The same layer reading the named layers instead of the previous one.</summary>
    public static LayerSpec From(this LayerSpec layer, params string[] inputs) => layer with { Inputs = inputs.ToEquatableArray() };
}
