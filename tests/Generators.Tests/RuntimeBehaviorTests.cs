using System;
using System.Linq;
using System.Threading.Tasks;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The generated Run API's contract: argument checks, thread safety, agreement across vector widths.</summary>
public class RuntimeBehaviorTests : IDisposable
{
    private const string Source = """
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        [Input(2, 12, 12)]
        [Conv2d("conv1", 2, 8, 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn1", 8)]
        [ReLU]
        [Conv2d("conv2", 8, 8, 3, Padding = 1)]
        [Add("relu1", "conv2")]
        [MaxPool2d(2)]
        [Flatten]
        [Linear("fc", 288, 5)]
        public partial class Net { }
        """;

    private readonly CompiledModel _model;

    public RuntimeBehaviorTests()
    {
        _model = CompiledModel.Create(Source, "Demo.Net", spec => new TestData(7).Tensors(spec));
    }

    public void Dispose() => _model.Dispose();

    [Fact]
    public void WrongInputLength_ThrowsWithExpectedAndActual()
    {
        var e = Assert.Throws<ArgumentException>(() => _model.Run(new float[_model.InputSize * 2 - 1], batch: 2));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("has 575 floats, but batch 2 needs batch * InputSize = 576", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroBatch_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _model.Run([], batch: 0));
    }

    [Fact]
    public void AllVectorWidths_AgreeWithScalar()
    {
        float[] input = new TestData(11).Floats(_model.InputSize * 3);
        float[] scalar = _model.Run(input, 3, VectorWidthChoice.Scalar);
        foreach (VectorWidthChoice width in new[] { VectorWidthChoice.V128, VectorWidthChoice.V256, VectorWidthChoice.V512, VectorWidthChoice.Auto })
        {
            float[] actual = _model.Run(input, 3, width);
            for (int i = 0; i < scalar.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - scalar[i]) <= 1e-5f * Math.Max(1f, Math.Abs(scalar[i])), $"{width}: element {i} is {actual[i]}, scalar gives {scalar[i]}");
            }
        }
    }

    [Fact]
    public void ConcurrentCalls_GiveIdenticalResults()
    {
        // Batch 4 runs sample by sample on the calling thread; batch 32 splits across threads.
        float[] input = new TestData(5).Floats(_model.InputSize * 32);
        float[] small = _model.Run(input[..(_model.InputSize * 4)], 4);
        float[] large = _model.Run(input, 32);
        float[][] results = new float[64][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = i % 2 == 0 ? _model.Run(input[..(_model.InputSize * 4)], 4) : _model.Run(input, 32));
        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? small : large, results[i]);
        }
    }

    [Fact]
    public void BatchSplitAcrossThreads_EqualsOneSampleAtATime()
    {
        // 32 samples reach the parallel-batch threshold (MacsPerSample * batch >= 2M).
        float[] input = new TestData(9).Floats(_model.InputSize * 32);
        float[] batched = _model.Run(input, 32);
        float[] single = Enumerable.Range(0, 32)
            .SelectMany(n => _model.Run(input.AsSpan(n * _model.InputSize, _model.InputSize).ToArray(), 1))
            .ToArray();
        Assert.Equal(single, batched);
    }
}
