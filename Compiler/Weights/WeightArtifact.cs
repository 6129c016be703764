using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.Common;

namespace ModelCompiler.Weights;

/// <summary>One model's packed weight block inside an artifact.</summary>
/// <param name="Model">Full name of the model class.</param>
/// <param name="LayoutHash">The layout key the generated code was compiled against.</param>
/// <param name="Data">The block: every packed tensor at its layout offset, typed and little-endian.</param>
public sealed record ArtifactEntry(string Model, ulong LayoutHash, byte[] Data)
{
    /// <summary>FNV-1a 64 over the block; the loader recomputes it.</summary>
    public ulong ContentHash => Hashing.Fnv1a64(Data);
}

/// <summary>One model's weight block as the artifact writer streams it: <paramref name="Write"/> writes exactly
/// <paramref name="Length"/> bytes to the stream it is given and returns their FNV-1a 64 hash.</summary>
public sealed record ArtifactBlock(string Model, ulong LayoutHash, long Length, Func<Stream, ulong> Write)
{
    public static ArtifactBlock From(ArtifactEntry entry) => new(entry.Model, entry.LayoutHash, entry.Data.LongLength, output =>
    {
        output.Write(entry.Data, 0, entry.Data.Length);
        return entry.ContentHash;
    });
}

/// <summary>The packed weights file that ships beside an assembly, one per assembly, holding each of its
/// models. The generated loader reads this same format; keep the two in step (FormatVersion).
/// <code>
/// "MCWT" | u32 version | u32 model count | u32 reserved (0)
/// per model: u16 name bytes | UTF-8 name | u64 layout hash | u64 content hash | i64 data offset | i64 byte count
/// data: each model's weight block at a 64-byte aligned offset
/// </code></summary>
public static class WeightArtifact
{
    public const uint FormatVersion = 2;

    public static readonly byte[] Magic = Encoding.ASCII.GetBytes("MCWT");

    public static string FileName(string assemblyName) => assemblyName + ".mcweights";

    public static byte[] Write(IReadOnlyList<ArtifactEntry> entries)
    {
        using var stream = new MemoryStream();
        Write(stream, entries.Select(ArtifactBlock.From).ToList());
        return stream.ToArray();
    }

    /// <summary>Writes the artifact to a seekable stream, block by block (each block's writer runs once, in model
    /// order); the table is written first with zero content hashes and again once the blocks' hashes are known,
    /// so no block is ever held in memory here, and the file may exceed 2 GiB.</summary>
    public static void Write(Stream output, IReadOnlyList<ArtifactBlock> blocks)
    {
        long start = output.Position;
        var hashes = new ulong[blocks.Count];
        WriteTable(output, blocks, hashes);
        long position = output.Position - start;
        var padding = new byte[64];
        for (int i = 0; i < blocks.Count; i++)
        {
            long offset = Align(position);
            output.Write(padding, 0, (int)(offset - position));
            hashes[i] = blocks[i].Write(output);
            position = output.Position - start;
            if (position != offset + blocks[i].Length)
            {
                throw new InvalidOperationException("model '" + blocks[i].Model + "' wrote " + (position - offset) + " bytes, its block has " + blocks[i].Length);
            }
        }

        long end = output.Position;
        output.Position = start;
        WriteTable(output, blocks, hashes);
        output.Position = end;
    }

    private static void WriteTable(Stream output, IReadOnlyList<ArtifactBlock> blocks, ulong[] hashes)
    {
        long headerSize = 16 + blocks.Sum(b => 2 + Encoding.UTF8.GetByteCount(b.Model) + 32);
        using var writer = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write((uint)blocks.Count);
        writer.Write(0u);
        long offset = Align(headerSize);
        for (int i = 0; i < blocks.Count; i++)
        {
            byte[] name = Encoding.UTF8.GetBytes(blocks[i].Model);
            writer.Write(checked((ushort)name.Length));
            writer.Write(name);
            writer.Write(blocks[i].LayoutHash);
            writer.Write(hashes[i]);
            writer.Write(offset);
            writer.Write(blocks[i].Length);
            offset = Align(offset + blocks[i].Length);
        }

        writer.Flush();
    }

    /// <summary>Reads and validates a whole artifact; throws <see cref="InvalidDataException"/> with the reason.</summary>
    public static IReadOnlyList<ArtifactEntry> Read(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, false), Encoding.UTF8);
        Require(bytes.Length >= 16, "shorter than its 16-byte header");
        byte[] magic = reader.ReadBytes(4);
        Require(magic.AsSpanEquals(Magic), "not a ModelCompiler weights artifact (bad magic)");
        uint version = reader.ReadUInt32();
        Require(version == FormatVersion, "format version " + version + ", this compiler reads version " + FormatVersion);
        uint count = reader.ReadUInt32();
        reader.ReadUInt32();
        Require(count <= (bytes.Length - 16) / 34, "model count " + count + " does not fit in the file");
        var entries = new List<ArtifactEntry>();
        for (int i = 0; i < count; i++)
        {
            Require(bytes.Length - reader.BaseStream.Position >= 2, "truncated model table");
            int nameLength = reader.ReadUInt16();
            Require(bytes.Length - reader.BaseStream.Position >= nameLength + 32, "truncated model table");
            string name = DecodeName(reader.ReadBytes(nameLength));
            ulong layout = reader.ReadUInt64();
            ulong content = reader.ReadUInt64();
            long offset = reader.ReadInt64();
            long length = reader.ReadInt64();
            Require(offset >= 16 && length >= 0 && offset <= bytes.Length && length <= bytes.Length - offset,
                "model '" + name + "' data [" + offset + ", +" + length + " bytes] lies outside the " + bytes.Length + "-byte file");
            byte[] data = new byte[length];
            Buffer.BlockCopy(bytes, (int)offset, data, 0, (int)length);
            var entry = new ArtifactEntry(name, layout, data);
            Require(entry.ContentHash == content, "model '" + name + "' data does not match its hash (corrupted or truncated)");
            entries.Add(entry);
        }

        return entries;
    }

    private static string DecodeName(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("weights artifact is invalid: a model name is not valid UTF-8 (corrupted?)");
        }
    }

    private static long Align(long offset) => (offset + 63) / 64 * 64;

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidDataException("weights artifact is invalid: " + message);
        }
    }

    private static bool AsSpanEquals(this byte[] a, byte[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }
}
