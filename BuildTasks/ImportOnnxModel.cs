using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelCompiler.BuildTasks.Onnx;
using ModelCompiler.Diagnostics;

namespace ModelCompiler.BuildTasks;

/// <summary>Imports ONNX models into declarations and safetensors weights files (BuildTasks/Onnx). Serves both ways
/// in: the one-time ModelCompilerImportOnnx target (files the user commits and edits) and the ModelCompilerOnnx
/// build item (files regenerated in obj/ whenever the .onnx file changes). Each file is written only when its
/// content changed, so an unchanged import does not make the next compile run.</summary>
public sealed class ImportOnnxModel : Task
{
    /// <summary>The .onnx files. Metadata: Class (default: from the file name), Namespace, Declaration (the .cs to
    /// write), Weights (the .safetensors to write), Accessibility (internal or public).</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>$(MSBuildProjectDirectory): relative paths are taken from here, and [Model]'s weights path is
    /// written relative to it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = string.Empty;

    /// <summary>The default namespace ($(RootNamespace)).</summary>
    public string DefaultNamespace { get; set; } = string.Empty;

    /// <summary>True for the build item: the declarations are marked auto-generated.</summary>
    public bool Generated { get; set; }

    /// <summary>The declarations written or current, to compile (the build item adds them to Compile).</summary>
    [Output]
    public ITaskItem[] Declarations { get; private set; } = [];

    public override bool Execute()
    {
        var declarations = new List<ITaskItem>();
        foreach (ITaskItem item in Models)
        {
            string? declaration = Import(item);
            if (declaration is not null)
            {
                declarations.Add(new TaskItem(declaration));
            }
        }

        Declarations = [.. declarations];
        return !Log.HasLoggedErrors;
    }

    private string? Import(ITaskItem item)
    {
        string onnx = Path.GetFullPath(Path.Combine(ProjectDirectory, item.ItemSpec));
        string className = Metadata(item, "Class") ?? ClassNameFor(onnx);
        string ns = Metadata(item, "Namespace") ?? DefaultNamespace;
        if (!IsIdentifier(className))
        {
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxImportArgumentInvalid, null,
                "the class name '" + className + "' is not a C# identifier", "give the model a class name such as MyModel (Class metadata, or ModelCompilerOnnxClass)"));
            return null;
        }

        if (ns.Length > 0 && !ns.Split('.').All(IsIdentifier))
        {
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxImportArgumentInvalid, null,
                "the namespace '" + ns + "' is not a dotted C# name", "give a namespace such as MyApp.Models (Namespace metadata, or ModelCompilerOnnxNamespace)"));
            return null;
        }

        string declaration = Path.GetFullPath(Path.Combine(ProjectDirectory, Metadata(item, "Declaration") ?? className + ".cs"));
        string weights = Path.GetFullPath(Path.Combine(ProjectDirectory, Metadata(item, "Weights") ?? Path.Combine("weights", className + ".safetensors")));
        var options = new OnnxImportOptions(className, ns, RelativePath(ProjectDirectory, weights)) { Accessibility = Metadata(item, "Accessibility") ?? "internal" };

        OnnxImportResult result = OnnxImporter.ImportFile(onnx, options);
        foreach (DiagnosticInfo d in result.Diagnostics)
        {
            Report(d, onnx);
        }

        if (result.Model is null)
        {
            return null;
        }

        string? failed = null;
        try
        {
            failed = weights;
            Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
            bool weightsWritten = FileWriter.WriteBytesAtomically(weights, result.Model.WeightsFile());
            failed = declaration;
            Directory.CreateDirectory(Path.GetDirectoryName(declaration)!);
            bool declarationWritten = FileWriter.WriteTextIfChanged(declaration, DeclarationWriter.Write(result.Model, Generated));
            Log.LogMessage(Generated ? MessageImportance.Low : MessageImportance.High, "ModelCompiler: imported {0} as {1}: {2} ({3}), {4} ({5}).",
                onnx, result.Model.FullName, declaration, declarationWritten ? "written" : "unchanged", weights, weightsWritten ? "written" : "unchanged");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxImportWriteFailed, null, failed!, onnx, e.Message));
            return null;
        }

        return declaration;
    }

    private static string? Metadata(ITaskItem item, string name) => item.GetMetadata(name) is { Length: > 0 } v ? v : null;

    /// <summary>"mobilenet_v2-7.onnx" becomes MobilenetV27: the file name's letters and digits, each run capitalized.</summary>
    public static string ClassNameFor(string path)
    {
        var name = new StringBuilder();
        bool upper = true;
        foreach (char c in Path.GetFileNameWithoutExtension(path))
        {
            if (char.IsLetterOrDigit(c) && c < 128)
            {
                name.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        return name.Length == 0 || char.IsDigit(name[0]) ? "Model" + name : name.ToString();
    }

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>The path as [Model] says it: relative to the project directory, with '/'.</summary>
    private static string RelativePath(string from, string to)
    {
        string root = Path.GetFullPath(from).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(to);
        string relative = full.StartsWith(root, StringComparison.Ordinal) ? full.Substring(root.Length) : full;
        return relative.Replace('\\', '/');
    }

    private void Report(DiagnosticInfo diagnostic, string? file = null)
    {
        string path = file ?? BuildEngine?.ProjectFileOfTaskNode ?? string.Empty;
        if (diagnostic.Severity == Severity.Error)
        {
            Log.LogError(null, diagnostic.Id, null, path, 0, 0, 0, 0, diagnostic.Message);
        }
        else
        {
            Log.LogWarning(null, diagnostic.Id, null, path, 0, 0, 0, 0, diagnostic.Message);
        }
    }
}
