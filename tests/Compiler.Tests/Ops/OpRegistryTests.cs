using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using ModelCompiler.Ops;
using ModelCompiler.Tests.Shared;
using Xunit;

namespace ModelCompiler.Tests.Ops;

/// <summary>The registry: exactly one definition per layer attribute the generator emits, found by its name, with
/// distinct default-name stems.</summary>
public sealed class OpRegistryTests
{
    [Fact]
    public void HasOneDefinitionPerLayerAttribute()
    {
        // The attribute API the generator emits into consumers: every "sealed class XAttribute : LayerAttribute".
        string source = File.ReadAllText(Path.Combine(Repository.Root, "Generators", "AttributeSource.cs"));
        string[] attributes = Regex.Matches(source, @"sealed class (\w+)Attribute : LayerAttribute")
            .Select(m => m.Groups[1].Value).OrderBy(n => n, StringComparer.Ordinal).ToArray();

        Assert.Equal(20, attributes.Length);
        Assert.Equal(attributes, OpRegistry.All.Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void NamesAndStems_AreUnique()
    {
        Assert.Equal(OpRegistry.All.Count, OpRegistry.All.Select(o => o.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(OpRegistry.All.Count, OpRegistry.All.Select(o => o.NameStem).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Find_ReturnsTheRegisteredInstance()
    {
        foreach (OpDefinition op in OpRegistry.All)
        {
            Assert.Same(op, OpRegistry.Find(op.Name));
            Assert.Same(op, OpRegistry.Get(op.Name));
        }

        Assert.Null(OpRegistry.Find("conv2d"));
        Assert.Null(OpRegistry.Find("Dropout"));
        ArgumentException e = Assert.Throws<ArgumentException>("name", () => OpRegistry.Get("Dropout"));
        Assert.StartsWith("unknown operator 'Dropout'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_MatchTheOperators()
    {
        Assert.Equal(["Add", "Concat"], OpRegistry.All.Where(o => o.IsVariadic).Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(["BatchNorm2d", "Conv2d", "Linear"], OpRegistry.All.Where(o => o.NameIsArgument).Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(
            ["GELU", "HardSwish", "LeakyReLU", "ReLU", "ReLU6", "SiLU", "Sigmoid", "Tanh"],
            OpRegistry.All.Where(o => o.IsActivation).Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(["Add", "BatchNorm2d", "Conv2d", "Linear"], OpRegistry.All.Where(o => o.TakesEpilogue).Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
    }
}
