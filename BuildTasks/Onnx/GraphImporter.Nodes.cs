using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx.Proto;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>The ops on the activation path: each becomes a layer, a pattern's step, or an alias of its input.</summary>
internal sealed partial class GraphImporter
{
    private const string SupportedList = "docs/onnx-import.md lists the operators that import";

    private void ImportNode(NodeProto node)
    {
        if (node.Domain.Length > 0 && node.Domain != "ai.onnx")
        {
            Unsupported(node, "it is in the custom domain '" + node.Domain + "'; export the model with standard ONNX operators only");
            return;
        }

        if (node.OpType == "Constant")
        {
            ImportConstant(node);
            return;
        }

        // Nodes reading a failed node are not reported again.
        if (node.Input.Where(i => i.Length > 0).Any(i => _values.TryGetValue(i, out Val? v) && v is Failed))
        {
            SetFailed(node);
            return;
        }

        string? missing = node.Input.FirstOrDefault(i => i.Length > 0 && !_values.ContainsKey(i));
        if (missing is not null)
        {
            Unmapped(node, "it reads '" + missing + "', which no earlier node produces", "export the model again; the file is not in topological order or is incomplete");
            return;
        }

        // Everything known at build time folds, whatever the op (the shape arithmetic exporters emit).
        bool allConstant = node.Input.Where(i => i.Length > 0).All(i => _values[i] is Const);
        if (allConstant && node.OpType != "Shape")
        {
            Fold(node);
            return;
        }

        switch (node.OpType)
        {
            case "Shape":
                ImportShape(node);
                break;
            case "Conv":
                ImportConv(node);
                break;
            case "BatchNormalization":
                ImportBatchNorm(node);
                break;
            case "Gemm":
                ImportGemm(node);
                break;
            case "MatMul":
                ImportMatMul(node);
                break;
            case "Add":
            case "Sum":
                ImportAdd(node);
                break;
            case "Mul":
                ImportMul(node);
                break;
            case "Div":
            case "Erf":
                ImportGeluStep(node);
                break;
            case "Relu":
                Simple(node, "ReLU", "relu");
                break;
            case "Tanh":
                Simple(node, "Tanh", "tanh");
                break;
            case "HardSwish":
                Simple(node, "HardSwish", "hardswish");
                break;
            case "LeakyRelu":
                Simple(node, "LeakyReLU", "leakyrelu", [Arg("negativeSlope", (double)AttrFloat(node, "alpha", 0.01f))]);
                break;
            case "Gelu":
                if (AttrString(node, "approximate", "none") != "none")
                {
                    AttributeUnsupported(node, "approximate", "'" + AttrString(node, "approximate", "none") + "'", "only the exact (erf) GELU imports: export with approximate='none'");
                    return;
                }

                Simple(node, "GELU", "gelu");
                break;
            case "Sigmoid":
            case "HardSigmoid":
                Hold(node, node.OpType);
                break;
            case "Clip":
                ImportClip(node);
                break;
            case "MaxPool":
            case "AveragePool":
                ImportPool(node);
                break;
            case "GlobalAveragePool":
                Simple(node, "GlobalAvgPool2d", "gap", requireImage: true);
                break;
            case "Flatten":
                ImportFlatten(node);
                break;
            case "Reshape":
                ImportReshape(node);
                break;
            case "Transpose":
                ImportTranspose(node);
                break;
            case "DepthToSpace":
                ImportDepthToSpace(node);
                break;
            case "Concat":
                ImportConcat(node);
                break;
            case "Softmax":
                ImportSoftmax(node);
                break;
            case "Pad":
                ImportPad(node);
                break;
            case "Upsample":
            case "Resize":
                ImportResize(node);
                break;
            case "Identity":
            case "Dropout":
                if (node.OpType == "Dropout" && OutputUsed(node, 1))
                {
                    Unmapped(node, "its mask output is used", "export the model in inference mode (model.eval())");
                    return;
                }

                Set(node, 0, _values[node.Input[0]]);
                break;
            default:
                Unsupported(node, "replace it in the exported model, or declare the network by hand; " + SupportedList);
                break;
        }
    }

    /// <summary>The activation a node reads at input i, materializing a held-back node that no pattern took.</summary>
    private Act? Activation(NodeProto node, int i)
    {
        Val? v = Input(node, i);
        return v switch
        {
            Act a => a,
            Pending p => Materialize(p, node.Input[i]),
            _ => null,
        };
    }

    /// <summary>A held-back node as a layer of its own, or an error when it has none (then null).</summary>
    private Act? Materialize(Pending p, string value)
    {
        Act? act = null;
        switch (p.Kind)
        {
            case "Sigmoid":
                act = Emit(p.Node, "Sigmoid", "sigmoid", p.Source, p.Shape, [], []);
                break;
            case "HardSigmoid":
                Unsupported(p.Node, "HardSigmoid imports only as x * HardSigmoid(x) with alpha 1/6 and beta 0.5 (HardSwish); " + SupportedList);
                break;
            case "Pad":
                Unmapped(p.Node, "a Pad imports only as the padding of the Conv that reads it, and this one is read by another node",
                    "pad in the convolution itself (Conv2d(padding=...)), or use constant zero padding right before a Conv");
                break;
            case "GeluDiv":
            case "GeluErf":
            case "GeluAdd":
            case "GeluMul":
                Unsupported(p.Node, p.Node.OpType + " imports only as a step of GELU (0.5 * x * (1 + Erf(x / sqrt(2)))), and this one is used otherwise; " + SupportedList);
                break;
            default:
                Unmapped(p.Node, "this Reshape or Transpose is not part of a pattern the importer knows (flattening, pixel shuffle)",
                    "export the model with Flatten, or with PixelShuffle / DepthToSpace(mode=CRD)");
                break;
        }

        _values[value] = act ?? (Val)FailedValue;
        return act;
    }

    private bool RequireActivation(NodeProto node, out Act x, bool image = false, bool vector = false)
    {
        x = null!;
        Act? a = Activation(node, 0);
        if (a is null)
        {
            if (Input(node, 0) is not Failed)
            {
                Unmapped(node, "its input is not the output of a layer", "export the model with this node on the path from the input to the output");
            }
            else
            {
                SetFailed(node);
            }

            return false;
        }

        if ((image && a.Shape.Length != 3) || (vector && a.Shape.Length != 1))
        {
            Unmapped(node, "it reads a tensor of shape [N, " + string.Join(", ", a.Shape.Select(Size)) + "], and this operator imports for " + (image ? "[N, C, H, W]" : "[N, features]"),
                "export the model so that this operator reads " + (image ? "an image tensor" : "a flattened tensor"));
            return false;
        }

        x = a;
        return true;
    }

    private static string Size(int d) => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Simple(NodeProto node, string kind, string stem, IReadOnlyList<ImportedArgument>? arguments = null, bool requireImage = false)
    {
        if (!RequireActivation(node, out Act x, image: requireImage))
        {
            return;
        }

        int[] shape = kind == "GlobalAvgPool2d" ? [x.Shape[0], 1, 1] : x.Shape;
        Set(node, 0, Emit(node, kind, stem, x, shape, arguments ?? [], []));
    }

    private void Hold(NodeProto node, string kind)
    {
        if (!RequireActivation(node, out Act x))
        {
            return;
        }

        Set(node, 0, new Pending(kind, x, x.Shape, node, []));
    }

    private void ImportClip(NodeProto node)
    {
        // Opset 11 moved min and max from attributes to optional inputs.
        double? min, max;
        if (_opset < 11)
        {
            min = Attr(node, "min") is { } a ? a.F : null;
            max = Attr(node, "max") is { } b ? b.F : null;
        }
        else
        {
            if ((HasInput(node, 1) && Input(node, 1) is not Const) || (HasInput(node, 2) && Input(node, 2) is not Const))
            {
                Dynamic(node, "its min or max is computed at run time", "export the model with constant clip bounds");
                return;
            }

            min = HasInput(node, 1) ? ((Const)Input(node, 1)!).Value.SingleValue() : null;
            max = HasInput(node, 2) ? ((Const)Input(node, 2)!).Value.SingleValue() : null;
        }

        bool unbounded = max is null || double.IsPositiveInfinity(max.Value) || max.Value >= float.MaxValue;
        if (min == 0 && max == 6)
        {
            Simple(node, "ReLU6", "relu6_");
        }
        else if (min == 0 && unbounded)
        {
            Simple(node, "ReLU", "relu");
        }
        else
        {
            AttributeUnsupported(node, "the range [min, max]", "[" + (min?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "-inf") + ", "
                + (unbounded ? "inf" : max!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) + "]",
                "Clip imports as ReLU6 (min 0, max 6) or ReLU (min 0, no max)");
        }
    }

    /// <summary>GELU as exporters spell it before opset 20: 0.5 * (x * (1 + Erf(x / sqrt(2)))), each step held.</summary>
    private void ImportGeluStep(NodeProto node)
    {
        Val? a = Input(node, 0), b = Input(node, 1);
        bool single = Consumers(node.Output[0]) == 1;
        if (node.OpType == "Div" && a is Act x && b is Const { Value: var c } && c.SingleValue() is double d && Math.Abs(d - Math.Sqrt(2)) < 1e-6 && single)
        {
            Set(node, 0, new Pending("GeluDiv", x, x.Shape, node, []));
        }
        else if (node.OpType == "Erf" && a is Pending { Kind: "GeluDiv" } div && single)
        {
            Set(node, 0, div with { Kind = "GeluErf" });
        }
        else
        {
            Unsupported(node, node.OpType + " imports only as a step of GELU (0.5 * x * (1 + Erf(x / sqrt(2)))); " + SupportedList);
        }
    }

    /// <summary>The next step of a held GELU: Add(erf, 1), Mul(x, 1 + erf), Mul(x * (1 + erf), 0.5), in either operand order.</summary>
    private bool GeluStep(NodeProto node)
    {
        for (int side = 0; side < 2; side++)
        {
            if (Input(node, side) is not Pending p || node.Input.Count != 2)
            {
                continue;
            }

            Val? other = Input(node, 1 - side);
            double? constant = other is Const c ? c.Value.SingleValue() : null;
            Pending? next = (node.OpType, p.Kind) switch
            {
                ("Add", "GeluErf") when constant == 1 => p with { Kind = "GeluAdd" },
                ("Mul", "GeluAdd") when other is Act x && x.Layer == p.Source.Layer => p with { Kind = "GeluMul" },
                ("Mul", "GeluMul") when constant == 0.5 => p with { Kind = "Gelu" },
                _ => null,
            };
            if (next is null)
            {
                continue;
            }

            if (next.Kind == "Gelu")
            {
                Set(node, 0, Emit(node, "GELU", "gelu", p.Source, p.Shape, [], [], "0.5 * x * (1 + Erf(x / sqrt(2)))"));
            }
            else
            {
                Set(node, 0, next);
            }

            return true;
        }

        return false;
    }

    private void ImportMul(NodeProto node)
    {
        if (GeluStep(node))
        {
            return;
        }

        // x * HardSigmoid(x) (alpha 1/6, beta 1/2) is HardSwish; x * Sigmoid(x) is SiLU: in either order.
        for (int side = 0; side < 2; side++)
        {
            if (Input(node, side) is Pending p && Input(node, 1 - side) is Act x && p.Source.Layer == x.Layer && Consumers(node.Input[side]) == 1)
            {
                if (p.Kind == "Sigmoid")
                {
                    Set(node, 0, Emit(node, "SiLU", "silu", x, x.Shape, [], [], "x * Sigmoid(x)"));
                    return;
                }

                if (p.Kind == "HardSigmoid" && Math.Abs(AttrFloat(p.Node, "alpha", 0.2f) - (1.0 / 6)) < 1e-6 && Math.Abs(AttrFloat(p.Node, "beta", 0.5f) - 0.5) < 1e-6)
                {
                    Set(node, 0, Emit(node, "HardSwish", "hardswish", x, x.Shape, [], [], "x * HardSigmoid(x)"));
                    return;
                }
            }
        }

        Unsupported(node, "Mul imports only as x * Sigmoid(x) (SiLU) or x * HardSigmoid(x) (HardSwish); scale the weights before export instead; " + SupportedList);
    }
}
