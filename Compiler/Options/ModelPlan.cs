using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ModelCompiler.Common;

namespace ModelCompiler.Options;

/// <summary>Per-layer choices for one model from a plan file: the algorithm a layer is lowered with (a schedule
/// override) and the fraction of its output channels to prune (written by the calibration task from a sensitivity
/// analysis); bit-widths join them.</summary>
public sealed record LayerPlan(string Layer, string? Algorithm, int Line)
{
    /// <summary>The fraction of the layer's output channels to prune; overrides [Model]'s PruneRatio, not the layer's own.</summary>
    public double? Prune { get; init; }

    /// <summary>The sensitivity curve that chose <see cref="Prune"/>, as the calibration wrote it
    /// (<c>ratio:error,ratio:error,...</c>); shown in the report, not compiled.</summary>
    public string? Sensitivity { get; init; }
}

/// <summary>The part of a plan file that concerns one model. Value-equatable (it is part of the cache key).</summary>
public sealed record ModelPlan(string Model, EquatableArray<LayerPlan> Layers, string File)
{
    public static readonly ModelPlan Empty = new(string.Empty, EquatableArray<LayerPlan>.Empty, string.Empty);

    public LayerPlan? Find(string layer) => Layers.FirstOrDefault(l => l.Layer == layer);
}

/// <summary>A problem in a plan file, with its line.</summary>
public sealed record PlanError(string File, int Line, string Message);

/// <summary>Reads plan files: text meant to be reviewed and committed.
/// <code>
/// # comment
/// model Demo.Net
///   layer conv1 algorithm=direct
/// </code>
/// One <c>model</c> line per model (its full name), then its <c>layer</c> lines; keys are <c>name=value</c>.</summary>
public static class PlanFile
{
    public const string Extension = ".mcplan";

    /// <summary>Every model's plan in <paramref name="text"/>, and the lines that could not be read.</summary>
    public static (IReadOnlyList<ModelPlan> Models, IReadOnlyList<PlanError> Errors) Parse(string file, string text)
    {
        var models = new List<ModelPlan>();
        var errors = new List<PlanError>();
        string? model = null;
        var layers = new List<LayerPlan>();
        void Flush()
        {
            if (model is not null)
            {
                models.Add(new ModelPlan(model, layers.ToEquatableArray(), file));
            }

            layers = [];
        }

        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            string[] words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "model" when words.Length == 2:
                    Flush();
                    model = words[1];
                    break;
                case "layer" when words.Length >= 2 && model is not null:
                {
                    string? algorithm = null;
                    double? prune = null;
                    string? sensitivity = null;
                    foreach (string option in words.Skip(2))
                    {
                        int eq = option.IndexOf('=');
                        string key = eq > 0 ? option.Substring(0, eq) : option;
                        string value = eq > 0 ? option.Substring(eq + 1) : string.Empty;
                        if (key == "algorithm" && value.Length > 0)
                        {
                            algorithm = value;
                        }
                        else if (key == "sensitivity" && value.Length > 0)
                        {
                            sensitivity = value;
                        }
                        else if (key == "prune")
                        {
                            prune = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio) && ratio >= 0 && ratio < 1 ? ratio : null;
                            if (prune is null)
                            {
                                errors.Add(new PlanError(file, number, "prune=" + value + " is not a fraction in [0, 1); give the fraction of the layer's output channels to remove, e.g. prune=0.5"));
                            }
                        }
                        else
                        {
                            errors.Add(new PlanError(file, number, "unknown option '" + option + "'; a layer line takes algorithm=<name>, prune=<fraction> and sensitivity=<curve>"));
                        }
                    }

                    layers.Add(new LayerPlan(words[1], algorithm, number) { Prune = prune, Sensitivity = sensitivity });
                    break;
                }

                case "layer":
                    errors.Add(new PlanError(file, number, model is null ? "a 'layer' line before any 'model' line" : "a 'layer' line needs the layer's name"));
                    break;
                default:
                    errors.Add(new PlanError(file, number, "cannot read '" + line + "'; expected 'model <Full.Name>' or 'layer <name> key=value ...'"));
                    break;
            }
        }

        Flush();
        return (models, errors);
    }

    public static string LineText(int line) => line.ToString(CultureInfo.InvariantCulture);
}
