using System.Linq;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.Weights;

/// <summary>The run-time weight block is held in arrays of <see cref="WeightLayout.ChunkBytes"/>: no tensor may cross from
/// one to the next, so each is one span.</summary>
public sealed class WeightLayoutChunkTests
{
    [Fact]
    public void NoTensor_CrossesAnArray_InAModelPastTwoGibibytes()
    {
        // 64 B of bias, then 1 GiB of weights: the second layer's weights would straddle the first GiB's end.
        WeightLayout layout = ModelCompilation.Compile(Model([16384],
            Linear("fc1", 16384, 16), Linear("fc2", 16, 16), Linear("fc3", 16, 16384), Linear("fc4", 16384, 16384), Linear("fc5", 16384, 16384))).Layout!;

        Assert.True(layout.TotalBytes > 2L << 30);
        Assert.All(layout.Tensors, t => Assert.Equal(t.Offset / WeightLayout.ChunkBytes, (t.Offset + t.Bytes - 1) / WeightLayout.ChunkBytes));
        Assert.Contains(layout.Tensors, t => t.Offset == WeightLayout.ChunkBytes);
    }
}
