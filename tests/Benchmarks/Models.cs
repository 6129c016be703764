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

/// <summary>The pretrained ESRGAN-medium x2 of examples/SuperResolution (its declaration copied; only the weights path,
/// relative to this project, and the input size, 256x256, differ), on the example's converted weights.</summary>
[Model("../../examples/SuperResolution/weights/esrgan_medium_x2.safetensors")]
[Input(3, 256, 256)]
// Shallow features.
[Conv2d("F_m1", 3, 64, 3, Padding = 1)]
[Conv2d("F_0", 64, 64, 3, Padding = 1)]
// Residual dense block 1: conv + ReLU, concat with the block input F_0, 1x1 fusion, residual add.
[Conv2d("F_1_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_1_1_Relu")]
[Concat("F_0", "F_1_1_Relu", Name = "RDB_Concat_1_1")]
[Conv2d("LFF_1", 128, 64, 1)]
[Add("LFF_1", "F_0", Name = "LRL_1")]
// Residual dense block 2: conv + ReLU, concat with the block input LRL_1, 1x1 fusion, residual add.
[Conv2d("F_2_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_2_1_Relu")]
[Concat("LRL_1", "F_2_1_Relu", Name = "RDB_Concat_2_1")]
[Conv2d("LFF_2", 128, 64, 1)]
[Add("LFF_2", "LRL_1", Name = "LRL_2")]
// Residual dense block 3: conv + ReLU, concat with the block input LRL_2, 1x1 fusion, residual add.
[Conv2d("F_3_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_3_1_Relu")]
[Concat("LRL_2", "F_3_1_Relu", Name = "RDB_Concat_3_1")]
[Conv2d("LFF_3", 128, 64, 1)]
[Add("LFF_3", "LRL_2", Name = "LRL_3")]
// Residual dense block 4: conv + ReLU, concat with the block input LRL_3, 1x1 fusion, residual add.
[Conv2d("F_4_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_4_1_Relu")]
[Concat("LRL_3", "F_4_1_Relu", Name = "RDB_Concat_4_1")]
[Conv2d("LFF_4", 128, 64, 1)]
[Add("LFF_4", "LRL_3", Name = "LRL_4")]
// Residual dense block 5: conv + ReLU, concat with the block input LRL_4, 1x1 fusion, residual add.
[Conv2d("F_5_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_5_1_Relu")]
[Concat("LRL_4", "F_5_1_Relu", Name = "RDB_Concat_5_1")]
[Conv2d("LFF_5", 128, 64, 1)]
[Add("LFF_5", "LRL_4", Name = "LRL_5")]
// Residual dense block 6: conv + ReLU, concat with the block input LRL_5, 1x1 fusion, residual add.
[Conv2d("F_6_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_6_1_Relu")]
[Concat("LRL_5", "F_6_1_Relu", Name = "RDB_Concat_6_1")]
[Conv2d("LFF_6", 128, 64, 1)]
[Add("LFF_6", "LRL_5", Name = "LRL_6")]
// Residual dense block 7: conv + ReLU, concat with the block input LRL_6, 1x1 fusion, residual add.
[Conv2d("F_7_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_7_1_Relu")]
[Concat("LRL_6", "F_7_1_Relu", Name = "RDB_Concat_7_1")]
[Conv2d("LFF_7", 128, 64, 1)]
[Add("LFF_7", "LRL_6", Name = "LRL_7")]
// Residual dense block 8: conv + ReLU, concat with the block input LRL_7, 1x1 fusion, residual add.
[Conv2d("F_8_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_8_1_Relu")]
[Concat("LRL_7", "F_8_1_Relu", Name = "RDB_Concat_8_1")]
[Conv2d("LFF_8", 128, 64, 1)]
[Add("LFF_8", "LRL_7", Name = "LRL_8")]
// Residual dense block 9: conv + ReLU, concat with the block input LRL_8, 1x1 fusion, residual add.
[Conv2d("F_9_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_9_1_Relu")]
[Concat("LRL_8", "F_9_1_Relu", Name = "RDB_Concat_9_1")]
[Conv2d("LFF_9", 128, 64, 1)]
[Add("LFF_9", "LRL_8", Name = "LRL_9")]
// Residual dense block 10: conv + ReLU, concat with the block input LRL_9, 1x1 fusion, residual add.
[Conv2d("F_10_1", 64, 64, 3, Padding = 1)]
[ReLU(Name = "F_10_1_Relu")]
[Concat("LRL_9", "F_10_1_Relu", Name = "RDB_Concat_10_1")]
[Conv2d("LFF_10", 128, 64, 1)]
[Add("LFF_10", "LRL_9", Name = "LRL_10")]
// Global feature fusion over the ten block outputs, global residual from F_m1.
[Concat("LRL_1", "LRL_2", "LRL_3", "LRL_4", "LRL_5", "LRL_6", "LRL_7", "LRL_8", "LRL_9", "LRL_10", Name = "LRLs_Concat")]
[Conv2d("GFF_1", 640, 64, 1)]
[Conv2d("GFF_2", 64, 64, 3, Padding = 1)]
[Add("GFF_2", "F_m1", Name = "FDF")]
// Upsampling net: three convs at the input size, nearest x2, the last conv at twice the size.
[Conv2d("UPN1", 64, 64, 5, Padding = 2)]
[ReLU(Name = "UPN1_Relu")]
[Conv2d("UPN2", 64, 32, 3, Padding = 1)]
[ReLU(Name = "UPN2_Relu")]
[Conv2d("UPN3", 32, 12, 3, Padding = 1)]
[Upsample(2, Name = "UPsample")]
[Conv2d("SR", 12, 3, 3, Padding = 1)]
internal static partial class EsrganMediumX2
{
}
