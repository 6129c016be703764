using ModelCompiler.Common;
using Xunit;

namespace ModelCompiler.Tests.Common;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("UPN_1", "UPN1")]
    [InlineData("F_1_1_relu", "F_1_1_Relu")]
    [InlineData("fc2.bais", "fc2.bias")]
    [InlineData("conv1.weight", "Conv1.weight")]
    public void TheNameOneEditAway_IsFound(string name, string expected) =>
        Assert.Equal(expected, Suggestions.Closest(name, ["encoder.weight", expected, "fc1.weight"]));

    [Theory]
    [InlineData("x", new[] { "encoder", "fc" })]
    [InlineData("head.weight", new[] { "conv1.weight", "fc.bias" })]
    [InlineData("a", new string[0])]
    public void NothingNear_GivesNull(string name, string[] candidates) =>
        Assert.Null(Suggestions.Closest(name, candidates));

    [Fact]
    public void TheNameItself_IsNotASuggestion() =>
        Assert.Null(Suggestions.Closest("fc", ["fc"]));

    [Fact]
    public void Ties_GoToTheOrdinallySmallest() =>
        Assert.Equal("ab", Suggestions.Closest("aa", ["ba", "ab"]));

    [Fact]
    public void CaseCostsAQuarter() =>
        Assert.Equal(0.25, Suggestions.Distance("Relu", "relu"));
}
