using System;
using System.Collections.Generic;
using ModelCompiler.IR;

namespace ModelCompiler.Weights;

/// <summary>Runs weight programs: the build task packs with <see cref="Pack"/>, the interpreter reads packed
/// bytes back with <see cref="Decode"/> (so it computes with exactly the values the generated code reads), and
/// both can evaluate a program to canonical floats with <see cref="Evaluate"/>.</summary>
public static class WeightProgramRunner
{
    /// <summary>The canonical (PyTorch-layout) values of <paramref name="expr"/>, in double precision.</summary>
    /// <param name="source">A tensor of the weights file by name, already validated for shape and finiteness.</param>
    public static double[] Evaluate(WeightExpr expr, Func<string, float[]> source)
    {
        switch (expr)
        {
            case LoadTensor load:
            {
                float[] data = source(load.Name);
                if (data.Length != load.Count)
                {
                    throw new ArgumentException("tensor '" + load.Name + "' has " + data.Length + " elements, the layer needs " + load.Count);
                }

                return Array.ConvertAll(data, v => (double)v);
            }

            case ZeroTensor zeros:
                return new double[zeros.Count];
            case BatchNormScale bn:
            {
                double[] gamma = Evaluate(bn.Gamma, source);
                double[] variance = Evaluate(bn.Variance, source);
                double[] scale = new double[gamma.Length];
                for (int c = 0; c < scale.Length; c++)
                {
                    scale[c] = gamma[c] / Math.Sqrt(variance[c] + (double)bn.Epsilon);
                }

                return scale;
            }

            case BatchNormShift bn:
            {
                double[] beta = Evaluate(bn.Beta, source);
                double[] mean = Evaluate(bn.Mean, source);
                double[] scale = Evaluate(bn.Scale, source);
                double[] shift = new double[beta.Length];
                for (int c = 0; c < shift.Length; c++)
                {
                    shift[c] = beta[c] - (mean[c] * scale[c]);
                }

                return shift;
            }

            case ScaleRows rows:
            {
                double[] x = Evaluate(rows.X, source);
                double[] scale = Evaluate(rows.Scale, source);
                double[]? shift = rows.Shift is null ? null : Evaluate(rows.Shift, source);
                int perRow = x.Length / scale.Length;
                for (int o = 0; o < scale.Length; o++)
                {
                    for (int i = 0; i < perRow; i++)
                    {
                        int k = (o * perRow) + i;
                        x[k] = (x[k] * scale[o]) + (shift?[o] ?? 0);
                    }
                }

                return x;
            }

            case Encode encode:
                return Evaluate(encode.X, source);
            default:
                throw new NotSupportedException("no evaluation for weight step " + expr.GetType().Name);
        }
    }

    /// <summary>The bytes the generated code reads for <paramref name="program"/> (little-endian).</summary>
    public static byte[] Pack(Encode program, Func<string, float[]> source)
    {
        RequireDenseFloat32(program);
        float[] values = EvaluateFloats(program, source);
        byte[] bytes = new byte[program.Bytes];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Canonical floats from packed bytes at <paramref name="offset"/>: the inverse of the encoding
    /// (unpacking, dequantizing).</summary>
    public static float[] Decode(Encode program, byte[] bytes, long offset)
    {
        RequireDenseFloat32(program);
        float[] values = new float[program.Count];
        Buffer.BlockCopy(bytes, checked((int)offset), values, 0, checked((int)program.Bytes));
        return values;
    }

    /// <summary>Canonical floats evaluated from the weights file (what packing then decoding gives, without the bytes).</summary>
    public static float[] EvaluateFloats(Encode program, Func<string, float[]> source) =>
        Array.ConvertAll(Evaluate(program.X, source), v => (float)v);

    private static void RequireDenseFloat32(Encode program)
    {
        if (program.DataType != DataType.F32 || program.Layout != TensorLayout.Dense)
        {
            throw new NotSupportedException("no codec for " + program.DataType + " " + program.Layout);
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("weights artifacts are little-endian; this host is not");
        }
    }
}
