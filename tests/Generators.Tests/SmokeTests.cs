using System.Collections.Generic;
using ModelCompiler.Generators.Tests.Infrastructure;
using Xunit;

namespace ModelCompiler.Generators.Tests;

public class SmokeTests
{
    [Fact]
    public void LinearModel_ComputesAffineMap()
    {
        const string source = """
            using ModelCompiler;
            namespace Demo;
            [Model("w.safetensors")]
            [Input(3)]
            [Linear("fc", 3, 2)]
            [ReLU]
            public partial class Tiny { }
            """;
        var tensors = new Dictionary<string, float[]>
        {
            ["fc.weight"] = [1, 2, 3, -1, -2, -3],
            ["fc.bias"] = [0.5f, 0.25f],
        };
        using CompiledModel model = CompiledModel.Create(source, "Demo.Tiny", tensors);
        float[] y = model.Run([1, 1, 1, 2, 0, 0], batch: 2);
        Assert.Equal(new float[] { 6.5f, 0f, 2.5f, 0f }, y);
    }
}
