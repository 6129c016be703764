using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using ModelCompiler.BuildTasks.Onnx.Proto;
using ModelCompiler.Diagnostics;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>What the import is asked to write: the class and namespace of the declaration, and the weights path
/// as [Model] will say it.</summary>
public sealed record OnnxImportOptions(string ClassName, string Namespace, string WeightsPath)
{
    /// <summary>"internal" or "public".</summary>
    public string Accessibility { get; init; } = "internal";
}

/// <summary>The imported model, or the errors that stopped the import (every unsupported node, not only the first).</summary>
public sealed class OnnxImportResult
{
    public OnnxImportResult(ImportedModel? model, IReadOnlyList<DiagnosticInfo> diagnostics)
    {
        Model = model;
        Diagnostics = diagnostics;
    }

    public ImportedModel? Model { get; }

    public IReadOnlyList<DiagnosticInfo> Diagnostics { get; }

    public bool Succeeded => Model is not null;
}

/// <summary>Reads an ONNX model and produces the declaration a person would write for it (one layer attribute per
/// ONNX node or recognized pattern) and its weights, named as the declaration expects. docs/onnx-import.md has the
/// op-by-op table.</summary>
public static class OnnxImporter
{
    public static OnnxImportResult ImportFile(string path, OnnxImportOptions options)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnreadable, null, path, e.Message));
        }

        return Import(bytes, path, Path.GetDirectoryName(Path.GetFullPath(path)), options);
    }

    /// <param name="source">The file's path or name, for messages and the declaration's header.</param>
    /// <param name="baseDirectory">Where external tensor data files are looked for; null: nowhere.</param>
    public static OnnxImportResult Import(byte[] bytes, string source, string? baseDirectory, OnnxImportOptions options)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnreadable, null, source, "it is not an ONNX model (" + e.Message + ")"));
        }

        if (model.Graph is null || (model.Graph.Node.Count == 0 && model.Graph.Input.Count == 0))
        {
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnreadable, null, source, "it holds no graph"));
        }

        try
        {
            return new GraphImporter(model, Path.GetFileName(source), baseDirectory, options).Run();
        }
        catch (Exception e) when (e is OverflowException or InvalidDataException or ArgumentException or IndexOutOfRangeException)
        {
            // Sizes no real file has (tensor dimensions whose product overflows, ...).
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.OnnxUnreadable, null, source, e.Message));
        }
    }

    private static OnnxImportResult Failed(DiagnosticInfo d) => new(null, [d]);
}
