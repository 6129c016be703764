using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mnist;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Onnx;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Mnist.Tests;

/// <summary>The compiled MNIST models predict the same digit as ONNX Runtime running the same safetensors weights,
/// for every one of the 2,000 held-out digits, and so reach the same accuracy.</summary>
public class OnnxAgreementTests
{
    private delegate void RunModel(ReadOnlySpan<float> input, Span<float> output, int batch);

    private static readonly Lazy<MnistData> Data = new(() => MnistData.LoadTestSplit(MnistData.DefaultPath()));

    [Fact]
    public void Cnn_PredictsTheSameDigitsAsOnnxRuntime() =>
        AssertSamePredictions("Mnist.MnistCnn", MnistCnn.Run, MnistCnn.InputSize, MnistCnn.OutputSize, minimumAccuracy: 0.98);

    [Fact]
    public void Mlp_PredictsTheSameDigitsAsOnnxRuntime() =>
        AssertSamePredictions("Mnist.MnistMlp", MnistMlp.Run, MnistMlp.InputSize, MnistMlp.OutputSize, minimumAccuracy: 0.96);

    private static void AssertSamePredictions(string model, RunModel run, int inputSize, int outputSize, double minimumAccuracy)
    {
        MnistData data = Data.Value;
        int n = data.Count;
        float[] generated = new float[n * outputSize];
        run(data.Images, generated, n);

        ModelSpec spec = SpecOf(model);
        float[] onnx = RunOnnx(spec, data.Images, n, inputSize);

        int[] generatedDigits = ArgMax(generated, outputSize);
        int[] onnxDigits = ArgMax(onnx, outputSize);
        int[] disagreements = Enumerable.Range(0, n).Where(i => generatedDigits[i] != onnxDigits[i]).ToArray();
        Assert.True(disagreements.Length == 0, $"{model}: {disagreements.Length} digits differ, first at index {disagreements.FirstOrDefault()}");

        double accuracy = Enumerable.Range(0, n).Count(i => generatedDigits[i] == data.Labels[i]) / (double)n;
        double onnxAccuracy = Enumerable.Range(0, n).Count(i => onnxDigits[i] == data.Labels[i]) / (double)n;
        Assert.Equal(onnxAccuracy, accuracy);
        Assert.True(accuracy >= minimumAccuracy, $"{model}: accuracy {accuracy} is below {minimumAccuracy}");

        // Logits too, not only their argmax.
        double scale = Math.Max(1, onnx.Max(v => Math.Abs(v)));
        Assert.True(generated.Zip(onnx, (a, b) => Math.Abs(a - b)).Max() / scale <= 1e-4);
    }

    /// <summary>The declaration as compiled, read back from the example assembly's manifest.</summary>
    private static ModelSpec SpecOf(string model) => ModelManifest.Read(
        typeof(MnistCnn).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == ModelManifest.MetadataKeyPrefix + model).Value!).Spec;

    private static float[] RunOnnx(ModelSpec spec, float[] images, int n, int inputSize)
    {
        string weights = Path.Combine(ModelCompiler.Tests.Shared.Repository.Root, "examples", "Mnist", spec.WeightsPath);
        using FileStream stream = File.OpenRead(weights);
        SafetensorsFile file = SafetensorsFile.Parse(stream);
        var cache = new Dictionary<string, float[]>();
        byte[] model = OnnxExporter.Export(spec, name => cache.TryGetValue(name, out float[]? t) ? t : cache[name] = file.ReadFloat32(name));

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        int[] shape = [n, .. spec.InputShape];
        Assert.Equal(inputSize, spec.InputShape.Aggregate(1, (a, b) => a * b));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(images, shape))]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static int[] ArgMax(float[] logits, int classes) => Enumerable.Range(0, logits.Length / classes)
        .Select(i =>
        {
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                best = logits[(i * classes) + c] > logits[(i * classes) + best] ? c : best;
            }

            return best;
        })
        .ToArray();
}
