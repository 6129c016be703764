using ModelCompiler.IR;

namespace ModelCompiler.Ops;

/// <summary>How the channels of one input relate to the output's channels (dim 0 of the per-sample shape).</summary>
public enum ChannelRelation
{
    /// <summary>No channel correspondence: the operator's weights connect them (Linear, a dense Conv2d).</summary>
    Independent,

    /// <summary>Input channel c is output channel c (elementwise ops, BatchNorm, pooling, a depthwise Conv2d, Add).</summary>
    Identity,

    /// <summary>Input channel c is output channel <see cref="ChannelMap.Offset"/> + c (Concat).</summary>
    Offset,

    /// <summary>Input channel c is output channels [c·f, (c+1)·f) with f = <see cref="ChannelMap.Factor"/> (Flatten: f = H·W).</summary>
    Spread,

    /// <summary>Input channels [c·f, (c+1)·f) are output channel c (PixelShuffle: f = r²).</summary>
    Gather,

    /// <summary>Every output channel depends on every input channel without weights (Softmax over channels): not prunable.</summary>
    Entangled,
}

/// <summary>One input's channel relation to the output.</summary>
public sealed record ChannelMap(ChannelRelation Relation, Dim Offset, Dim Factor)
{
    public static readonly ChannelMap Independent = new(ChannelRelation.Independent, Dim.Zero, Dim.One);

    public static readonly ChannelMap Identity = new(ChannelRelation.Identity, Dim.Zero, Dim.One);

    public static readonly ChannelMap Entangled = new(ChannelRelation.Entangled, Dim.Zero, Dim.One);

    public static ChannelMap At(Dim offset) => new(ChannelRelation.Offset, offset, Dim.One);

    public static ChannelMap Spread(Dim factor) => new(ChannelRelation.Spread, Dim.Zero, factor);

    public static ChannelMap Gather(Dim factor) => new(ChannelRelation.Gather, Dim.Zero, factor);

    public override string ToString() => Relation switch
    {
        ChannelRelation.Offset => "offset " + Offset,
        ChannelRelation.Spread => "spread x" + Factor,
        ChannelRelation.Gather => "gather /" + Factor,
        _ => Relation.ToString().ToLowerInvariant(),
    };
}
