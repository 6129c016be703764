using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ModelCompiler.Generators.Tests.Infrastructure;

/// <summary>Asserts on tracked generator steps (after NetEscapades.EnumGenerators' TestHelpers): outputs of the
/// second run are Cached/Unchanged, and no step output holds a Compilation, ISymbol or SyntaxNode.</summary>
public static class Incrementality
{
    public static IReadOnlyList<string> TrackedNames { get; } = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static | BindingFlags.NonPublic)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    public static void AssertAllCached(GeneratorRunResult second, params string[] allowedToChange)
    {
        foreach (string name in TrackedNames.Except(allowedToChange))
        {
            if (!second.TrackedSteps.TryGetValue(name, out var steps))
            {
                continue;
            }

            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object value, IncrementalStepRunReason reason) in step.Outputs)
                {
                    Assert.True(
                        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"Step '{name}' produced {reason} for {value}");
                }
            }
        }
    }

    public static void AssertNoRoslynObjects(GeneratorRunResult run)
    {
        foreach ((string name, var steps) in run.TrackedSteps.Where(s => TrackedNames.Contains(s.Key)))
        {
            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object value, _) in step.Outputs)
                {
                    Visit(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                }
            }
        }
    }

    private static void Visit(object? node, string step, HashSet<object> seen)
    {
        if (node is null || !seen.Add(node))
        {
            return;
        }

        Assert.False(node is Compilation or ISymbol or SyntaxNode or SemanticModel, $"Step '{step}' holds a {node.GetType().Name}");
        Type type = node.GetType();
        if (type.IsPrimitive || type.IsEnum || node is string)
        {
            return;
        }

        if (node is IEnumerable collection)
        {
            foreach (object? item in collection)
            {
                Visit(item, step, seen);
            }

            return;
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            Visit(field.GetValue(node), step, seen);
        }
    }
}
