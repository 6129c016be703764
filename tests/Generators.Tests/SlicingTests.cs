using System;
using System.Linq;
using System.Reflection;
using ModelCompiler.Generators.Tests.Infrastructure;
using ModelCompiler.Interpreter;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>Groups that run band by band ([Group]): the banded code computes exactly what the unbanded code computes
/// (the same kernels on the same rows: bit for bit), and what the interpreter computes, at awkward sizes and rows per
/// step (a step that does not divide the height, one row per step, a halo wider than a step), through stride 2,
/// dilation, residual adds, concats (one built, one read only by a 1×1 convolution and never built), max pooling, a
/// pixel shuffle, and an upsampling before the group's last layer.</summary>
public sealed class SlicingTests : IDisposable
{
    /// <summary>The layers every model here has; {0} is where the [Group] goes.</summary>
    private const string Layers = """
        using ModelCompiler;
        namespace Sliced;
        [Model("sliced.safetensors")]
        [Input(3, Dim.Any, Dim.Any)]
        {0}
        [Conv2d("stem", 3, 16, 3, Padding = 1)]
        [ReLU(Name = "stem_relu")]
        [Conv2d("wide", 16, 32, 3, Padding = 1)]
        [Conv2d("dilated", 32, 16, 3, Padding = 2, Dilation = 2)]
        [Add("dilated", "stem_relu", Name = "residual")]
        [Conv2d("down", 16, 16, 3, Stride = 2, Padding = 1)]
        [Conv2d("point", 16, 8, 1)]
        [Concat("down", "point", Name = "joined")]
        [MaxPool2d(3, Stride = 1, Padding = 1, Name = "pool")]
        [Concat("pool", "down", "point", Name = "dense")]
        [Conv2d("fuse", 48, 24, 1)]
        [Conv2d("big", 24, 12, 5, Padding = 2)]
        [PixelShuffle(2, Name = "shuffle")]
        [Upsample(2, Name = "up")]
        [Conv2d("head", 3, 3, 3, Padding = 1)]
        public partial class Net { }
        """;

    private readonly TestData _data = new(91);
    private readonly CompiledModel _plain;
    private readonly CompiledModel _sliced;

    public SlicingTests()
    {
        _plain = CompiledModel.Create(Layers.Replace("{0}", string.Empty, StringComparison.Ordinal), "Sliced.Net", spec => _data.Tensors(spec));
        _sliced = CompiledModel.Create(Layers.Replace("{0}", "[Group(\"stem\", \"head\", Name = \"all\", Rows = 5)]", StringComparison.Ordinal), "Sliced.Net", _plain.Tensors);
    }

    public void Dispose()
    {
        _plain.Dispose();
        _sliced.Dispose();
    }

    [Theory]
    [InlineData(17, 23, 5)]
    [InlineData(32, 32, 1)]
    [InlineData(9, 12, 3)]
    [InlineData(40, 20, 64)]
    [InlineData(21, 18, 7)]
    public void BandsComputeExactlyWhatTheWholeImageComputes(int height, int width, int rows)
    {
        const int batch = 2;
        SetRows(rows);
        float[] input = _data.Floats(batch * 3 * height * width, -2f, 2f);
        float[] expected = ReferenceInterpreter.Run(ModelCompilation.BuildUnoptimized(_plain.Spec)!, n => _plain.Tensors[n], input, batch, height, width);
        foreach (VectorWidthChoice vectors in new[] { VectorWidthChoice.Scalar, VectorWidthChoice.V128, VectorWidthChoice.V256, VectorWidthChoice.V512 })
        {
            float[] plain = _plain.Run(input, batch, height, width, vectors);
            float[] sliced = _sliced.Run(input, batch, height, width, vectors);
            GeneratedVsInterpreterTests.AssertClose(expected, sliced, height + "x" + width + " at " + vectors);
            Assert.Equal(plain, sliced);
        }
    }

    [Fact]
    public void AConcatReadOnlyByA1x1Convolution_IsNeverBuilt_TheOtherIs()
    {
        var group = Assert.Single(_sliced.Compilation.Groups);
        Assert.Equal(["dense"], group.Unbuilt.Select(n => n.Name));
        Assert.Contains(group.Members, m => m.Node.Name == "joined");
    }

    /// <summary>Two-layer groups, each its own model: a group ending in an upsampling or a pixel shuffle, one starting with
    /// an upsampling, a stride-2 and a 5×5 convolution, at a step of one row and at three rows (which divides neither
    /// height), at heights of 9 and 10.</summary>
    [Theory]
    [InlineData("[Conv2d(\"a\", 3, 12, 5, Padding = 2)]\n[PixelShuffle(2, Name = \"b\")]")]
    [InlineData("[Conv2d(\"a\", 3, 12, 3, Padding = 1)]\n[Upsample(2, Name = \"b\")]")]
    [InlineData("[Upsample(2, Name = \"a\")]\n[Conv2d(\"b\", 3, 4, 3, Padding = 1)]")]
    [InlineData("[Conv2d(\"a\", 3, 4, 3, Padding = 1)]\n[Conv2d(\"b\", 4, 4, 3, Stride = 2, Padding = 1)]")]
    [InlineData("[MaxPool2d(2, Name = \"a\")]\n[Conv2d(\"b\", 3, 4, 3, Padding = 2, Dilation = 2)]")]
    public void TwoLayerGroups_ComputeExactlyWhatTheWholeImageComputes(string layers)
    {
        string source = "using ModelCompiler;\nnamespace Pair;\n[Model(\"pair.safetensors\")]\n[Input(3, Dim.Any, Dim.Any)]\n{0}\n" + layers + "\npublic partial class Net { }\n";
        using var plain = CompiledModel.Create(source.Replace("{0}", string.Empty, StringComparison.Ordinal), "Pair.Net", spec => _data.Tensors(spec));
        using var sliced = CompiledModel.Create(source.Replace("{0}", "[Group(\"a\", \"b\", Rows = 3)]", StringComparison.Ordinal), "Pair.Net", plain.Tensors);
        foreach ((int height, int width, int rows) in new[] { (9, 5, 3), (10, 7, 1), (10, 7, 3) })
        {
            sliced.Type.GetProperty("SliceRows", BindingFlags.Public | BindingFlags.Static)!.SetValue(null, rows);
            float[] input = _data.Floats(3 * height * width, -2f, 2f);
            foreach (VectorWidthChoice vectors in new[] { VectorWidthChoice.Scalar, VectorWidthChoice.Auto })
            {
                Assert.Equal(plain.Run(input, 1, height, width, vectors), sliced.Run(input, 1, height, width, vectors));
            }
        }
    }

    [Fact]
    public void OnlyTheInputAndOutputGrowWithTheHeight_AndTheFirstRunAllocatesThePlannedPeak()
    {
        SetRows(4);
        MethodInfo peak = _sliced.Type.GetMethod("PeakMemoryBytes")!;
        long Peak(int height) => (long)peak.Invoke(null, [height, 30, 1])!;
        long Io(int height) => 4L * ((3 * height * 30) + _sliced.OutputSizeAt(height, 30));

        // Every layer is in the group: its bands are the same at any tall height, the arena holds the input and output.
        Assert.InRange(Peak(400) - Peak(200) - (Io(400) - Io(200)), -64, 64);
        MethodInfo plainPeak = _plain.Type.GetMethod("PeakMemoryBytes")!;
        long plain = (long)plainPeak.Invoke(null, [400, 30, 1])!;
        Assert.True((Peak(400) - Io(400)) * 4 < plain - Io(400), "beside the input and output, the bands (" + (Peak(400) - Io(400)) + " bytes) take less than a quarter of the plain arena (" + (plain - Io(400)) + ")");

        float[] small = _data.Floats(3 * 8 * 8), input = _data.Floats(3 * 400 * 30);
        _sliced.Run(small, 1, 8, 8); // loads the weights here
        float[] output = new float[_sliced.OutputSizeAt(400, 30)];
        long allocated = 0;
        var thread = new System.Threading.Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            _sliced.RunInto(input, output, 1, 400, 30);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        thread.Start();
        thread.Join();
        Assert.InRange(allocated, Peak(400), Peak(400) + (Peak(400) / 20));
    }

    [Fact]
    public void FitPeakMemory_ChoosesTheMostRowsWithinTheBudget()
    {
        MethodInfo peak = _sliced.Type.GetMethod("PeakMemoryBytes")!;
        MethodInfo fit = _sliced.Type.GetMethod("FitPeakMemory")!;
        long PeakAt(int rows)
        {
            SetRows(rows);
            return (long)peak.Invoke(null, [120, 40, 1])!;
        }

        long budget = (PeakAt(6) + PeakAt(7)) / 2;
        int chosen = (int)fit.Invoke(null, [budget, 120, 40])!;
        Assert.Equal(chosen, (int)_sliced.Type.GetProperty("SliceRows")!.GetValue(null)!);
        Assert.True(PeakAt(chosen) <= budget && PeakAt(chosen + 1) > budget, "rows " + chosen + " for a budget of " + budget);
        var e = Assert.Throws<TargetInvocationException>(() => fit.Invoke(null, [1024L, 120, 40]));
        Assert.IsType<ArgumentOutOfRangeException>(e.InnerException);
    }

    [Fact]
    public void AFixedSizeModel_RunsItsGroupByBands_WithItsPeakAPropertyOfTheRows()
    {
        string source = Layers.Replace("[Input(3, Dim.Any, Dim.Any)]", "[Input(3, 21, 14)]", StringComparison.Ordinal);
        using var plain = CompiledModel.Create(source.Replace("{0}", string.Empty, StringComparison.Ordinal), "Sliced.Net", spec => _data.Tensors(spec));
        using var sliced = CompiledModel.Create(source.Replace("{0}", "[Group(\"wide\", \"big\", Rows = 2)]", StringComparison.Ordinal), "Sliced.Net", plain.Tensors);
        float[] input = _data.Floats(2 * plain.InputSize, -2f, 2f);
        Assert.Equal(plain.Run(input, 2), sliced.Run(input, 2));

        PropertyInfo peak = sliced.Type.GetProperty("PeakMemoryBytes")!;
        long atTwo = (long)peak.GetValue(null)!;
        sliced.Type.GetProperty("SliceRows")!.SetValue(null, 8);
        Assert.True((long)peak.GetValue(null)! > atTwo, "more rows per step, more memory");
        Assert.Equal(plain.Run(input, 2), sliced.Run(input, 2));
        Assert.True(atTwo < (long)plain.Type.GetField("PeakMemoryBytes")!.GetRawConstantValue()!, "the bands take less than the whole layers");
    }

    private void SetRows(int rows) =>
        _sliced.Type.GetProperty("SliceRows", BindingFlags.Public | BindingFlags.Static)!.SetValue(null, rows);
}
