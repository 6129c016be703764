using ModelCompiler;

namespace Mnist;

/// <summary>A three-layer perceptron on the flattened 28x28 digit: 784 → 128 → 64 → 10 logits.</summary>
/// <remarks>Each attribute is one layer, in execution order; tensors are looked up by the layer name
/// (fc1.weight, fc1.bias, ...) in the safetensors file, exactly as PyTorch's state_dict names them.</remarks>
[Model("weights/mnist_mlp.safetensors")]
[Input(784)]
[Linear("fc1", 784, 128)]
[ReLU]
[Linear("fc2", 128, 64)]
[ReLU]
[Linear("fc3", 64, 10)]
internal static partial class MnistMlp
{
}

/// <summary>A small residual CNN: conv-BN-ReLU, max pool, one residual block, max pool, linear head.</summary>
/// <remarks>The BatchNorms are folded into the convolutions at build time and the ReLUs run in the convolutions'
/// epilogues; <c>Add("pool1", "bn3")</c> is the residual connection, naming its two inputs.</remarks>
[Model("weights/mnist_cnn.safetensors")]
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

/// <summary>The same CNN on the same weights, structurally pruned at build time: half of every prunable layer's
/// output channels removed (16 → 8), the channels with the smallest weights (L1) going first.</summary>
/// <remarks><c>LayersOf</c> compiles MnistCnn's layers with this attribute's options. conv1's channels are tied to
/// conv3's by the residual Add and to fc's inputs by the Flatten, so the three lose the same channels; conv2's are its
/// own. The generated loops, buffers and packed weights are those of the smaller network: nothing is multiplied by zero
/// at run time. No retraining: this is what magnitude pruning alone keeps of the accuracy.</remarks>
[Model("weights/mnist_cnn.safetensors", LayersOf = typeof(MnistCnn), PruneRatio = 0.5)]
internal static partial class MnistCnnPrune50
{
}

/// <summary>The pruned CNN again, with its weights reformed: after pruning, every layer that reads pruned channels
/// (conv2, conv3, fc) is refitted at build time, by least squares on 1,000 training digits (data/calibration.safetensors,
/// none of the held-out ones), so that it reproduces the unpruned layer's output from what the pruned network gives
/// it. Same code and speed as prune50; only the packed weights differ.</summary>
[Model("weights/mnist_cnn.safetensors", LayersOf = typeof(MnistCnn), PruneRatio = 0.5, Reform = true, Calibration = "data/calibration.safetensors")]
internal static partial class MnistCnnPrune50Reformed
{
}

/// <summary>The CNN pruned to at most the MACs of prune50, with the ratio of each channel group chosen by sensitivity
/// instead of uniformly, and refitted: MnistCnnPruneSensitivity.mcplan beside this file, written by
/// <c>dotnet build -t:ModelCompilerCalibrate</c> from the calibration digits (each group pruned alone at 25, 50 and 75%,
/// refitted, the model's output compared with the unpruned one), reviewed and committed; plain builds read it.</summary>
[Model("weights/mnist_cnn.safetensors", LayersOf = typeof(MnistCnn), PruneRatio = 0.5, PruneMultiple = 4, Reform = true,
    Calibration = "data/calibration.safetensors")]
internal static partial class MnistCnnPruneSensitivity
{
}
