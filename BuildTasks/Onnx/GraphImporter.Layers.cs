using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx.Proto;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>The ops that become layers with sizes and weights.</summary>
internal sealed partial class GraphImporter
{
    // Layers imported without a bias whose bias may still come from an Add right after them (MatMul + Add,
    // Conv + Add as tf2onnx writes it): layer name -> output channels.
    private readonly Dictionary<string, int> _biasable = new(StringComparer.Ordinal);

    private void ImportConv(NodeProto node)
    {
        int[] extra = [0, 0, 0, 0];
        string? origin = null;
        Act x;
        if (Input(node, 0) is Pending { Kind: "Pad" } pad && Consumers(node.Input[0]) == 1)
        {
            x = pad.Source;
            extra = pad.Data;
            origin = "Pad " + NodeLabel(pad.Node) + " + Conv";
        }
        else if (!RequireActivation(node, out x, image: true))
        {
            return;
        }

        if (Input(node, 1) is not Const { Value: { IsFloat: true, Rank: 4 } weight })
        {
            Unmapped(node, "its weight '" + node.Input.ElementAtOrDefault(1) + "' is not a stored 4-D float tensor (a Conv1d, Conv3d, or a weight the graph computes)",
                "export a 2-D convolution with constant folding on (torch.onnx.export(do_constant_folding=True), or onnxsim)");
            return;
        }

        int outC = (int)weight.Shape[0], inPerGroup = (int)weight.Shape[1], kh = (int)weight.Shape[2], kw = (int)weight.Shape[3];
        long group = AttrInt(node, "group", 1);
        if (group < 1 || inPerGroup * group != x.Shape[0] || outC % group != 0)
        {
            Unmapped(node, "its weight [" + string.Join(", ", weight.Shape) + "] with group " + group + " does not fit an input of " + x.Shape[0] + " channels",
                "export the model again; the file is inconsistent");
            return;
        }

        float[]? bias = null;
        if (HasInput(node, 2))
        {
            if (Input(node, 2) is not Const { Value: { IsFloat: true } b } || b.Count != outC)
            {
                Unmapped(node, "its bias '" + node.Input[2] + "' is not a stored float tensor of " + outC + " values", "export the model with constant folding on");
                return;
            }

            bias = b.Floats;
        }

        if (AttrInts(node, "kernel_shape") is { } ks && !ks.SequenceEqual([kh, (long)kw]))
        {
            AttributeUnsupported(node, "kernel_shape", List(ks), "it must match the weight's kernel [" + kh + ", " + kw + "]");
            return;
        }

        long[] strides = AttrInts(node, "strides") ?? [1, 1], dilations = AttrInts(node, "dilations") ?? [1, 1], pads = AttrInts(node, "pads") ?? [0, 0, 0, 0];
        if (strides.Length != 2 || dilations.Length != 2 || pads.Length != 4 || strides.Any(s => s < 1) || dilations.Any(d => d < 1) || pads.Any(p => p < 0))
        {
            AttributeUnsupported(node, "strides, dilations and pads", List(strides) + ", " + List(dilations) + " and " + List(pads), "a 2-D convolution has two positive strides and dilations and four non-negative pads");
            return;
        }

        string autoPad = AttrString(node, "auto_pad", "NOTSET");
        string? mode = autoPad switch
        {
            "NOTSET" or "" => null,
            "VALID" => null,
            "SAME_UPPER" => "Same",
            "SAME_LOWER" => "SameLower",
            _ => "?",
        };
        if (mode == "?" || (mode is not null && extra.Any(e => e != 0)))
        {
            AttributeUnsupported(node, "auto_pad", "'" + autoPad + "'" + (mode == "?" ? string.Empty : " after a Pad"),
                "use NOTSET with explicit pads, VALID, SAME_UPPER or SAME_LOWER (without a Pad before the Conv)");
            return;
        }

        if (autoPad == "VALID")
        {
            pads = [0, 0, 0, 0];
        }

        int top = (int)pads[0] + extra[0], left = (int)pads[1] + extra[1], bottom = (int)pads[2] + extra[2], right = (int)pads[3] + extra[3];
        int sh = (int)strides[0], sw = (int)strides[1], dh = (int)dilations[0], dw = (int)dilations[1];
        int OutSize(int size, int k, int s, int d, int before, int after) =>
            size < 0 ? -1 : mode is not null ? (size + s - 1) / s : ((size + before + after - (d * (k - 1)) - 1) / s) + 1;
        int[] shape = [outC, OutSize(x.Shape[1], kh, sh, dh, top, bottom), OutSize(x.Shape[2], kw, sw, dw, left, right)];

        List<ImportedArgument> arguments = [Arg("inChannels", x.Shape[0]), Arg("outChannels", outC)];
        arguments.AddRange(kh == kw ? [Arg("kernelSize", kh)] : [Arg("kernelHeight", kh), Arg("kernelWidth", kw)]);
        var properties = new List<ImportedArgument>();
        Pair(properties, "Stride", sh, sw, 1);
        if (top == bottom && left == right)
        {
            Pair(properties, "Padding", top, left, 0);
        }
        else
        {
            properties.AddRange([Arg("PaddingTop", top), Arg("PaddingBottom", bottom), Arg("PaddingLeft", left), Arg("PaddingRight", right)]);
        }

        if (mode is not null)
        {
            properties.Add(Arg("PaddingMode", new ImportedEnum("PaddingMode", mode, mode == "Same" ? 1 : 2)));
        }

        Pair(properties, "Dilation", dh, dw, 1);
        if (group != 1)
        {
            properties.Add(Arg("Groups", (int)group));
        }

        if (bias is null)
        {
            properties.Add(Arg("Bias", false));
        }

        Act y = Emit(node, "Conv2d", "conv", x, shape, arguments, properties, origin, name =>
            bias is null ? [Tensor(name + ".weight", weight)] : [Tensor(name + ".weight", weight), new ImportedTensor(name + ".bias", [outC], bias)]);
        if (bias is null)
        {
            _biasable[y.Layer] = outC;
        }

        Set(node, 0, y);
    }

    /// <summary>Name = v when both sizes agree, NameHeight and NameWidth otherwise; nothing for the default.</summary>
    private static void Pair(List<ImportedArgument> properties, string name, int h, int w, int fallback)
    {
        if (h == w)
        {
            if (h != fallback)
            {
                properties.Add(Arg(name, h));
            }
        }
        else
        {
            properties.AddRange([Arg(name + "Height", h), Arg(name + "Width", w)]);
        }
    }

    private static ImportedTensor Tensor(string name, OnnxConstant value) => new(name, value.Shape.Select(d => (int)d).ToArray(), value.Floats!);

    private void ImportBatchNorm(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, image: true))
        {
            return;
        }

        if (AttrInt(node, "training_mode", 0) != 0 || Enumerable.Range(1, 4).Any(i => OutputUsed(node, i)))
        {
            AttributeUnsupported(node, "training_mode", "1 (or its running statistics are used)", "export the model in inference mode (model.eval())");
            return;
        }

        int c = x.Shape[0];
        var parts = new OnnxConstant[4];
        string[] names = ["weight", "bias", "running_mean", "running_var"];
        for (int i = 0; i < 4; i++)
        {
            if (Input(node, i + 1) is not Const { Value: { IsFloat: true } v } || v.Count != c)
            {
                Unmapped(node, "its " + names[i] + " '" + node.Input.ElementAtOrDefault(i + 1) + "' is not a stored float tensor of " + c + " values",
                    "export the model in inference mode with constant folding on");
                return;
            }

            parts[i] = v;
        }

        float eps = AttrFloat(node, "epsilon", 1e-5f);
        IReadOnlyList<ImportedArgument> properties = eps == 1e-5f ? [] : [Arg("Eps", (double)eps)];
        Set(node, 0, Emit(node, "BatchNorm2d", "bn", x, x.Shape, [Arg("numFeatures", c)], properties, null,
            name => Enumerable.Range(0, 4).Select(i => new ImportedTensor(name + "." + names[i], [c], parts[i].Floats!))));
    }

    private void ImportGemm(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, vector: true))
        {
            return;
        }

        if (AttrInt(node, "transA", 0) != 0)
        {
            AttributeUnsupported(node, "transA", "1", "export the layer as x @ W^T (torch.nn.Linear does)");
            return;
        }

        if (Input(node, 1) is not Const { Value: { IsFloat: true, Rank: 2 } b })
        {
            Unmapped(node, "its weight '" + node.Input.ElementAtOrDefault(1) + "' is not a stored 2-D float tensor", "export the model with constant folding on");
            return;
        }

        bool transB = AttrInt(node, "transB", 0) != 0;
        float alpha = AttrFloat(node, "alpha", 1f), beta = AttrFloat(node, "beta", 1f);
        int inF = (int)(transB ? b.Shape[1] : b.Shape[0]), outF = (int)(transB ? b.Shape[0] : b.Shape[1]);
        if (inF != x.Shape[0])
        {
            Unmapped(node, "its weight [" + string.Join(", ", b.Shape) + "] (transB " + (transB ? 1 : 0) + ") does not fit " + x.Shape[0] + " input features", "export the model again; the file is inconsistent");
            return;
        }

        float[] w = new float[outF * inF];
        for (int o = 0; o < outF; o++)
        {
            for (int i = 0; i < inF; i++)
            {
                w[(o * inF) + i] = alpha * b.Floats![transB ? (o * inF) + i : (i * outF) + o];
            }
        }

        float[]? bias = null;
        if (HasInput(node, 2))
        {
            if (Input(node, 2) is not Const { Value: { IsFloat: true } c } || (c.Count != outF && c.Count != 1))
            {
                Unmapped(node, "its bias '" + node.Input[2] + "' is not a stored float tensor of " + outF + " values (or one)", "export the model with constant folding on");
                return;
            }

            bias = Enumerable.Range(0, outF).Select(o => beta * c.Floats![c.Count == 1 ? 0 : o]).ToArray();
        }

        ImportLinear(node, x, inF, outF, w, bias, transB && alpha == 1 ? null : "Gemm" + (transB ? string.Empty : " (weight transposed)") + (alpha != 1 ? " (alpha folded)" : string.Empty));
    }

    private void ImportMatMul(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, vector: true))
        {
            return;
        }

        if (Input(node, 1) is not Const { Value: { IsFloat: true, Rank: 2 } b } || b.Shape[0] != x.Shape[0])
        {
            Unmapped(node, "it does not multiply [N, features] by a stored 2-D float weight [" + x.Shape[0] + ", out]",
                "export matrix products only as linear layers (torch.nn.Linear)");
            return;
        }

        int inF = (int)b.Shape[0], outF = (int)b.Shape[1];
        float[] w = new float[outF * inF];
        for (int o = 0; o < outF; o++)
        {
            for (int i = 0; i < inF; i++)
            {
                w[(o * inF) + i] = b.Floats![(i * outF) + o];
            }
        }

        ImportLinear(node, x, inF, outF, w, null, "MatMul (weight transposed)");
    }

    private void ImportLinear(NodeProto node, Act x, int inF, int outF, float[] w, float[]? bias, string? origin)
    {
        IReadOnlyList<ImportedArgument> properties = bias is null ? [Arg("Bias", false)] : [];
        Act y = Emit(node, "Linear", "fc", x, [outF], [Arg("inFeatures", inF), Arg("outFeatures", outF)], properties, origin, name =>
            bias is null ? [new ImportedTensor(name + ".weight", [outF, inF], w)] : [new ImportedTensor(name + ".weight", [outF, inF], w), new ImportedTensor(name + ".bias", [outF], bias)]);
        if (bias is null)
        {
            _biasable[y.Layer] = outF;
        }

        Set(node, 0, y);
    }

    private void ImportAdd(NodeProto node)
    {
        if (node.OpType == "Add" && GeluStep(node))
        {
            return;
        }

        var inputs = node.Input.Where(i => i.Length > 0).ToList();
        int constant = inputs.FindIndex(i => _values[i] is Const);
        if (node.OpType == "Add" && inputs.Count == 2 && constant >= 0)
        {
            AddBias(node, inputs[1 - constant], ((Const)_values[inputs[constant]]).Value);
            return;
        }

        if (constant >= 0)
        {
            Unmapped(node, "it adds a constant, which imports only as the bias of the MatMul or Conv right before it", "fold the constant into the previous layer's bias before exporting");
            return;
        }

        var acts = new List<Act>();
        for (int i = 0; i < node.Input.Count; i++)
        {
            if (node.Input[i].Length == 0)
            {
                continue;
            }

            Act? a = Activation(node, i);
            if (a is null)
            {
                SetFailed(node);
                return;
            }

            acts.Add(a);
        }

        if (acts.Count == 1)
        {
            Set(node, 0, acts[0]);
            return;
        }

        if (acts.Any(a => !a.Shape.SequenceEqual(acts[0].Shape)))
        {
            Unmapped(node, "it adds tensors of different shapes (" + string.Join(", ", acts.Select(a => "[N, " + string.Join(", ", a.Shape.Select(Size)) + "]")) + "), and Add does not broadcast",
                "export the model with inputs of one shape");
            return;
        }

        Set(node, 0, Emit(node, "Add", "add", null, acts[0].Shape, [Arg("inputs", acts.Select(a => a.Layer).ToArray())], [], node.OpType == "Sum" ? "Sum" : null));
    }

    private void AddBias(NodeProto node, string input, OnnxConstant value)
    {
        Act? x = _values[input] is Pending ? null : _values[input] as Act;
        if (x is null || !_biasable.TryGetValue(x.Layer, out int channels) || Consumers(input) != 1 || !value.IsFloat || value.Count != channels
            || value.Shape.Count(d => d != 1) > 1 || (x.Shape.Length == 3 && value.Rank >= 1 && value.Shape[value.Rank - 1] != 1 && channels != 1))
        {
            Unmapped(node, "it adds a constant, which imports only as the bias of the MatMul or Conv right before it (one value per output channel)",
                "fold the constant into the previous layer's bias before exporting");
            return;
        }

        int index = _layers.FindIndex(l => l.Name == x.Layer);
        ImportedLayer layer = _layers[index];
        _layers[index] = layer with
        {
            Properties = layer.Properties.Where(p => p.Name != "Bias").ToList(),
            Origin = (layer.Origin is null ? layer.Kind == "Linear" ? "Gemm" : "Conv" : layer.Origin) + " + Add " + NodeLabel(node),
        };
        _tensors.Add(new ImportedTensor(x.Layer + ".bias", [channels], value.Floats!));
        _biasable.Remove(x.Layer);
        Set(node, 0, x);
    }

    private void ImportPool(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, image: true))
        {
            return;
        }

        bool max = node.OpType == "MaxPool";
        long[]? kernel = AttrInts(node, "kernel_shape");
        long[] strides = AttrInts(node, "strides") ?? [1, 1], pads = AttrInts(node, "pads") ?? [0, 0, 0, 0], dilations = AttrInts(node, "dilations") ?? [1, 1];
        if (kernel is not { Length: 2 } || strides.Length != 2 || pads.Length != 4 || kernel.Any(k => k < 1) || strides.Any(s => s < 1))
        {
            AttributeUnsupported(node, "kernel_shape, strides and pads", List(kernel ?? []) + ", " + List(strides) + " and " + List(pads), "2-D pooling has two kernel sizes, two strides and four pads");
            return;
        }

        if (dilations.Any(d => d != 1))
        {
            AttributeUnsupported(node, "dilations", List(dilations), "pooling has no dilation in ModelCompiler: export the model with dilation 1");
            return;
        }

        string autoPad = AttrString(node, "auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "" or "VALID"))
        {
            AttributeUnsupported(node, "auto_pad", "'" + autoPad + "'", "export pooling with explicit pads (NOTSET) or VALID");
            return;
        }

        if (autoPad == "VALID")
        {
            pads = [0, 0, 0, 0];
        }

        if (pads[0] != pads[2] || pads[1] != pads[3])
        {
            AttributeUnsupported(node, "pads", List(pads), "pooling pads both sides of a dimension alike: export it with symmetric padding");
            return;
        }

        int kh = (int)kernel[0], kw = (int)kernel[1], sh = (int)strides[0], sw = (int)strides[1], ph = (int)pads[0], pw = (int)pads[1];
        int Floor(int size, int k, int s, int p) => size < 0 ? -1 : ((size + (2 * p) - k) / s) + 1;
        int Ceil(int size, int k, int s, int p) => size < 0 ? -1 : ((size + (2 * p) - k + s - 1) / s) + 1;
        if (AttrInt(node, "ceil_mode", 0) != 0 && (x.Shape[1] < 0 || x.Shape[2] < 0 || Floor(x.Shape[1], kh, sh, ph) != Ceil(x.Shape[1], kh, sh, ph) || Floor(x.Shape[2], kw, sw, pw) != Ceil(x.Shape[2], kw, sw, pw)))
        {
            AttributeUnsupported(node, "ceil_mode", "1", "pooling rounds its output size down in ModelCompiler: export with ceil_mode=False, or pad the input so that both roundings agree");
            return;
        }

        if (max && OutputUsed(node, 1))
        {
            Unmapped(node, "its indices output is used", "export the model without return_indices");
            return;
        }

        List<ImportedArgument> arguments = kh == kw ? [Arg("kernelSize", kh)] : [Arg("kernelHeight", kh), Arg("kernelWidth", kw)];
        var properties = new List<ImportedArgument>();
        if (sh != kh || sw != kw)
        {
            properties.AddRange(sh == sw ? [Arg("Stride", sh)] : [Arg("StrideHeight", sh), Arg("StrideWidth", sw)]);
        }

        Pair(properties, "Padding", ph, pw, 0);
        if (!max && (ph != 0 || pw != 0) && AttrInt(node, "count_include_pad", 0) == 0)
        {
            properties.Add(Arg("CountIncludePad", false));
        }

        int[] shape = [x.Shape[0], Floor(x.Shape[1], kh, sh, ph), Floor(x.Shape[2], kw, sw, pw)];
        Set(node, 0, Emit(node, max ? "MaxPool2d" : "AvgPool2d", max ? "maxpool" : "avgpool", x, shape, arguments, properties));
    }
}
