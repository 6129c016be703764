using System;
using Xunit;

namespace ModelCompiler.KernelTests.Infrastructure;

/// <summary>An array with guard cells on both sides: kernels get a span of the middle, so a read past either
/// end sees sentinels (and gives wrong results) and a write past either end is caught. The odd guard length
/// also misaligns the span for every vector width.</summary>
internal sealed class Guarded
{
    private const int GuardLength = 17;
    private const float Sentinel = -7777.25f;
    private readonly float[] _buffer;

    public Guarded(ReadOnlySpan<float> values)
    {
        _buffer = new float[values.Length + (2 * GuardLength)];
        _buffer.AsSpan().Fill(Sentinel);
        values.CopyTo(_buffer.AsSpan(GuardLength));
        Length = values.Length;
    }

    public int Length { get; }

    public Span<float> Span => _buffer.AsSpan(GuardLength, Length);

    /// <summary>An output buffer prefilled with NaN, so an element the kernel forgets to write fails.</summary>
    public static Guarded Output(int length)
    {
        float[] values = new float[length];
        values.AsSpan().Fill(float.NaN);
        return new Guarded(values);
    }

    public float[] ToArray() => Span.ToArray();

    public void AssertGuardsIntact(string what)
    {
        for (int i = 0; i < GuardLength; i++)
        {
            if (_buffer[i] != Sentinel || _buffer[_buffer.Length - 1 - i] != Sentinel)
            {
                Assert.Fail(what + ": wrote outside its span");
            }
        }
    }
}
