using System;
using System.Collections.Generic;
using System.Linq;
using ModelCompiler.BuildTasks.Onnx.Proto;

namespace ModelCompiler.BuildTasks.Onnx;

/// <summary>The ops that move data without weights: flattening, the pixel-shuffle pattern, concatenation, softmax,
/// padding (held for the next Conv) and nearest upsampling.</summary>
internal sealed partial class GraphImporter
{
    private static readonly long[] PixelShufflePermutation = [0, 1, 4, 2, 5, 3];

    private void ImportFlatten(NodeProto node)
    {
        if (!RequireActivation(node, out Act x))
        {
            return;
        }

        long axis = AttrInt(node, "axis", 1);
        if (axis < 0)
        {
            axis += x.Shape.Length + 1;
        }

        if (axis != 1)
        {
            AttributeUnsupported(node, "axis", axis.ToString(System.Globalization.CultureInfo.InvariantCulture), "only flattening to [N, features] (axis 1) imports");
            return;
        }

        FlattenTo(node, x, "Flatten");
    }

    private void FlattenTo(NodeProto node, Act x, string? origin)
    {
        if (x.Shape.All(d => d > 0) && DeclaresInput(node, x, [x.Shape.Aggregate(1, (a, d) => a * d)]))
        {
            return;
        }

        if (x.Shape.Length == 1)
        {
            Set(node, 0, x);
            return;
        }

        if (x.Shape.Any(d => d < 0))
        {
            Dynamic(node, "it flattens [N, " + string.Join(", ", x.Shape.Select(Size)) + "], whose size depends on the input's height and width",
                "export the model with a fixed input size, or pool to a fixed size before flattening");
            return;
        }

        Set(node, 0, Emit(node, "Flatten", "flatten", x, [x.Shape.Aggregate(1, (a, d) => a * d)], [], [], origin == "Flatten" ? null : origin));
    }

    private void ImportReshape(NodeProto node)
    {
        Val? data = Input(node, 0);
        Act x = data switch
        {
            Act a => a,
            Pending p => new Act(p.Source.Layer, p.Shape),
            _ => null!,
        };
        if (x is null)
        {
            SetFailed(node);
            return;
        }

        OnnxConstant? target = _opset < 5
            ? AttrInts(node, "shape") is { } s ? OnnxConstant.FromInts([s.Length], s) : null
            : Input(node, 1) is Const c ? c.Value : null;
        if (target is null || target.Ints is null || target.Rank != 1)
        {
            Dynamic(node, "its target shape is computed at run time" + (HasInput(node, 1) ? " from '" + node.Input[1] + "'" : string.Empty) + " and cannot be folded",
                "export the model with a fixed target shape (in PyTorch, x.flatten(1) or constant sizes)");
            return;
        }

        bool allowZero = AttrInt(node, "allowzero", 0) != 0;
        int[]? shape = ReshapeTarget(x.Shape, target, allowZero);
        if (shape is null)
        {
            Dynamic(node, "its target shape " + target + " does not keep the batch as the first dimension, or cannot be resolved for [N, " + string.Join(", ", x.Shape.Select(Size)) + "]",
                "export the model with a target shape of the form [N or -1 or 0, ...] and a fixed input size");
            return;
        }

        if (data is Pending { Kind: "PixelShuffleTranspose" } t && shape.Length == 3 && t.Data.Length == 2 && t.Data[0] is int c0 && t.Data[1] is int r
            && t.Source.Shape.Length == 3 && shape.SequenceEqual([c0, t.Source.Shape[1] * r, t.Source.Shape[2] * r]))
        {
            Set(node, 0, Emit(node, "PixelShuffle", "pixelshuffle", t.Source, shape, [Arg("upscaleFactor", r)], [], "Reshape + Transpose + Reshape"));
            return;
        }

        if (data is Pending pending)
        {
            x = Materialize(pending, node.Input[0])!;
            if (x is null)
            {
                SetFailed(node);
                return;
            }
        }

        if (DeclaresInput(node, x, shape))
        {
            return;
        }

        if (shape.SequenceEqual(x.Shape))
        {
            Set(node, 0, x);
        }
        else if (shape.Length == 1 && x.Shape.Length == 3)
        {
            FlattenTo(node, x, "Reshape");
        }
        else if (shape.Length == 5 && x.Shape.Length == 3 && shape[1] == shape[2] && shape[1] > 1 && shape[0] * shape[1] * shape[2] == x.Shape[0]
            && shape[3] == x.Shape[1] && shape[4] == x.Shape[2] && Consumers(node.Output[0]) == 1)
        {
            Set(node, 0, new Pending("PixelShuffleReshape", x, shape, node, [shape[0], shape[1]]));
        }
        else
        {
            Unmapped(node, "it reshapes [N, " + string.Join(", ", x.Shape.Select(Size)) + "] to [N, " + string.Join(", ", shape.Select(Size))
                + "], which is not a flattening to [N, features] nor a step of a pixel shuffle",
                "export the model with Flatten, or with PixelShuffle / DepthToSpace(mode=CRD)");
        }
    }

    /// <summary>The per-sample shape a Reshape asks for, or null when its first dimension is not the batch or a
    /// size cannot be resolved. 0 copies the input's dimension (unless allowzero), -1 takes what is left.</summary>
    private int[]? ReshapeTarget(int[] perSample, OnnxConstant target, bool allowZero)
    {
        int rank = (int)target.Count;
        if (rank == 0)
        {
            return null;
        }

        long[] full = [-2, .. perSample.Select(d => (long)d)];
        var result = new long[rank];
        int infer = -1;
        for (int i = 0; i < rank; i++)
        {
            object? symbol = target.SymbolAt(i);
            long v = target.Ints![i];
            if (symbol == OnnxConstant.Batch)
            {
                result[i] = i == 0 ? -2 : -3;
            }
            else if (symbol is not null)
            {
                return null;
            }
            else if (v == 0 && !allowZero)
            {
                result[i] = i < full.Length ? full[i] : -3;
            }
            else if (v == -1)
            {
                if (infer >= 0)
                {
                    return null;
                }

                infer = i;
                result[i] = -1;
            }
            else
            {
                result[i] = v;
            }
        }

        // The first dimension must be the batch: N, 0 (copied), -1 (inferred), or the file's fixed batch size.
        if (result[0] != -2 && !(infer == 0) && !(_fixedBatch is long b && result[0] == b))
        {
            return null;
        }

        result[0] = -2;
        if (infer == 0)
        {
            infer = -1;
        }

        long[] rest = result.Skip(1).ToArray();
        if (rest.Any(d => d < -1))
        {
            return null;
        }

        // An open height or width is only kept (copied with 0), never computed with.
        if (perSample.Any(d => d < 0))
        {
            return infer <= 0 && rest.SequenceEqual(perSample.Select(d => (long)d)) ? perSample : null;
        }

        long size = perSample.Aggregate(1L, (a, d) => a * d);
        if (infer > 0)
        {
            long known = rest.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
            if (known <= 0 || size % known != 0)
            {
                return null;
            }

            rest[infer - 1] = size / known;
        }

        return rest.Aggregate(1L, (a, d) => a * d) == size && rest.All(d => d > 0 && d <= int.MaxValue) ? rest.Select(d => (int)d).ToArray() : null;
    }

    private void ImportTranspose(NodeProto node)
    {
        long[] perm = AttrInts(node, "perm") ?? [];
        if (Input(node, 0) is Pending { Kind: "PixelShuffleReshape" } p && perm.SequenceEqual(PixelShufflePermutation) && Consumers(node.Output[0]) == 1)
        {
            int[] s = p.Shape;
            Set(node, 0, new Pending("PixelShuffleTranspose", p.Source, [s[0], s[3], s[1], s[4], s[2]], node, p.Data));
            return;
        }

        if (Activation(node, 0) is null)
        {
            SetFailed(node);
            return;
        }

        Unmapped(node, "it transposes an activation with perm " + List(perm) + ", which is not a step of a pixel shuffle",
            "export the model without transposes of activations (NCHW throughout), or with PixelShuffle / DepthToSpace(mode=CRD)");
    }

    private void ImportDepthToSpace(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, image: true))
        {
            return;
        }

        string mode = AttrString(node, "mode", "DCR");
        int r = (int)AttrInt(node, "blocksize", 0);
        if (mode != "CRD")
        {
            AttributeUnsupported(node, "mode", "'" + mode + "'", "only mode CRD is a pixel shuffle (torch.nn.PixelShuffle exports it); the DCR order needs its channels permuted: export with PixelShuffle");
            return;
        }

        if (r < 2 || x.Shape[0] % (r * r) != 0)
        {
            AttributeUnsupported(node, "blocksize", r.ToString(System.Globalization.CultureInfo.InvariantCulture), "the block size must be at least 2 and its square must divide the channels");
            return;
        }

        int[] shape = [x.Shape[0] / (r * r), x.Shape[1] < 0 ? -1 : x.Shape[1] * r, x.Shape[2] < 0 ? -1 : x.Shape[2] * r];
        Set(node, 0, Emit(node, "PixelShuffle", "pixelshuffle", x, shape, [Arg("upscaleFactor", r)], []));
    }

    private void ImportConcat(NodeProto node)
    {
        var acts = new List<Act>();
        for (int i = 0; i < node.Input.Count; i++)
        {
            if (node.Input[i].Length == 0)
            {
                continue;
            }

            if (Input(node, i) is Const)
            {
                Unmapped(node, "it concatenates a constant with activations", "export the model without constant inputs to Concat");
                return;
            }

            Act? a = Activation(node, i);
            if (a is null)
            {
                SetFailed(node);
                return;
            }

            acts.Add(a);
        }

        long axis = AttrInt(node, "axis", 1);
        int rank = acts[0].Shape.Length + 1;
        if (axis < 0)
        {
            axis += rank;
        }

        if (axis != 1)
        {
            AttributeUnsupported(node, "axis", AttrInt(node, "axis", 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "only concatenation along the channels or features (axis 1) imports");
            return;
        }

        if (acts.Count == 1)
        {
            Set(node, 0, acts[0]);
            return;
        }

        int[] shape = [acts.Sum(a => a.Shape[0]), .. acts[0].Shape.Skip(1)];
        Set(node, 0, Emit(node, "Concat", "concat", null, shape, [Arg("inputs", acts.Select(a => a.Layer).ToArray())], []));
    }

    private void ImportSoftmax(NodeProto node)
    {
        if (!RequireActivation(node, out Act x))
        {
            return;
        }

        int rank = x.Shape.Length + 1;
        long axis = AttrInt(node, "axis", _opset < 13 ? 1 : -1);
        if (axis < 0)
        {
            axis += rank;
        }

        // Before opset 13, Softmax flattens from the axis on: over the channels of an image only when it is 1 x 1.
        bool perChannel = rank == 2 ? axis == 1 : axis == 1 && (_opset >= 13 || (x.Shape[1] == 1 && x.Shape[2] == 1));
        if (!perChannel || x.Shape.Length is not (1 or 3))
        {
            AttributeUnsupported(node, "axis", AttrInt(node, "axis", _opset < 13 ? 1 : -1).ToString(System.Globalization.CultureInfo.InvariantCulture) + " (opset " + _opset + ", input rank " + rank + ")",
                "Softmax imports over dimension 1 (the features of [N, F], or the channels of [N, C, H, W] from opset 13 on)");
            return;
        }

        Set(node, 0, Emit(node, "Softmax", "softmax", x, x.Shape, [], []));
    }

    private void ImportPad(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, image: true))
        {
            return;
        }

        string mode = AttrString(node, "mode", "constant");
        long[]? pads;
        double value;
        if (_opset < 11)
        {
            pads = AttrInts(node, "pads") ?? AttrInts(node, "paddings");
            value = AttrFloat(node, "value", 0f);
        }
        else
        {
            if (Input(node, 1) is not Const { Value: { } p } || p.KnownInts() is null || (HasInput(node, 2) && Input(node, 2) is not Const) || (HasInput(node, 3) && Input(node, 3) is not Const))
            {
                Dynamic(node, "its pads are computed at run time", "export the model with constant padding");
                return;
            }

            pads = p.KnownInts();
            value = HasInput(node, 2) ? ((Const)Input(node, 2)!).Value.SingleValue() ?? double.NaN : 0;
            if (HasInput(node, 3))
            {
                long[] axes = ((Const)Input(node, 3)!).Value.KnownInts() ?? [];
                var full = new long[8];
                for (int i = 0; i < axes.Length && pads!.Length == 2 * axes.Length; i++)
                {
                    long axis = axes[i] < 0 ? axes[i] + 4 : axes[i];
                    full[axis] = pads[i];
                    full[axis + 4] = pads[i + axes.Length];
                }

                pads = full;
            }
        }

        if (mode != "constant")
        {
            AttributeUnsupported(node, "mode", "'" + mode + "'", "only constant zero padding imports, folded into the Conv right after it");
            return;
        }

        if (pads is not { Length: 8 } || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || pads.Any(v => v < 0))
        {
            AttributeUnsupported(node, "pads", List(pads ?? []), "only non-negative padding of the height and width imports");
            return;
        }

        if (value != 0)
        {
            AttributeUnsupported(node, "the padding value", value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "only zero padding imports, folded into the Conv right after it");
            return;
        }

        int top = (int)pads[2], left = (int)pads[3], bottom = (int)pads[6], right = (int)pads[7];
        int[] shape = [x.Shape[0], x.Shape[1] < 0 ? -1 : x.Shape[1] + top + bottom, x.Shape[2] < 0 ? -1 : x.Shape[2] + left + right];
        Set(node, 0, new Pending("Pad", x, shape, node, [top, left, bottom, right]));
    }

    private void ImportResize(NodeProto node)
    {
        if (!RequireActivation(node, out Act x, image: true))
        {
            return;
        }

        string mode = AttrString(node, "mode", "nearest");
        if (mode != "nearest")
        {
            AttributeUnsupported(node, "mode", "'" + mode + "'", "only nearest-neighbour upsampling by an integer factor imports");
            return;
        }

        string transform = AttrString(node, "coordinate_transformation_mode", "half_pixel");
        string nearest = AttrString(node, "nearest_mode", "round_prefer_floor");
        bool resize = node.OpType == "Resize";
        if (resize && _opset >= 11 && !(transform is "half_pixel" or "pytorch_half_pixel" || (transform == "asymmetric" && nearest == "floor")))
        {
            AttributeUnsupported(node, "coordinate_transformation_mode and nearest_mode", "'" + transform + "' and '" + nearest + "'",
                "nearest upsampling imports with half_pixel or pytorch_half_pixel (any rounding), or asymmetric with floor (what PyTorch writes)");
            return;
        }

        // Where the scales are: an attribute (Upsample 7), input 1 (Upsample 9, Resize 10), input 2 or sizes in input 3 (Resize 11+).
        int scalesInput = resize && _opset >= 11 ? 2 : 1;
        double[]? scales = AttrInts(node, "scales") is null && Attr(node, "scales") is { } a ? a.Floats.Select(f => (double)f).ToArray() : null;
        if (scales is null && Input(node, scalesInput) is Const { Value: { Count: 4 } sc })
        {
            scales = sc.Doubles();
        }

        if (scales is null && resize && _opset >= 11 && Input(node, 3) is Const { Value: { Count: 4 } sizes } && sizes.KnownInts() is { } sz
            && x.Shape[1] > 0 && x.Shape[2] > 0)
        {
            scales = [1, 1, (double)sz[2] / x.Shape[1], (double)sz[3] / x.Shape[2]];
        }

        if (scales is null)
        {
            Dynamic(node, "its scales or sizes are computed at run time", "export the model with a constant scale factor");
            return;
        }

        int factor = (int)Math.Round(scales[2]);
        if (scales[0] != 1 || scales[1] != 1 || scales[2] != scales[3] || factor < 1 || Math.Abs(scales[2] - factor) > 1e-6)
        {
            AttributeUnsupported(node, "scales", List(scales), "only the same integer factor for height and width imports (batch and channels 1)");
            return;
        }

        int[] shape = [x.Shape[0], x.Shape[1] < 0 ? -1 : x.Shape[1] * factor, x.Shape[2] < 0 ? -1 : x.Shape[2] * factor];
        Set(node, 0, Emit(node, "Upsample", "upsample", x, shape, [Arg("scaleFactor", factor)], []));
    }
}
