// ModelCompiler run-time kernels: whole layers, as the kernel plans call them.

namespace ModelCompiler.Generated
{
    using global::System;
    using global::System.Runtime.CompilerServices;

    internal static partial class Kernels
    {
        /// <summary>Output channels [start, end) of a convolution from its column matrix (im2col, or the input itself
        /// for a 1×1 convolution): each channel's row is its bias (or zero) plus the weighted sum of the depth rows of
        /// its group's columns, then the activation, applied while the row is in cache.</summary>
        /// <param name="columns">[groups * depth, pixels]: the columns of each group one after another.</param>
        /// <param name="weight">[channels, depth], row-major.</param>
        /// <param name="bias">[channels], or empty for none.</param>
        /// <param name="y">[channels, pixels].</param>
        /// <param name="depth">Weights per output channel: input channels per group times the kernel's taps.</param>
        /// <param name="pixels">Output pixels per channel.</param>
        /// <param name="channelsPerGroup">Output channels per group.</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first output channel to compute.</param>
        /// <param name="end">One past the last output channel to compute.</param>
        /// <param name="width">The widest vectors to use.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ConvolveRows(
            ReadOnlySpan<float> columns, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int depth, int pixels, int channelsPerGroup, ActivationKind activation, float alpha, int start, int end, VectorWidth width)
        {
            for (int c = start; c < end; c++)
            {
                ReadOnlySpan<float> group = columns.Slice(c / channelsPerGroup * depth * pixels, depth * pixels);
                ReadOnlySpan<float> w = weight.Slice(c * depth, depth);
                Span<float> row = y.Slice(c * pixels, pixels);
                if (bias.IsEmpty)
                {
                    row.Clear();
                }
                else
                {
                    row.Fill(bias[c]);
                }

                for (int k = 0; k < depth; k++)
                {
                    MultiplyAdd(group.Slice(k * pixels, pixels), w[k], row, width);
                }

                Activate(row, activation, alpha, width);
            }
        }

        /// <summary>Output features [start, end) of a linear layer for a batch: y[n, o] = x[n] · weight[o] + bias[o],
        /// then the activation. Each weight row is read once for the whole batch.</summary>
        /// <param name="x">[batch, inFeatures].</param>
        /// <param name="weight">[outFeatures, inFeatures], row-major.</param>
        /// <param name="bias">[outFeatures], or empty for none.</param>
        /// <param name="y">[batch, outFeatures].</param>
        /// <param name="batch">Samples in x and y.</param>
        /// <param name="inFeatures">Features per input sample.</param>
        /// <param name="outFeatures">Features per output sample.</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="start">The first output feature to compute.</param>
        /// <param name="end">One past the last output feature to compute.</param>
        /// <param name="width">The widest vectors to use.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Linear(
            ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y,
            int batch, int inFeatures, int outFeatures, ActivationKind activation, float alpha, int start, int end, VectorWidth width)
        {
            for (int o = start; o < end; o++)
            {
                ReadOnlySpan<float> w = weight.Slice(o * inFeatures, inFeatures);
                float b = bias.IsEmpty ? 0f : bias[o];
                for (int n = 0; n < batch; n++)
                {
                    y[(n * outFeatures) + o] = Dot(w, x.Slice(n * inFeatures, inFeatures), width) + b;
                }
            }

            for (int n = 0; n < batch; n++)
            {
                Activate(y.Slice((n * outFeatures) + start, end - start), activation, alpha, width);
            }
        }

        /// <summary>A per-channel affine over [channels, plane] (a BatchNorm that could not be folded), then the activation.</summary>
        /// <param name="x">[channels, plane].</param>
        /// <param name="scale">[channels].</param>
        /// <param name="shift">[channels].</param>
        /// <param name="y">[channels, plane].</param>
        /// <param name="channels">Channels.</param>
        /// <param name="plane">Elements per channel.</param>
        /// <param name="activation">The epilogue's activation.</param>
        /// <param name="alpha">LeakyReLU's slope.</param>
        /// <param name="width">The widest vectors to use.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ScaleShiftChannels(
            ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y,
            int channels, int plane, ActivationKind activation, float alpha, VectorWidth width)
        {
            for (int c = 0; c < channels; c++)
            {
                Span<float> row = y.Slice(c * plane, plane);
                ScaleShift(x.Slice(c * plane, plane), scale[c], shift[c], row, width);
                Activate(row, activation, alpha, width);
            }
        }

        /// <summary>y = activation(x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Activation(ReadOnlySpan<float> x, Span<float> y, ActivationKind activation, float alpha, VectorWidth width)
        {
            x.Slice(0, y.Length).CopyTo(y);
            Activate(y, activation, alpha, width);
        }

        /// <summary>y = activation(y).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ActivateInPlace(Span<float> y, ActivationKind activation, float alpha, VectorWidth width) =>
            Activate(y, activation, alpha, width);

        /// <summary>y = a + b.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Sum(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, VectorWidth width) => Add(a, b, y, width);

        /// <summary>y += x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Accumulate(ReadOnlySpan<float> x, Span<float> y, VectorWidth width) => Add(y, x, y, width);

        /// <summary>y = x (a producer's output into its slice of a concatenation).</summary>
        public static void Copy(ReadOnlySpan<float> x, Span<float> y) => x.Slice(0, y.Length).CopyTo(y);
    }
}
