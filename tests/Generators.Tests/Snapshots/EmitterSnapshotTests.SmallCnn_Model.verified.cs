namespace Demo
{
    /// <summary>Compiled inference for SmallCnn: 7 fused operations, 12800 multiply-accumulates per sample, 6464 bytes of weights.</summary>
    partial class SmallCnn
    {
        /// <summary>Floats per input sample, laid out as [N, 1, 8, 8] (NCHW, batch first).</summary>
        public const int InputSize = 64;

        /// <summary>Input channels (dimension 1 of NCHW).</summary>
        public const int InputChannels = 1;

        /// <summary>Input height (dimension 2 of NCHW).</summary>
        public const int InputHeight = 8;

        /// <summary>Input width (dimension 3 of NCHW).</summary>
        public const int InputWidth = 8;

        /// <summary>Floats per output sample, laid out as [N, 10].</summary>
        public const int OutputSize = 10;

        /// <summary>Multiply-accumulates per sample.</summary>
        public const long MacsPerSample = 12800;

        /// <summary>Bytes of the packed weight block this model loads, alignment padding included (tensors start on
        /// 64-byte boundaries); the tensors themselves take 6272.</summary>
        public const long WeightBytes = 6464;

        /// <summary>Bytes of activation memory a thread's arena holds per sample of a chunk (the static memory plan).</summary>
        public const long ActivationBytesPerSample = 3328;

        /// <summary>Bytes of scratch memory a thread holds once, whatever the batch: in its arena, and its own tile buffer.</summary>
        public const long ScratchBytes = 3472;

        /// <summary>The most samples a thread computes together; a larger batch runs chunk by chunk.</summary>
        public const int ChunkSize = 315;

        /// <summary>Bytes a thread allocates, once, to run one sample: activations and scratch, exactly as the memory plan
        /// places them (inputs are copied in and outputs out of this arena).</summary>
        public const long PeakMemoryBytes = ActivationBytesPerSample + ScratchBytes;

        /// <summary>Bytes a thread's arena holds to run <paramref name="batch"/> samples (chunks of at most <see cref="ChunkSize"/>).</summary>
        /// <param name="batch">The number of samples, at least 1.</param>
        public static long MemoryBytes(int batch) => ((long)global::System.Math.Clamp(batch, 1, ChunkSize) * ActivationBytesPerSample) + ScratchBytes;

        /// <summary>The most threads one call of this model uses, the calling thread included (default: one per core). A
        /// large batch splits across them by sample, a large layer by its output channels; 1 keeps every call on the
        /// calling thread.</summary>
        /// <exception cref="global::System.ArgumentOutOfRangeException">The value is less than 1.</exception>
        public static int MaxThreads
        {
            get => GeneratedLayers.MaxThreads;
            set => GeneratedLayers.MaxThreads = value >= 1 ? value : throw new global::System.ArgumentOutOfRangeException(nameof(value), value, "A model needs at least one thread.");
        }

        /// <summary>Runs the model on <paramref name="batch"/> samples. Thread-safe; allocates nothing per call
        /// on the sequential path once a thread has run the model once.</summary>
        /// <param name="input">batch * <see cref="InputSize"/> floats.</param>
        /// <param name="output">batch * <see cref="OutputSize"/> floats, overwritten.</param>
        /// <param name="batch">The number of samples, at least 1.</param>
        /// <exception cref="global::System.ArgumentException">A span's length does not match the batch.</exception>
        public static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch = 1) =>
            Run(input, output, batch, global::ModelCompiler.Generated.VectorWidth.Auto);

        /// <summary>Runs the model using SIMD vectors no wider than <paramref name="width"/> (for tests and tuning).</summary>
        /// <param name="input">batch * <see cref="InputSize"/> floats.</param>
        /// <param name="output">batch * <see cref="OutputSize"/> floats, overwritten.</param>
        /// <param name="batch">The number of samples, at least 1.</param>
        /// <param name="width">The widest vectors to use.</param>
        internal static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelCompiler.Generated.VectorWidth width)
        {
            if (batch < 1)
            {
                throw new global::System.ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be at least 1.");
            }

            if (input.Length != (long)batch * InputSize)
            {
                throw new global::System.ArgumentException(
                    global::System.FormattableString.Invariant($"The input span has {input.Length} floats, but batch {batch} needs batch * InputSize = {(long)batch * InputSize}."),
                    nameof(input));
            }

            if (output.Length != (long)batch * OutputSize)
            {
                throw new global::System.ArgumentException(
                    global::System.FormattableString.Invariant($"The output span has {output.Length} floats, but batch {batch} needs batch * OutputSize = {(long)batch * OutputSize}."),
                    nameof(output));
            }

            GeneratedLayers.Run(input, output, batch, width);
        }

        /// <summary>The compiled layers, their memory plan and weights.</summary>
        [global::System.CodeDom.Compiler.GeneratedCode("ModelCompiler", "2")]
        private static class GeneratedLayers
        {
            /// <summary>Floats of activation arena per sample of a chunk (the static memory plan).</summary>
            internal const int ActivationFloats = 832;

            /// <summary>Floats of scratch after a chunk's activations.</summary>
            internal const int ScratchFloats = 0;

            internal const int InputOffset = 0;
            internal const int OutputOffset = 0;
            private const int WeightBytes = 6464;
            private const ulong LayoutHash = 0x316b422ed49ea8b7UL;
            private const long ParallelBatchMacs = 2000000;

            [global::System.ThreadStatic]
            private static float[]? t_arena;
            [global::System.ThreadStatic]
            private static BatchFrame? t_batch;
            private static readonly global::System.Action<object, int, int> s_runRange = RunRange;
            private static global::ModelCompiler.Generated.WeightBlock? s_weights;
            private static int s_maxThreads = global::System.Environment.ProcessorCount;

            /// <summary>The most threads one call uses.</summary>
            internal static int MaxThreads
            {
                get => global::System.Threading.Volatile.Read(ref s_maxThreads);
                set => global::System.Threading.Volatile.Write(ref s_maxThreads, value);
            }

            /// <summary>The packed weights, loaded from the artifact on first use and shared by every call.</summary>
            internal static global::ModelCompiler.Generated.WeightBlock Weights => global::System.Threading.Volatile.Read(ref s_weights) ?? LoadWeights();

            private static global::ModelCompiler.Generated.WeightBlock LoadWeights()
            {
                global::ModelCompiler.Generated.WeightBlock loaded = global::ModelCompiler.Generated.WeightStore.Load("Demo.SmallCnn", LayoutHash, WeightBytes);
                return global::System.Threading.Interlocked.CompareExchange(ref s_weights, loaded, null) ?? loaded;
            }

            /// <summary>Runs a checked batch: across threads by sample when it is large, else chunk by chunk here.</summary>
            internal static void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelCompiler.Generated.VectorWidth width)
            {
                global::ModelCompiler.Generated.WeightBlock weights = Weights;
                global::ModelCompiler.Generated.VectorWidth resolved = global::ModelCompiler.Generated.Kernels.Resolve(width);
                if (batch > 1 && (long)batch * MacsPerSample >= ParallelBatchMacs && MaxThreads > 1 && global::System.Environment.ProcessorCount > 1)
                {
                    RunParallel(input, output, batch, weights, resolved);
                    return;
                }

                RunSamples(input, output, batch, weights, resolved, parallel: true);
            }

            /// <summary>Samples in chunks: each chunk's inputs copied into this thread's arena, computed, outputs copied out.</summary>
            private static void RunSamples(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelCompiler.Generated.WeightBlock weights, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
            {
                int chunk = global::System.Math.Min(batch, ChunkSize);
                float[] arena = Arena((chunk * ActivationFloats) + ScratchFloats);
                global::ModelCompiler.Generated.Kernels.TileBuffer(868);
                for (int first = 0; first < batch; first += chunk)
                {
                    int n = global::System.Math.Min(chunk, batch - first);
                    input.Slice(first * InputSize, n * InputSize).CopyTo(Slice(arena, n * InputOffset, n * InputSize));
                    RunChunk(arena, weights, n, width, parallel);
                    Slice(arena, n * OutputOffset, n * OutputSize).CopyTo(output.Slice(first * OutputSize, n * OutputSize));
                }
            }

            /// <summary>Splits a batch into one contiguous range of samples per thread, each with its own arena. Spans cannot
            /// reach the workers, so the batch is staged through per-thread arrays that grow once.</summary>
            private static void RunParallel(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, global::ModelCompiler.Generated.WeightBlock weights, global::ModelCompiler.Generated.VectorWidth width)
            {
                BatchFrame frame = t_batch ??= new BatchFrame();
                frame.Input = Stage(frame.Input, input.Length);
                frame.Output = Stage(frame.Output, output.Length);
                input.CopyTo(frame.Input);
                frame.Weights = weights;
                frame.Width = width;
                global::ModelCompiler.Generated.WorkerPool.Run(frame, s_runRange, batch, 1, MaxThreads);
                new global::System.ReadOnlySpan<float>(frame.Output, 0, output.Length).CopyTo(output);
            }

            /// <summary>Samples [start, end) of a staged batch, on one thread.</summary>
            private static void RunRange(object state, int start, int end)
            {
                var frame = (BatchFrame)state;
                RunSamples(
                    new global::System.ReadOnlySpan<float>(frame.Input, start * InputSize, (end - start) * InputSize),
                    new global::System.Span<float>(frame.Output, start * OutputSize, (end - start) * OutputSize),
                    end - start, frame.Weights, frame.Width, parallel: false);
            }

            /// <summary>A batch staged for the workers; one per calling thread, reused.</summary>
            private sealed class BatchFrame
            {
                public float[] Input { get; set; } = [];

                public float[] Output { get; set; } = [];

                public global::ModelCompiler.Generated.WeightBlock Weights { get; set; } = global::ModelCompiler.Generated.WeightBlock.Empty;

                public global::ModelCompiler.Generated.VectorWidth Width { get; set; }
            }

            /// <summary>This thread's arena, grown once to the largest size it has needed.</summary>
            private static float[] Arena(int floats)
            {
                float[]? arena = t_arena;
                if (arena is null || arena.Length < floats)
                {
                    arena = new float[floats];
                    t_arena = arena;
                }

                return arena;
            }

            private static float[] Stage(float[] buffer, int length) => buffer.Length < length ? new float[length] : buffer;

            /// <summary>A region of the arena.</summary>
            private static global::System.Span<float> Slice(float[] arena, int offset, int length) => new(arena, offset, length);

            /// <summary>One chunk of <paramref name="n"/> samples through every layer; the inputs are already in the arena.</summary>
            /// <param name="arena">This thread's arena: the chunk's activations, then the scratch area.</param>
            /// <param name="weights">The model's weight block.</param>
            /// <param name="n">The samples in the chunk.</param>
            /// <param name="width">The widest vectors to use.</param>
            /// <param name="parallel">Whether large layers may split their work across threads.</param>
            [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
            private static void RunChunk(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
            {
                Conv1.Run(arena, weights, n, width, parallel);
                Conv2.Run(arena, weights, n, width, parallel);
                Add.Run(arena, weights, n, width, parallel);
                Pool.Run(arena, weights, n, width, parallel);
                Cat.Run(arena, weights, n, width, parallel);
                // flatten: a view of cat, nothing to compute.
                Fc.Run(arena, weights, n, width, parallel);
            }

            /// <summary>conv1+bn1+relu1: Conv2d(bias=true, dilation=[1, 1], groups=1, in_channels=1, kernel_size=[3, 3], out_channels=4, padding=[1, 1, 1, 1], padding_mode='explicit', stride=[1, 1]), BatchNorm2d bn1 folded in, then ReLU; gemm. input [N, 1, 8, 8] -&gt; [N, 4, 8, 8].</summary>
            private static class Conv1
            {
                private const int Input = 0;
                private const int InputSize = 64;
                private const int Output = 64;
                private const int OutputSize = 256;
                private const int Weight = 0;
                private const int WeightCount = 54;
                private const int Bias = 256;
                private const int BiasCount = 4;

                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static void Run(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
                {
                    for (int s = 0; s < n; s++)
                    {
                        global::ModelCompiler.Generated.Kernels.ConvRowsGemm(
                            x: Slice(arena, (n * Input) + (s * InputSize), InputSize),
                            weight: weights.F32(Weight, WeightCount),
                            bias: weights.F32(Bias, BiasCount),
                            y: Slice(arena, (n * Output) + (s * OutputSize), OutputSize),
                            channels: 1,
                            height: 8,
                            width: 8,
                            outChannels: 4,
                            kernelH: 3,
                            kernelW: 3,
                            padTop: 1,
                            padLeft: 1,
                            dilationH: 1,
                            dilationW: 1,
                            outH: 8,
                            outW: 8,
                            tileRows: 8,
                            scratchFloats: 537,
                            activation: global::ModelCompiler.Generated.ActivationKind.ReLU,
                            alpha: 0.0f,
                            vectorWidth: width,
                            start: 0,
                            end: 1);
                    }
                }
            }

            /// <summary>conv2: Conv2d(bias=true, dilation=[1, 1], groups=1, in_channels=4, kernel_size=[3, 3], out_channels=4, padding=[1, 1, 1, 1], padding_mode='explicit', stride=[1, 1]); gemm. conv1 [N, 4, 8, 8] -&gt; [N, 4, 8, 8].</summary>
            private static class Conv2
            {
                private const int Input = 64;
                private const int InputSize = 256;
                private const int Output = 320;
                private const int OutputSize = 256;
                private const int Weight = 320;
                private const int WeightCount = 216;
                private const int Bias = 1216;
                private const int BiasCount = 4;

                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static void Run(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
                {
                    for (int s = 0; s < n; s++)
                    {
                        global::ModelCompiler.Generated.Kernels.ConvRowsGemm(
                            x: Slice(arena, (n * Input) + (s * InputSize), InputSize),
                            weight: weights.F32(Weight, WeightCount),
                            bias: weights.F32(Bias, BiasCount),
                            y: Slice(arena, (n * Output) + (s * OutputSize), OutputSize),
                            channels: 4,
                            height: 8,
                            width: 8,
                            outChannels: 4,
                            kernelH: 3,
                            kernelW: 3,
                            padTop: 1,
                            padLeft: 1,
                            dilationH: 1,
                            dilationW: 1,
                            outH: 8,
                            outW: 8,
                            tileRows: 8,
                            scratchFloats: 868,
                            activation: global::ModelCompiler.Generated.ActivationKind.None,
                            alpha: 0.0f,
                            vectorWidth: width,
                            start: 0,
                            end: 1);
                    }
                }
            }

            /// <summary>add+relu2: Add(), then ReLU; elementwise. conv1 [N, 4, 8, 8], conv2 [N, 4, 8, 8] -&gt; [N, 4, 8, 8].</summary>
            private static class Add
            {
                private const int Input0 = 64;
                private const int Input0Size = 256;
                private const int Input1 = 320;
                private const int Input1Size = 256;
                private const int Output = 576;
                private const int OutputSize = 256;

                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static void Run(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
                {
                    global::ModelCompiler.Generated.Kernels.Sum(
                        a: Slice(arena, n * Input0, n * Input0Size),
                        b: Slice(arena, n * Input1, n * Input1Size),
                        y: Slice(arena, n * Output, n * OutputSize),
                        width: width);
                    global::ModelCompiler.Generated.Kernels.ActivateInPlace(
                        y: Slice(arena, n * Output, n * OutputSize),
                        activation: global::ModelCompiler.Generated.ActivationKind.ReLU,
                        alpha: 0.0f,
                        width: width);
                }
            }

            /// <summary>pool: MaxPool2d(kernel_size=[2, 2], padding=[0, 0, 0, 0], stride=[2, 2]); window. add [N, 4, 8, 8] -&gt; [N, 4, 4, 4].</summary>
            private static class Pool
            {
                private const int Input = 576;
                private const int InputSize = 256;
                private const int Output = 0;
                private const int OutputSize = 64;

                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static void Run(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
                {
                    for (int s = 0; s < n; s++)
                    {
                        global::ModelCompiler.Generated.Kernels.MaxPool2d(
                            x: Slice(arena, (n * Input) + (s * InputSize), InputSize),
                            y: Slice(arena, (n * Output) + (s * OutputSize), OutputSize),
                            channels: 4,
                            height: 8,
                            width: 8,
                            kernelH: 2,
                            kernelW: 2,
                            strideH: 2,
                            strideW: 2,
                            padH: 0,
                            padW: 0,
                            outH: 4,
                            outW: 4);
                    }
                }
            }

            /// <summary>cat: Concat(); copy. pool [N, 4, 4, 4], pool [N, 4, 4, 4] -&gt; [N, 8, 4, 4].</summary>
            private static class Cat
            {
                private const int Input0 = 0;
                private const int Input0Size = 64;
                private const int Input1 = 0;
                private const int Input1Size = 64;
                private const int Output = 64;
                private const int OutputSize = 128;

                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static void Run(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
                {
                    for (int s = 0; s < n; s++)
                    {
                        global::ModelCompiler.Generated.Kernels.Copy(
                            x: Slice(arena, (n * Input0) + (s * Input0Size), Input0Size),
                            y: Slice(arena, (n * Output) + (s * OutputSize), 64));
                        global::ModelCompiler.Generated.Kernels.Copy(
                            x: Slice(arena, (n * Input1) + (s * Input1Size), Input1Size),
                            y: Slice(arena, (n * Output) + (s * OutputSize) + 64, 64));
                    }
                }
            }


            /// <summary>fc: Linear(bias=true, in_features=128, out_features=10); dot-rows. flatten [N, 128] -&gt; [N, 10].</summary>
            private static class Fc
            {
                private const int Input = 64;
                private const int InputSize = 128;
                private const int Output = 0;
                private const int OutputSize = 10;
                private const int Weight = 1280;
                private const int WeightCount = 1280;
                private const int Bias = 6400;
                private const int BiasCount = 10;

                [global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
                public static void Run(float[] arena, global::ModelCompiler.Generated.WeightBlock weights, int n, global::ModelCompiler.Generated.VectorWidth width, bool parallel)
                {
                    global::ModelCompiler.Generated.Kernels.Linear(
                        x: Slice(arena, n * Input, n * InputSize),
                        weight: weights.F32(Weight, WeightCount),
                        bias: weights.F32(Bias, BiasCount),
                        y: Slice(arena, n * Output, n * OutputSize),
                        batch: n,
                        inFeatures: 128,
                        outFeatures: 10,
                        activation: global::ModelCompiler.Generated.ActivationKind.None,
                        alpha: 0.0f,
                        width: width,
                        start: 0,
                        end: 10);
                }
            }
        }
    }
}
