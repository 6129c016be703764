using ModelCompiler;

namespace GeneratorTiming;

/// <summary>Twenty layers: a stem, three residual blocks, a concat, pooling and a head.</summary>
[Model("weights/net20.safetensors")]
[Input(3, 32, 32)]
[Conv2d("stem", 3, 16, 3, Padding = 1, Bias = false)]
[BatchNorm2d("stem_bn", 16)]
[ReLU(Name = "stem_relu")]
[Conv2d("b1.conv1", 16, 16, 3, Padding = 1)]
[ReLU]
[Conv2d("b1.conv2", 16, 16, 3, Padding = 1)]
[Add("stem_relu", "b1.conv2", Name = "b1.add")]
[Conv2d("b2.conv1", 16, 16, 3, Padding = 1, Groups = 16)]
[ReLU6]
[Conv2d("b2.conv2", 16, 16, 1)]
[Add("b1.add", "b2.conv2", Name = "b2.add")]
[Conv2d("b3.conv1", 16, 16, 3, Padding = 1)]
[SiLU]
[Conv2d("b3.conv2", 16, 16, 3, Padding = 1)]
[Add("b2.add", "b3.conv2", Name = "b3.add")]
[Concat("b3.add", "stem_relu")]
[MaxPool2d(2)]
[GlobalAvgPool2d]
[Flatten]
[Linear("fc", 32, 10)]
public static partial class Net20
{
}
