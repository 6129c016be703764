// ModelCompiler run-time: a model's packed weights in memory, aligned for vector loads.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.InteropServices;

    /// <summary>A model's weight block: its bytes in arrays of the pinned object heap (so they never move), each starting
    /// at a multiple of <see cref="Alignment"/> bytes and holding at most <see cref="ChunkBytes"/> of the block (a block past
    /// 2 GiB is several arrays). The build places every tensor at such a multiple and never across a chunk's end, so each
    /// tensor is one span, starts on a cache line, and a full-width vector load never straddles two lines.</summary>
    [global::System.CodeDom.Compiler.GeneratedCode("ModelCompiler", "1")]
    internal sealed class WeightBlock
    {
        /// <summary>The alignment of the block's first byte (a cache line, and the width of a Vector512).</summary>
        public const int Alignment = 64;

        /// <summary>Bytes per array of the block (1 GiB); the last array holds the rest.</summary>
        public const long ChunkBytes = 1L << ChunkShift;

        private const int ChunkShift = 30;

        private readonly byte[][] _chunks;
        private readonly int[] _origins;

        /// <summary>Copies <paramref name="data"/> into a new aligned block.</summary>
        public WeightBlock(ReadOnlySpan<byte> data)
            : this(data.Length)
        {
            data.CopyTo(Writable(0));
        }

        private WeightBlock(long length)
        {
            int count = (int)Math.Max(1, (length + ChunkBytes - 1) / ChunkBytes);
            _chunks = new byte[count][];
            _origins = new int[count];
            for (int c = 0; c < count; c++)
            {
                int bytes = (int)Math.Min(ChunkBytes, length - (c * ChunkBytes));
                _chunks[c] = GC.AllocateUninitializedArray<byte>(bytes + Alignment - 1, pinned: true);
                GCHandle handle = GCHandle.Alloc(_chunks[c], GCHandleType.Pinned);
                try
                {
                    long address = handle.AddrOfPinnedObject().ToInt64();
                    _origins[c] = (int)((Alignment - (address % Alignment)) % Alignment);
                }
                finally
                {
                    handle.Free();
                }
            }

            Length = length;
        }

        /// <summary>A block of no bytes (a model without weights, or a frame not yet filled in).</summary>
        public static WeightBlock Empty { get; } = new(ReadOnlySpan<byte>.Empty);

        /// <summary>Bytes in the block.</summary>
        public long Length { get; }

        /// <summary>The arrays the block is held in.</summary>
        public int ChunkCount => _chunks.Length;

        /// <summary>The whole block, when it is held in one array (up to <see cref="ChunkBytes"/>).</summary>
        public ReadOnlySpan<byte> Span => _chunks.Length == 1
            ? Chunk(0)
            : throw new InvalidOperationException("a block of " + Length + " bytes is held in " + _chunks.Length + " arrays; read it by Chunk");

        /// <summary>The block's bytes in array <paramref name="index"/>: from byte index · <see cref="ChunkBytes"/> on.</summary>
        public ReadOnlySpan<byte> Chunk(int index) => Writable(index);

        private Span<byte> Writable(int index) => new(_chunks[index], _origins[index], (int)Math.Min(ChunkBytes, Length - (index * ChunkBytes)));

        /// <summary>A block of <paramref name="length"/> bytes read from <paramref name="stream"/> straight into
        /// aligned memory (no other copy); null when the stream ends first.</summary>
        public static WeightBlock? Read(global::System.IO.Stream stream, long length)
        {
            var block = new WeightBlock(length);
            for (int c = 0; c < block.ChunkCount; c++)
            {
                Span<byte> rest = block.Writable(c);
                while (rest.Length > 0)
                {
                    int read = stream.Read(rest);
                    if (read <= 0)
                    {
                        return null;
                    }

                    rest = rest.Slice(read);
                }
            }

            return block;
        }

        /// <summary>A float32 tensor of the block: <paramref name="count"/> floats from byte <paramref name="offset"/>.</summary>
        public ReadOnlySpan<float> F32(int offset, int count) => F32((long)offset, count);

        /// <summary>A float32 tensor of the block (past 2 GiB too): <paramref name="count"/> floats from byte
        /// <paramref name="offset"/>, within one of its arrays.</summary>
        public ReadOnlySpan<float> F32(long offset, int count) =>
            MemoryMarshal.Cast<byte, float>(Writable((int)(offset >> ChunkShift)).Slice((int)(offset & (ChunkBytes - 1)), count * 4));
    }
}
