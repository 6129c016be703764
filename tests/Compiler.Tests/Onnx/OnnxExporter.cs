using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.IR;
using ModelCompiler.Spec;
using ModelCompiler.Weights;

namespace ModelCompiler.Tests.Onnx;

/// <summary>Exports a declared model and its source tensors as an ONNX model (opset 17, IR version 8, dynamic
/// batch dimension "N") built only from standard ops, so ONNX Runtime can check the reference interpreter
/// independently. Each layer becomes one ONNX value named like the layer; the model input is "input".</summary>
internal static class OnnxExporter
{
    public const int Opset = 17;

    private const int FloatType = 1;

    // AttributeProto.AttributeType
    private const int AttrFloat = 1;
    private const int AttrInt = 2;
    private const int AttrString = 3;
    private const int AttrInts = 7;

    public static byte[] Export(ModelSpec spec, Func<string, float[]> tensors)
    {
        Graph graph = ModelCompilation.BuildUnoptimized(spec) ?? throw new ArgumentException("the spec does not build", nameof(spec));
        var nodes = new List<Action<ProtoWriter>>();
        var initializers = new List<(string Name, long[] Dims, float[] Data)>();
        foreach (RequiredTensor t in WeightLayout.RequiredTensors(graph))
        {
            initializers.Add((t.Name, t.Shape.Select(d => (long)d).ToArray(), tensors(t.Name)));
        }

        string Constant(string name, long[] dims, params float[] data)
        {
            if (!initializers.Any(i => i.Name == name))
            {
                initializers.Add((name, dims, data));
            }

            return name;
        }

        void Node(string op, string name, string[] inputs, string output, params Action<ProtoWriter>[] attributes) =>
            nodes.Add(w =>
            {
                foreach (string i in inputs)
                {
                    w.String(1, i);
                }

                w.String(2, output).String(3, name).String(4, op);
                foreach (Action<ProtoWriter> a in attributes)
                {
                    w.Message(5, a);
                }
            });

        foreach (Node node in graph.Nodes)
        {
            AttributeSet a = node.Attributes;
            string y = node.Name;
            string x = node.Inputs[0].Name;
            string p = node.Origin.TensorPrefix;
            string[] WithBias(params string[] inputs) => a.Bool("bias") ? [.. inputs, p + ".bias"] : inputs;
            switch (node.Op.Name)
            {
                case "Linear":
                    Node("Gemm", y, WithBias(x, p + ".weight"), y, Int("transB", 1));
                    break;
                case "Conv2d":
                {
                    int[] pad = a.Ints("padding");
                    string mode = a.Text("padding_mode");
                    Action<ProtoWriter> padding = mode == "explicit"
                        ? Ints("pads", pad[0], pad[2], pad[1], pad[3])
                        : String("auto_pad", mode == "same" ? "SAME_UPPER" : "SAME_LOWER");
                    Node("Conv", y, WithBias(x, p + ".weight"), y,
                        Ints("kernel_shape", a.Ints("kernel_size").Select(v => (long)v).ToArray()), Ints("strides", a.Ints("stride").Select(v => (long)v).ToArray()),
                        padding, Ints("dilations", a.Ints("dilation").Select(v => (long)v).ToArray()), Int("group", a.Int("groups")));
                    break;
                }

                case "BatchNorm2d":
                    Node("BatchNormalization", y, [x, p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var"], y,
                        Float("epsilon", a.Float("eps")));
                    break;
                case "ReLU":
                    Node("Relu", y, [x], y);
                    break;
                case "ReLU6":
                    Node("Clip", y, [x, Constant("const/0", [], 0f), Constant("const/6", [], 6f)], y);
                    break;
                case "LeakyReLU":
                    Node("LeakyRelu", y, [x], y, Float("alpha", a.Float("negative_slope")));
                    break;
                case "Sigmoid":
                    Node("Sigmoid", y, [x], y);
                    break;
                case "Tanh":
                    Node("Tanh", y, [x], y);
                    break;
                case "GELU":
                    // Gelu is opset 20; its definition, 0.5 * x * (1 + erf(x / sqrt(2))), in opset-17 ops.
                    Node("Div", y + "/div", [x, Constant("const/sqrt2", [], MathF.Sqrt(2f))], y + "/scaled");
                    Node("Erf", y + "/erf", [y + "/scaled"], y + "/erf");
                    Node("Add", y + "/add", [y + "/erf", Constant("const/1", [], 1f)], y + "/onePlusErf");
                    Node("Mul", y + "/mulx", [x, y + "/onePlusErf"], y + "/product");
                    Node("Mul", y + "/half", [y + "/product", Constant("const/0.5", [], 0.5f)], y);
                    break;
                case "SiLU":
                    Node("Sigmoid", y + "/sigmoid", [x], y + "/sigmoid");
                    Node("Mul", y, [x, y + "/sigmoid"], y);
                    break;
                case "HardSwish":
                    Node("HardSwish", y, [x], y);
                    break;
                case "MaxPool2d":
                case "AvgPool2d":
                {
                    int[] pad = a.Ints("padding");
                    var attributes = new List<Action<ProtoWriter>>
                    {
                        Ints("kernel_shape", a.Ints("kernel_size").Select(v => (long)v).ToArray()), Ints("strides", a.Ints("stride").Select(v => (long)v).ToArray()),
                        Ints("pads", pad[0], pad[2], pad[1], pad[3]),
                    };
                    if (node.Op.Name == "AvgPool2d")
                    {
                        attributes.Add(Int("count_include_pad", a.Bool("count_include_pad") ? 1 : 0));
                    }

                    Node(node.Op.Name == "MaxPool2d" ? "MaxPool" : "AveragePool", y, [x], y, [.. attributes]);
                    break;
                }

                case "GlobalAvgPool2d":
                    Node("GlobalAveragePool", y, [x], y);
                    break;
                case "Flatten":
                    Node("Flatten", y, [x], y, Int("axis", 1));
                    break;
                case "Add":
                    Node(node.Inputs.Count == 2 ? "Add" : "Sum", y, node.Inputs.Select(v => v.Name).ToArray(), y);
                    break;
                case "Concat":
                    Node("Concat", y, node.Inputs.Select(v => v.Name).ToArray(), y, Int("axis", 1));
                    break;
                case "Upsample":
                {
                    // What torch.onnx exports for nn.Upsample(scale_factor=f, mode='nearest').
                    int f = a.Int("scale_factor");
                    Node("Resize", y, [x, string.Empty, Constant("scales/" + f, [4], 1f, 1f, f, f)], y,
                        String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor"));
                    break;
                }

                case "PixelShuffle":
                    Node("DepthToSpace", y, [x], y, Int("blocksize", a.Int("upscale_factor")), String("mode", "CRD"));
                    break;
                case "Softmax":
                    Node("Softmax", y, [x], y, Int("axis", 1));
                    break;
                default:
                    throw new NotSupportedException(node.Op.Name);
            }
        }

        var model = new ProtoWriter()
            .Int(1, 8)
            .String(2, "ModelCompiler.Tests")
            .Message(8, o => o.String(1, string.Empty).Int(2, Opset))
            .Message(7, g =>
            {
                foreach (Action<ProtoWriter> n in nodes)
                {
                    g.Message(1, n);
                }

                g.String(2, graph.Spec.ClassName);
                foreach ((string name, long[] dims, float[] data) in initializers)
                {
                    g.Message(5, t =>
                    {
                        if (dims.Length > 0)
                        {
                            t.PackedInts(1, dims);
                        }

                        t.Int(2, FloatType).String(8, name).PackedFloats(9, data);
                    });
                }

                g.Message(11, v => ValueInfo(v, graph.Input));
                g.Message(12, v => ValueInfo(v, graph.Output));
            });
        return model.ToArray();
    }

    private static void ValueInfo(ProtoWriter w, Value value) =>
        w.String(1, value.Name).Message(2, type => type.Message(1, tensor => tensor
            .Int(1, FloatType)
            .Message(2, shape =>
            {
                shape.Message(1, d => d.String(2, "N"));
                for (int i = 0; i < value.Shape.Rank; i++)
                {
                    ModelCompiler.IR.Dim dim = value.Shape[i];
                    string symbol = "d" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    shape.Message(1, d =>
                    {
                        if (dim.IsConstant)
                        {
                            d.Int(1, dim.Value);
                        }
                        else
                        {
                            d.String(2, symbol);
                        }
                    });
                }
            })));

    private static Action<ProtoWriter> Int(string name, long value) => a => a.String(1, name).Int(20, AttrInt).Int(3, value);

    private static Action<ProtoWriter> Float(string name, float value) => a => a.String(1, name).Int(20, AttrFloat).Float(2, value);

    private static Action<ProtoWriter> String(string name, string value) => a => a.String(1, name).Int(20, AttrString).String(4, value);

    private static Action<ProtoWriter> Ints(string name, params long[] values) => a => a.String(1, name).Int(20, AttrInts).PackedInts(8, values);
}
