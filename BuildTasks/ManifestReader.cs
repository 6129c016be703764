using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ModelCompiler.Diagnostics;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;

namespace ModelCompiler.BuildTasks;

/// <summary>One model manifest found in a compiled assembly.</summary>
/// <param name="Model">The model's full name (the metadata key after the prefix).</param>
/// <param name="Text">The manifest text the generator wrote (<see cref="ModelManifest.Write"/>).</param>
public sealed record EmbeddedManifest(string Model, string Text);

/// <summary>Reads the generator's manifests — [assembly: AssemblyMetadata("ModelCompiler.Model:Full.Name", text)] —
/// straight from the metadata of a compiled assembly, without loading it. This is exact: no second C# parser.</summary>
public static class ManifestReader
{
    private const string AttributeNamespace = "System.Reflection";
    private const string AttributeName = "AssemblyMetadataAttribute";

    /// <summary>Every model an assembly declares, read from its manifests; MC3002 (through <paramref name="report"/>) for an
    /// assembly or a manifest that cannot be read, and null when the assembly cannot be.</summary>
    public static List<ManifestModel>? ReadModels(string assemblyPath, Action<DiagnosticInfo> report)
    {
        IReadOnlyList<EmbeddedManifest> manifests;
        try
        {
            manifests = Read(assemblyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException or InvalidOperationException)
        {
            report(DiagnosticInfo.Create(DiagnosticDescriptors.ManifestUnreadable, null, assemblyPath, e.Message));
            return null;
        }

        var models = new List<ManifestModel>();
        foreach (EmbeddedManifest manifest in manifests.OrderBy(m => m.Model, StringComparer.Ordinal))
        {
            try
            {
                ManifestModel model = ModelManifest.Read(manifest.Text);
                ModelSpec spec = model.Spec;
                if (spec.FullName != manifest.Model)
                {
                    throw new FormatException("the manifest under '" + manifest.Model + "' describes '" + spec.FullName + "'");
                }

                if (models.Any(m => m.Spec.FullName == spec.FullName))
                {
                    throw new FormatException("model '" + spec.FullName + "' has two manifests");
                }

                models.Add(model);
            }
            catch (FormatException e)
            {
                report(DiagnosticInfo.Create(DiagnosticDescriptors.ManifestUnreadable, null, assemblyPath, "model '" + manifest.Model + "': " + e.Message));
            }
        }

        return models;
    }

    /// <summary>The manifests in declaration order. Throws <see cref="BadImageFormatException"/> or
    /// <see cref="IOException"/> for a file that cannot be read as an assembly.</summary>
    public static IReadOnlyList<EmbeddedManifest> Read(string assemblyPath)
    {
        // The compiler or an IDE may still hold the file; share everything and let go before returning.
        using var stream = new FileStream(assemblyPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var pe = new PEReader(stream, PEStreamOptions.PrefetchMetadata);
        if (!pe.HasMetadata)
        {
            throw new BadImageFormatException("the file has no .NET metadata");
        }

        MetadataReader reader = pe.GetMetadataReader();
        var result = new List<EmbeddedManifest>();
        foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            if (!IsAssemblyMetadata(reader, attribute.Constructor))
            {
                continue;
            }

            (string? key, string? value) = DecodeArguments(reader.GetBlobReader(attribute.Value));
            if (key is not null && key.StartsWith(ModelManifest.MetadataKeyPrefix, StringComparison.Ordinal))
            {
                result.Add(new EmbeddedManifest(key.Substring(ModelManifest.MetadataKeyPrefix.Length), value ?? string.Empty));
            }
        }

        return result;
    }

    private static bool IsAssemblyMetadata(MetadataReader reader, EntityHandle constructor)
    {
        switch (constructor.Kind)
        {
            case HandleKind.MemberReference:
                MemberReference member = reader.GetMemberReference((MemberReferenceHandle)constructor);
                if (member.Parent.Kind != HandleKind.TypeReference)
                {
                    return false;
                }

                TypeReference type = reader.GetTypeReference((TypeReferenceHandle)member.Parent);
                return reader.StringComparer.Equals(type.Name, AttributeName) && reader.StringComparer.Equals(type.Namespace, AttributeNamespace);
            case HandleKind.MethodDefinition:
                // Only corelib defines the attribute itself; harmless to handle.
                TypeDefinition definition = reader.GetTypeDefinition(reader.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType());
                return reader.StringComparer.Equals(definition.Name, AttributeName) && reader.StringComparer.Equals(definition.Namespace, AttributeNamespace);
            default:
                return false;
        }
    }

    /// <summary>The blob of AssemblyMetadataAttribute(string key, string value): prolog 0x0001, two SerStrings
    /// (ECMA-335 II.23.3), then the named-argument count.</summary>
    private static (string? Key, string? Value) DecodeArguments(BlobReader blob)
    {
        if (blob.Length < 2 || blob.ReadUInt16() != 0x0001)
        {
            throw new BadImageFormatException("an AssemblyMetadata attribute has a malformed value blob");
        }

        return (blob.ReadSerializedString(), blob.ReadSerializedString());
    }
}
