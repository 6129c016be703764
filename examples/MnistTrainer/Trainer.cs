using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using MnistTrainer.Models;

namespace MnistTrainer;

/// <summary>Hyper-parameters of one training run.</summary>
/// <param name="MaxShift">Augmentation: each training image is shifted by up to this many pixels in x and y.</param>
internal sealed record TrainConfig(int Epochs, int BatchSize, float LearningRate, float WeightDecay, int MaxShift)
{
    // Chosen on this data: Adam with small batches converged fastest; shifts of +-1 pixel
    // generalized better than +-2 for both models.
    public static TrainConfig For(string model) => model switch
    {
        "mlp" => new TrainConfig(Epochs: 40, BatchSize: 32, LearningRate: 1e-3f, WeightDecay: 0.01f, MaxShift: 1),
        "cnn" => new TrainConfig(Epochs: 30, BatchSize: 32, LearningRate: 2e-3f, WeightDecay: 0.01f, MaxShift: 1),
        _ => throw new ArgumentException($"Unknown model '{model}'."),
    };
}

internal sealed record TrainResult(double TrainAccuracy, double TestAccuracy, double Seconds);

/// <summary>Mini-batch AdamW loop with a linearly decaying learning rate, plus evaluation.</summary>
internal static class Trainer
{
    private const int EvalBatch = 500;

    // byte -> float exactly as the inference code will feed it: pixel / 255, no mean/std normalization.
    private static readonly float[] PixelValue = Enumerable.Range(0, 256).Select(b => b / 255f).ToArray();

    public static TrainResult Train(IModel model, MnistSet train, MnistSet test, TrainConfig cfg, Rng rng, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var optimizer = new AdamW(cfg.WeightDecay);
        int[] order = Enumerable.Range(0, train.Count).ToArray();

        // Whole batches only (8000 / 32 = 250): BatchNorm always sees the same batch size.
        int stepsPerEpoch = train.Count / cfg.BatchSize;
        int totalSteps = stepsPerEpoch * cfg.Epochs;
        var x = new Tensor(model.InputShape(cfg.BatchSize));
        var labels = new int[cfg.BatchSize];
        Tensor? dLogits = null;
        int step = 0;
        int span = (2 * cfg.MaxShift) + 1;

        for (int epoch = 1; epoch <= cfg.Epochs; epoch++)
        {
            rng.Shuffle(order);
            double lossSum = 0;
            int correct = 0;
            for (int b = 0; b < stepsPerEpoch; b++)
            {
                for (int i = 0; i < cfg.BatchSize; i++)
                {
                    int index = order[(b * cfg.BatchSize) + i];
                    int dx = rng.NextInt(span) - cfg.MaxShift;
                    int dy = rng.NextInt(span) - cfg.MaxShift;
                    FillImage(train.Image(index), dx, dy, x.Data.AsSpan(i * MnistSet.ImageSize, MnistSet.ImageSize));
                    labels[i] = train.Labels[index];
                }

                Tensor logits = model.Forward(x, training: true);
                dLogits = Tensor.Reuse(ref dLogits, logits.Shape);
                lossSum += SoftmaxCrossEntropy.Compute(logits, labels, dLogits, out int batchCorrect);
                correct += batchCorrect;
                model.Backward(dLogits);

                // Linear decay to zero over the whole run.
                float lr = cfg.LearningRate * (1f - ((float)step / totalSteps));
                optimizer.Step(model.Parameters, lr);
                step++;
            }

            // Test accuracy is only printed for information; nothing is selected on it.
            log.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {model.Name} epoch {epoch}/{cfg.Epochs}: loss={lossSum / stepsPerEpoch:F4} augmented_train_accuracy={(double)correct / (stepsPerEpoch * cfg.BatchSize):F4} test_accuracy={Evaluate(model, test):F4} ({clock.Elapsed.TotalSeconds:F1}s)"));
        }

        double trainAccuracy = Evaluate(model, train);
        double testAccuracy = Evaluate(model, test);
        return new TrainResult(trainAccuracy, testAccuracy, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Accuracy in inference mode (BatchNorm running statistics), no augmentation.</summary>
    public static double Evaluate(IModel model, MnistSet set)
    {
        int correct = 0;
        for (int start = 0; start < set.Count; start += EvalBatch)
        {
            int n = Math.Min(EvalBatch, set.Count - start);
            var x = new Tensor(model.InputShape(n));
            for (int i = 0; i < n; i++)
            {
                FillImage(set.Image(start + i), 0, 0, x.Data.AsSpan(i * MnistSet.ImageSize, MnistSet.ImageSize));
            }

            Tensor logits = model.Forward(x, training: false);
            for (int i = 0; i < n; i++)
            {
                if (SoftmaxCrossEntropy.Argmax(logits.Data, i * logits.SampleSize, logits.SampleSize) == set.Labels[start + i])
                {
                    correct++;
                }
            }
        }

        return (double)correct / set.Count;
    }

    /// <summary>Converts one image to floats, translated by (dx, dy) pixels with zero fill.</summary>
    public static void FillImage(ReadOnlySpan<byte> image, int dx, int dy, Span<float> dst)
    {
        dst.Clear();
        for (int y = 0; y < MnistSet.Rows; y++)
        {
            int sy = y - dy;
            if (sy < 0 || sy >= MnistSet.Rows)
            {
                continue;
            }

            for (int x = 0; x < MnistSet.Cols; x++)
            {
                int sx = x - dx;
                if (sx >= 0 && sx < MnistSet.Cols)
                {
                    dst[(y * MnistSet.Cols) + x] = PixelValue[image[(sy * MnistSet.Cols) + sx]];
                }
            }
        }
    }
}
