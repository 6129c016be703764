// ModelCompiler run-time: what a kernel call split across threads needs to know about the call it belongs to.

namespace ModelCompiler.Generated
{
    using global::System;

    /// <summary>The state of one layer call that a <see cref="WorkerPool"/> splits: the arena, the weights, the chunk
    /// size, the sample, the scratch offset, the vector width and (for a model with an open input size) its geometry.
    /// Each thread reuses one instance, so splitting a call allocates nothing; the pieces only read it.</summary>
    internal sealed class KernelFrame
    {
        [ThreadStatic]
        private static KernelFrame? t_frame;

        public float[] Arena { get; private set; } = [];

        public WeightBlock Weights { get; private set; } = WeightBlock.Empty;

        /// <summary>Samples in the chunk.</summary>
        public int Count { get; private set; }

        /// <summary>The sample being computed (per-sample calls).</summary>
        public int Sample { get; private set; }

        /// <summary>Where the scratch area starts in the arena.</summary>
        public int Scratch { get; private set; }

        public VectorWidth Width { get; private set; }

        /// <summary>The generated geometry of the input size, for a model whose size is open; else null.</summary>
        public object? Geometry { get; private set; }

        /// <summary>For a call on a band of rows (a sliced group's member): where its input starts in the arena.</summary>
        public int XAt { get; private set; }

        /// <summary>Floats of the arena from <see cref="XAt"/> the input may span.</summary>
        public int XLength { get; private set; }

        /// <summary>Where the call's output rows start in the arena.</summary>
        public int YAt { get; private set; }

        /// <summary>Floats of the arena from <see cref="YAt"/> the output may span.</summary>
        public int YLength { get; private set; }

        /// <summary>Input rows the call may read (below them: zero padding, or rows it never reaches).</summary>
        public int Height { get; private set; }

        /// <summary>Zero rows above the input rows.</summary>
        public int PadTop { get; private set; }

        /// <summary>Output rows to compute.</summary>
        public int Rows { get; private set; }

        /// <summary>Floats from one input channel to the next.</summary>
        public int XPlane { get; private set; }

        /// <summary>Floats from one output channel to the next.</summary>
        public int YPlane { get; private set; }

        private int[] _parts = new int[24];
        private int _partCount;

        /// <summary>The parts of an input read through a concat that was never built: (start, channels, plane) each.</summary>
        public ReadOnlySpan<int> Parts => _parts.AsSpan(0, _partCount);

        /// <summary>This frame with the parts of its input (a copy, so the caller's span may be on its stack).</summary>
        /// <returns>This frame.</returns>
        public KernelFrame WithParts(ReadOnlySpan<int> parts)
        {
            if (_parts.Length < parts.Length)
            {
                _parts = new int[parts.Length];
            }

            parts.CopyTo(_parts);
            _partCount = parts.Length;
            return this;
        }

        /// <summary>This frame with the band a sliced group's member computes in this step.</summary>
        /// <returns>This frame.</returns>
        public KernelFrame WithBand(int xAt, int xLength, int yAt, int yLength, int height, int padTop, int rows, int xPlane, int yPlane)
        {
            XAt = xAt;
            XLength = xLength;
            YAt = yAt;
            YLength = yLength;
            Height = height;
            PadTop = padTop;
            Rows = rows;
            XPlane = xPlane;
            YPlane = yPlane;
            return this;
        }

        /// <summary>This thread's frame, filled in for one call.</summary>
        public static KernelFrame For(float[] arena, WeightBlock weights, int count, int sample, int scratch, VectorWidth width, object? geometry)
        {
            KernelFrame frame = t_frame ??= new KernelFrame();
            frame.Arena = arena;
            frame.Weights = weights;
            frame.Count = count;
            frame.Sample = sample;
            frame.Scratch = scratch;
            frame.Width = width;
            frame.Geometry = geometry;
            frame._partCount = 0;
            return frame;
        }
    }
}
