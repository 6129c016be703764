using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelCompiler.Common;
using ModelCompiler.Diagnostics;
using ModelCompiler.IR;
using ModelCompiler.Options;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Linking;

/// <summary>The outcome of linking one model's weights.</summary>
/// <param name="WeightsFile">The weights file, as a full path.</param>
/// <param name="Compilation">The compiled model; its graph is null when the declaration itself failed.</param>
/// <param name="Entry">The packed weights in memory (<see cref="WeightLinker.Link"/>); null when an error was
/// reported, and after <see cref="WeightLinker.Check"/>, which packs nothing.</param>
public sealed record WeightLinkResult(
    ModelSpec Spec, string WeightsFile, ModelCompilation Compilation, ArtifactEntry? Entry, IReadOnlyList<DiagnosticInfo> Diagnostics)
{
    /// <summary>The calibration inputs' file, as a full path, when the model's packing needs them (weight reformation).</summary>
    public string? CalibrationFile { get; init; }

    /// <summary>No error was reported: every tensor the model needs is in the file, with its shape and finite values.</summary>
    public bool Succeeded => Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>The weights file changed between the check and the packing; <see cref="Diagnostic"/> says so (MC2008).</summary>
public sealed class WeightsChangedException(DiagnosticInfo diagnostic) : Exception(diagnostic.Message)
{
    public DiagnosticInfo Diagnostic { get; } = diagnostic;
}

/// <summary>Reads a model's weights file, checks every tensor the declaration needs against it, and runs each
/// packed tensor's weight program to make the weight block the generated code reads. Pure apart from reading the one file, and MSBuild-free, so the
/// build task, tests and tools share it. Every problem is reported (not only the first) and points at the
/// attribute that declared the layer; nothing is packed when any error was reported. The file is streamed: one
/// tensor at a time is held (with what its weight program makes of it), never the whole file or block, so the
/// memory a link needs is bounded by the largest tensor, not by the weights' size.</summary>
public static class WeightLinker
{
    private const string IgnoredSuffix = ".num_batches_tracked";

    /// <summary>The weights file of <paramref name="spec"/>: its declared path taken relative to the project directory.</summary>
    public static string ResolveWeightsPath(ModelSpec spec, string projectDirectory)
    {
        // Declarations written on Windows may use '\'; on other hosts it is never meant as part of a file name.
        string declared = Path.DirectorySeparatorChar == '/' ? spec.WeightsPath.Replace('\\', '/') : spec.WeightsPath;
        return Path.GetFullPath(Path.Combine(projectDirectory, declared));
    }

    /// <summary>Checks the weights file against the declaration and packs the weight block in memory (tests and
    /// tools; the build task streams it into the artifact with <see cref="Check"/> and <see cref="Block"/>).</summary>
    public static WeightLinkResult Link(ModelSpec spec, string projectDirectory, CompileOptions? options = null)
    {
        WeightLinkResult result = Check(spec, projectDirectory, options);
        if (!result.Succeeded)
        {
            return result;
        }

        using var packed = new MemoryStream();
        Block(result).Write(packed);
        return result with { Entry = new ArtifactEntry(spec.FullName, result.Compilation.LayoutHash, packed.ToArray()) };
    }

    /// <summary>Checks every tensor the declaration needs against the weights file (present, shape, dtype, finite),
    /// reading one tensor at a time and keeping none; packs nothing.</summary>
    public static WeightLinkResult Check(ModelSpec spec, string projectDirectory, CompileOptions? options = null)
    {
        string path = ResolveWeightsPath(spec, projectDirectory);
        var diagnostics = new List<DiagnosticInfo>();
        ModelCompilation compilation = ModelCompilation.Compile(spec, options);
        Graph? declared = compilation.Succeeded ? ModelCompilation.BuildUnoptimized(spec) : null;
        if (declared is null)
        {
            // The generator reports these on the declaration too; repeat the errors so a failed link is never silent.
            diagnostics.AddRange(compilation.Diagnostics.Where(d => d.Severity == Severity.Error));
            if (!diagnostics.Any())
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Location, spec.FullName, "the declaration did not compile, with no error"));
            }

            return new WeightLinkResult(spec, path, compilation, null, diagnostics);
        }

        ReadAndValidate(spec, declared, path, diagnostics);
        string? calibration = null;
        if (Reformation.Needed(compilation.Layout!))
        {
            calibration = ResolvePath(spec.CalibrationPath ?? string.Empty, projectDirectory);
            _ = ReadCalibration(spec, calibration, diagnostics);
        }

        return new WeightLinkResult(spec, path, compilation, null, diagnostics) { CalibrationFile = calibration };
    }

    /// <summary>Every file the link of <paramref name="spec"/> reads: its weights file, and its calibration inputs when it has any.</summary>
    public static IEnumerable<string> InputFiles(ModelSpec spec, string projectDirectory) =>
        spec.CalibrationPath is { } calibration && spec.Pruning.Reform
            ? [ResolveWeightsPath(spec, projectDirectory), ResolvePath(calibration, projectDirectory)]
            : [ResolveWeightsPath(spec, projectDirectory)];

    internal static string ResolvePath(string declared, string projectDirectory) =>
        Path.GetFullPath(Path.Combine(projectDirectory, Path.DirectorySeparatorChar == '/' ? declared.Replace('\\', '/') : declared));

    /// <summary>The calibration samples (tensor "input", [N, ...input shape]) and their height and width; null after
    /// reporting MC2009 when the file is missing, unreadable, or holds no usable "input" tensor.</summary>
    internal static (float[] Data, int Count, int Height, int Width)? ReadCalibration(ModelSpec spec, string path, List<DiagnosticInfo> diagnostics)
    {
        SourceLocation? at = spec.WeightsLocation ?? spec.Location;
        string expected = "[N, " + string.Join(", ", spec.InputShape.Select(d => d < 0 ? "any" : d.ToString(CultureInfo.InvariantCulture))) + "]";
        DiagnosticInfo Problem(string why) => DiagnosticInfo.Create(DiagnosticDescriptors.CalibrationUnusable, at, path, spec.FullName, why);
        if (!File.Exists(path))
        {
            diagnostics.Add(Problem("it does not exist" + NearbyFile(path) + "; check Calibration in [Model] (relative to the project directory)"));
            return null;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            SafetensorsFile file = SafetensorsFile.Parse(stream);
            if (!file.Tensors.TryGetValue("input", out SafetensorsTensor? t))
            {
                diagnostics.Add(Problem("it has no tensor 'input'; store the samples as 'input' with shape " + expected));
                return null;
            }

            bool shapeMatches = t.Shape.Length == spec.InputShape.Count + 1 && t.Shape[0] >= 1
                && spec.InputShape.Select((d, i) => d < 0 ? t.Shape[i + 1] >= 1 : t.Shape[i + 1] == d).All(ok => ok);
            if (!SafetensorsFile.IsSupportedFloat(t.Dtype) || !shapeMatches)
            {
                diagnostics.Add(Problem("its tensor 'input' is " + t.Dtype + " " + t.ShapeText + "; the model needs F32, F16 or BF16 samples of shape " + expected));
                return null;
            }

            float[] data = file.ReadFloat32("input");
            int bad = FirstNonFinite(data);
            if (bad >= 0)
            {
                diagnostics.Add(Problem("its tensor 'input' holds " + ValueText(data[bad]) + " at " + ElementText(t.Shape, bad)));
                return null;
            }

            bool image = t.Shape.Length == 4;
            return (data, (int)t.Shape[0], image ? (int)t.Shape[2] : 0, image ? (int)t.Shape[3] : 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or SafetensorsFormatException)
        {
            diagnostics.Add(Problem(e.Message));
            return null;
        }
    }

    /// <summary>The weight block of a checked model, as the artifact writer streams it: the weights file is opened
    /// again and each packed tensor made from its source tensors when the writer gets to it.</summary>
    public static ArtifactBlock Block(WeightLinkResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("model '" + result.Spec.FullName + "' failed its check; it has no weight block");
        }

        WeightLayout layout = result.Compilation.Layout!;
        return new ArtifactBlock(result.Spec.FullName, result.Compilation.LayoutHash, layout.TotalBytes, output =>
        {
            // Read again, so a file replaced since the check (an export still writing it) is caught here, not packed.
            SafetensorsFile file;
            FileStream stream;
            try
            {
                stream = new FileStream(result.WeightsFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                file = SafetensorsFile.Parse(stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SafetensorsFormatException)
            {
                throw Changed(result, e.Message);
            }

            using (stream)
            {
                Func<string, float[]> tensors = name => ReadChecked(result, file, name);
                if (result.CalibrationFile is { } calibrationFile)
                {
                    var problems = new List<DiagnosticInfo>();
                    (float[] Data, int Count, int Height, int Width) samples = ReadCalibration(result.Spec, calibrationFile, problems)
                        ?? throw new WeightsChangedException(problems[0]);
                    tensors = Reformation.Sources(result.Compilation, tensors, samples.Data, samples.Count,
                        result.Compilation.Graph!.HasOpenSize ? samples.Height : 0, result.Compilation.Graph.HasOpenSize ? samples.Width : 0);
                }

                return PackTo(layout, tensors, output);
            }
        });
    }

    private static float[] ReadChecked(WeightLinkResult result, SafetensorsFile file, string name)
    {
        float[] data;
        try
        {
            data = file.ReadFloat32(name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SafetensorsFormatException or KeyNotFoundException)
        {
            throw Changed(result, e is KeyNotFoundException ? "tensor '" + name + "' is gone" : e.Message);
        }

        return FirstNonFinite(data) < 0 ? data : throw Changed(result, "tensor '" + name + "' now holds a non-finite value");
    }

    private static WeightsChangedException Changed(WeightLinkResult result, string reason) => new(DiagnosticInfo.Create(
        DiagnosticDescriptors.WeightsFileUnreadable, result.Spec.WeightsLocation ?? result.Spec.Location, result.WeightsFile,
        "it changed while the build read it (" + reason + "); build again once it is written"));

    /// <summary>The weight block of <paramref name="layout"/> in memory: each tensor's program run on the source
    /// tensors and its bytes placed at its offset (padding zero).</summary>
    public static byte[] Pack(WeightLayout layout, Func<string, float[]> tensors)
    {
        using var block = new MemoryStream();
        PackTo(layout, tensors, block);
        return block.ToArray();
    }

    /// <summary>Writes the weight block of <paramref name="layout"/> to <paramref name="output"/>, one packed tensor
    /// at a time (the source tensors of one are read once and dropped after it), and returns the block's content
    /// hash (FNV-1a 64, as <see cref="ArtifactEntry.ContentHash"/>).</summary>
    public static ulong PackTo(WeightLayout layout, Func<string, float[]> tensors, Stream output)
    {
        ulong hash = Hashing.Fnv1a64(Array.Empty<byte>());
        long position = 0;
        foreach (PackedTensor t in layout.Tensors.OrderBy(t => t.Offset))
        {
            var sources = new Dictionary<string, float[]>(StringComparer.Ordinal);
            byte[] bytes = WeightProgramRunner.Pack(t.Program, name => sources.TryGetValue(name, out float[]? data) ? data : sources[name] = tensors(name));
            hash = WriteZeros(output, t.Offset - position, hash);
            output.Write(bytes, 0, bytes.Length);
            hash = Hashing.Fnv1a64(bytes, hash);
            position = t.Offset + bytes.Length;
            Released(bytes.LongLength * 4);
        }

        return WriteZeros(output, layout.TotalBytes - position, hash);
    }

    private static long s_released;

    /// <summary>Counts the bytes of large arrays the link has just dropped (a tensor's floats, what its program made of
    /// them) and collects once they pass 64 MB. Otherwise the large-object heap grows by several weights' worth of
    /// garbage before the runtime collects it on its own (measured: 925 MB peak for 302 MB of weights, 438 MB with
    /// the runtime told to conserve memory); collected, the build's peak is MSBuild's own plus about one tensor's
    /// working set.</summary>
    private static void Released(long bytes)
    {
        if (System.Threading.Interlocked.Add(ref s_released, bytes) > 64L << 20)
        {
            System.Threading.Interlocked.Exchange(ref s_released, 0);
            GC.Collect();
        }
    }

    private static ulong WriteZeros(Stream output, long count, ulong hash)
    {
        if (count < 0)
        {
            throw new InvalidOperationException("packed tensors overlap in the weight layout");
        }

        byte[] zeros = new byte[(int)Math.Min(count, 1 << 16)];
        for (long left = count; left > 0; left -= zeros.Length)
        {
            int n = (int)Math.Min(left, zeros.Length);
            output.Write(zeros, 0, n);
            hash = Hashing.Fnv1a64(n == zeros.Length ? zeros : new byte[n], hash);
        }

        return hash;
    }

    private static void ReadAndValidate(ModelSpec spec, Graph declared, string path, List<DiagnosticInfo> diagnostics)
    {
        // Problems with the file itself point at the [Model] attribute that names it.
        SourceLocation? at = spec.WeightsLocation ?? spec.Location;
        if (Directory.Exists(path))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileUnreadable, at, path,
                "it is a directory; name the safetensors file itself in [Model], e.g. '" + spec.WeightsPath.TrimEnd('/', '\\') + "/model.safetensors'"));
            return;
        }

        if (!File.Exists(path))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileMissing, at, path, spec.FullName, NearbyFile(path)));
            return;
        }

        try
        {
            // Shared with writers and deleters: an editor or exporter holding the file must not fail the build,
            // and the build must not keep the file from being replaced.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            SafetensorsFile file = SafetensorsFile.Parse(stream);
            Validate(spec, declared, path, file, diagnostics);
        }
        catch (SafetensorsFormatException e)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileInvalid, at, path, e.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileUnreadable, at, path, e.Message));
        }
    }

    /// <summary>" (the folder has 'mnist.safetensors')" when a file next to the missing one has a near name.</summary>
    private static string NearbyFile(string path)
    {
        try
        {
            string? directory = Path.GetDirectoryName(path);
            if (directory is null || !Directory.Exists(directory))
            {
                return string.Empty;
            }

            string? near = Suggestions.Closest(Path.GetFileName(path), Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>());
            return near is null ? string.Empty : " (the folder has '" + near + "')";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static void Validate(ModelSpec spec, Graph declared, string path, SafetensorsFile file, List<DiagnosticInfo> diagnostics)
    {
        // Tensors found valid; their values are read to check them and dropped (packing reads them again).
        var valid = new HashSet<string>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (RequiredTensor need in WeightLayout.RequiredTensors(declared))
        {
            SourceLocation? location = need.Layer.Location ?? spec.Location;
            if (!required.Add(need.Name) && valid.Contains(need.Name))
            {
                // A tensor shared by two layers (same prefix) is read once; its shape is still checked per layer.
                CheckShape(file.Tensors[need.Name], need, path, location, diagnostics);
                continue;
            }

            if (!file.Tensors.TryGetValue(need.Name, out SafetensorsTensor? t))
            {
                string? near = Suggestions.Closest(need.Name, file.Tensors.Keys);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TensorMissing, location, need.Name, need.Layer.Name, path,
                    near is null ? string.Empty : " (the file has '" + near + "')"));
                continue;
            }

            bool usable = true;
            if (!SafetensorsFile.IsSupportedFloat(t.Dtype))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TensorDtype, location, need.Name, path, t.Dtype));
                usable = false;
            }

            usable &= CheckShape(t, need, path, location, diagnostics);
            if (!usable)
            {
                continue;
            }

            float[] data = file.ReadFloat32(need.Name);
            int bad = FirstNonFinite(data);
            if (bad >= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TensorNotFinite, location, need.Name, path, ValueText(data[bad]), ElementText(t.Shape, bad)));
                continue;
            }

            valid.Add(need.Name);
            Released(data.LongLength * 4);
        }

        foreach (string name in file.Tensors.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            if (!required.Contains(name) && !name.EndsWith(IgnoredSuffix, StringComparison.Ordinal))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TensorUnused, spec.WeightsLocation ?? spec.Location, name, path, spec.FullName,
                    UnusedHint(name, required, file)));
            }
        }
    }

    /// <summary>" (a layer looks for 'UPN_1.weight', which the file lacks)": the unused tensor is probably meant for it.</summary>
    private static string UnusedHint(string name, HashSet<string> required, SafetensorsFile file)
    {
        string? near = Suggestions.Closest(name, required.Where(r => !file.Tensors.ContainsKey(r)));
        return near is null ? string.Empty : " (a layer looks for '" + near + "', which the file lacks)";
    }

    private static bool CheckShape(SafetensorsTensor t, RequiredTensor need, string path, SourceLocation? location, List<DiagnosticInfo> diagnostics)
    {
        if (t.Shape.Length == need.Shape.Length && t.Shape.Zip(need.Shape, (a, b) => a == b).All(same => same))
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TensorShape, location, need.Name, path, t.ShapeText, need.Layer.Name, "[" + string.Join(", ", need.Shape) + "]"));
        return false;
    }

    private static int FirstNonFinite(float[] data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (float.IsNaN(data[i]) || float.IsInfinity(data[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string ValueText(float value) =>
        float.IsNaN(value) ? "NaN" : value > 0 ? "+Infinity" : "-Infinity";

    /// <summary>"[0, 1, 2] (flat index 5)": the multi-index a Python user types to find the element.</summary>
    private static string ElementText(long[] shape, int flat)
    {
        long[] index = new long[shape.Length];
        long rest = flat;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? rest : rest / shape[d];
        }

        return "[" + string.Join(", ", index.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "] (flat index "
            + flat.ToString(CultureInfo.InvariantCulture) + ")";
    }
}
