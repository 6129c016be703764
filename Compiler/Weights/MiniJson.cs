using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelCompiler.Weights;

/// <summary>A strict, bounded JSON reader for safetensors headers (netstandard2.0 has no JSON parser and
/// the compiler host must not load package dependencies). Objects become ordered key lists with duplicate
/// keys rejected; numbers stay as text until the caller asks for an integer.</summary>
internal sealed class MiniJson
{
    private const int MaxDepth = 16;
    private readonly string _text;
    private int _pos;

    private MiniJson(string text) => _text = text;

    public static object Parse(string text)
    {
        var parser = new MiniJson(text);
        parser.SkipWhitespace();
        object value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser._pos != text.Length)
        {
            throw parser.Error("unexpected text after the JSON value");
        }

        return value;
    }

    private object ParseValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("nesting deeper than " + MaxDepth);
        }

        if (_pos >= _text.Length)
        {
            throw Error("unexpected end of header");
        }

        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return ParseObject(depth);
            case '[':
                return ParseArray(depth);
            case '"':
                return ParseString();
            case 't':
                Expect("true");
                return true;
            case 'f':
                Expect("false");
                return false;
            case 'n':
                Expect("null");
                return JsonNull.Instance;
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ParseNumber();
                }

                throw Error("unexpected character '" + c + "'");
        }
    }

    private List<KeyValuePair<string, object>> ParseObject(int depth)
    {
        var result = new List<KeyValuePair<string, object>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        _pos++;
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return result;
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw Error("expected a quoted key");
            }

            string key = ParseString();
            if (!seen.Add(key))
            {
                throw Error("duplicate key '" + key + "'");
            }

            SkipWhitespace();
            ExpectChar(':');
            SkipWhitespace();
            result.Add(new KeyValuePair<string, object>(key, ParseValue(depth + 1)));
            SkipWhitespace();
            char c = Next();
            if (c == '}')
            {
                return result;
            }

            if (c != ',')
            {
                throw Error("expected ',' or '}'");
            }
        }
    }

    private List<object> ParseArray(int depth)
    {
        var result = new List<object>();
        _pos++;
        SkipWhitespace();
        if (Peek() == ']')
        {
            _pos++;
            return result;
        }

        while (true)
        {
            SkipWhitespace();
            result.Add(ParseValue(depth + 1));
            SkipWhitespace();
            char c = Next();
            if (c == ']')
            {
                return result;
            }

            if (c != ',')
            {
                throw Error("expected ',' or ']'");
            }
        }
    }

    private string ParseString()
    {
        ExpectChar('"');
        var sb = new StringBuilder();
        while (true)
        {
            char c = Next();
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c < 0x20)
            {
                throw Error("control character in string");
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            char e = Next();
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !ushort.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                    {
                        throw Error("bad \\u escape");
                    }

                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw Error("bad escape '\\" + e + "'");
            }
        }
    }

    private JsonNumber ParseNumber()
    {
        int start = _pos;
        if (Peek() == '-')
        {
            _pos++;
        }

        while (_pos < _text.Length && "0123456789.eE+-".IndexOf(_text[_pos]) >= 0)
        {
            _pos++;
        }

        return new JsonNumber(_text.Substring(start, _pos - start));
    }

    private void Expect(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
        {
            throw Error("expected '" + word + "'");
        }

        _pos += word.Length;
    }

    private void ExpectChar(char c)
    {
        if (Next() != c)
        {
            throw Error("expected '" + c + "'");
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private char Next()
    {
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end of header");
        }

        return _text[_pos++];
    }

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }

    private FormatException Error(string message) =>
        new("JSON header, character " + _pos.ToString(CultureInfo.InvariantCulture) + ": " + message);
}

internal sealed class JsonNull
{
    public static readonly JsonNull Instance = new();
}

internal sealed class JsonNumber(string text)
{
    public string Text { get; } = text;

    /// <summary>A non-negative integer that fits in a long, or null.</summary>
    public long? AsNonNegativeInteger() =>
        long.TryParse(Text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
}
