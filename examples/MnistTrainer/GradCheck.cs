using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using MnistTrainer.Layers;
using MnistTrainer.Models;

namespace MnistTrainer;

/// <summary>
/// Numerical verification of every backward pass (--gradcheck).
/// </summary>
/// <remarks>
/// Single-parameter finite differences through a whole float network are dominated by ReLU and
/// max-pool kinks and rounding, so the check has two parts:
/// 1. Each layer alone, with the scalar L = sum(G * layer(x)) for a random G, on inputs chosen
///    away from kinks. Linear and convolution layers are linear in each weight and input, so a large
///    step is exact; BatchNorm (training mode, batch statistics) is smooth. Every input and
///    parameter entry is checked. This is the strict test.
/// 2. Each whole model with the real loss, along directions spanning a whole parameter tensor
///    (the gradient direction and random ones), which averages over kinks and verifies how the
///    layers are wired (including the residual connection) with a looser tolerance.
/// Errors are |numeric - analytic| divided by the largest analytic entry of the tensor (layers)
/// or by the gradient's norm (models). Dropping the residual gradient, for example, fails part 2.
/// </remarks>
internal static class GradCheck
{
    private const double LayerTolerance = 1e-3;
    private const double ModelTolerance = 1e-2;

    public static bool Run(MnistSet train, TextWriter log)
    {
        var rng = new Rng(12345);
        bool ok = true;

        ok &= CheckLayer(log, "Linear", new Linear("t", 7, 5, reluAfter: true, inputGrad: true, rng), Random(rng, 1f, 3, 7), 0.5f);
        ok &= CheckLayer(log, "Conv2d", new Conv2d("t", 3, 4, inputGrad: true, rng), Random(rng, 1f, 2, 3, 5, 6), 0.5f);
        ok &= CheckLayer(log, "Conv2d(cin=1)", new Conv2d("t", 1, 2, inputGrad: true, rng), Random(rng, 1f, 2, 1, 4, 3), 0.5f);
        var bn = new BatchNorm2d("t", 3);
        Perturb(bn.Parameters, rng);
        ok &= CheckLayer(log, "BatchNorm2d", bn, Random(rng, 2f, 3, 3, 4, 5), 1e-2f);
        ok &= CheckLayer(log, "Relu", new Relu(), AwayFromZero(Random(rng, 1f, 2, 3, 4, 5)), 1e-2f);
        ok &= CheckLayer(log, "MaxPool2d", new MaxPool2d(), DistinctValues(rng, 2, 3, 4, 6), 1e-2f);

        foreach (string name in new[] { "mlp", "cnn" })
        {
            ok &= CheckModel(log, name, train, rng);
        }

        log.WriteLine(ok ? "gradcheck: all passed" : "gradcheck: FAILED");
        return ok;
    }

    private static bool CheckLayer(TextWriter log, string label, ILayer layer, Tensor x, float step)
    {
        Tensor y = layer.Forward(x, training: true);
        var rng = new Rng(7);
        Tensor g = Random(rng, 1f, y.Shape);
        double L() => Dot(layer.Forward(x, training: true), g);

        foreach (Parameter p in layer.Parameters)
        {
            p.ZeroGrad();
        }

        layer.Forward(x, training: true);
        float[] dx = layer.Backward(g)?.Data.ToArray() ?? throw new InvalidOperationException("no input gradient");

        var targets = new List<(string Name, float[] Values, float[] Analytic)> { ("input", x.Data, dx) };
        targets.AddRange(layer.Parameters.Select(p => (p.Name, p.Value, p.Grad.ToArray())));

        bool ok = true;
        foreach ((string name, float[] values, float[] analytic) in targets)
        {
            double scale = Math.Max(1e-6, analytic.Max(v => Math.Abs(v)));
            double worst = 0;
            for (int i = 0; i < values.Length; i++)
            {
                float saved = values[i];
                values[i] = saved + step;
                double up = L();
                values[i] = saved - step;
                double down = L();
                values[i] = saved;
                worst = Math.Max(worst, Math.Abs(((up - down) / (2.0 * step)) - analytic[i]) / scale);
            }

            ok &= Report(log, $"layer {label} d/d{name} ({values.Length} entries)", worst, LayerTolerance);
        }

        return ok;
    }

    private static bool CheckModel(TextWriter log, string name, MnistSet train, Rng rng)
    {
        const int batch = 8;
        const double step = 1e-3;
        IModel model = ModelFactory.Create(name, rng);
        Perturb(model.Parameters.Where(p => !p.WeightDecay), rng);
        var x = new Tensor(model.InputShape(batch));
        var labels = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            int index = i * 997;
            Trainer.FillImage(train.Image(index), rng.NextInt(5) - 2, rng.NextInt(5) - 2, x.Data.AsSpan(i * MnistSet.ImageSize, MnistSet.ImageSize));
            labels[i] = train.Labels[index];
        }

        var grad = new Tensor(batch, 10);
        double Loss() => SoftmaxCrossEntropy.Compute(model.Forward(x, training: true), labels, grad, out _);

        foreach (Parameter p in model.Parameters)
        {
            p.ZeroGrad();
        }

        Loss();
        model.Backward(grad);

        bool ok = true;
        foreach (Parameter p in model.Parameters)
        {
            float[] analytic = p.Grad.ToArray();
            float[] saved = p.Value.ToArray();
            double gradNorm = Math.Max(1e-6, Math.Sqrt(analytic.Sum(v => (double)v * v)));
            double worst = 0;
            for (int trial = 0; trial < 4; trial++)
            {
                // Unit direction: the gradient itself first, then random signs.
                double[] d = new double[analytic.Length];
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] = trial == 0 ? analytic[i] : (rng.NextInt(2) * 2) - 1;
                }

                double norm = Math.Sqrt(d.Sum(v => v * v));
                if (norm == 0)
                {
                    continue;
                }

                double expected = 0;
                for (int i = 0; i < d.Length; i++)
                {
                    d[i] /= norm;
                    expected += d[i] * analytic[i];
                }

                Move(p.Value, saved, d, step);
                double up = Loss();
                Move(p.Value, saved, d, -step);
                double down = Loss();
                saved.CopyTo(p.Value, 0);
                worst = Math.Max(worst, Math.Abs(((up - down) / (2 * step)) - expected) / gradNorm);
            }

            ok &= Report(log, $"model {name} d/d{p.Name}", worst, ModelTolerance);
        }

        return ok;
    }

    private static bool Report(TextWriter log, string what, double worst, double tolerance)
    {
        bool pass = worst <= tolerance;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gradcheck {what,-44} max_error={worst:E2} {(pass ? "ok" : "FAIL")}"));
        return pass;
    }

    private static double Dot(Tensor a, Tensor b)
    {
        double sum = 0;
        for (int i = 0; i < a.Data.Length; i++)
        {
            sum += (double)a.Data[i] * b.Data[i];
        }

        return sum;
    }

    private static void Move(float[] values, float[] origin, double[] direction, double step)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(origin[i] + (step * direction[i]));
        }
    }

    /// <summary>Moves biases and BatchNorm affine terms off their initial 0 / 1.</summary>
    private static void Perturb(IEnumerable<Parameter> parameters, Rng rng)
    {
        foreach (Parameter p in parameters)
        {
            for (int i = 0; i < p.Value.Length; i++)
            {
                p.Value[i] += (rng.NextFloat() - 0.5f) * 0.4f;
            }
        }
    }

    private static Tensor Random(Rng rng, float scale, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Data.Length; i++)
        {
            t.Data[i] = ((2f * rng.NextFloat()) - 1f) * scale;
        }

        return t;
    }

    /// <summary>Keeps every value at least 0.1 from the ReLU kink.</summary>
    private static Tensor AwayFromZero(Tensor t)
    {
        for (int i = 0; i < t.Data.Length; i++)
        {
            t.Data[i] = t.Data[i] >= 0 ? 0.1f + t.Data[i] : t.Data[i] - 0.1f;
        }

        return t;
    }

    /// <summary>All values distinct, 0.1 apart, so a small step never changes which one is the maximum.</summary>
    private static Tensor DistinctValues(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        int[] order = Enumerable.Range(0, t.Data.Length).ToArray();
        rng.Shuffle(order);
        for (int i = 0; i < order.Length; i++)
        {
            t.Data[i] = (order[i] - (order.Length / 2)) * 0.1f;
        }

        return t;
    }
}
