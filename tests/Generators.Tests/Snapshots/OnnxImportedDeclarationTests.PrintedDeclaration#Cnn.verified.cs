// Imported from model.onnx (ModelCompiler.Tests, opset 17) by ModelCompiler's ONNX importer.
// Yours to edit: the layers are the attributes you would write by hand, the weights are in imported.safetensors.
// 24 layers, 32 tensors, 2118 weights.
using ModelCompiler;

namespace Demo.Onnx;

[Model("imported.safetensors")]
[Input(3, 12, 12)]
[Conv2d("stem", 3, 8, 3, Padding = 1, Bias = false)]
[BatchNorm2d("stem_bn", 8)]
[ReLU(Name = "stem_relu")]
[Conv2d("block.conv1", 8, 8, 3, Padding = 1)]
[BatchNorm2d("block.bn1", 8)]
[ReLU(Name = "block.relu1")]
[Conv2d("block.conv2", 8, 8, 3, Padding = 1, Bias = false)]
[BatchNorm2d("block.bn2", 8)]
[Add("block.bn2", "stem_relu", Name = "block.add")]
[ReLU(Name = "block.relu")]
[Conv2d("side", 8, 4, 1, Input = "stem_relu")]
[HardSwish(Name = "side_act")]
[Concat("block.relu", "side_act", Name = "cat")]
[MaxPool2d(2, Name = "pool1")]
[Conv2d("dw", 12, 12, 3, Padding = 1, Groups = 12)]
[BatchNorm2d("dw_bn", 12, Eps = 0.001)]
[ReLU6(Name = "dw_relu6")]
[Conv2d("pw", 12, 16, 1)]
[BatchNorm2d("pw_bn", 16)]
[SiLU(Name = "pw_silu")] // x * Sigmoid(x)
[AvgPool2d(3, Stride = 2, Padding = 1, Name = "pool2")]
[GlobalAvgPool2d(Name = "gap")]
[Flatten(Name = "flat")]
[Linear("head", 16, 10)]
internal static partial class Imported
{
}
