using System;
using System.Collections.Generic;

namespace ModelCompiler.Benchmarks;

/// <summary>The generated entry point every compiled model has.</summary>
internal delegate void RunModel(ReadOnlySpan<float> input, Span<float> output, int batch);

/// <summary>One benchmarked model: its <c>--filter</c> name, its compiled class (whose manifest gives the ONNX export
/// the same declaration), the generated entry point and sizes, and the batch sizes it is measured at.</summary>
internal sealed record BenchModel(string Name, Type Class, RunModel Run, int InputSize, int OutputSize, long MacsPerSample, int[] Batches);

/// <summary>Every model the <c>speed</c> command measures, in the order the rows are printed.</summary>
internal static class Catalog
{
    public static IReadOnlyList<BenchModel> All { get; } =
    [
        new("mnist_mlp", typeof(MnistMlp), MnistMlp.Run, MnistMlp.InputSize, MnistMlp.OutputSize, MnistMlp.MacsPerSample, [1, 64]),
        new("mnist_cnn", typeof(MnistCnn), MnistCnn.Run, MnistCnn.InputSize, MnistCnn.OutputSize, MnistCnn.MacsPerSample, [1, 64]),
        new("mlp_784_512_256_10", typeof(Mlp784), Mlp784.Run, Mlp784.InputSize, Mlp784.OutputSize, Mlp784.MacsPerSample, [1, 64]),
        new("small_cnn", typeof(SmallCnn), SmallCnn.Run, SmallCnn.InputSize, SmallCnn.OutputSize, SmallCnn.MacsPerSample, [1, 64]),
        new("sr_stack_256", typeof(SrStack), SrStack.Run, SrStack.InputSize, SrStack.OutputSize, SrStack.MacsPerSample, [1]),

        new("sr_pretrained", typeof(EsrganMediumX2), EsrganMediumX2.Run, EsrganMediumX2.InputSize, EsrganMediumX2.OutputSize, EsrganMediumX2.MacsPerSample, [1]),
    ];
}
