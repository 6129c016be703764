using System.Text;

namespace ModelCompiler.Common;

/// <summary>Stable, dependency-free hashing (FNV-1a 64) for layout keys. Not cryptographic:
/// it detects mismatched artifacts, it does not defend against forgery.</summary>
public static class Hashing
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Fnv1a64(string text) => Fnv1a64(Encoding.UTF8.GetBytes(text));

    public static ulong Fnv1a64(byte[] data, ulong seed = Offset)
    {
        ulong hash = seed;
        foreach (byte b in data)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    public static string ToHex(ulong value) => value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
