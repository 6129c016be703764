// ModelCompiler run-time: a model's packed weights in memory, aligned for vector loads.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.InteropServices;

    /// <summary>A model's weight block: its bytes in an array of the pinned object heap (so it never moves) starting
    /// at a multiple of <see cref="Alignment"/> bytes. The build places every tensor at such a multiple within the
    /// block, so each tensor starts on a cache line and a full-width vector load never straddles two.</summary>
    [global::System.CodeDom.Compiler.GeneratedCode("ModelCompiler", "1")]
    internal sealed class WeightBlock
    {
        /// <summary>The alignment of the block's first byte (a cache line, and the width of a Vector512).</summary>
        public const int Alignment = 64;

        private readonly byte[] _bytes;
        private readonly int _origin;

        /// <summary>Copies <paramref name="data"/> into a new aligned block.</summary>
        public WeightBlock(ReadOnlySpan<byte> data)
            : this(data.Length)
        {
            data.CopyTo(Writable);
        }

        private WeightBlock(int length)
        {
            _bytes = GC.AllocateUninitializedArray<byte>(length + Alignment - 1, pinned: true);
            GCHandle handle = GCHandle.Alloc(_bytes, GCHandleType.Pinned);
            try
            {
                long address = handle.AddrOfPinnedObject().ToInt64();
                _origin = (int)((Alignment - (address % Alignment)) % Alignment);
            }
            finally
            {
                handle.Free();
            }

            Length = length;
        }

        /// <summary>A block of no bytes (a model without weights, or a frame not yet filled in).</summary>
        public static WeightBlock Empty { get; } = new(ReadOnlySpan<byte>.Empty);

        /// <summary>Bytes in the block.</summary>
        public int Length { get; }

        /// <summary>The whole block.</summary>
        public ReadOnlySpan<byte> Span => new(_bytes, _origin, Length);

        private Span<byte> Writable => new(_bytes, _origin, Length);

        /// <summary>A block of <paramref name="length"/> bytes read from <paramref name="stream"/> straight into
        /// aligned memory (no other copy); null when the stream ends first.</summary>
        public static WeightBlock? Read(global::System.IO.Stream stream, int length)
        {
            var block = new WeightBlock(length);
            Span<byte> rest = block.Writable;
            while (rest.Length > 0)
            {
                int read = stream.Read(rest);
                if (read <= 0)
                {
                    return null;
                }

                rest = rest.Slice(read);
            }

            return block;
        }

        /// <summary>A float32 tensor of the block: <paramref name="count"/> floats from byte <paramref name="offset"/>.</summary>
        public ReadOnlySpan<float> F32(int offset, int count) => MemoryMarshal.Cast<byte, float>(Span.Slice(offset, count * 4));
    }
}
