using System;

namespace MnistTrainer;

/// <summary>Mean softmax cross-entropy over the batch, like torch.nn.CrossEntropyLoss.</summary>
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Writes d(loss)/d(logits) = (softmax - onehot) / N into <paramref name="grad"/> and returns the
    /// loss. Uses <see cref="DetMath.Exp"/> so the gradient bits do not depend on the C library.
    /// </summary>
    public static double Compute(Tensor logits, ReadOnlySpan<int> labels, Tensor grad, out int correct)
    {
        int n = logits.N, k = logits.SampleSize;
        float[] z = logits.Data;
        float[] g = grad.Data;
        Span<double> p = stackalloc double[k];
        double loss = 0;
        correct = 0;
        for (int s = 0; s < n; s++)
        {
            int b = s * k;
            int argmax = Argmax(z, b, k);
            if (argmax == labels[s])
            {
                correct++;
            }

            double max = z[b + argmax];
            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                p[j] = DetMath.Exp(z[b + j] - max);
                sum += p[j];
            }

            // The loss value is only reported, so the platform log is fine here.
            loss += Math.Log(sum) - (z[b + labels[s]] - max);
            for (int j = 0; j < k; j++)
            {
                double target = j == labels[s] ? 1.0 : 0.0;
                g[b + j] = (float)(((p[j] / sum) - target) / n);
            }
        }

        return loss / n;
    }

    /// <summary>Index of the largest logit per sample (first one on ties).</summary>
    public static int Argmax(float[] z, int offset, int k)
    {
        int best = 0;
        for (int j = 1; j < k; j++)
        {
            if (z[offset + j] > z[offset + best])
            {
                best = j;
            }
        }

        return best;
    }
}
