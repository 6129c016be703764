// ModelCompiler run-time kernels: elementwise work over bands of rows of channel planes (sliced groups).

namespace ModelCompiler.Generated
{
    using global::System;

    /// <summary>An elementwise kernel <see cref="Kernels.Planes"/> runs on each channel's rows.</summary>
    internal enum PlaneOp
    {
        /// <summary>y = a + b.</summary>
        Sum,

        /// <summary>y += a.</summary>
        Accumulate,

        /// <summary>y = a.</summary>
        Copy,

        /// <summary>y = activation(a).</summary>
        Activation,

        /// <summary>y = activation(y).</summary>
        ActivateInPlace,
    }

    internal static partial class Kernels
    {
        /// <summary>Floats from which <see cref="Planes"/> and <see cref="ShiftBand"/> split their channels across threads.</summary>
        private const int PlaneSplitFloats = 1 << 16;

        [ThreadStatic]
        private static PlaneCall? t_planeCall;

        private static readonly Action<object, int, int> s_planes = PlanesRange;

        /// <summary>One elementwise kernel over <paramref name="floats"/> floats of each of <paramref name="channels"/>
        /// channels: channel c of a (b, y) starts at aAt + c·aPlane in <paramref name="arena"/> (the rows of a band, or of a
        /// whole plane). Split across up to <paramref name="threads"/> threads by channel when the call is large.</summary>
        public static void Planes(
            PlaneOp op, float[] arena, int aAt, int aPlane, int bAt, int bPlane, int yAt, int yPlane, int channels, int floats,
            ActivationKind activation, float alpha, VectorWidth width, int threads)
        {
            ArgumentNullException.ThrowIfNull(arena);
            PlaneCall call = t_planeCall ??= new PlaneCall();
            call.Set(op, arena, aAt, aPlane, bAt, bPlane, yAt, yPlane, floats, activation, alpha, width);
            WorkerPool.Run(call, s_planes, channels, 1, (long)channels * floats >= PlaneSplitFloats ? threads : 1);
            call.Arena = [];
        }

        /// <summary>Channels [start, end) of a <see cref="Planes"/> call.</summary>
        private static void PlanesRange(object state, int start, int end)
        {
            var call = (PlaneCall)state;
            float[] arena = call.Arena;
            int floats = call.Floats;
            for (int c = start; c < end; c++)
            {
                Span<float> y = arena.AsSpan(call.YAt + (c * call.YPlane), floats);
                ReadOnlySpan<float> a = arena.AsSpan(call.AAt + (c * call.APlane), floats);
                switch (call.Op)
                {
                    case PlaneOp.Sum:
                        Add(a, arena.AsSpan(call.BAt + (c * call.BPlane), floats), y, call.Width);
                        break;
                    case PlaneOp.Accumulate:
                        Add(y, a, y, call.Width);
                        break;
                    case PlaneOp.Copy:
                        a.CopyTo(y);
                        break;
                    case PlaneOp.Activation:
                        Activation(a, y, call.Activation, call.Alpha, call.Width);
                        break;
                    default:
                        ActivateInPlace(y, call.Activation, call.Alpha, call.Width);
                        break;
                }
            }
        }

        /// <summary>The arguments of a <see cref="Planes"/> call, for the threads that share it; one per calling thread.</summary>
        private sealed class PlaneCall
        {
            public PlaneOp Op { get; private set; }

            public float[] Arena { get; set; } = [];

            public int AAt { get; private set; }

            public int APlane { get; private set; }

            public int BAt { get; private set; }

            public int BPlane { get; private set; }

            public int YAt { get; private set; }

            public int YPlane { get; private set; }

            public int Floats { get; private set; }

            public ActivationKind Activation { get; private set; }

            public float Alpha { get; private set; }

            public VectorWidth Width { get; private set; }

            public void Set(
                PlaneOp op, float[] arena, int aAt, int aPlane, int bAt, int bPlane, int yAt, int yPlane, int floats, ActivationKind activation, float alpha, VectorWidth width)
            {
                Op = op;
                Arena = arena;
                AAt = aAt;
                APlane = aPlane;
                BAt = bAt;
                BPlane = bPlane;
                YAt = yAt;
                YPlane = yPlane;
                Floats = floats;
                Activation = activation;
                Alpha = alpha;
                Width = width;
            }
        }
    }
}
