using System;

namespace ModelCompiler.IR;

/// <summary>How the elements of a tensor are stored.</summary>
public enum ScalarKind
{
    Float,
    BFloat,
    SignedInt,
    UnsignedInt,
}

/// <summary>An element type: F32, F16, BF16, I8, U8, I32, or a signed integer packed into fewer than 8 bits
/// (2..7, <see cref="Packed"/>). Byte counts always come from here, never from <c>count * 4</c>.</summary>
public readonly record struct DataType(ScalarKind Kind, int Bits)
{
    public static readonly DataType F32 = new(ScalarKind.Float, 32);
    public static readonly DataType F16 = new(ScalarKind.Float, 16);
    public static readonly DataType BF16 = new(ScalarKind.BFloat, 16);
    public static readonly DataType I8 = new(ScalarKind.SignedInt, 8);
    public static readonly DataType U8 = new(ScalarKind.UnsignedInt, 8);
    public static readonly DataType I32 = new(ScalarKind.SignedInt, 32);

    /// <summary>Signed integers of 2..7 bits, packed tightly.</summary>
    public static DataType Packed(int bits) => bits is >= 2 and <= 7
        ? new DataType(ScalarKind.SignedInt, bits)
        : throw new ArgumentOutOfRangeException(nameof(bits), bits, "packed integers have 2 to 7 bits");

    /// <summary>Bytes that <paramref name="elements"/> elements occupy (sub-byte types round up).</summary>
    public long ByteCount(long elements) => checked((elements * Bits) + 7) / 8;

    public override string ToString() => (Kind, Bits) switch
    {
        (ScalarKind.Float, _) => "f" + Bits,
        (ScalarKind.BFloat, _) => "bf" + Bits,
        (ScalarKind.UnsignedInt, _) => "u" + Bits,
        _ => "i" + Bits,
    };
}
