using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.IR;
using ModelCompiler.Ops;
using ModelCompiler.Passes;
using ModelCompiler.Spec;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;
using static ModelCompiler.Tests.Helpers.Specs;

namespace ModelCompiler.Tests.IR;

/// <summary>The verifier after a pass: a toy pass that narrows conv1's output channels and conv2's input channels
/// together (what channel pruning will do) is accepted when it also replaces the weight programs and the types are
/// re-inferred, and refused, naming what is wrong, when it forgets either; plus the structural invariants.</summary>
public sealed class VerifierTests
{
    private static ModelSpec Spec(int[] input) => Model(input,
        Conv("conv1", 3, 8, 3, padding: 1), Op("ReLU", "relu"), Conv("conv2", 8, 4, 3, padding: 1), Op("GlobalAvgPool2d", "gap"));

    [Fact]
    public void DeclaredGraph_Verifies() => Verifier.Verify(Graphs.Build(Spec([3, 8, 8])), "build");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NarrowingPass_WithWeightsAndReinference_IsAccepted(bool open)
    {
        Graph graph = Graphs.Build(Spec(open ? [3, -1, -1] : [3, 8, 8]));
        string size = open ? "H, W" : "8, 8";

        IReadOnlyList<PassResult> log = PassPipeline.Run(graph, [new Narrow(6, updateWeights: true)]);

        Assert.Equal([new PassResult("narrow", true)], log);
        Assert.Equal("[N, 6, " + size + "]", graph.Node("conv1").Output.Shape.ToString());
        Assert.Equal("[N, 6, " + size + "]", graph.Node("relu").Output.Shape.ToString());
        Assert.Equal("[N, 4, " + size + "]", graph.Node("conv2").Output.Shape.ToString());
        Assert.Equal([6, 3, 3, 3], graph.Node("conv1").Weight("weight")!.Program.Shape);
        Assert.Equal([4, 6, 3, 3], graph.Node("conv2").Weight("weight")!.Program.Shape);
    }

    [Fact]
    public void NarrowingPass_WithoutNewWeights_IsRefusedNamingTheWeight()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => PassPipeline.Run(graph, [new Narrow(6, updateWeights: false)]));
        Assert.Equal("IR verification failed after narrow: 'conv1' weight is [8, 3, 3, 3], its attributes need [6, 3, 3, 3]", e.Message);
    }

    [Fact]
    public void NarrowingPass_WithoutReinference_IsRefusedNamingTheShape()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        new Narrow(6, updateWeights: true).Run(graph);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Verifier.Verify(graph, "narrow"));
        Assert.Equal("IR verification failed after narrow: 'conv1' has shape [N, 8, 8, 8], but its operator infers [N, 6, 8, 8]", e.Message);
    }

    [Fact]
    public void NarrowingOnlyTheProducer_FailsReinferenceAtTheConsumer()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        Node conv1 = graph.Node("conv1");
        conv1.Attributes = conv1.Attributes.With(Conv2dOp.OutChannels, 6);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(graph.InferTypes);
        Assert.StartsWith("shape inference failed for 'conv2' after a pass: Layer 'conv2' (Conv2d) expects [N, 8, H, W] from 'relu', but 'relu' produces [N, 6, 8, 8]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingWeight_IsRefused()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        graph.Node("conv2").Weights.RemoveAt(1);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Verifier.Verify(graph, "test"));
        Assert.Equal("IR verification failed after test: 'conv2' has weights (weight), its operator reads (weight, bias)", e.Message);
    }

    [Fact]
    public void ConsumerListOutOfStep_IsRefused()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        graph.Node("relu").Output.Consumers.Clear();
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Verifier.Verify(graph, "test"));
        Assert.Equal("IR verification failed after test: 'relu' does not list its consumer 'conv2'", e.Message);
    }

    [Fact]
    public void ReadingAValueBeforeItIsProduced_IsRefused()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        (graph.Nodes[1], graph.Nodes[2]) = (graph.Nodes[2], graph.Nodes[1]);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Verifier.Verify(graph, "test"));
        Assert.Equal("IR verification failed after test: node 'conv2' reads 'relu' before it is produced", e.Message);
    }

    [Fact]
    public void RemovedNodeStillListedAsAConsumer_IsRefused()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        graph.Nodes.Remove(graph.Node("gap"));
        graph.Output = graph.Node("conv2").Output;
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Verifier.Verify(graph, "test"));
        Assert.Equal("IR verification failed after test: 'conv2' lists 'gap', which does not read it", e.Message);
    }

    [Fact]
    public void OutputNotProduced_IsRefused()
    {
        Graph graph = Graphs.Build(Spec([3, 8, 8]));
        graph.Output = new Value("ghost", TensorType.Float32(new Shape(4, 1, 1)), null);
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => Verifier.Verify(graph, "test"));
        Assert.Equal("IR verification failed after test: the graph output is not produced by any node", e.Message);
    }

    /// <summary>A toy pruning pass: conv1 keeps <paramref name="channels"/> output channels and conv2 reads that many;
    /// with <paramref name="updateWeights"/>, their weight programs are replaced by zeros of the new shapes.</summary>
    private sealed class Narrow(int channels, bool updateWeights) : IPass
    {
        public string Name => "narrow";

        public bool Run(Graph graph)
        {
            Node conv1 = graph.Node("conv1"), conv2 = graph.Node("conv2");
            conv1.Attributes = conv1.Attributes.With(Conv2dOp.OutChannels, channels);
            conv2.Attributes = conv2.Attributes.With(Conv2dOp.InChannels, channels);
            if (updateWeights)
            {
                Replace(conv1, "weight", channels, 3, 3, 3);
                Replace(conv1, "bias", channels);
                Replace(conv2, "weight", 4, channels, 3, 3);
            }

            return true;
        }

        private static void Replace(Node node, string role, params int[] shape)
        {
            int index = node.Weights.FindIndex(w => w.Role == role);
            node.Weights[index] = new NodeWeight(role, Encode.Float32(new ZeroTensor(shape.ToEquatableArray())));
        }
    }
}
