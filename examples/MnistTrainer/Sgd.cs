using System;
using System.Collections.Generic;

namespace MnistTrainer;

/// <summary>
/// SGD with momentum and L2 weight decay, matching torch.optim.SGD (dampening 0, no Nesterov):
/// g += wd * w ; v = momentum * v + g ; w -= lr * v.
/// </summary>
internal sealed class Sgd(float momentum, float weightDecay)
{
    public void Step(IReadOnlyList<Parameter> parameters, float learningRate)
    {
        foreach (Parameter p in parameters)
        {
            float wd = p.WeightDecay ? weightDecay : 0f;
            float[] w = p.Value;
            float[] g = p.Grad;
            float[] v = p.Velocity;
            for (int i = 0; i < w.Length; i++)
            {
                float grad = g[i] + (wd * w[i]);
                v[i] = (momentum * v[i]) + grad;
                w[i] -= learningRate * v[i];
            }

            p.ZeroGrad();
        }
    }
}

/// <summary>Adam with decoupled weight decay (AdamW), bias-corrected; powers of beta by repeated multiplication.</summary>
internal sealed class Adam(float beta1, float beta2, float weightDecay)
{
    private const float Epsilon = 1e-8f;
    private readonly Dictionary<Parameter, float[]> _second = [];
    private double _beta1Power = 1;
    private double _beta2Power = 1;

    public void Step(IReadOnlyList<Parameter> parameters, float learningRate)
    {
        _beta1Power *= beta1;
        _beta2Power *= beta2;
        float c1 = (float)(1 - _beta1Power);
        float c2 = (float)(1 - _beta2Power);
        foreach (Parameter p in parameters)
        {
            if (!_second.TryGetValue(p, out float[]? v))
            {
                v = new float[p.Value.Length];
                _second[p] = v;
            }

            float decay = p.WeightDecay ? 1f - (learningRate * weightDecay) : 1f;
            float[] w = p.Value;
            float[] g = p.Grad;
            float[] m = p.Velocity;
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = (beta1 * m[i]) + ((1f - beta1) * g[i]);
                v[i] = (beta2 * v[i]) + ((1f - beta2) * g[i] * g[i]);
                float mHat = m[i] / c1;
                float vHat = v[i] / c2;
                w[i] = (w[i] * decay) - (learningRate * mHat / (MathF.Sqrt(vHat) + Epsilon));
            }

            p.ZeroGrad();
        }
    }
}
