using System;
using System.Collections.Generic;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Ops;

/// <summary>Per-side and "same" padding of Conv2d: the inferred shape and the reference interpreter's values against
/// a hand-written convolution that first zero-pads the input explicitly (top, bottom, left, right) and then slides a
/// valid window over it. "same" pads are computed here from their definition (TensorFlow SAME / ONNX SAME_UPPER:
/// total = max((ceil(in / s) - 1) * s + k - in, 0), the odd one after; SAME_LOWER: the odd one before), on fixed
/// inputs and on an open input evaluated at several sizes.</summary>
public sealed class ConvPaddingTests
{
    private const int InChannels = 2;
    private const int OutChannels = 3;
    private const int Batch = 2;

    [Theory]
    [InlineData("same", 2, 3, 8, 7)]
    [InlineData("same", 2, 3, 7, 8)]
    [InlineData("same_lower", 2, 3, 8, 7)]
    [InlineData("same_lower", 2, 3, 7, 8)]
    [InlineData("same", 1, 4, 5, 6)]
    [InlineData("same_lower", 1, 4, 5, 6)]
    [InlineData("same", 2, 4, 9, 6)]
    [InlineData("same_lower", 2, 4, 9, 6)]
    [InlineData("same", 3, 5, 10, 11)]
    [InlineData("same_lower", 3, 2, 4, 3)]
    [InlineData("same", 1, 1, 3, 4)]
    [InlineData("same_lower", 2, 5, 3, 2)]
    public void Same_IsExplicitPerSidePadding(string mode, int stride, int kernel, int height, int width)
    {
        bool lower = mode == "same_lower";
        Graph graph = Graphs.Build(Model([InChannels, height, width], ConvSame("conv", InChannels, OutChannels, kernel, stride, lower)));
        (int top, int bottom) = SamePads(height, kernel, stride, lower);
        (int left, int right) = SamePads(width, kernel, stride, lower);

        int outH = (height + stride - 1) / stride, outW = (width + stride - 1) / stride;
        Assert.Equal([OutChannels, outH, outW], graph.Output.Shape.Constants());
        AssertInterpreterMatches(graph, height, width, kernel, kernel, stride, stride, top, bottom, left, right, open: false);
    }

    [Theory]
    [InlineData(false, 3, 2)]
    [InlineData(true, 3, 2)]
    [InlineData(false, 4, 1)]
    [InlineData(true, 4, 2)]
    [InlineData(true, 5, 3)]
    public void Same_OnAnOpenInput_IsExplicitPerSidePaddingAtEverySize(bool lower, int kernel, int stride)
    {
        Graph graph = Graphs.Build(Model([InChannels, -1, -1], ConvSame("conv", InChannels, OutChannels, kernel, stride, lower)));
        foreach ((int height, int width) in new[] { (1, 1), (2, 5), (5, 6), (8, 7), (7, 8), (9, 9), (4, 10), (12, 3) })
        {
            (int top, int bottom) = SamePads(height, kernel, stride, lower);
            (int left, int right) = SamePads(width, kernel, stride, lower);
            Assert.Equal([OutChannels, (height + stride - 1) / stride, (width + stride - 1) / stride], graph.Output.Shape.Evaluate(height, width));
            AssertInterpreterMatches(graph, height, width, kernel, kernel, stride, stride, top, bottom, left, right, open: true);
        }
    }

    /// <summary>A "same" convolution that is not the first layer of an open-size model pads for its own input size
    /// (here ceil(H / 2)), not for the model's: at every size the open model computes what the model declared with
    /// that fixed size computes, and what two hand-written padded convolutions compute.</summary>
    [Theory]
    [InlineData(false, 3)]
    [InlineData(false, 4)]
    [InlineData(true, 4)]
    public void Same_AfterAStridedLayerOfAnOpenModel_PadsForItsOwnInput(bool lower, int kernel)
    {
        LayerSpec[] layers = [ConvSame("c1", InChannels, InChannels, 3, stride: 2, lower: lower), ConvSame("c2", InChannels, OutChannels, kernel, stride: 2, lower: lower)];
        Graph open = Graphs.Build(Model([InChannels, -1, -1], layers));
        foreach ((int height, int width) in new[] { (12, 12), (11, 6), (8, 13), (7, 7), (20, 3) })
        {
            var rng = new Rng((ulong)((height * 100) + width));
            var tensors = new Dictionary<string, float[]>
            {
                ["c1.weight"] = rng.Uniform(InChannels * InChannels * 9, -1, 1),
                ["c1.bias"] = rng.Uniform(InChannels, -1, 1),
                ["c2.weight"] = rng.Uniform(OutChannels * InChannels * kernel * kernel, -1, 1),
                ["c2.bias"] = rng.Uniform(OutChannels, -1, 1),
            };
            float[] x = rng.Uniform(Batch * InChannels * height * width, -2, 2);

            float[] fixedSize = ReferenceInterpreter.Run(Graphs.Build(Model([InChannels, height, width], layers)), n => tensors[n], x, Batch);
            float[] openSize = ReferenceInterpreter.Run(open, n => tensors[n], x, Batch, height, width);

            (int top1, int bottom1) = SamePads(height, 3, 2, lower);
            (int left1, int right1) = SamePads(width, 3, 2, lower);
            int h1 = (height + 1) / 2, w1 = (width + 1) / 2;
            float[] y1 = PaddedConvolution(x, InChannels, InChannels, height, width, tensors["c1.weight"], tensors["c1.bias"], 3, 3, 2, 2, top1, bottom1, left1, right1);
            (int top2, int bottom2) = SamePads(h1, kernel, 2, lower);
            (int left2, int right2) = SamePads(w1, kernel, 2, lower);
            float[] expected = PaddedConvolution(y1, InChannels, OutChannels, h1, w1, tensors["c2.weight"], tensors["c2.bias"], kernel, kernel, 2, 2, top2, bottom2, left2, right2);

            string what = $"two same convs, lower={lower}, second kernel {kernel}, {height}x{width}";
            Differential.AssertClose(expected, fixedSize, what + ", fixed size", tolerance: 1e-6);
            Differential.AssertClose(expected, openSize, what + ", open size", tolerance: 1e-6);
        }
    }

    [Theory]
    [InlineData(3, 3, 1, 1, 0, 2, 1, 0)]
    [InlineData(3, 3, 2, 2, 2, 0, 0, 1)]
    [InlineData(3, 5, 1, 2, 0, 1, 3, 0)]
    [InlineData(2, 2, 2, 2, 1, 0, 0, 1)]
    [InlineData(1, 1, 1, 1, 2, 0, 0, 3)]
    public void PerSidePadding(int kernelH, int kernelW, int strideH, int strideW, int top, int bottom, int left, int right)
    {
        LayerSpec conv = Conv("conv", InChannels, OutChannels, kernelH)
            .With("kernel_size", kernelH, kernelW).With("stride", strideH, strideW).With("padding", top, bottom, left, right);
        foreach ((int height, int width) in new[] { (5, 6), (8, 7), (6, 9) })
        {
            Graph graph = Graphs.Build(Model([InChannels, height, width], conv));
            Assert.Equal(
                [OutChannels, ((height + top + bottom - kernelH) / strideH) + 1, ((width + left + right - kernelW) / strideW) + 1],
                graph.Output.Shape.Constants());
            AssertInterpreterMatches(graph, height, width, kernelH, kernelW, strideH, strideW, top, bottom, left, right, open: false);
        }

        Graph open = Graphs.Build(Model([InChannels, -1, -1], conv));
        foreach ((int height, int width) in new[] { (5, 6), (8, 7), (6, 9), (11, 4) })
        {
            AssertInterpreterMatches(open, height, width, kernelH, kernelW, strideH, strideW, top, bottom, left, right, open: true);
        }
    }

    /// <summary>(before, after) for one axis, from the definition.</summary>
    private static (int Before, int After) SamePads(int size, int kernel, int stride, bool lower)
    {
        int output = (size + stride - 1) / stride;
        int total = Math.Max(((output - 1) * stride) + kernel - size, 0);
        int before = lower ? (total + 1) / 2 : total / 2;
        return (before, total - before);
    }

    private static void AssertInterpreterMatches(Graph graph, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
        int top, int bottom, int left, int right, bool open)
    {
        var rng = new Rng((ulong)((height * 1000) + (width * 10) + kernelH));
        var tensors = new Dictionary<string, float[]>
        {
            ["conv.weight"] = rng.Uniform(OutChannels * InChannels * kernelH * kernelW, -1, 1),
            ["conv.bias"] = rng.Uniform(OutChannels, -1, 1),
        };
        float[] x = rng.Uniform(Batch * InChannels * height * width, -2, 2);

        float[] actual = open
            ? ReferenceInterpreter.Run(graph, n => tensors[n], x, Batch, height, width)
            : ReferenceInterpreter.Run(graph, n => tensors[n], x, Batch);
        float[] expected = PaddedConvolution(x, InChannels, OutChannels, height, width, tensors["conv.weight"], tensors["conv.bias"], kernelH, kernelW, strideH, strideW, top, bottom, left, right);

        Differential.AssertClose(expected, actual,
            $"conv {height}x{width} k{kernelH}x{kernelW} s{strideH}x{strideW} pads t{top} b{bottom} l{left} r{right}", tolerance: 1e-6);
    }

    /// <summary>Zero-pads each sample to [C, top + H + bottom, left + W + right], then a valid (unpadded) strided
    /// convolution over it, accumulating in double.</summary>
    private static float[] PaddedConvolution(float[] x, int inChannels, int outChannels, int height, int width, float[] weight, float[] bias, int kernelH, int kernelW,
        int strideH, int strideW, int top, int bottom, int left, int right)
    {
        int paddedH = top + height + bottom, paddedW = left + width + right;
        int outH = ((paddedH - kernelH) / strideH) + 1, outW = ((paddedW - kernelW) / strideW) + 1;
        float[] y = new float[Batch * outChannels * outH * outW];
        for (int n = 0; n < Batch; n++)
        {
            double[,,] padded = new double[inChannels, paddedH, paddedW];
            for (int c = 0; c < inChannels; c++)
            {
                for (int i = 0; i < height; i++)
                {
                    for (int j = 0; j < width; j++)
                    {
                        padded[c, top + i, left + j] = x[(((((n * inChannels) + c) * height) + i) * width) + j];
                    }
                }
            }

            for (int o = 0; o < outChannels; o++)
            {
                for (int oy = 0; oy < outH; oy++)
                {
                    for (int ox = 0; ox < outW; ox++)
                    {
                        double sum = bias[o];
                        for (int c = 0; c < inChannels; c++)
                        {
                            for (int ky = 0; ky < kernelH; ky++)
                            {
                                for (int kx = 0; kx < kernelW; kx++)
                                {
                                    sum += weight[(((((o * inChannels) + c) * kernelH) + ky) * kernelW) + kx] * padded[c, (oy * strideH) + ky, (ox * strideW) + kx];
                                }
                            }
                        }

                        y[(((((n * outChannels) + o) * outH) + oy) * outW) + ox] = (float)sum;
                    }
                }
            }
        }

        return y;
    }
}
