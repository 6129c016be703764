using System;
using System.Collections.Generic;

namespace ModelCompiler.Fuzz;

/// <summary>Deterministic byte-level mutations (SplitMix64-seeded): bit flips, interesting values, digit edits
/// (JSON numbers and offsets), truncation, chunk insertion/deletion/duplication, and splicing two inputs.</summary>
internal sealed class Mutator(ulong seed)
{
    private static readonly byte[] Interesting = [0, 1, 0x7f, 0x80, 0xff, (byte)'"', (byte)',', (byte)'[', (byte)']', (byte)'{', (byte)'}', (byte)'-', (byte)'9', (byte)'\n', (byte)' ', (byte)'='];
    private ulong _state = seed;

    public int Next(int max) => (int)(NextUlong() % (ulong)max);

    public byte[] Mutate(byte[] original, byte[][] corpus)
    {
        var data = new List<byte>(original);
        int rounds = 1 + Next(4);
        for (int r = 0; r < rounds; r++)
        {
            int n = data.Count;
            switch (Next(9))
            {
                case 0 when n > 0:
                    data[Next(n)] ^= (byte)(1 << Next(8));
                    break;
                case 1 when n > 0:
                    data[Next(n)] = Interesting[Next(Interesting.Length)];
                    break;
                case 2 when n > 0:
                {
                    // Edit an ASCII digit: header numbers (shapes, offsets, lengths) are where parsers break.
                    int start = Next(n);
                    for (int i = 0; i < n; i++)
                    {
                        int at = (start + i) % n;
                        if (data[at] is >= (byte)'0' and <= (byte)'9')
                        {
                            data[at] = (byte)('0' + Next(10));
                            if (Next(3) == 0)
                            {
                                data.InsertRange(at, new[] { (byte)('0' + Next(10)), (byte)('0' + Next(10)), (byte)('0' + Next(10)) });
                            }

                            break;
                        }
                    }

                    break;
                }

                case 3 when n > 0:
                {
                    // Delete a chunk.
                    int at = Next(n);
                    data.RemoveRange(at, Math.Min(n - at, 1 + Next(Math.Max(1, n / 4))));
                    break;
                }

                case 4:
                {
                    // Truncate.
                    int keep = Next(n + 1);
                    data.RemoveRange(keep, n - keep);
                    break;
                }

                case 5 when n > 0:
                {
                    int at = Next(n), length = Math.Min(n - at, 1 + Next(16));
                    data.InsertRange(Next(n), data.GetRange(at, length));
                    break;
                }

                case 6:
                {
                    // Overwrite 8 bytes with a little-endian integer: the header length, counts, offsets.
                    if (n >= 8)
                    {
                        ulong value = Next(3) switch { 0 => NextUlong(), 1 => (ulong)Next(1 << 16), _ => (ulong)n + (ulong)Next(64) - 32 };
                        int at = Next(n - 7) & ~3;
                        for (int i = 0; i < 8; i++)
                        {
                            data[at + i] = (byte)(value >> (8 * i));
                        }
                    }

                    break;
                }

                case 7:
                {
                    byte[] other = corpus[Next(corpus.Length)];
                    int cut = Next(n + 1), from = Next(other.Length + 1);
                    data.RemoveRange(cut, n - cut);
                    data.AddRange(new ArraySegment<byte>(other, from, other.Length - from));
                    break;
                }

                default:
                    if (n > 0)
                    {
                        data.Insert(Next(n), Interesting[Next(Interesting.Length)]);
                    }

                    break;
            }
        }

        return data.ToArray();
    }

    private ulong NextUlong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
