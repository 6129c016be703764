using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelCompiler.Common;
using ModelCompiler.Spec;

namespace ModelCompiler.Manifest;

/// <summary>The contract between the generator and the weight-linking task: the exact spec, serialized as
/// text into an assembly-level [AssemblyMetadata] attribute, so the task never parses C#. One line per record,
/// space-separated key=value fields, values percent-escaped.</summary>
public static class ModelManifest
{
    /// <summary>Key prefix of the AssemblyMetadata attribute; the key continues with the model's full name.</summary>
    public const string MetadataKeyPrefix = "ModelCompiler.Model:";

    /// <summary>Bumped whenever the packed layout or the emitted code's expectations change.</summary>
    public const int FormatVersion = 1;

    private const string Header = "modelcompiler-manifest";

    public static string Write(ModelSpec spec, bool includeLocations = true)
    {
        var text = new StringBuilder();
        text.Append(Header).Append(' ').Append(FormatVersion.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var model = new List<(string, string)>
        {
            ("namespace", spec.Namespace),
            ("class", spec.ClassName),
            ("access", spec.Accessibility),
            ("weights", spec.WeightsPath),
            ("input", string.Join(",", spec.InputShape.Select(Int))),
        };
        if (includeLocations)
        {
            AddLocation(model, spec.Location);
        }

        Line(text, "model", model);
        foreach (LayerSpec l in spec.Layers)
        {
            var f = new List<(string, string)> { ("kind", l.Kind.ToString()), ("name", l.Name) };
            if (!l.Inputs.IsEmpty)
            {
                f.Add(("inputs", string.Join(",", l.Inputs.Select(Escape))));
            }

            if (l.WeightPrefix is not null)
            {
                f.Add(("prefix", l.WeightPrefix));
            }

            f.Add(("in", Int(l.InFeatures)));
            f.Add(("out", Int(l.OutFeatures)));
            f.Add(("kernel", Int(l.KernelH) + "," + Int(l.KernelW)));
            f.Add(("stride", Int(l.StrideH) + "," + Int(l.StrideW)));
            f.Add(("padding", Int(l.PaddingH) + "," + Int(l.PaddingW)));
            f.Add(("dilation", Int(l.DilationH) + "," + Int(l.DilationW)));
            f.Add(("groups", Int(l.Groups)));
            f.Add(("bias", l.Bias ? "1" : "0"));
            f.Add(("alpha", Float(l.Alpha)));
            f.Add(("eps", Float(l.Epsilon)));
            f.Add(("factor", Int(l.Factor)));
            f.Add(("includepad", l.CountIncludePad ? "1" : "0"));
            if (includeLocations)
            {
                AddLocation(f, l.Location);
            }

            Line(text, "layer", f);
        }

        return text.ToString();
    }

    /// <summary>The layout key: a hash of everything that determines the packed layout and the code, and
    /// nothing else (no source locations), so moving a declaration does not invalidate packed weights.</summary>
    public static ulong LayoutHash(ModelSpec spec) => Hashing.Fnv1a64(Write(spec, includeLocations: false));

    /// <summary>Parses a manifest; any malformed input throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ModelSpec Read(string manifest)
    {
        try
        {
            return ReadUnchecked(manifest);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new FormatException("malformed manifest: " + e.Message, e);
        }
    }

    private static ModelSpec ReadUnchecked(string manifest)
    {
        string[] lines = manifest.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || lines[0] != Header + " " + FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new FormatException("not a ModelCompiler manifest of version " + FormatVersion + " (first line: '" + (lines.Length > 0 ? lines[0] : string.Empty) + "')");
        }

        Dictionary<string, string> model = Fields(lines[1], "model");
        var layers = new List<LayerSpec>();
        foreach (string line in lines.Skip(2))
        {
            Dictionary<string, string> f = Fields(line, "layer");
            (int kh, int kw) = Pair(f, "kernel");
            (int sh, int sw) = Pair(f, "stride");
            (int ph, int pw) = Pair(f, "padding");
            (int dh, int dw) = Pair(f, "dilation");
            layers.Add(new LayerSpec
            {
                Kind = ParseKind(Get(f, "kind")),
                Name = Get(f, "name"),
                Inputs = f.TryGetValue("inputs", out string? inputs)
                    ? inputs.Split(',').Select(Unescape).ToEquatableArray()
                    : EquatableArray<string>.Empty,
                WeightPrefix = f.TryGetValue("prefix", out string? prefix) ? prefix : null,
                InFeatures = ParseInt(Get(f, "in")),
                OutFeatures = ParseInt(Get(f, "out")),
                KernelH = kh,
                KernelW = kw,
                StrideH = sh,
                StrideW = sw,
                PaddingH = ph,
                PaddingW = pw,
                DilationH = dh,
                DilationW = dw,
                Groups = ParseInt(Get(f, "groups")),
                Bias = Get(f, "bias") == "1",
                Alpha = float.Parse(Get(f, "alpha"), NumberStyles.Float, CultureInfo.InvariantCulture),
                Epsilon = float.Parse(Get(f, "eps"), NumberStyles.Float, CultureInfo.InvariantCulture),
                Factor = ParseInt(Get(f, "factor")),
                CountIncludePad = Get(f, "includepad") == "1",
                Location = ReadLocation(f),
            });
        }

        return new ModelSpec
        {
            Namespace = Get(model, "namespace"),
            ClassName = Get(model, "class"),
            Accessibility = Get(model, "access"),
            WeightsPath = Get(model, "weights"),
            InputShape = Get(model, "input").Split(',').Select(ParseInt).ToEquatableArray(),
            Layers = layers.ToEquatableArray(),
            Location = ReadLocation(model),
        };
    }

    private static OpKind ParseKind(string text) =>
        Enum.GetNames(typeof(OpKind)).Contains(text, StringComparer.Ordinal)
            ? (OpKind)Enum.Parse(typeof(OpKind), text)
            : throw new FormatException("unknown layer kind '" + text + "'");

    private static void AddLocation(List<(string, string)> fields, SourceLocation? location)
    {
        if (location is not null)
        {
            fields.Add(("file", location.File));
            fields.Add(("line", Int(location.Line)));
            fields.Add(("col", Int(location.Column)));
        }
    }

    private static SourceLocation? ReadLocation(Dictionary<string, string> f) =>
        f.TryGetValue("file", out string? file) ? new SourceLocation(file, ParseInt(Get(f, "line")), ParseInt(Get(f, "col"))) : null;

    private static void Line(StringBuilder text, string kind, List<(string Key, string Value)> fields)
    {
        text.Append(kind);
        foreach ((string key, string value) in fields)
        {
            text.Append(' ').Append(key).Append('=').Append(key == "inputs" ? value : Escape(value));
        }

        text.Append('\n');
    }

    private static Dictionary<string, string> Fields(string line, string kind)
    {
        string[] parts = line.Split(' ');
        if (parts[0] != kind)
        {
            throw new FormatException("expected a '" + kind + "' line, found '" + parts[0] + "'");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in parts.Skip(1))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException("malformed field '" + part + "'");
            }

            string key = part.Substring(0, eq);
            string value = part.Substring(eq + 1);
            result[key] = key == "inputs" ? value : Unescape(value);
        }

        return result;
    }

    private static string Get(Dictionary<string, string> f, string key) =>
        f.TryGetValue(key, out string? v) ? v : throw new FormatException("missing field '" + key + "'");

    private static (int, int) Pair(Dictionary<string, string> f, string key)
    {
        string[] parts = Get(f, key).Split(',');
        return parts.Length == 2 ? (ParseInt(parts[0]), ParseInt(parts[1])) : throw new FormatException("field '" + key + "' is not a pair");
    }

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Float(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Percent-escapes the characters the line format uses: '%', ' ', '=', ',', newlines.</summary>
    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c is '%' or ' ' or '=' or ',' or '\n' or '\r' or '\t')
            {
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Unescape(string s)
    {
        if (s.IndexOf('%') < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '%' && i + 2 < s.Length + 0 && int.TryParse(s.Substring(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
            {
                sb.Append((char)code);
                i += 2;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}
