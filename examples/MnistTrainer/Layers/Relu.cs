using System;
using System.Collections.Generic;

namespace MnistTrainer.Layers;

internal sealed class Relu : ILayer
{
    private Tensor? _y;
    private Tensor? _dx;

    public IReadOnlyList<Parameter> Parameters => [];

    public Tensor Forward(Tensor x, bool training)
    {
        Tensor y = Tensor.Reuse(ref _y, x.Shape);
        Kernels.Relu(x.Data, y.Data);
        return y;
    }

    public Tensor Backward(Tensor dy)
    {
        Tensor y = _y ?? throw new InvalidOperationException("Backward before Forward.");
        Tensor dx = Tensor.Reuse(ref _dx, dy.Shape);

        // Like PyTorch: gradient passes where the output is positive, zero at x <= 0.
        Kernels.MaskPositive(y.Data, dy.Data, dx.Data);
        return dx;
    }
}
