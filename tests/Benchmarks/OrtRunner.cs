using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;

namespace ModelCompiler.Benchmarks;

/// <summary>One ONNX Runtime session (CPU execution provider) configured for a fixed thread count: intra-op and
/// inter-op threads as given, sequential execution, every graph optimization. Spinning and the memory arena keep
/// their defaults, as in a deployed app.</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public OrtRunner(byte[] onnxModel, int threads)
    {
        _options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = threads,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnxModel, _options);
        InputName = _session.InputNames.Single();
        OutputName = _session.OutputNames.Single();

        // Both shapes are [N, ...] with a symbolic batch N first.
        SampleInputShape = [.. _session.InputMetadata[InputName].Dimensions.Skip(1)];
        SampleOutputShape = [.. _session.OutputMetadata[OutputName].Dimensions.Skip(1)];
    }

    public string InputName { get; }

    public string OutputName { get; }

    /// <summary>The input's shape per sample (without the batch dimension).</summary>
    public int[] SampleInputShape { get; }

    /// <summary>The output's shape per sample (without the batch dimension).</summary>
    public int[] SampleOutputShape { get; }

    /// <summary>Binds <paramref name="input"/> and <paramref name="output"/> (pinned, not copied) for repeated runs
    /// that allocate no tensors: the returned binding's <see cref="Binding.Run"/> is what gets timed.</summary>
    public Binding Bind(float[] input, int[] inputShape, float[] output, int[] outputShape) =>
        new(this, OrtValue.CreateTensorValueFromMemory(input, inputShape.Select(d => (long)d).ToArray()),
            OrtValue.CreateTensorValueFromMemory(output, outputShape.Select(d => (long)d).ToArray()));

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
        _options.Dispose();
    }

    /// <summary>An input and an output tensor over caller-owned arrays.</summary>
    internal sealed class Binding : IDisposable
    {
        private readonly OrtRunner _runner;
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;

        public Binding(OrtRunner runner, OrtValue input, OrtValue output)
        {
            _runner = runner;
            _inputNames = [runner.InputName];
            _outputNames = [runner.OutputName];
            _inputs = [input];
            _outputs = [output];
        }

        public void Run() => _runner._session.Run(_runner._runOptions, _inputNames, _inputs, _outputNames, _outputs);

        public void Dispose()
        {
            _inputs[0].Dispose();
            _outputs[0].Dispose();
        }
    }
}
