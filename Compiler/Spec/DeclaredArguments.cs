using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelCompiler.Spec;

/// <summary>What a layer attribute said, before its operator's definition canonicalizes it: constructor
/// arguments by parameter name and named arguments by property name (matched ignoring case, so
/// <c>inChannels</c> and <c>InChannels</c> are one argument). Values are int, double, bool, string,
/// or arrays of those, as the compiler read them from the attribute.</summary>
public sealed class DeclaredArguments
{
    private readonly Dictionary<string, object?> _values;

    public DeclaredArguments(IEnumerable<KeyValuePair<string, object?>> values)
    {
        _values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, object?> pair in values)
        {
            _values[pair.Key] = pair.Value;
        }
    }

    public static DeclaredArguments None { get; } = new([]);

    public IEnumerable<string> Names => _values.Keys;

    public bool Has(string name) => _values.ContainsKey(name);

    public int Int(string name, int fallback) => _values.TryGetValue(name, out object? v) && v is int i ? i : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out object? v) ? v switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => fallback,
    } : fallback;

    public bool Bool(string name, bool fallback) => _values.TryGetValue(name, out object? v) && v is bool b ? b : fallback;

    public string? Text(string name) => _values.TryGetValue(name, out object? v) ? v as string : null;

    public string[] Texts(string name) => _values.TryGetValue(name, out object? v) && v is object?[] items
        ? items.Select(i => i as string ?? string.Empty).ToArray()
        : [];

    public int[] Ints(string name) => _values.TryGetValue(name, out object? v) && v is object?[] items
        ? items.Select(i => i is int n ? n : 0).ToArray()
        : [];
}
