namespace ModelCompiler.Benchmarks;

// The benchmarked networks, compiled by our generator like any consumer's. Layer names are the tensor names in
// the weights files (PyTorch state_dict style). The MNIST models are the declarations of examples/Mnist/Models.cs,
// copied verbatim except for the weights path (relative to this project); the others read seeded random weights
// written by `make-weights` (WeightMaker.cs), which knows the same tensor names and shapes.

/// <summary>examples/Mnist's perceptron: 784 → 128 → 64 → 10, trained weights.</summary>
[Model("../../examples/Mnist/weights/mnist_mlp.safetensors")]
[Input(784)]
[Linear("fc1", 784, 128)]
[ReLU]
[Linear("fc2", 128, 64)]
[ReLU]
[Linear("fc3", 64, 10)]
internal static partial class MnistMlp
{
}

/// <summary>examples/Mnist's residual CNN (BatchNorm folded, ReLU fused), trained weights.</summary>
[Model("../../examples/Mnist/weights/mnist_cnn.safetensors")]
[Input(1, 28, 28)]
[Conv2d("conv1", 1, 16, 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1", 16)]
[ReLU]
[MaxPool2d(2, Name = "pool1")]
[Conv2d("conv2", 16, 16, 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn2", 16)]
[ReLU]
[Conv2d("conv3", 16, 16, 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn3", 16)]
[Add("pool1", "bn3")]
[ReLU]
[MaxPool2d(2, Name = "pool2")]
[Flatten]
[Linear("fc", 784, 10)]
internal static partial class MnistCnn
{
}

/// <summary>A wider perceptron, 784 → 512 → 256 → 10: large enough that the dense kernels dominate.</summary>
[Model("weights/mlp_784_512_256_10.safetensors")]
[Input(784)]
[Linear("fc1", 784, 512)]
[ReLU]
[Linear("fc2", 512, 256)]
[ReLU]
[Linear("fc3", 256, 10)]
internal static partial class Mlp784
{
}

/// <summary>A plain small CNN: two 3x3 convolutions with pooling, two linear layers.</summary>
[Model("weights/small_cnn.safetensors")]
[Input(1, 28, 28)]
[Conv2d("conv1", 1, 16, 3, Padding = 1)]
[ReLU]
[MaxPool2d(2)]
[Conv2d("conv2", 16, 32, 3, Padding = 1)]
[ReLU]
[MaxPool2d(2)]
[Flatten]
[Linear("fc1", 1568, 128)]
[ReLU]
[Linear("fc2", 128, 10)]
internal static partial class SmallCnn
{
}

/// <summary>A super-resolution-shaped convolution stack at 3x256x256 (ESPCN-like, x2): a 3 → 64 convolution, four
/// 64 → 64 convolutions (all 3x3, padding 1, ReLU), a 64 → 12 convolution and PixelShuffle(2) to 3x512x512.
/// About 10.2 GMAC per image, nearly all in the 64 → 64 convolutions.</summary>
[Model("weights/sr_stack.safetensors")]
[Input(3, 256, 256)]
[Conv2d("conv1", 3, 64, 3, Padding = 1)]
[ReLU]
[Conv2d("conv2", 64, 64, 3, Padding = 1)]
[ReLU]
[Conv2d("conv3", 64, 64, 3, Padding = 1)]
[ReLU]
[Conv2d("conv4", 64, 64, 3, Padding = 1)]
[ReLU]
[Conv2d("conv5", 64, 64, 3, Padding = 1)]
[ReLU]
[Conv2d("conv6", 64, 12, 3, Padding = 1)]
[PixelShuffle(2)]
internal static partial class SrStack
{
}
