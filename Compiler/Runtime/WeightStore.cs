// ModelCompiler weight loader: reads the packed weights artifact that ships beside this assembly.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Buffers.Binary;
    using global::System.IO;

    /// <summary>Loads one model's weight block from this assembly's packed weights artifact. Only the header, the
    /// model table and that block are read, straight into the block's aligned memory: the weights are resident
    /// once, whatever the artifact's size (past 2 GiB too).</summary>
    [global::System.CodeDom.Compiler.GeneratedCode("ModelCompiler", "1")]
    internal static class WeightStore
    {
        // The consuming assembly's name and artifact file name (the generator replaces these two placeholders).
        private const string AssemblyName = "ModelCompiler.Placeholder.Assembly";
        private const string FileName = "ModelCompiler.Placeholder.Assembly.mcweights";
        private const uint FormatVersion = 2;
        private const int HeaderBytes = 16;

        /// <summary>The artifact path: AppContext data "ModelCompiler.WeightsPath:&lt;assembly&gt;" if set,
        /// else the file beside the application (works for single-file apps too).</summary>
        public static string ArtifactPath =>
            AppContext.GetData("ModelCompiler.WeightsPath:" + AssemblyName) as string
            ?? Path.Combine(AppContext.BaseDirectory, FileName);

        /// <summary>The weight block of one model (its packed tensors, typed and little-endian), checked against the
        /// layout the code was compiled for, read into an aligned <see cref="WeightBlock"/>. Each model calls this
        /// once and keeps the block.</summary>
        public static WeightBlock Load(string model, ulong layoutHash, long byteCount)
        {
            string path = ArtifactPath;
            FileStream stream;
            try
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 4096);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new FileNotFoundException(
                    "ModelCompiler weights artifact '" + path + "' was not found. The build writes it beside the assembly '" + AssemblyName
                    + "'; deploy it with the application, or set the AppContext data 'ModelCompiler.WeightsPath:" + AssemblyName + "' (AppContext.SetData or a RuntimeHostConfigurationOption) to its path.", path, e);
            }
            catch (UnauthorizedAccessException e) when (Directory.Exists(path))
            {
                throw new InvalidDataException("ModelCompiler weights artifact '" + path + "' cannot be used: it is a directory; set 'ModelCompiler.WeightsPath:" + AssemblyName
                    + "' to the .mcweights file itself, or remove the directory.", e);
            }

            using (stream)
            {
                return Load(stream, path, model, layoutHash, byteCount);
            }
        }

        /// <summary>The weight block of <paramref name="model"/> in an artifact open as <paramref name="stream"/>
        /// (seekable; <paramref name="path"/> names it in messages). Throws <see cref="InvalidDataException"/>
        /// with the reason and the fix for any artifact it cannot use.</summary>
        internal static WeightBlock Load(Stream stream, string path, string model, ulong layoutHash, long byteCount)
        {
            long fileLength = stream.Length;
            byte[] header = new byte[HeaderBytes];
            if (!TryRead(stream, header) || header[0] != (byte)'M' || header[1] != (byte)'C' || header[2] != (byte)'W' || header[3] != (byte)'T')
            {
                throw Invalid(path, "it is not a ModelCompiler weights artifact");
            }

            uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            if (version != FormatVersion)
            {
                throw Invalid(path, "it has format version " + version + ", this code reads version " + FormatVersion + "; rebuild the project");
            }

            // Each entry: u16 name length, the UTF-8 name, layout hash, content hash, offset, length (8 bytes each).
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8));
            byte[] entry = new byte[ushort.MaxValue + 32];
            for (uint m = 0; m < count; m++)
            {
                if (!TryRead(stream, entry.AsSpan(0, 2)))
                {
                    break;
                }

                int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(entry);
                if (!TryRead(stream, entry.AsSpan(0, nameLength + 32)))
                {
                    break;
                }

                if (!NameEquals(entry.AsSpan(0, nameLength), model))
                {
                    continue;
                }

                ulong layout = BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(nameLength));
                ulong content = BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(nameLength + 8));
                long offset = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(nameLength + 16));
                long length = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(nameLength + 24));
                if (layout != layoutHash)
                {
                    throw Invalid(path, "it holds weights for another declaration of model '" + model + "' (layout " + layout.ToString("x16", global::System.Globalization.CultureInfo.InvariantCulture)
                        + ", the code expects " + layoutHash.ToString("x16", global::System.Globalization.CultureInfo.InvariantCulture) + "); it is stale: rebuild the project and deploy the new artifact with the assembly");
                }

                if (length != byteCount)
                {
                    throw Invalid(path, "model '" + model + "' has a weight block of " + length + " bytes, the code expects " + byteCount + "; the file is stale: rebuild the project");
                }

                if (offset < HeaderBytes || offset > fileLength || length > fileLength - offset)
                {
                    throw Invalid(path, "the weight block of model '" + model + "' (" + length + " bytes at offset " + offset + ") lies beyond the end of the " + fileLength
                        + "-byte file; the file is truncated: rebuild the project or restore the file");
                }

                stream.Position = offset;
                WeightBlock block = WeightBlock.Read(stream, byteCount)
                    ?? throw Invalid(path, "the weight block of model '" + model + "' ends early; the file is truncated: rebuild the project or restore the file");
                ulong hash = 14695981039346656037UL;
                for (int c = 0; c < block.ChunkCount; c++)
                {
                    hash = Fnv1a64(block.Chunk(c), hash);
                }

                if (hash != content)
                {
                    throw Invalid(path, "the weights of model '" + model + "' do not match their hash; the file is corrupted: rebuild the project or restore the file");
                }

                return block;
            }

            throw Invalid(path, "it holds no weights for model '" + model + "'; it is stale or from another assembly: rebuild the project");
        }

        /// <summary>Fills <paramref name="buffer"/> from the stream; false when the stream ends first.</summary>
        private static bool TryRead(Stream stream, Span<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                int read = stream.Read(buffer);
                if (read <= 0)
                {
                    return false;
                }

                buffer = buffer.Slice(read);
            }

            return true;
        }

        /// <summary>Whether UTF-8 <paramref name="utf8"/> is <paramref name="name"/> (invalid UTF-8 never is).</summary>
        private static bool NameEquals(ReadOnlySpan<byte> utf8, string name)
        {
            if (utf8.Length != global::System.Text.Encoding.UTF8.GetByteCount(name))
            {
                return false;
            }

            Span<byte> expected = utf8.Length <= 256 ? stackalloc byte[utf8.Length] : new byte[utf8.Length];
            global::System.Text.Encoding.UTF8.GetBytes(name, expected);
            return utf8.SequenceEqual(expected);
        }

        /// <summary>FNV-1a 64 of <paramref name="data"/>, continuing from <paramref name="hash"/>.</summary>
        private static ulong Fnv1a64(ReadOnlySpan<byte> data, ulong hash)
        {
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
