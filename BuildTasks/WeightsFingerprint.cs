using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;

namespace ModelCompiler.BuildTasks;

/// <summary>The content fingerprint of a weights file: XXH64 (seed 0) of every byte, as xxHash defines it, so any
/// reference implementation gives the same value. Not cryptographic: it tells an edited file from the one the last
/// link read, it does not defend against forgery. Four independent lanes of 64-bit multiply-rotate over 32-byte
/// stripes, fed 1 MiB at a time from an unbuffered sequential read, so a page-cached file hashes at memory speed
/// rather than at one multiply's latency per byte (FNV-1a, <see cref="Common.Hashing"/>, would be ~1 GB/s).</summary>
public static class WeightsFingerprint
{
    /// <summary>The read size: large enough that the system call per chunk does not count, a multiple of the stripe.</summary>
    public const int ChunkBytes = 1 << 20;

    private const int StripeBytes = 32;
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime5 = 0x27D4EB2F165667C5UL;

    public static ulong OfFile(string path)
    {
        // bufferSize 1: no FileStream buffer between the file and ours (one copy, not two).
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        return OfStream(stream);
    }

    /// <param name="chunkBytes">A positive multiple of 32; tests use small ones to cross chunk boundaries often.</param>
    public static ulong OfStream(Stream stream, int chunkBytes = ChunkBytes)
    {
        if (chunkBytes <= 0 || chunkBytes % StripeBytes != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "a positive multiple of " + StripeBytes);
        }

        var lanes = new Lanes(0);
        byte[] buffer = new byte[chunkBytes];
        long total = 0;
        while (true)
        {
            int n = ReadFull(stream, buffer);
            total += n;
            int whole = n - n % StripeBytes;
            lanes.Stripes(new ReadOnlySpan<byte>(buffer, 0, whole));
            if (n < buffer.Length)
            {
                return lanes.Finish(total, new ReadOnlySpan<byte>(buffer, whole, n - whole));
            }
        }
    }

    public static ulong OfBytes(byte[] data)
    {
        var lanes = new Lanes(0);
        int whole = data.Length - data.Length % StripeBytes;
        lanes.Stripes(new ReadOnlySpan<byte>(data, 0, whole));
        return lanes.Finish(data.Length, new ReadOnlySpan<byte>(data, whole, data.Length - whole));
    }

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first: only the last chunk may be short.</summary>
    private static int ReadFull(Stream stream, byte[] buffer)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = stream.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    private struct Lanes(ulong seed)
    {
        private ulong _v1 = seed + Prime1 + Prime2;
        private ulong _v2 = seed + Prime2;
        private ulong _v3 = seed;
        private ulong _v4 = seed - Prime1;
        private readonly ulong _seed = seed;

        /// <summary>Whole 32-byte stripes; the lanes are locals in the loop so they stay in registers.</summary>
        public void Stripes(ReadOnlySpan<byte> data)
        {
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
            ulong v1 = _v1, v2 = _v2, v3 = _v3, v4 = _v4;
            for (int i = 0; i + 3 < words.Length; i += 4)
            {
                v1 = Round(v1, Little(words[i]));
                v2 = Round(v2, Little(words[i + 1]));
                v3 = Round(v3, Little(words[i + 2]));
                v4 = Round(v4, Little(words[i + 3]));
            }

            (_v1, _v2, _v3, _v4) = (v1, v2, v3, v4);
        }

        /// <param name="total">Every byte hashed, the tail included.</param>
        /// <param name="tail">The last total % 32 bytes.</param>
        public readonly ulong Finish(long total, ReadOnlySpan<byte> tail)
        {
            ulong h;
            if (total >= StripeBytes)
            {
                h = RotateLeft(_v1, 1) + RotateLeft(_v2, 7) + RotateLeft(_v3, 12) + RotateLeft(_v4, 18);
                h = Merge(h, _v1);
                h = Merge(h, _v2);
                h = Merge(h, _v3);
                h = Merge(h, _v4);
            }
            else
            {
                h = _seed + Prime5;
            }

            h += (ulong)total;
            int i = 0;
            for (; i + 8 <= tail.Length; i += 8)
            {
                h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(tail.Slice(i)));
                h = RotateLeft(h, 27) * Prime1 + Prime4;
            }

            if (i + 4 <= tail.Length)
            {
                h ^= BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(i)) * Prime1;
                h = RotateLeft(h, 23) * Prime2 + Prime3;
                i += 4;
            }

            for (; i < tail.Length; i++)
            {
                h ^= tail[i] * Prime5;
                h = RotateLeft(h, 11) * Prime1;
            }

            h ^= h >> 33;
            h *= Prime2;
            h ^= h >> 29;
            h *= Prime3;
            h ^= h >> 32;
            return h;
        }
    }

    private static ulong Round(ulong acc, ulong input) => RotateLeft(acc + input * Prime2, 31) * Prime1;

    private static ulong Merge(ulong acc, ulong lane) => (acc ^ Round(0, lane)) * Prime1 + Prime4;

    private static ulong RotateLeft(ulong value, int bits) => (value << bits) | (value >> (64 - bits));

    private static ulong Little(ulong word) => BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
}
