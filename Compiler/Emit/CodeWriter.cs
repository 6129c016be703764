using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelCompiler.Emit;

/// <summary>An indented text writer for generated C#. Lines end with '\n' on every platform (determinism).</summary>
public sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter(int indent = 0) => _indent = indent;

    /// <summary>The current nesting depth, for a writer whose text is later inserted here with <see cref="Raw"/>.</summary>
    public int Indent => _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    public CodeWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>Appends text another writer produced (already indented), as is.</summary>
    public CodeWriter Raw(string text)
    {
        _text.Append(text);
        return this;
    }

    public override string ToString() => _text.ToString();

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The type of a byte offset or count constant: <c>int</c>, or <c>long</c> past <c>int.MaxValue</c> (a weight
    /// block past 2 GiB, read through <c>WeightBlock.F32(long, int)</c>).</summary>
    public static string OffsetType(long value) => value > int.MaxValue ? "long" : "int";

    /// <summary>A name from the user's code (a class, a namespace segment) as a C# identifier: '@' before a keyword,
    /// reserved or contextual (<c>@event</c>, <c>@record</c>), as the user had to write it; '@' is legal before any name.</summary>
    public static string Identifier(string name) => Keywords.Contains(name) ? "@" + name : name;

    /// <summary>A dotted namespace name with each segment as <see cref="Identifier"/>.</summary>
    public static string QualifiedName(string dotted) => string.Join(".", dotted.Split('.').Select(Identifier));

    private static readonly HashSet<string> Keywords = new(System.StringComparer.Ordinal)
    {
        // Reserved.
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",

        // Contextual: legal names, but a type named e.g. 'record', 'file' or 'scoped' draws a warning unless escaped.
        "add", "allows", "alias", "and", "args", "ascending", "async", "await", "by", "descending", "dynamic", "equals",
        "extension", "field", "file", "from", "get", "global", "group", "init", "into", "join", "let", "managed", "nameof",
        "nint", "not", "notnull", "nuint", "on", "or", "orderby", "partial", "record", "remove", "required", "scoped",
        "select", "set", "unmanaged", "value", "var", "when", "where", "with", "yield",
    };

    /// <summary>A float literal that round-trips exactly.</summary>
    public static string Float(float value)
    {
        if (float.IsPositiveInfinity(value))
        {
            return "float.PositiveInfinity";
        }

        if (float.IsNegativeInfinity(value))
        {
            return "float.NegativeInfinity";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return (text.Contains("E") || text.Contains(".") ? text : text + ".0") + "f";
    }

    public static string String(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    // Control characters and the other C# line terminators (U+0085, U+2028, U+2029) as \u escapes.
                    if (c < 0x20 || c == '\u0085' || c == '\u2028' || c == '\u2029')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
