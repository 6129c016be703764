using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ModelCompiler.Tests.Helpers;
using ModelCompiler.Weights;
using Xunit;

namespace ModelCompiler.Tests.Weights;

/// <summary><see cref="SafetensorsWriter"/> and <see cref="SafetensorsFile"/>: round trips in each float dtype,
/// the conversions checked against System.Half, and every malformed file rejected with a message that says why.</summary>
public sealed class SafetensorsTests
{
    private static readonly (string Name, int[] Shape, float[] Data)[] Sample =
    [
        ("conv.weight", [2, 1, 2, 2], [1, -2, 0.5f, 0.25f, -0.125f, 3, 4, -8]),
        ("conv.bias", [2], [0.75f, -1.5f]),
        ("scalar", [], [42]),
        ("empty", [0, 3], []),
        ("name with \"quotes\", \\ and ü", [3], [1, 2, 3]),
    ];

    [Theory]
    [InlineData("F32")]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void RoundTrip_ExactlyRepresentableValues(string dtype)
    {
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "a \"quoted\" value" };
        byte[] bytes = SafetensorsWriter.Write(Sample, dtype, metadata);

        foreach (SafetensorsFile file in new[] { SafetensorsFile.Parse(bytes), SafetensorsFile.Parse(new MemoryStream(bytes)) })
        {
            Assert.Equal(Sample.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal), file.Tensors.Keys.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(metadata, file.Metadata);
            foreach ((string name, int[] shape, float[] data) in Sample)
            {
                Assert.Equal(dtype, file.Tensors[name].Dtype);
                Assert.Equal(shape.Select(d => (long)d), file.Tensors[name].Shape);
                Assert.Equal(data, file.ReadFloat32(name));
            }
        }
    }

    [Fact]
    public void Writer_LaysOutTheHeaderLikeTheReferenceImplementation()
    {
        byte[] bytes = SafetensorsWriter.Write([("b", [1], [1f]), ("a", [2], [2f, 3f])], metadata: new Dictionary<string, string> { ["k"] = "v" });
        long headerLength = BitConverter.ToInt64(bytes, 0);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);

        Assert.Equal(0, headerLength % 8);
        Assert.Equal(
            "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
            header.TrimEnd(' '));
        Assert.Equal(8 + headerLength + 12, bytes.Length);
        Assert.Equal([2f, 3f, 1f], MemoryMarshalFloats(bytes, 8 + (int)headerLength, 3));
    }

    [Fact]
    public void F16_WriterRoundsLikeSystemHalf()
    {
        var rng = new Rng(3);
        float[] special =
        [
            0f, -0f, 1f, -1f, 65504f, 65519.99f, 65520f, 1e6f, -1e6f, float.PositiveInfinity, float.NegativeInfinity,
            MathF.Pow(2, -14), MathF.Pow(2, -24), MathF.Pow(2, -25), MathF.Pow(2, -25) * 1.0001f, MathF.Pow(2, -26),
            MathF.Pow(2, -24) * 1.5f, MathF.Pow(2, -24) * 2.5f, 1f + MathF.Pow(2, -11), 1f + (3 * MathF.Pow(2, -11)), float.Epsilon,
        ];
        IEnumerable<float> values = special
            .Concat(rng.Uniform(2000, -70000, 70000))
            .Concat(rng.Uniform(2000, -1, 1).Select(v => v * MathF.Pow(2, -14)))
            .Concat(rng.Uniform(2000, -4, 4));
        foreach (float v in values)
        {
            Assert.True(BitConverter.HalfToUInt16Bits((Half)v) == SafetensorsWriter.SingleToHalf(v), $"F16 of {v:R}");
        }

        Assert.True(float.IsNaN(SafetensorsFile.HalfToSingle(SafetensorsWriter.SingleToHalf(float.NaN))));
    }

    [Fact]
    public void F16_ReaderConvertsEveryBitPatternLikeSystemHalf()
    {
        for (int h = 0; h <= ushort.MaxValue; h++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)h);
            float actual = SafetensorsFile.HalfToSingle((ushort)h);
            Assert.True(float.IsNaN(expected) ? float.IsNaN(actual) : BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                $"0x{h:x4}: expected {expected:R}, got {actual:R}");
        }
    }

    [Fact]
    public void F16_SubnormalsInfinitiesAndNaN_SurviveTheFile()
    {
        float[] values = [MathF.Pow(2, -24), -3 * MathF.Pow(2, -24), 1023 * MathF.Pow(2, -24), MathF.Pow(2, -14), float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f, 1e-9f, 70000f];
        float[] read = SafetensorsFile.Parse(SafetensorsWriter.Write([("t", [values.Length], values)], "F16")).ReadFloat32("t");

        Assert.Equal(values.Take(6), read.Take(6));
        Assert.True(float.IsNaN(read[6]));
        Assert.True(float.IsNegative(read[7]) && read[7] == 0);
        Assert.Equal(0f, read[8]);
        Assert.Equal(float.PositiveInfinity, read[9]);
    }

    [Fact]
    public void BF16_RoundsToNearestEvenAndKeepsSpecials()
    {
        float[] values = [1f + MathF.Pow(2, -8), 1f + (3 * MathF.Pow(2, -8)), 1f + MathF.Pow(2, -9), -2.75f, float.PositiveInfinity, float.NaN, float.MaxValue, 1e-40f];
        float[] read = SafetensorsFile.Parse(SafetensorsWriter.Write([("t", [values.Length], values)], "BF16")).ReadFloat32("t");

        Assert.Equal(1f, read[0]);                           // tie, rounds to the even mantissa
        Assert.Equal(1f + MathF.Pow(2, -6), read[1]);        // tie, rounds up to even
        Assert.Equal(1f, read[2]);                           // below half
        Assert.Equal(-2.75f, read[3]);
        Assert.Equal(float.PositiveInfinity, read[4]);
        Assert.True(float.IsNaN(read[5]));
        Assert.Equal(float.PositiveInfinity, read[6]);       // max float rounds up past bf16's largest finite value
        Assert.Equal(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1e-40f) & unchecked((int)0xffff0000)), read[7]);
    }

    [Fact]
    public void Writer_RejectsDataThatDoesNotMatchTheShape() =>
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write([("t", [2, 2], [1f, 2f, 3f])]));

    public static TheoryData<string, string> Malformed => new()
    {
        { "short file", "shorter than the 8-byte header length" },
        { "truncated data", "data_offsets [0, 16] outside the 12-byte data section" },
        { "absurd header length", "exceeds the 100 MB limit" },
        { "header beyond file", "header length 4096 runs past the end of the 26-byte file" },
        { "malformed json", "JSON header, character" },
        { "not an object", "not a JSON object" },
        { "duplicate keys", "duplicate key 'a'" },
        { "offsets beyond data", "data_offsets [0, 400] outside the 16-byte data section" },
        { "offsets reversed", "data_offsets [8, 4]" },
        { "overlapping tensors", "tensors 'a' and 'b' overlap" },
        { "size mismatch", "spans 8 bytes, but dtype F32 with shape [3] needs 12" },
        { "dtype mismatch", "spans 16 bytes, but dtype F16 with shape [2, 2] needs 8" },
        { "unknown dtype", "unknown dtype 'F12'" },
        { "negative dimension", "invalid dimension at index 1" },
        { "dimension beyond int", "invalid dimension at index 0" },
        { "shape larger than the data", "spans 8 bytes, but dtype F32 with shape [100, 3] needs more" },
        { "missing offsets", "no valid 'data_offsets'" },
        { "metadata not strings", "__metadata__ value 'n' is not a string" },
        { "header not utf-8", "not valid UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Reader_RejectsMalformedFiles(string @case, string message)
    {
        byte[] bytes = @case switch
        {
            "short file" => [1, 0, 0],
            "truncated data" => SafetensorsWriter.Write([("a", [4], [1f, 2f, 3f, 4f])])[..^4],
            "absurd header length" => [.. BitConverter.GetBytes(ulong.MaxValue), .. "{}"u8],
            "header beyond file" => [.. BitConverter.GetBytes(4096L), .. new byte[18]],
            "malformed json" => Raw("{\"a\":{\"dtype\":\"F32\",}", 0),
            "not an object" => Raw("[1, 2]", 0),
            "duplicate keys" => Raw(Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8), 8),
            "offsets beyond data" => Raw(Entry("a", "F32", "[100]", 0, 400), 16),
            "offsets reversed" => Raw(Entry("a", "F32", "[1]", 8, 4), 16),
            "overlapping tensors" => Raw(Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12), 16),
            "size mismatch" => Raw(Entry("a", "F32", "[3]", 0, 8), 16),
            "dtype mismatch" => Raw(Entry("a", "F16", "[2, 2]", 0, 16), 16),
            "unknown dtype" => Raw(Entry("a", "F12", "[1]", 0, 4), 4),
            "negative dimension" => Raw(Entry("a", "F32", "[1, -1]", 0, 4), 4),
            "dimension beyond int" => Raw(Entry("a", "F32", "[4294967296, 0]", 0, 0), 4),
            "shape larger than the data" => Raw(Entry("a", "F32", "[100, 3]", 0, 8), 8),
            "missing offsets" => Raw("\"a\":{\"dtype\":\"F32\",\"shape\":[1]}", 4),
            "metadata not strings" => Raw("\"__metadata__\":{\"n\":1}", 0),
            "header not utf-8" => [.. BitConverter.GetBytes(4L), 0x7b, 0xff, 0xfe, 0x7d],
            _ => throw new ArgumentException(@case),
        };

        SafetensorsFormatException e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Parse(bytes));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        SafetensorsFormatException fromStream = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Parse(new MemoryStream(bytes)));
        Assert.Equal(e.Message, fromStream.Message);
    }

    [Fact]
    public void Reader_AcceptsAnEmptyTensorWithAnyOtherDimension()
    {
        SafetensorsFile file = SafetensorsFile.Parse(Raw(Entry("a", "F32", "[0, 1000]", 0, 0), 0));
        Assert.Equal(0, file.Tensors["a"].ElementCount);
        Assert.Empty(file.ReadFloat32("a"));
    }

    [Theory]
    [InlineData("F32")]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void ReadFloat32_ATensorOfManyReadChunks_FromAFileOnDisk(string dtype)
    {
        // 100,003 values: past the 64 KB read chunk several times, ending mid-chunk, after another tensor's odd offset.
        float[] values = Enumerable.Range(0, 100_003).Select(i => (i % 512) - 256f).ToArray();
        byte[] bytes = SafetensorsWriter.Write([("first", [3], [1f, 2f, 3f]), ("t", [values.Length], values)], dtype);
        string path = Path.Combine(Path.GetTempPath(), "mc-safetensors-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
            SafetensorsFile file = SafetensorsFile.Parse(stream);
            Assert.Equal(values, file.ReadFloat32("t"));
            Assert.Equal([1f, 2f, 3f], file.ReadFloat32("first"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadFloat32_RejectsIntegerTensors()
    {
        SafetensorsFile file = SafetensorsFile.Parse(Raw(Entry("steps", "I64", "[1]", 0, 8), 8));
        SafetensorsFormatException e = Assert.Throws<SafetensorsFormatException>(() => file.ReadFloat32("steps"));
        Assert.Contains("tensor 'steps' has dtype I64, not F32, F16 or BF16", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A file with the given header body (wrapped in braces unless it is already JSON) and zeroed data.</summary>
    private static byte[] Raw(string body, int dataBytes)
    {
        string json = body.StartsWith('{') || body.StartsWith('[') ? body : "{" + body + "}";
        byte[] header = Encoding.UTF8.GetBytes(json);
        return [.. BitConverter.GetBytes((long)header.Length), .. header, .. new byte[dataBytes]];
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    private static float[] MemoryMarshalFloats(byte[] bytes, int offset, int count) =>
        Enumerable.Range(0, count).Select(i => BitConverter.ToSingle(bytes, offset + (4 * i))).ToArray();
}
