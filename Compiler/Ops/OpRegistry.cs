using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelCompiler.Ops;

/// <summary>Every operator the compiler knows, by name (the attribute's name without "Attribute").</summary>
public static class OpRegistry
{
    public static IReadOnlyList<OpDefinition> All { get; } =
    [
        new LinearOp(),
        new Conv2dOp(),
        new BatchNorm2dOp(),
        .. ActivationOp.All,
        PoolOp.Max,
        PoolOp.Average,
        new GlobalAvgPool2dOp(),
        new FlattenOp(),
        new AddOp(),
        new ConcatOp(),
        new UpsampleOp(),
        new PixelShuffleOp(),
        new SoftmaxOp(),
    ];

    private static readonly Dictionary<string, OpDefinition> ByName = All.ToDictionary(o => o.Name, StringComparer.Ordinal);

    public static OpDefinition? Find(string name) => ByName.TryGetValue(name, out OpDefinition? op) ? op : null;

    public static OpDefinition Get(string name) => Find(name) ?? throw new ArgumentException("unknown operator '" + name + "'", nameof(name));
}
