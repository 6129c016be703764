using Xunit;

namespace ModelCompiler.Generators.Tests;

/// <summary>The background warm-up compile (ModelGenerator.Warmup): its built-in model must keep compiling as the
/// operators change, or the warm-up would silently do nothing.</summary>
public class WarmupTests
{
    [Fact]
    public void TheWarmupModel_Compiles()
    {
        ModelCompilation compilation = ModelCompilation.Compile(ModelGenerator.Warmup.Spec());

        Assert.True(compilation.Succeeded, string.Join("; ", compilation.Diagnostics));
        ModelGenerator.Warmup.Run();
        Assert.True(ModelGenerator.Warmup.Completed);
    }
}
