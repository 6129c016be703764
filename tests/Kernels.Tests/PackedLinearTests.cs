using System;
using ModelCompiler.Generated;
using ModelCompiler.KernelTests.Infrastructure;
using Xunit;

namespace ModelCompiler.KernelTests;

/// <summary>PackedLinear at every vector width against a double-precision product (weights packed in blocks of 16
/// features by the build's encoder; input lengths that end in every tail of the 4- and 2-chain sums; output counts
/// around a block; batches that fill the groups of 4 and 2 samples or not), block ranges (the other features keep their
/// values), every activation, and its documented property: a sample's result is bit-identical whatever the batch and
/// its position in it.</summary>
public class PackedLinearTests
{
    /// <summary>Relative to the sum of the terms' magnitudes plus the result's.</summary>
    private const double Tolerance = 1e-5;

    private const float Alpha = 0.125f;

    /// <summary>What y holds before the call: a finite value no activation maps to itself.</summary>
    private const float Untouched = -3.5f;

    private const int BlockRows = Kernels.LinearBlockRows;

    private static readonly int[] Batches = [1, 2, 3, 5];

    private static readonly int[] InFeatures = [1, 2, 3, 4, 5, 9, 100];

    private static readonly int[] OutFeatures = [1, 15, 16, 17, 40];

    public static TheoryData<string, int> ProductCases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (string width in Matrix.Widths)
            {
                foreach (int outFeatures in OutFeatures)
                {
                    data.Add(width, outFeatures);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> Widths => new(Matrix.Widths);

    public static TheoryData<string, string> ActivationCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string width in Matrix.Widths)
            {
                foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
                {
                    data.Add(width, kind.ToString());
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProductCases))]
    public void PackedLinear_IsTheProduct(string width, int outFeatures)
    {
        foreach (int batch in Batches)
        {
            foreach (int inFeatures in InFeatures)
            {
                foreach (bool bias in new[] { true, false })
                {
                    var layer = new Layer(5000 + (ulong)((batch * 100000) + (inFeatures * 100) + outFeatures), batch, inFeatures, outFeatures, bias);
                    string what = $"PackedLinear width={width} batch={batch} in={inFeatures} out={outFeatures} bias={bias}";
                    layer.Check(what, ActivationKind.None, 0, Blocks(outFeatures), Matrix.Width(width));
                }
            }
        }
    }

    /// <summary>A block range computes its features only: the others (another worker's) keep their values, and the
    /// activation does not run over them.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void PackedLinear_ComputesOnlyItsBlocks(string width)
    {
        // 3 blocks (16, 16, 8 features).
        var layer = new Layer(5100, 5, 9, 40, bias: true);
        foreach ((int start, int end) in new[] { (0, 3), (1, 2), (2, 3), (0, 1), (1, 1) })
        {
            foreach (ActivationKind kind in new[] { ActivationKind.None, ActivationKind.ReLU })
            {
                layer.Check($"PackedLinear {kind} width={width} blocks [{start}, {end})", kind, start, end, Matrix.Width(width));
            }
        }
    }

    [Theory]
    [MemberData(nameof(ActivationCases))]
    public void PackedLinear_AppliesTheActivation(string width, string kind)
    {
        ActivationKind activation = Enum.Parse<ActivationKind>(kind);
        foreach (bool bias in new[] { true, false })
        {
            // Inputs in [-4, 4]: sums reach past ReLU6's 6 and HardSwish's ±3.
            var layer = new Layer(5200, 3, 9, 21, bias, inputRange: 4f);
            layer.Check($"PackedLinear {kind} width={width} bias={bias}", activation, 0, Blocks(21), Matrix.Width(width));
        }
    }

    /// <summary>The same sample in batches of 1, 2, 3, 4 and 7, at every position, among other samples: the same bits
    /// as alone (per vector width). 37 inputs leave a tail after the 4-chain and 2-chain loops; 21 outputs a partial
    /// block.</summary>
    [Theory]
    [MemberData(nameof(Widths))]
    public void PackedLinear_IsBatchInvariant(string width)
    {
        const int In = 37, Out = 21;
        VectorWidth w = Matrix.Width(width);
        var random = new Seeded(5300);
        float[] weight = Packing.Panels(random.Floats(Out * In), Out, In, BlockRows), bias = random.Floats(Out);
        float[] sample = random.Floats(In, -2f, 2f);
        foreach (ActivationKind kind in new[] { ActivationKind.None, ActivationKind.GELU })
        {
            float[] alone = new float[Out];
            Kernels.PackedLinear(sample, weight, bias, alone, 1, In, Out, kind, Alpha, 0, Blocks(Out), w);
            foreach (int batch in new[] { 1, 2, 3, 4, 7 })
            {
                for (int position = 0; position < batch; position++)
                {
                    float[] x = random.Floats(batch * In, -2f, 2f);
                    sample.CopyTo(x.AsSpan(position * In));
                    float[] y = new float[batch * Out];

                    Kernels.PackedLinear(x, weight, bias, y, batch, In, Out, kind, Alpha, 0, Blocks(Out), w);

                    Expect.Equal($"PackedLinear {kind} width={width}: the sample at position {position} of {batch} against alone", alone, y.AsSpan(position * Out, Out));
                }
            }
        }
    }

    [Fact]
    public void PackedLinear_RefusesWhatIsTooShort()
    {
        const int Batch = 2, In = 3, Out = 17;
        float[] x = new float[Batch * In], weight = new float[Blocks(Out) * BlockRows * In], y = new float[Batch * Out];

        // Exactly long enough: fine.
        Kernels.PackedLinear(x, weight, default, y, Batch, In, Out, ActivationKind.None, 0f, 0, Blocks(Out), VectorWidth.Scalar);

        Assert.Throws<ArgumentException>(() => Kernels.PackedLinear(x.AsSpan(1), weight, default, y, Batch, In, Out, ActivationKind.None, 0f, 0, Blocks(Out), VectorWidth.Scalar));
        Assert.Throws<ArgumentException>(() => Kernels.PackedLinear(x, weight.AsSpan(1), default, y, Batch, In, Out, ActivationKind.None, 0f, 0, Blocks(Out), VectorWidth.Scalar));
        Assert.Throws<ArgumentException>(() => Kernels.PackedLinear(x, weight, default, y.AsSpan(1), Batch, In, Out, ActivationKind.None, 0f, 0, Blocks(Out), VectorWidth.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>("end", () => Kernels.PackedLinear(x, weight, default, y, Batch, In, Out, ActivationKind.None, 0f, 0, Blocks(Out) + 1, VectorWidth.Scalar));
        Assert.Throws<ArgumentOutOfRangeException>("end", () => Kernels.PackedLinear(x, weight, default, y, Batch, In, Out, ActivationKind.None, 0f, 1, 0, VectorWidth.Scalar));
    }

    private static int Blocks(int outFeatures) => (outFeatures + BlockRows - 1) / BlockRows;

    /// <summary>One layer: x [batch, in], the weights (canonical [out, in] and packed), the bias.</summary>
    private sealed class Layer
    {
        private readonly int _batch, _in, _out;
        private readonly float[] _weight;
        private readonly Guarded _x, _packed, _bias;

        public Layer(ulong seed, int batch, int inFeatures, int outFeatures, bool bias, float inputRange = 2f)
        {
            var random = new Seeded(seed);
            (_batch, _in, _out) = (batch, inFeatures, outFeatures);
            _x = new Guarded(random.Floats(batch * inFeatures, -inputRange, inputRange));
            _weight = random.Floats(outFeatures * inFeatures);
            _packed = new Guarded(Packing.Panels(_weight, outFeatures, inFeatures, BlockRows));
            _bias = new Guarded(bias ? random.Floats(outFeatures) : []);
        }

        /// <summary>Runs the kernel on the blocks [start, end) of a fresh output and checks every sample: the features of
        /// those blocks against the product, the others untouched.</summary>
        public void Check(string what, ActivationKind kind, int start, int end, VectorWidth width)
        {
            float[] initial = new float[_batch * _out];
            initial.AsSpan().Fill(Untouched);
            var y = new Guarded(initial);

            Kernels.PackedLinear(_x.Span, _packed.Span, _bias.Span, y.Span, _batch, _in, _out, kind, Alpha, start, end, width);

            int first = Math.Min(_out, start * BlockRows), last = Math.Min(_out, end * BlockRows);
            for (int n = 0; n < _batch; n++)
            {
                Span<float> row = y.Span.Slice(n * _out, _out);
                double[] expected = new double[last - first], scale = new double[last - first];
                for (int o = first; o < last; o++)
                {
                    double sum = _bias.Length == 0 ? 0 : _bias.Span[o], magnitude = Math.Abs(sum);
                    for (int i = 0; i < _in; i++)
                    {
                        double term = (double)_weight[(o * _in) + i] * _x.Span[(n * _in) + i];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }

                    expected[o - first] = ActivationReference.Apply(kind, sum, Alpha);
                    scale[o - first] = magnitude + Math.Abs(expected[o - first]);
                }

                Expect.Close($"{what}: sample {n}", expected, row[first..last], Tolerance, scale);
                for (int o = 0; o < _out; o++)
                {
                    Assert.True((o >= first && o < last) || row[o] == Untouched, $"{what}: sample {n} feature {o} (outside the blocks) is {row[o]:R}, should be untouched");
                }
            }

            y.AssertGuardsIntact(what);
        }
    }
}
