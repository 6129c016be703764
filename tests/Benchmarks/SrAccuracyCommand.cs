using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using ModelCompiler.Generated;
using ModelCompiler.Interpreter;
using ModelCompiler.IR;
using ModelCompiler.Manifest;
using ModelCompiler.Ops;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>sr-accuracy</c> measurement: the pretrained ESRGAN of examples/SuperResolution on its three photos
/// (128×128, as the example runs it), every value computed by the reference interpreter; then each 3×3 stride-1
/// convolution of the network recomputed from its real input activations and weights by the gemm kernel and by
/// Winograd F(4×4) and F(2×2), against the same convolution in double precision. Like OnnxModels.cs and
/// Conv3x3Command.cs, it uses compiler internals (the manifest, the interpreter, the safetensors reader).</summary>
internal static class SrAccuracyCommand
{
    private static readonly string[] Photos = ["architecture", "coins", "skyline"];

    public static int Run(VectorWidth width)
    {
        width = Kernels.Resolve(width);
        string key = ModelManifest.MetadataKeyPrefix + typeof(EsrganMediumX2).FullName;
        string manifest = typeof(EsrganMediumX2).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
        ModelSpec spec = ModelManifest.Read(manifest).Spec with { InputShape = Common.EquatableArray.Create(3, 128, 128) };
        Graph graph = GraphBuilder.Build(spec).Graph ?? throw new InvalidOperationException("the ESRGAN declaration does not build at 128x128");
        string example = Path.Combine(Tests.Shared.Repository.Root, "examples", "SuperResolution");
        using FileStream stream = File.OpenRead(Linking.WeightLinker.ResolveWeightsPath(spec, Path.Combine(Tests.Shared.Repository.Root, "tests", "Benchmarks")));
        SafetensorsFile weights = SafetensorsFile.Parse(stream);
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] Tensor(string name) => tensors.TryGetValue(name, out float[]? t) ? t : tensors[name] = weights.ReadFloat32(name);

        Console.WriteLine("max |y − exact| / max |exact| of each 3x3 layer (+ ReLU) on its real input; exact: double precision, direct");
        Console.WriteLine("photo          layer      in -> out      gemm      F(4x4)    F(2x2)");
        double worstGemm = 0, worst4 = 0, worst2 = 0;
        foreach (string photo in Photos)
        {
            float[] input = ReadTensor(Path.Combine(example, "data", photo + "-128.tensor.gz"), 3 * 128 * 128);
            IReadOnlyDictionary<Value, float[]> values = ReferenceInterpreter.RunAll(graph, Tensor, input, 1);
            foreach (Node node in graph.Nodes.Where(n => n.Op is Conv2dOp && Conv2dOp.IsWinogradEligible(n.Attributes)))
            {
                int inC = node.Attributes.Int(Conv2dOp.InChannels), outC = node.Attributes.Int(Conv2dOp.OutChannels);
                var data = (values[node.Input], Tensor(node.Origin.TensorPrefix + ".weight"), Tensor(node.Origin.TensorPrefix + ".bias"));
                var gemm = new Conv3x3Command.Layer(inC, outC, 128, data, "gemm", width);
                double[] exact = gemm.Direct();
                double e = gemm.Error(exact);
                double e4 = new Conv3x3Command.Layer(inC, outC, 128, data, "winograd", width).Error(exact);
                double e2 = new Conv3x3Command.Layer(inC, outC, 128, data, "winograd", width, tile: 2).Error(exact);
                (worstGemm, worst4, worst2) = (Math.Max(worstGemm, e), Math.Max(worst4, e4), Math.Max(worst2, e2));
                Console.WriteLine(FormattableString.Invariant($"{photo,-14} {node.Name,-10} {inC,3} -> {outC,-4} {e,9:E2} {e4,9:E2} {e2,9:E2}"));
            }
        }

        Console.WriteLine(FormattableString.Invariant(
            $"result: sr-accuracy width={width} layers={Photos.Length}x{graph.Nodes.Count(n => n.Op is Conv2dOp && Conv2dOp.IsWinogradEligible(n.Attributes))} gemm_max_rel_err={worstGemm:G3} f4_max_rel_err={worst4:G3} f2_max_rel_err={worst2:G3}"));
        return 0;
    }

    /// <summary>A gzip'd TNSR file of examples/SuperResolution/data (uint8 or float32): its values as floats.</summary>
    private static float[] ReadTensor(string path, int count)
    {
        using FileStream file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new BinaryReader(gzip);
        if (new string(reader.ReadChars(4)) != "TNSR" || reader.ReadUInt32() != 1)
        {
            throw new InvalidDataException(path + " is not a version 1 TNSR file");
        }

        uint dtype = reader.ReadUInt32();
        uint rank = reader.ReadUInt32();
        long elements = 1;
        for (uint d = 0; d < rank; d++)
        {
            elements *= reader.ReadUInt32();
        }

        if (elements != count || dtype is not (1 or 2))
        {
            throw new InvalidDataException(path + " does not hold " + count + " uint8 or float32 values");
        }

        byte[] bytes = reader.ReadBytes(count * (dtype == 1 ? 1 : 4));
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = dtype == 1 ? bytes[i] : BitConverter.ToSingle(bytes, 4 * i);
        }

        return values;
    }
}
