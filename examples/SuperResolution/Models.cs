using ModelCompiler;

namespace SuperResolution;

/// <summary>ESRGAN-medium x2 of UpscalerJS: a residual dense network (RDN; Zhang et al. 2018) trained on DIV2K,
/// declared layer by layer as its TF.js model.json wires it. RGB of any size in, twice the size out, pixel values 0..255.</summary>
/// <remarks>
/// <para>Layer names are the TF layer names, so the converted tensors (F_m1.weight, LFF_1.bias, ...) are found by name.
/// TF's 'same' padding for an odd kernel at stride 1 is k / 2 on each side; its Concatenate on the channel axis
/// (NHWC axis 3) is our channel concat, in the same argument order.</para>
/// <para>Shape: a shallow feature extractor (F_m1, F_0); ten residual dense blocks, each a 3x3 conv + ReLU whose output
/// is concatenated with the block input, fused back to 64 channels by a 1x1 conv (LFF) and added to the block input
/// (LRL); global feature fusion over all ten block outputs (GFF_1 1x1 over 640 channels, GFF_2 3x3) plus a global
/// residual from F_m1 (FDF); then UPN1..3 (5x5, 3x3, 3x3 convs) at the low resolution, nearest 2x upsampling of
/// their 12 channels and a last 3x3 conv (SR) at the high resolution.</para>
/// <para>The input height and width are open (<c>Dim.Any</c>): one compiled model and one weights file upscale a
/// 128x128 crop (x2-downscaled from the 256x256 original, so the output compares pixel for pixel with it) and a
/// 1280x720 frame alike; Run takes the size.</para>
/// </remarks>
[Model("weights/esrgan_medium_x2.safetensors")]
[Input(3, Dim.Any, Dim.Any)]
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
// Upsampling net: three convs at 128x128, nearest x2, the last conv at 256x256.
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

/// <summary>The same network, run band by band: one group from the first layer to the last, so that no layer's whole
/// output exists at once, only bands of the rows still read (see docs/slicing.md). Its output is the plain model's,
/// bit for bit; its memory no longer grows with the image's height.</summary>
[Model("weights/esrgan_medium_x2.safetensors", LayersOf = typeof(EsrganMediumX2))]
[Group("F_m1", "SR", Name = "all")]
internal static partial class EsrganMediumX2Sliced
{
}

/// <summary>The network with 30% of every prunable channel group removed by magnitude (docs/pruning.md): the ten
/// block convolutions, the residual chain they add to (one group, from F_0 through every block's Add), and the
/// upsampling convolutions keep 70% of their channels, rounded up to multiples of 8. No refit.</summary>
[Model("weights/esrgan_medium_x2.safetensors", LayersOf = typeof(EsrganMediumX2), PruneRatio = 0.3)]
internal static partial class EsrganMediumX2Prune30
{
}

/// <summary>The network with its last residual dense block removed (depth pruning): LRL_10 passes LRL_9 through, and the
/// global concat reads LRL_9 twice.</summary>
[Model("weights/esrgan_medium_x2.safetensors", LayersOf = typeof(EsrganMediumX2), RemoveBlocks = new[] { "LRL_10" })]
internal static partial class EsrganMediumX2Depth9
{
}
