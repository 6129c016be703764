// Imported from model.onnx (ModelCompiler.Tests, opset 17) by ModelCompiler's ONNX importer.
// Yours to edit: the layers are the attributes you would write by hand, the weights are in imported.safetensors.
// 11 layers, 10 tensors, 651 weights.
using ModelCompiler;

namespace Demo.Onnx;

[Model("imported.safetensors")]
[Input(3, 5, 5)]
[Conv2d("feat", 3, 16, 3, Padding = 1)]
[SiLU(Name = "feat_act")] // x * Sigmoid(x)
[PixelShuffle(2, Name = "shuffle")]
[Conv2d("refine", 4, 4, 3, Padding = 1)]
[LeakyReLU(0.2, Name = "refine_act")]
[Add("refine_act", "shuffle", Name = "skip")]
[BatchNorm2d("skip_bn", 4)]
[Tanh(Name = "skip_tanh")]
[Upsample(2, Name = "up")]
[Conv2d("out", 4, 3, 3, 1, PaddingHeight = 1, PaddingWidth = 0)]
[Sigmoid(Name = "out_act")]
internal static partial class Imported
{
}
