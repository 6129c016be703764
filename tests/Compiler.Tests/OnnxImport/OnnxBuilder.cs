using System.Linq;
using Google.Protobuf;
using ModelCompiler.BuildTasks.Onnx.Proto;

namespace ModelCompiler.Tests.OnnxImport;

/// <summary>Writes small ONNX models with the importer's own generated protobuf types: the patterns exporters emit
/// (Pad before Conv, Flatten spelled as Shape-Gather-Concat-Reshape, ...) and the constructs it refuses.</summary>
internal sealed class OnnxBuilder
{
    private readonly ModelProto _model;
    private int _counter;

    public OnnxBuilder(long opset = 17)
    {
        _model = new ModelProto { IrVersion = 8, ProducerName = "ModelCompiler.Tests", Graph = new GraphProto { Name = "test" } };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
    }

    private GraphProto Graph => _model.Graph;

    /// <summary>A float input; a negative size is a symbol ("N" for the batch, "H"/"W" otherwise).</summary>
    public OnnxBuilder Input(string name, params long[] dims) => Value(name, dims, Graph.Input, TensorElementFloat);

    public OnnxBuilder IntInput(string name, params long[] dims) => Value(name, dims, Graph.Input, 7);

    public OnnxBuilder Output(string name) => Value(name, [], Graph.Output, TensorElementFloat, shape: false);

    private const int TensorElementFloat = 1;

    private OnnxBuilder Value(string name, long[] dims, Google.Protobuf.Collections.RepeatedField<ValueInfoProto> list, int type, bool shape = true)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = type };
        if (shape)
        {
            tensor.Shape = new TensorShapeProto();
            for (int i = 0; i < dims.Length; i++)
            {
                tensor.Shape.Dim.Add(dims[i] >= 0
                    ? new TensorShapeProto.Types.Dimension { DimValue = dims[i] }
                    : new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "N" : i == 2 ? "H" : "W" });
            }
        }

        list.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } });
        return this;
    }

    public OnnxBuilder Floats(string name, long[] dims, params float[] data)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(data);
        Graph.Initializer.Add(t);
        return this;
    }

    public OnnxBuilder Ints(string name, params long[] data)
    {
        var t = new TensorProto { Name = name, DataType = 7 };
        t.Dims.Add(data.Length);
        t.Int64Data.AddRange(data);
        Graph.Initializer.Add(t);
        return this;
    }

    /// <summary>A node named "{op}_{n}" (or <paramref name="name"/>); returns the builder.</summary>
    public OnnxBuilder Node(string op, string[] inputs, string output, params AttributeProto[] attributes) =>
        Node(op, op + "_" + _counter++, inputs, [output], attributes);

    public OnnxBuilder Node(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return this;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto IntList(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public byte[] Bytes() => _model.ToByteArray();

    /// <summary>Deterministic weights: a smooth pattern with signs, so a transposition or shift shows.</summary>
    public static float[] Pattern(int count, int salt = 0) =>
        Enumerable.Range(0, count).Select(i => (float)System.Math.Sin((i * 0.731) + salt) * 0.5f).ToArray();
}
