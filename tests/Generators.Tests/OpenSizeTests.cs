using System;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Interpreter;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>A model whose input height and width are open ([Input(C, Dim.Any, Dim.Any)]) is compiled once and runs at
/// any size: against the interpreter at several sizes (odd, even, tiny, non-square) and every vector width, with one
/// weights artifact; sizes too small for it are refused with a message naming the layer.</summary>
public sealed class OpenSizeTests : IDisposable
{
    private const string Source = """
        using ModelCompiler;
        namespace Open;
        [Model("open.safetensors")]
        [Input(3, Dim.Any, Dim.Any)]
        [Conv2d("stem", 3, 8, 3, Padding = 1)]
        [ReLU]
        [Conv2d("down", 8, 8, 3, Stride = 2, PaddingMode = PaddingMode.Same)]
        [SiLU]
        [Conv2d("side", 8, 4, 1)]
        [Concat("silu1", "side")]
        [MaxPool2d(2, Stride = 1)]
        [Conv2d("expand", 12, 16, 3, PaddingTop = 1, PaddingBottom = 1, PaddingLeft = 0, PaddingRight = 2)]
        [PixelShuffle(2)]
        [Upsample(2, Name = "up")]
        [Add("up", "up")]
        public partial class Net { }
        """;

    private readonly TestData _data = new(77);
    private readonly CompiledModel _model;

    public OpenSizeTests() => _model = CompiledModel.Create(Source, "Open.Net", spec => _data.Tensors(spec));

    public void Dispose() => _model.Dispose();

    [Theory]
    [InlineData(17, 23)]
    [InlineData(32, 32)]
    [InlineData(4, 9)]
    [InlineData(64, 40)]
    public void RunsAtEverySize_AndMatchesTheInterpreter(int height, int width)
    {
        const int batch = 2;
        float[] input = _data.Floats(batch * 3 * height * width, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(_model.Spec)!, n => _model.Tensors[n], input, batch, height, width);
        foreach (VectorWidthChoice vectors in new[] { VectorWidthChoice.Scalar, VectorWidthChoice.V128, VectorWidthChoice.V256, VectorWidthChoice.V512 })
        {
            GeneratedVsInterpreterTests.AssertClose(expected, _model.Run(input, batch, height, width, vectors), height + "x" + width + " at " + vectors);
        }
    }

    [Fact]
    public void SizesRunInAnyOrder_OnOneThread()
    {
        // The arena grows once to the largest size and the geometry is recomputed per size: going back to a smaller
        // size after a larger one must not read stale offsets.
        foreach ((int h, int w) in new[] { (9, 9), (40, 31), (9, 9), (12, 5) })
        {
            float[] input = _data.Floats(3 * h * w, -2f, 2f);
            float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(_model.Spec)!, n => _model.Tensors[n], input, 1, h, w);
            GeneratedVsInterpreterTests.AssertClose(expected, _model.Run(input, 1, h, w), h + "x" + w);
        }
    }

    [Fact]
    public void ASizeTooSmall_IsRefused_NamingTheLayer()
    {
        // 1x1: "down" gives 1x1, the 2x2 max pool with stride 1 then leaves nothing.
        var e = Assert.Throws<ArgumentException>(() => _model.Run(new float[3], 1, 1, 1));
        Assert.Contains("An input of 1x1 is too small for this model: the output height of layer 'maxpool1' would be 0", e.Message, StringComparison.Ordinal);
    }
}
