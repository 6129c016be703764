using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Onnx;
using ModelCompiler.Tests.OnnxImport;
using Xunit;

namespace ModelCompiler.Tests.Helpers;

/// <summary>Runs a spec through the reference interpreter and through ONNX Runtime on the same random weights
/// and input, and compares. Tolerance: max |a - b| / max(1, max |b|) &lt;= 1e-5 (relative to the output scale,
/// absolute for outputs below 1), with b the ONNX Runtime output.</summary>
internal static class Differential
{
    public const double Tolerance = 1e-5;

    /// <summary>A prepared run: for a graph with an open input size, <see cref="Height"/> and <see cref="Width"/> say which.</summary>
    public sealed record Case(Graph Graph, Dictionary<string, float[]> Tensors, float[] Input, int Batch, int Height = 0, int Width = 0)
    {
        public float[] Interpret(Graph? graph = null) => ReferenceInterpreter.Run(graph ?? Graph, name => Tensors[name], Input, Batch, Height, Width);

        public int InputSize => (int)Graph.Input.Shape.Size.Evaluate(Height, Width);

        public int OutputSize => (int)Graph.Output.Shape.Size.Evaluate(Height, Width);
    }

    public static Case Prepare(ModelSpec spec, ulong seed, int batch = 2, double inputLow = -2, double inputHigh = 2, int height = 0, int width = 0)
    {
        Graph graph = ModelCompilation.BuildUnoptimized(spec)
            ?? throw new InvalidOperationException("spec does not build: " + string.Join("; ", GraphBuilder.Build(spec).Diagnostics));
        float[] input = new Rng(seed + 1000).Uniform(batch * (int)graph.Input.Shape.Size.Evaluate(height, width), inputLow, inputHigh);
        return new Case(graph, RandomWeights.For(graph, seed), input, batch, height, width);
    }

    /// <summary>The interpreter agrees with ONNX Runtime on <paramref name="spec"/>; returns the interpreter's output.
    /// The exported ONNX file is also imported back (BuildTasks/Onnx), linked and run on its packed weights, and
    /// must agree with ONNX Runtime within <see cref="OnnxImportCheck.Tolerance"/>: so every file these tests write
    /// is an import test too.</summary>
    public static float[] AssertMatchesOnnx(ModelSpec spec, ulong seed = 1, int batch = 2, double inputLow = -2, double inputHigh = 2)
    {
        Case c = Prepare(spec, seed, batch, inputLow, inputHigh);
        float[] expected = RunOnnx(spec, c);
        float[] actual = c.Interpret();
        AssertClose(expected, actual, "interpreter vs ONNX Runtime");

        byte[] onnx = OnnxExporter.Export(spec, name => c.Tensors[name]);
        float[] imported = OnnxImportCheck.Run(OnnxImportCheck.Import(onnx), c.Input, c.Height, c.Width);
        AssertClose(expected, imported, "imported ONNX model vs ONNX Runtime", OnnxImportCheck.Tolerance);
        return actual;
    }

    public static float[] RunOnnx(ModelSpec spec, Case c)
    {
        byte[] model = OnnxExporter.Export(spec, name => c.Tensors[name]);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        long[] shape = [c.Batch, .. c.Graph.Input.Shape.Evaluate(c.Height, c.Width)];
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(c.Input, shape);
        using var run = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(run, ["input"], [input], [c.Graph.Output.Name]);
        long[] expectedShape = [c.Batch, .. c.Graph.Output.Shape.Evaluate(c.Height, c.Width)];
        Assert.Equal(expectedShape, outputs[0].GetTensorTypeAndShape().Shape);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static void AssertClose(float[] expected, float[] actual, string what, double tolerance = Tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(v => Math.Abs((double)v)));
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(d))
            {
                (worst, at) = (double.PositiveInfinity, i);
                break;
            }

            if (d > worst)
            {
                worst = d;
                at = i;
            }
        }

        Assert.True(worst / scale <= tolerance,
            $"{what}: max |a - b| = {worst:G6} at element {at} (expected {expected[at]:R}, got {actual[at]:R}), scale {scale:G6}, relative {worst / scale:G3} > {tolerance:G3}");
    }
}
