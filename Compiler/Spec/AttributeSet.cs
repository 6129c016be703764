using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelCompiler.Common;

namespace ModelCompiler.Spec;

/// <summary>The kinds of value an operator attribute holds.</summary>
public enum AttributeKind
{
    Ints,
    Float,
    Bool,
    Text,
}

/// <summary>One operator attribute value: integers (a scalar is one integer), a float, a bool or a text.
/// Value-equatable; floats compare by value (NaN equals NaN, so a spec holding one stays cacheable).</summary>
public sealed record AttributeValue(AttributeKind Kind, EquatableArray<int> Ints, float Float, string Text)
{
    public static AttributeValue Of(params int[] values) => new(AttributeKind.Ints, values.ToEquatableArray(), 0, string.Empty);

    public static AttributeValue Of(float value) => new(AttributeKind.Float, EquatableArray<int>.Empty, value, string.Empty);

    public static AttributeValue Of(bool value) => new(AttributeKind.Bool, EquatableArray<int>.Empty, value ? 1 : 0, string.Empty);

    public static AttributeValue Of(string value) => new(AttributeKind.Text, EquatableArray<int>.Empty, 0, value);

    public bool Bool => Float != 0;

    /// <summary>The manifest form: <c>i:3,3</c>, <c>f:1E-05</c>, <c>b:1</c>, <c>s:same</c> (the text not escaped here).</summary>
    public string Serialize() => Kind switch
    {
        AttributeKind.Ints => "i:" + string.Join(",", Ints.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        AttributeKind.Float => "f:" + Float.ToString("R", CultureInfo.InvariantCulture),
        AttributeKind.Bool => Bool ? "b:1" : "b:0",
        _ => "s:" + Text,
    };

    /// <summary>Parses <see cref="Serialize"/>'s form; throws <see cref="FormatException"/> on anything else.</summary>
    public static AttributeValue Parse(string text)
    {
        if (text.Length < 2 || text[1] != ':')
        {
            throw new FormatException("malformed attribute value '" + text + "'");
        }

        string body = text.Substring(2);
        return text[0] switch
        {
            'i' => Of(body.Length == 0 ? [] : body.Split(',').Select(s => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray()),
            'f' => Of(float.Parse(body, NumberStyles.Float, CultureInfo.InvariantCulture)),
            'b' when body is "0" or "1" => Of(body == "1"),
            's' => Of(body),
            _ => throw new FormatException("malformed attribute value '" + text + "'"),
        };
    }

    public override string ToString() => Kind switch
    {
        AttributeKind.Ints => Ints.Count == 1 ? Ints[0].ToString(CultureInfo.InvariantCulture) : "[" + string.Join(", ", Ints) + "]",
        AttributeKind.Float => Float.ToString("R", CultureInfo.InvariantCulture),
        AttributeKind.Bool => Bool ? "true" : "false",
        _ => "'" + Text + "'",
    };
}

/// <summary>A named attribute.</summary>
public sealed record AttributeEntry(string Key, AttributeValue Value);

/// <summary>An operator's attributes in canonical form (keys in PyTorch's words: in_channels, kernel_size, ...),
/// sorted by key. Immutable and value-equatable: part of the spec (the generator's cache key) and of the IR,
/// where passes replace a node's set with a changed copy (<see cref="With(string, int[])"/>).</summary>
public readonly struct AttributeSet : IEquatable<AttributeSet>
{
    private readonly EquatableArray<AttributeEntry> _items;

    private AttributeSet(EquatableArray<AttributeEntry> items) => _items = items;

    public static AttributeSet Empty => default;

    public IEnumerable<AttributeEntry> Items => _items;

    public static AttributeSet From(IEnumerable<AttributeEntry> items) =>
        new(items.GroupBy(a => a.Key, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(a => a.Key, StringComparer.Ordinal).ToEquatableArray());

    public bool Has(string key) => Find(key) is not null;

    public AttributeValue? Find(string key) => _items.FirstOrDefault(a => a.Key == key)?.Value;

    public AttributeValue Get(string key) => Find(key) ?? throw new KeyNotFoundException("attribute '" + key + "' is not set");

    public int Int(string key) => Get(key).Ints[0];

    public int Int(string key, int index) => Get(key).Ints[index];

    public int[] Ints(string key) => Get(key).Ints.ToArray();

    public float Float(string key) => Get(key).Float;

    public bool Bool(string key) => Get(key).Bool;

    public string Text(string key) => Get(key).Text;

    public AttributeSet With(string key, AttributeValue value) => From(_items.Append(new AttributeEntry(key, value)));

    public AttributeSet With(string key, params int[] values) => With(key, AttributeValue.Of(values));

    public AttributeSet With(string key, float value) => With(key, AttributeValue.Of(value));

    public AttributeSet With(string key, bool value) => With(key, AttributeValue.Of(value));

    public AttributeSet With(string key, string value) => With(key, AttributeValue.Of(value));

    public AttributeSet Without(string key) => new(_items.Where(a => a.Key != key).ToEquatableArray());

    public bool Equals(AttributeSet other) => _items.Equals(other._items);

    public override bool Equals(object? obj) => obj is AttributeSet other && Equals(other);

    public override int GetHashCode() => _items.GetHashCode();

    public static bool operator ==(AttributeSet left, AttributeSet right) => left.Equals(right);

    public static bool operator !=(AttributeSet left, AttributeSet right) => !left.Equals(right);

    public override string ToString() => string.Join(", ", _items.Select(a => a.Key + "=" + a.Value));
}
