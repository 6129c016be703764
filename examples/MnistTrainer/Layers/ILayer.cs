using System.Collections.Generic;

namespace MnistTrainer.Layers;

/// <summary>
/// A layer with an explicit backward pass. Forward keeps what Backward needs; Backward adds
/// parameter gradients into <see cref="Parameter.Grad"/> and returns the input gradient
/// (null when the layer was built without one, e.g. the first layer).
/// Returned tensors are buffers owned by the layer, valid until its next call.
/// </summary>
internal interface ILayer
{
    IReadOnlyList<Parameter> Parameters { get; }

    Tensor Forward(Tensor x, bool training);

    Tensor? Backward(Tensor dy);
}
