// ModelCompiler weight loader: reads the packed weights artifact that ships beside this assembly.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Buffers.Binary;
    using global::System.IO;

    /// <summary>Loads this assembly's packed weights artifact once and hands each model its weight block.</summary>
    [global::System.CodeDom.Compiler.GeneratedCode("ModelCompiler", "1")]
    internal static class WeightStore
    {
        // The consuming assembly's name and artifact file name (the generator replaces these two placeholders).
        private const string AssemblyName = "ModelCompiler.Placeholder.Assembly";
        private const string FileName = "ModelCompiler.Placeholder.Assembly.mcweights";
        private const uint FormatVersion = 2;
        private static readonly object s_gate = new();
        private static byte[]? s_bytes;
        private static string? s_path;

        /// <summary>The artifact path: AppContext data "ModelCompiler.WeightsPath:&lt;assembly&gt;" if set,
        /// else the file beside the application (works for single-file apps too).</summary>
        public static string ArtifactPath =>
            AppContext.GetData("ModelCompiler.WeightsPath:" + AssemblyName) as string
            ?? Path.Combine(AppContext.BaseDirectory, FileName);

        /// <summary>The weight block of one model (its packed tensors, typed and little-endian), checked against the
        /// layout the code was compiled for, copied into an aligned <see cref="WeightBlock"/>.</summary>
        public static WeightBlock Load(string model, ulong layoutHash, int byteCount)
        {
            (byte[] bytes, string path) = ReadArtifact();
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
            if (version != FormatVersion)
            {
                throw Invalid(path, "it has format version " + version + ", this code reads version " + FormatVersion + "; rebuild the project");
            }

            uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
            int position = 16;
            for (uint m = 0; m < count; m++)
            {
                if (position + 2 > bytes.Length)
                {
                    break;
                }

                int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position));
                if (position + 2 + nameLength + 32 > bytes.Length)
                {
                    break;
                }

                string name = global::System.Text.Encoding.UTF8.GetString(bytes, position + 2, nameLength);
                position += 2 + nameLength;
                ulong layout = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(position));
                ulong content = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(position + 8));
                long offset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position + 16));
                long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position + 24));
                position += 32;
                if (!string.Equals(name, model, StringComparison.Ordinal))
                {
                    continue;
                }

                if (layout != layoutHash)
                {
                    throw Invalid(path, "it holds weights for another declaration of model '" + model + "' (layout " + layout.ToString("x16", global::System.Globalization.CultureInfo.InvariantCulture)
                        + ", the code expects " + layoutHash.ToString("x16", global::System.Globalization.CultureInfo.InvariantCulture) + "); it is stale: rebuild the project and deploy the new artifact with the assembly");
                }

                if (length != byteCount)
                {
                    throw Invalid(path, "model '" + model + "' has a weight block of " + length + " bytes, the code expects " + byteCount + "; the file is stale: rebuild the project");
                }

                if (offset < 16 || offset > bytes.Length || length > bytes.Length - offset)
                {
                    throw Invalid(path, "the weight block of model '" + model + "' (" + length + " bytes at offset " + offset + ") lies beyond the end of the " + bytes.Length
                        + "-byte file; the file is truncated: rebuild the project or restore the file");
                }

                ReadOnlySpan<byte> data = bytes.AsSpan((int)offset, byteCount);
                if (Fnv1a64(data) != content)
                {
                    throw Invalid(path, "the weights of model '" + model + "' do not match their hash; the file is corrupted: rebuild the project or restore the file");
                }

                return new WeightBlock(data);
            }

            throw Invalid(path, "it holds no weights for model '" + model + "'; it is stale or from another assembly: rebuild the project");
        }

        private static (byte[] Bytes, string Path) ReadArtifact()
        {
            lock (s_gate)
            {
                if (s_bytes is not null && s_path is not null)
                {
                    return (s_bytes, s_path);
                }

                string path = ArtifactPath;
                byte[] bytes;
                try
                {
                    bytes = File.ReadAllBytes(path);
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
                {
                    throw new FileNotFoundException(
                        "ModelCompiler weights artifact '" + path + "' was not found. The build writes it beside the assembly '" + AssemblyName
                        + "'; deploy it with the application, or set the AppContext data 'ModelCompiler.WeightsPath:" + AssemblyName + "' (AppContext.SetData or a RuntimeHostConfigurationOption) to its path.", path, e);
                }

                if (bytes.Length < 16 || bytes[0] != (byte)'M' || bytes[1] != (byte)'C' || bytes[2] != (byte)'W' || bytes[3] != (byte)'T')
                {
                    throw Invalid(path, "it is not a ModelCompiler weights artifact");
                }

                s_path = path;
                s_bytes = bytes;
                return (bytes, path);
            }
        }

        private static ulong Fnv1a64(ReadOnlySpan<byte> data)
        {
            ulong hash = 14695981039346656037UL;
            foreach (byte b in data)
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            return hash;
        }

        private static InvalidDataException Invalid(string path, string reason) =>
            new("ModelCompiler weights artifact '" + path + "' cannot be used: " + reason + ".");
    }
}
