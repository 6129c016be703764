using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelCompiler.Common;
using ModelCompiler.Ops;
using ModelCompiler.Options;
using ModelCompiler.Spec;

namespace ModelCompiler.Manifest;

/// <summary>A model as the weight-linking task needs it: the declaration and the options it was compiled with.</summary>
public sealed record ManifestModel(ModelSpec Spec, CompileOptions Options);

/// <summary>The contract between the generator and the weight-linking task: the exact spec and compile options,
/// serialized as text into an assembly-level [AssemblyMetadata] attribute, so the task never parses C# and
/// compiles exactly what the generator compiled. One line per record, space-separated key=value fields,
/// values percent-escaped; layer attributes are written generically (<c>a.kernel_size=i:3,3</c>), so a new
/// operator needs nothing here.</summary>
public static class ModelManifest
{
    /// <summary>Key prefix of the AssemblyMetadata attribute; the key continues with the model's full name.</summary>
    public const string MetadataKeyPrefix = "ModelCompiler.Model:";

    /// <summary>Bumped whenever the manifest, the packed layout or the emitted code's expectations change.</summary>
    public const int FormatVersion = 2;

    private const string Header = "modelcompiler-manifest";

    private const string AttributePrefix = "a.";

    public static string Write(ModelSpec spec, CompileOptions? options = null, bool includeLocations = true)
    {
        options ??= CompileOptions.Default;
        var text = new StringBuilder();
        text.Append(Header).Append(' ').Append(Int(FormatVersion)).Append('\n');
        var model = new List<(string, string)>
        {
            ("namespace", spec.Namespace),
            ("class", spec.ClassName),
            ("access", spec.Accessibility),
            ("weights", spec.WeightsPath),
            ("input", string.Join(",", spec.InputShape.Select(Int))),
        };
        if (spec.Pruning != PruneSpec.None)
        {
            model.Add(("prune", Double(spec.Pruning.Ratio)));
            model.Add(("prune-criterion", spec.Pruning.Criterion));
            model.Add(("prune-multiple", Int(spec.Pruning.Multiple)));
            model.Add(("prune-reform", spec.Pruning.Reform ? "true" : "false"));
        }

        if (!spec.RemovedBlocks.IsEmpty)
        {
            model.Add(("remove-blocks", string.Join(",", spec.RemovedBlocks.Select(Escape))));
        }

        if (spec.CalibrationPath is not null)
        {
            model.Add(("calibration", spec.CalibrationPath));
        }
        if (includeLocations)
        {
            AddLocation(model, spec.Location);
            AddLocation(model, spec.WeightsLocation, "weights-");
        }

        Line(text, "model", model);
        foreach (LayerSpec l in spec.Layers)
        {
            var f = new List<(string, string)> { ("kind", l.Kind), ("name", l.Name) };
            if (!l.Inputs.IsEmpty)
            {
                f.Add(("inputs", string.Join(",", l.Inputs.Select(Escape))));
            }

            if (l.WeightPrefix is not null)
            {
                f.Add(("prefix", l.WeightPrefix));
            }

            if (l.PruneRatio is { } ratio)
            {
                f.Add(("prune", Double(ratio)));
            }

            f.AddRange(l.Attributes.Items.Select(a => (AttributePrefix + a.Key, a.Value.Serialize())));
            if (includeLocations)
            {
                AddLocation(f, l.Location);
            }

            Line(text, "layer", f);
        }

        foreach (GroupSpec g in spec.Groups)
        {
            var f = new List<(string, string)> { ("name", g.Name), ("first", g.First), ("last", g.Last), ("rows", Int(g.Rows)) };
            if (includeLocations)
            {
                AddLocation(f, g.Location);
            }

            Line(text, "group", f);
        }

        DeviceProfile device = options.Device;
        Line(text, "options",
        [
            ("backend", options.Backend),
            ("device", device.Name),
            ("parallel-node-macs", Long(device.ParallelNodeMacs)),
            ("parallel-linear-macs", Long(device.ParallelLinearMacs)),
            ("parallel-batch-macs", Long(device.ParallelBatchMacs)),
            ("chunk-bytes", Long(device.ChunkBytes)),
            ("plan", options.Plan.File),
        ]);
        foreach (LayerPlan layer in options.Plan.Layers)
        {
            var f = new List<(string, string)> { ("layer", layer.Layer), ("line", Int(layer.Line)) };
            if (layer.Algorithm is not null)
            {
                f.Add(("algorithm", layer.Algorithm));
            }

            if (layer.Prune is { } prune)
            {
                f.Add(("prune", Double(prune)));
            }

            if (layer.Sensitivity is { } sensitivity)
            {
                f.Add(("sensitivity", sensitivity));
            }

            Line(text, "plan", f);
        }

        return text.ToString();
    }

    /// <summary>A hash of the declaration and options without source locations: what the code and the packed layout
    /// depend on, for a given compiler (moving a declaration does not change it).</summary>
    public static ulong DeclarationHash(ModelSpec spec, CompileOptions options) => Hashing.Fnv1a64(Write(spec, options, includeLocations: false));

    /// <summary>Parses a manifest; any malformed input throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ManifestModel Read(string manifest)
    {
        try
        {
            return ReadUnchecked(manifest);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or KeyNotFoundException)
        {
            throw new FormatException("malformed manifest: " + e.Message, e);
        }
    }

    private static ManifestModel ReadUnchecked(string manifest)
    {
        string[] lines = manifest.Split(['\n'], StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 3 || lines[0] != Header + " " + Int(FormatVersion))
        {
            throw new FormatException("not a ModelCompiler manifest of version " + FormatVersion + " (first line: '" + (lines.Length > 0 ? lines[0] : string.Empty) + "')");
        }

        Dictionary<string, string> model = Fields(lines[1], "model");
        var layers = new List<LayerSpec>();
        int i = 2;
        for (; i < lines.Length && lines[i].StartsWith("layer ", StringComparison.Ordinal); i++)
        {
            Dictionary<string, string> f = Fields(lines[i], "layer");
            string kind = Get(f, "kind");
            OpDefinition op = OpRegistry.Find(kind) ?? throw new FormatException("unknown layer kind '" + kind + "'");
            AttributeSet attributes = AttributeSet.From(f.Where(p => p.Key.StartsWith(AttributePrefix, StringComparison.Ordinal))
                .Select(p => new AttributeEntry(p.Key.Substring(AttributePrefix.Length), AttributeValue.Parse(p.Value))));
            CheckSchema(op, attributes);
            layers.Add(new LayerSpec
            {
                Kind = kind,
                Name = Get(f, "name"),
                Inputs = f.TryGetValue("inputs", out string? inputs)
                    ? inputs.Split(',').Select(Unescape).ToEquatableArray()
                    : EquatableArray<string>.Empty,
                WeightPrefix = f.TryGetValue("prefix", out string? prefix) ? prefix : null,
                PruneRatio = f.TryGetValue("prune", out string? ratio) ? ParseDouble(ratio) : null,
                Attributes = attributes,
                Location = ReadLocation(f),
            });
        }

        var groups = new List<GroupSpec>();
        for (; i < lines.Length && lines[i].StartsWith("group ", StringComparison.Ordinal); i++)
        {
            Dictionary<string, string> f = Fields(lines[i], "group");
            groups.Add(new GroupSpec { Name = Get(f, "name"), First = Get(f, "first"), Last = Get(f, "last"), Rows = ParseInt(Get(f, "rows")), Location = ReadLocation(f) });
        }

        if (i >= lines.Length)
        {
            throw new FormatException("the 'options' line is missing");
        }

        Dictionary<string, string> o = Fields(lines[i++], "options");
        var planLayers = new List<LayerPlan>();
        for (; i < lines.Length; i++)
        {
            Dictionary<string, string> f = Fields(lines[i], "plan");
            planLayers.Add(new LayerPlan(Get(f, "layer"), f.TryGetValue("algorithm", out string? algorithm) ? algorithm : null, ParseInt(Get(f, "line")))
            {
                Prune = f.TryGetValue("prune", out string? layerPrune) ? ParseDouble(layerPrune) : null,
                Sensitivity = f.TryGetValue("sensitivity", out string? curve) ? curve : null,
            });
        }

        var spec = new ModelSpec
        {
            Namespace = Get(model, "namespace"),
            ClassName = Get(model, "class"),
            Accessibility = Get(model, "access"),
            WeightsPath = Get(model, "weights"),
            InputShape = Get(model, "input").Split(',').Select(ParseInt).ToEquatableArray(),
            Layers = layers.ToEquatableArray(),
            Groups = groups.ToEquatableArray(),
            Pruning = model.TryGetValue("prune", out string? prune)
                ? new PruneSpec
                {
                    Ratio = ParseDouble(prune), Criterion = Get(model, "prune-criterion"), Multiple = ParseInt(Get(model, "prune-multiple")),
                    Reform = Get(model, "prune-reform") == "true",
                }
                : PruneSpec.None,
            CalibrationPath = model.TryGetValue("calibration", out string? calibration) ? calibration : null,
            RemovedBlocks = model.TryGetValue("remove-blocks", out string? blocks) ? blocks.Split(',').Select(Unescape).ToEquatableArray() : EquatableArray<string>.Empty,
            Location = ReadLocation(model),
            WeightsLocation = ReadLocation(model, "weights-"),
        };
        var options = new CompileOptions
        {
            Backend = Get(o, "backend"),
            Device = new DeviceProfile
            {
                Name = Get(o, "device"),
                ParallelNodeMacs = ParseLong(Get(o, "parallel-node-macs")),
                ParallelLinearMacs = ParseLong(Get(o, "parallel-linear-macs")),
                ParallelBatchMacs = ParseLong(Get(o, "parallel-batch-macs")),
                ChunkBytes = ParseLong(Get(o, "chunk-bytes")),
            },
            Plan = planLayers.Count == 0 && Get(o, "plan").Length == 0
                ? ModelPlan.Empty
                : new ModelPlan(spec.FullName, planLayers.ToEquatableArray(), Get(o, "plan")),
        };
        return new ManifestModel(spec, options);
    }

    /// <summary>A layer's attributes must be exactly the operator's: the same keys, kinds and number of integers as
    /// its defaults (the operator's code reads them without checking).</summary>
    private static void CheckSchema(OpDefinition op, AttributeSet attributes)
    {
        AttributeSet expected = op.Declare(DeclaredArguments.None);
        string Shape(AttributeSet set) => string.Join(" ", set.Items.Select(a => a.Key + ":" + a.Value.Kind + (a.Value.Kind == AttributeKind.Ints ? a.Value.Ints.Count.ToString(CultureInfo.InvariantCulture) : string.Empty)));
        if (Shape(expected) != Shape(attributes))
        {
            throw new FormatException("the attributes of a " + op.Name + " layer are (" + Shape(attributes) + "), expected (" + Shape(expected) + ")");
        }
    }

    private static void AddLocation(List<(string, string)> fields, SourceLocation? location, string prefix = "")
    {
        if (location is not null)
        {
            fields.Add((prefix + "file", location.File));
            fields.Add((prefix + "line", Int(location.Line)));
            fields.Add((prefix + "col", Int(location.Column)));
        }
    }

    private static SourceLocation? ReadLocation(Dictionary<string, string> f, string prefix = "") =>
        f.TryGetValue(prefix + "file", out string? file)
            ? new SourceLocation(file, ParseInt(Get(f, prefix + "line")), ParseInt(Get(f, prefix + "col")))
            : null;

    private static void Line(StringBuilder text, string kind, List<(string Key, string Value)> fields)
    {
        text.Append(kind);
        foreach ((string key, string value) in fields)
        {
            text.Append(' ').Append(key).Append('=').Append(key is "inputs" or "remove-blocks" ? value : Escape(value));
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
            result[key] = key is "inputs" or "remove-blocks" ? value : Unescape(value);
        }

        return result;
    }

    private static string Get(Dictionary<string, string> f, string key) =>
        f.TryGetValue(key, out string? v) ? v : throw new FormatException("missing field '" + key + "'");

    private static int ParseInt(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static long ParseLong(string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static double ParseDouble(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Double(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Int(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Long(long v) => v.ToString(CultureInfo.InvariantCulture);

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
