using System;
using System.Reflection;
using System.Threading;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The memory plan is what the code allocates: on a thread that has never run the model, the first run
/// allocates the generated PeakMemoryBytes (an arena of activations and scratch), within 10%, and a second run at
/// the same or a smaller size allocates nothing; the summary and report state the same figure (ModelReportTests).</summary>
public sealed class MemoryPlanRuntimeTests
{
    private const string Fixed = """
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        [Input(3, 24, 24)]
        [Conv2d("conv1", 3, 16, 3, Padding = 1)]
        [ReLU]
        [Conv2d("conv2", 16, 16, 3, Padding = 1)]
        [Add("relu1", "conv2")]
        [MaxPool2d(2)]
        [Flatten]
        [Linear("fc", 2304, 10)]
        public partial class Net { }
        """;

    private const string Open = """
        using ModelCompiler;
        namespace Demo;
        [Model("w.safetensors")]
        [Input(3, Dim.Any, Dim.Any)]
        [Conv2d("conv1", 3, 16, 3, Padding = 1)]
        [ReLU]
        [Conv2d("conv2", 16, 12, 3, Stride = 2, PaddingMode = PaddingMode.Same)]
        [PixelShuffle(2)]
        public partial class Net { }
        """;

    [Fact]
    public void FixedSize_FirstRunAllocatesThePlannedPeak()
    {
        var data = new TestData(3);
        using CompiledModel model = CompiledModel.Create(Fixed, "Demo.Net", spec => data.Tensors(spec));
        float[] input = data.Floats(model.InputSize);
        model.Run(input, 1); // loads the weights on this thread, so the measured thread allocates only its arena
        long planned = (long)model.Type.GetField("PeakMemoryBytes")!.GetRawConstantValue()!;

        float[] output = new float[model.OutputSize];
        (long first, long second) = AllocatedOnAFreshThread(() => model.RunInto(input, output, 1));

        AssertWithin10Percent(planned, first);
        Assert.True(second < 1024, "a second run allocated " + second + " bytes");
    }

    [Fact]
    public void OpenSize_FirstRunAllocatesThePlannedPeakForThatSize()
    {
        var data = new TestData(4);
        using CompiledModel model = CompiledModel.Create(Open, "Demo.Net", spec => data.Tensors(spec));
        float[] large = data.Floats(3 * 40 * 30), small = data.Floats(3 * 20 * 10);
        model.Run(small, 1, 20, 10);
        MethodInfo peak = model.Type.GetMethod("PeakMemoryBytes")!;
        long planned = (long)peak.Invoke(null, [40, 30, 1])!;
        Assert.True(planned > (long)peak.Invoke(null, [20, 10, 1])!, "the plan grows with the size");

        float[] largeOutput = new float[model.OutputSizeAt(40, 30)], smallOutput = new float[model.OutputSizeAt(20, 10)];
        (long first, long second) = AllocatedOnAFreshThread(() => model.RunInto(large, largeOutput, 1, 40, 30), () => model.RunInto(small, smallOutput, 1, 20, 10));

        AssertWithin10Percent(planned, first);
        Assert.True(second < 1024, "running a smaller size after a larger one allocated " + second + " bytes");
    }

    /// <summary>Bytes allocated on a new thread by <paramref name="first"/>, then by <paramref name="then"/> (default: first again).</summary>
    private static (long First, long Second) AllocatedOnAFreshThread(Action first, Action? then = null)
    {
        long a = 0, b = 0;
        var thread = new Thread(() =>
        {
            long start = GC.GetAllocatedBytesForCurrentThread();
            first();
            long middle = GC.GetAllocatedBytesForCurrentThread();
            (then ?? first)();
            a = middle - start;
            b = GC.GetAllocatedBytesForCurrentThread() - middle;
        });
        thread.Start();
        thread.Join();
        return (a, b);
    }

    private static void AssertWithin10Percent(long planned, long measured) =>
        Assert.True(measured >= planned && measured <= planned * 1.1, $"planned {planned} bytes, the first run allocated {measured}");
}
