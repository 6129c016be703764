using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Reflection.Emit;
using ModelCompiler.Manifest;
using ModelCompiler.Spec;

namespace ModelCompiler.BuildTasks.Tests.TestSupport;

/// <summary>Writes a small assembly carrying [assembly: AssemblyMetadata(key, value)] attributes, as the generator's
/// output would: what the weight-linking task reads after CoreCompile.</summary>
public static class TestAssembly
{
    public static string Write(string path, params ModelSpec[] models)
    {
        var metadata = new List<(string, string)>();
        foreach (ModelSpec spec in models)
        {
            metadata.Add((ModelManifest.MetadataKeyPrefix + spec.FullName, ModelManifest.Write(spec)));
        }

        return WriteMetadata(path, metadata.ToArray());
    }

    public static string WriteMetadata(string path, params (string Key, string Value)[] metadata)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(Path.GetFileNameWithoutExtension(path)), typeof(object).Assembly);
        ConstructorInfo constructor = typeof(AssemblyMetadataAttribute).GetConstructor([typeof(string), typeof(string)])!;
        foreach ((string key, string value) in metadata)
        {
            builder.SetCustomAttribute(new CustomAttributeBuilder(constructor, [key, value]));
        }

        builder.DefineDynamicModule(Path.GetFileName(path));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        builder.Save(path);
        return path;
    }
}
