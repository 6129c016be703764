using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Ops;
using ModelCompiler.Spec;

namespace ModelCompiler.Tests.Helpers;

/// <summary>Terse constructors for specs: one call per layer, PyTorch argument order, options as named
/// arguments. Attributes are made by each operator's definition from attribute-style arguments, exactly as the
/// generator's parser makes them; anything rarer through <see cref="With(LayerSpec, string, int[])"/>
/// (e.g. a non-square kernel).</summary>
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

    /// <summary>A layer of <paramref name="kind"/> with the attribute arguments <paramref name="arguments"/>
    /// (constructor parameter or property names, as in the C# attribute).</summary>
    public static LayerSpec Layer(string kind, string name, string[] inputs, params (string Name, object? Value)[] arguments) => new()
    {
        Kind = kind,
        Name = name,
        Inputs = inputs.ToEquatableArray(),
        Attributes = (OpRegistry.Find(kind)?.Declare(new DeclaredArguments(arguments.Select(a => new KeyValuePair<string, object?>(a.Name, a.Value)))))
            ?? AttributeSet.Empty,
    };

    public static LayerSpec Op(string kind, string name, params string[] inputs) => Layer(kind, name, inputs);

    public static LayerSpec Linear(string name, int inFeatures, int outFeatures, bool bias = true) =>
        Layer("Linear", name, [], ("inFeatures", inFeatures), ("outFeatures", outFeatures), ("Bias", bias));

    public static LayerSpec Conv(string name, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = true) =>
        Layer("Conv2d", name, [], ("inChannels", inChannels), ("outChannels", outChannels), ("kernelSize", kernel), ("Stride", stride),
            ("Padding", padding), ("Dilation", dilation), ("Groups", groups), ("Bias", bias));

    /// <summary>A convolution with "same" padding (TensorFlow SAME; <paramref name="lower"/>: ONNX SAME_LOWER).</summary>
    public static LayerSpec ConvSame(string name, int inChannels, int outChannels, int kernel, int stride = 1, bool lower = false) =>
        Layer("Conv2d", name, [], ("inChannels", inChannels), ("outChannels", outChannels), ("kernelSize", kernel), ("Stride", stride),
            ("PaddingMode", lower ? 2 : 1));

    public static LayerSpec BatchNorm(string name, int features, float eps = 1e-5f) =>
        Layer("BatchNorm2d", name, [], ("numFeatures", features), ("Eps", (double)eps));

    public static LayerSpec MaxPool(string name, int kernel, int stride, int padding = 0) =>
        Layer("MaxPool2d", name, [], ("kernelSize", kernel), ("Stride", stride), ("Padding", padding));

    public static LayerSpec AvgPool(string name, int kernel, int stride, int padding = 0, bool countIncludePad = true) =>
        Layer("AvgPool2d", name, [], ("kernelSize", kernel), ("Stride", stride), ("Padding", padding), ("CountIncludePad", countIncludePad));

    public static LayerSpec LeakyReLU(string name, float alpha, params string[] inputs) => Layer("LeakyReLU", name, inputs, ("negativeSlope", (double)alpha));

    public static LayerSpec Upsample(string name, int factor, params string[] inputs) => Layer("Upsample", name, inputs, ("scaleFactor", factor));

    public static LayerSpec PixelShuffle(string name, int factor, params string[] inputs) => Layer("PixelShuffle", name, inputs, ("upscaleFactor", factor));

    public static LayerSpec Add(string name, params string[] inputs) => Op("Add", name, inputs);

    public static LayerSpec Concat(string name, params string[] inputs) => Op("Concat", name, inputs);

    /// <summary>The same layer reading the named layers instead of the previous one.</summary>
    public static LayerSpec From(this LayerSpec layer, params string[] inputs) => layer with { Inputs = inputs.ToEquatableArray() };

    public static LayerSpec WithFloat(this LayerSpec layer, string key, float value) => layer with { Attributes = layer.Attributes.With(key, value) };

    /// <summary>The same layer with one canonical attribute replaced (e.g. kernel_size [3, 1]).</summary>
    public static LayerSpec With(this LayerSpec layer, string key, params int[] values) => layer with { Attributes = layer.Attributes.With(key, values) };
}
