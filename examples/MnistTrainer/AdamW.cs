using System;
using System.Collections.Generic;

namespace MnistTrainer;

/// <summary>
/// Adam with decoupled weight decay, as torch.optim.AdamW:
/// w *= 1 - lr * wd ; m = b1 m + (1 - b1) g ; v = b2 v + (1 - b2) g^2 ;
/// w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
/// Decay applies to conv/linear weights only, not to biases or BatchNorm affine terms.
/// Only IEEE-exact operations (sqrt included), and b^t by repeated multiplication instead of Math.Pow.
/// </summary>
internal sealed class AdamW(float weightDecay, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
{
    private readonly Dictionary<Parameter, (float[] M, float[] V)> _moments = [];
    private double _beta1Power = 1;
    private double _beta2Power = 1;

    /// <summary>Applies one update from the accumulated gradients, then clears them.</summary>
    public void Step(IReadOnlyList<Parameter> parameters, float learningRate)
    {
        _beta1Power *= beta1;
        _beta2Power *= beta2;
        float correction1 = (float)(1 - _beta1Power);
        float correction2 = (float)(1 - _beta2Power);
        foreach (Parameter p in parameters)
        {
            if (!_moments.TryGetValue(p, out (float[] M, float[] V) state))
            {
                state = (new float[p.Value.Length], new float[p.Value.Length]);
                _moments[p] = state;
            }

            float decay = p.WeightDecay ? 1f - (learningRate * weightDecay) : 1f;
            float[] w = p.Value;
            float[] g = p.Grad;
            float[] m = state.M;
            float[] v = state.V;
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = (beta1 * m[i]) + ((1f - beta1) * g[i]);
                v[i] = (beta2 * v[i]) + ((1f - beta2) * g[i] * g[i]);
                float mHat = m[i] / correction1;
                float vHat = v[i] / correction2;
                w[i] = (w[i] * decay) - (learningRate * mHat / (MathF.Sqrt(vHat) + epsilon));
            }

            p.ZeroGrad();
        }
    }
}
