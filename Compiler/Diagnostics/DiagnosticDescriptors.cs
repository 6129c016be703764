namespace ModelCompiler.Diagnostics;

/// <summary>Every diagnostic ModelCompiler reports, from the generator and from the build tasks.
/// IDs are stable; docs/diagnostics.md lists each with an example and a fix.
/// MC0xxx: internal; MC1xxx: declarations (generator); MC2xxx: weights files (weight linking);
/// MC3xxx: build artifacts and reports; MC4xxx: importing an ONNX model.</summary>
public static class DiagnosticDescriptors
{
    private const string Declaration = "ModelCompiler.Declaration";
    private const string Weights = "ModelCompiler.Weights";
    private const string Build = "ModelCompiler.Build";
    private const string Import = "ModelCompiler.Import";

    public static readonly DiagnosticDescriptor InternalError = new(
        "MC0001", "ModelCompiler internal error",
        "ModelCompiler failed while processing '{0}': {1}. This is a bug in ModelCompiler; please report it with this message.",
        Severity.Error, Build);

    public static readonly DiagnosticDescriptor ClassNotPartial = new(
        "MC1001", "Model class must be partial",
        "Model class '{0}' must be declared 'partial' so ModelCompiler can add the generated inference code to it",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor UnsupportedClassShape = new(
        "MC1002", "Model class must be a top-level non-generic class",
        "Model class '{0}' is {1}; declare the model on a top-level, non-generic partial class",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor MissingInput = new(
        "MC1003", "Model input shape missing",
        "Model '{0}' has no valid [Input] attribute; declare the per-sample shape with 1 or 3 positive sizes, e.g. [Input(1, 28, 28)] for NCHW images or [Input(784)] for vectors; an image's height and width may be Dim.Any, chosen at run time",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor NoLayers = new(
        "MC1004", "Model has no layers",
        "Model '{0}' declares no layers; add layer attributes such as [Linear(\"fc\", 784, 10)] in execution order",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor InvalidArgument = new(
        "MC1005", "Invalid layer argument",
        "Layer '{0}' ({1}): {2} is {3}, but {4}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor UnknownInput = new(
        "MC1006", "Layer input does not exist",
        "Layer '{0}' reads '{1}', but no layer of that name is declared before it{2}; inputs must name an earlier layer or 'input'",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor DuplicateLayerName = new(
        "MC1007", "Duplicate layer name",
        "Layer name '{0}' is declared twice in model '{1}'; give each layer a unique name",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor ShapeMismatch = new(
        "MC1008", "Shape mismatch between layers",
        "Layer '{0}' ({1}) expects {2} from '{3}', but '{3}' produces {4}; fix the layer's {5} or the layer that feeds it",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor WrongInputRank = new(
        "MC1009", "Operator does not accept this input rank",
        "Layer '{0}' ({1}) needs a {2} input, but '{3}' produces {4}; check the layer order ([Flatten] turns [N, C, H, W] into [N, C * H * W])",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor InputCount = new(
        "MC1010", "Wrong number of layer inputs",
        "Layer '{0}' ({1}) takes {2} input(s), but {3} given",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor DuplicateModel = new(
        "MC1011", "Two models with the same name",
        "Model class '{0}' is declared as a model more than once; each model class needs exactly one [Model] attribute",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor MissingWeightsPath = new(
        "MC1012", "Weights file not named",
        "Model '{0}' names no weights file; set [Model(\"path/to/weights.safetensors\")] relative to the project directory",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor UnusedLayer = new(
        "MC1013", "Layer output is never used",
        "The output of layer '{0}' is never read and it is not the model output; remove it or name it in a later layer's inputs",
        Severity.Warning, Declaration);

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = new(
        "MC1014", "Layers declared on several partial declarations",
        "Model '{0}' declares layers on more than one partial declaration; declare all layer attributes on one declaration so their order is defined",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor UnsupportedOption = new(
        "MC1015", "Option not supported by this operator",
        "Layer '{0}' ({1}) does not support {2}; {3}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor TensorTooLarge = new(
        "MC1016", "Tensor too large",
        "Layer '{0}' ({1}) produces {2}, {3} elements per sample, more than .NET can index ({4}); declare a smaller input size, or leave it open ([Input(C, Dim.Any, Dim.Any)]) and run smaller tiles",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor MemoryTooLarge = new(
        "MC1017", "Model needs more memory than .NET can index",
        "Model '{0}' needs {1} floats of memory per sample (activations and the largest layer's scratch), more than one .NET array holds ({2}); declare a smaller input size, or leave it open ([Input(C, Dim.Any, Dim.Any)]) and run smaller tiles",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor PlanLineInvalid = new(
        "MC1018", "Plan file line cannot be read",
        "Plan file '{0}' line {1}: {2}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor PlanLayerUnknown = new(
        "MC1019", "Plan names a layer the model does not declare",
        "Plan file '{0}' line {1} names layer '{2}', but model '{3}' declares no such layer{4}; fix the plan or regenerate it for the current declaration",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor PlanAlgorithmUnknown = new(
        "MC1020", "Plan asks for an algorithm the layer does not have",
        "Plan file '{0}' line {1} asks layer '{2}' ({3}) for algorithm '{4}'; this layer can use: {5}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor FrameworkTooOld = new(
        "MC1021", "Target framework too old for the generated code",
        "The generated inference code needs .NET 9 or later (its kernels call System.Runtime.Intrinsics.Vector128.FusedMultiplyAdd, which '{0}' does not have); set <TargetFramework> to net9.0 or later (net10.0 is the tested one)",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor MemberNameTaken = new(
        "MC1022", "Model class member has a name the generated code uses",
        "Model class '{0}' declares a member '{1}', but the generated code gives the class a member of that name; rename yours (the generated members are {2})",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor WeightsTooLarge = new(
        "MC1023", "Weight tensor too large",
        "Model '{0}' packs {1} bytes of weights in one tensor of layer '{2}', more than one tensor may hold ({3}); split the layer, e.g. a Linear into two with half the outputs each, joined by a Concat",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor GroupInvalid = new(
        "MC1024", "Group of layers cannot run band by band",
        "Group '{0}' of model '{1}' cannot run band by band: {2}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor PruneOptionInvalid = new(
        "MC1025", "Pruning option out of range",
        "{0}: {1} = {2} is out of range; {3}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor ReformWithoutCalibration = new(
        "MC1026", "Reformation needs calibration inputs",
        "Model '{0}' asks for Reform but names no calibration inputs; add Calibration = \"path/to/calibration.safetensors\" to [Model] (a tensor 'input' of shape [N, {1}]), or remove Reform",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor BlockNotRemovable = new(
        "MC1027", "Block cannot be removed",
        "Model '{0}' cannot remove the block closed by '{1}': {2}; name in RemoveBlocks the Add that sums a residual block's output and its input",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor LayersOfInvalid = new(
        "MC1028", "LayersOf cannot be used",
        "Model '{0}' takes its layers from another class (LayersOf) but {1}",
        Severity.Error, Declaration);

    public static readonly DiagnosticDescriptor WeightsFileMissing = new(
        "MC2001", "Weights file not found",
        "Weights file '{0}' for model '{1}' does not exist{2}; check the path in [Model] (it is relative to the project directory)",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor WeightsFileInvalid = new(
        "MC2002", "Weights file is not valid safetensors",
        "Weights file '{0}' is not a valid safetensors file: {1}; re-export it (e.g. safetensors.torch.save_file)",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor TensorMissing = new(
        "MC2003", "Tensor missing from weights file",
        "Tensor '{0}' needed by layer '{1}' is not in '{2}'{3}; check the layer name or set WeightPrefix on the layer to the state_dict prefix",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor TensorShape = new(
        "MC2004", "Tensor has the wrong shape",
        "Tensor '{0}' in '{1}' has shape {2}, but layer '{3}' needs {4}; check the layer's declared sizes",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor TensorDtype = new(
        "MC2005", "Tensor dtype not supported",
        "Tensor '{0}' in '{1}' has dtype {2}; layer weights must be F32, F16 or BF16",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor TensorNotFinite = new(
        "MC2006", "Tensor holds NaN or infinity",
        "Tensor '{0}' in '{1}' holds a non-finite value ({2}) at element {3}; fix the checkpoint",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor TensorUnused = new(
        "MC2007", "Tensor not used by the model",
        "Tensor '{0}' in '{1}' is not used by model '{2}'{3}; it is ignored (add MC2007 to NoWarn if that is intended)",
        Severity.Warning, Weights);

    public static readonly DiagnosticDescriptor WeightsFileUnreadable = new(
        "MC2008", "Weights file cannot be read",
        "Weights file '{0}' cannot be read: {1}",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor CalibrationUnusable = new(
        "MC2009", "Calibration inputs cannot be used",
        "Calibration file '{0}' for model '{1}' cannot be used: {2}",
        Severity.Error, Weights);

    public static readonly DiagnosticDescriptor ArtifactWriteFailed = new(
        "MC3001", "Weights artifact cannot be written",
        "Cannot write the weights artifact '{0}': {1}; the previous artifact (if any) was left in place",
        Severity.Error, Build);

    public static readonly DiagnosticDescriptor ManifestUnreadable = new(
        "MC3002", "Model manifest cannot be read",
        "Cannot read the ModelCompiler manifest from '{0}': {1}; rebuild the project (a stale or foreign assembly?)",
        Severity.Error, Build);

    public static readonly DiagnosticDescriptor ReportWriteFailed = new(
        "MC3003", "Model report cannot be written",
        "Cannot write the model report '{0}': {1}",
        Severity.Warning, Build);

    public static readonly DiagnosticDescriptor StampNotDeleted = new(
        "MC3004", "Link stamp cannot be deleted",
        "A weights file changed since the last link, but the link stamp '{0}' cannot be deleted: {1}; delete it (or obj/) and build again, or the previous weights would ship",
        Severity.Error, Build);

    public static readonly DiagnosticDescriptor OnnxUnreadable = new(
        "MC4001", "ONNX file cannot be read",
        "ONNX file '{0}' cannot be read: {1}; check the path, or export the model again (torch.onnx.export, tf2onnx)",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxOperatorUnsupported = new(
        "MC4002", "ONNX operator not supported yet",
        "ONNX node {0} ({1}) in '{2}': the operator {1} is not supported yet; {3}",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxAttributeUnsupported = new(
        "MC4003", "ONNX attribute value not supported",
        "ONNX node {0} ({1}) in '{2}': {3} is {4}, which the importer does not handle; {5}",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxDynamicShape = new(
        "MC4004", "ONNX shape cannot be fixed at build time",
        "ONNX node {0} ({1}) in '{2}': {3}; {4}",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxGraphUnsupported = new(
        "MC4005", "ONNX graph inputs or outputs not supported",
        "The ONNX graph in '{0}' {1}; {2}",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxNodeUnmapped = new(
        "MC4006", "ONNX node cannot become a layer",
        "ONNX node {0} ({1}) in '{2}' cannot become a layer: {3}; {4}",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxImportArgumentInvalid = new(
        "MC4007", "ONNX import argument invalid",
        "ModelCompiler ONNX import: {0}; {1}",
        Severity.Error, Import);

    public static readonly DiagnosticDescriptor OnnxImportWriteFailed = new(
        "MC4008", "Imported declaration or weights cannot be written",
        "Cannot write '{0}' for the ONNX import of '{1}': {2}",
        Severity.Error, Import);

    /// <summary>All descriptors, for the docs test and release tracking.</summary>
    public static readonly DiagnosticDescriptor[] All =
    [
        InternalError, ClassNotPartial, UnsupportedClassShape, MissingInput, NoLayers, InvalidArgument, UnknownInput,
        DuplicateLayerName, ShapeMismatch, WrongInputRank, InputCount, DuplicateModel, MissingWeightsPath, UnusedLayer,
        LayersSplitAcrossDeclarations, UnsupportedOption, TensorTooLarge, MemoryTooLarge, PlanLineInvalid, PlanLayerUnknown,
        PlanAlgorithmUnknown, FrameworkTooOld, MemberNameTaken, WeightsTooLarge, GroupInvalid, PruneOptionInvalid, ReformWithoutCalibration, BlockNotRemovable, LayersOfInvalid, WeightsFileMissing, WeightsFileInvalid, TensorMissing, TensorShape,
        TensorDtype, TensorNotFinite, TensorUnused, WeightsFileUnreadable, CalibrationUnusable, ArtifactWriteFailed, ManifestUnreadable,
        ReportWriteFailed, StampNotDeleted, OnnxUnreadable, OnnxOperatorUnsupported, OnnxAttributeUnsupported, OnnxDynamicShape,
        OnnxGraphUnsupported, OnnxNodeUnmapped, OnnxImportArgumentInvalid, OnnxImportWriteFailed,
    ];
}
