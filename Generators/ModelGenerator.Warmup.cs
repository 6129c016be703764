using System;
using System.Collections.Generic;
using System.Threading;
using ModelCompiler.Common;
using ModelCompiler.Ops;
using ModelCompiler.Spec;

namespace ModelCompiler.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>Compiles a small built-in model once per process on a background thread, started when the compiler
    /// initializes the generator. A fresh compiler process spends most of a first model's generator time JIT-compiling
    /// the compiler's code (about 900 methods): while the generator's own thread parses the attributes, this one runs
    /// ahead through the compile, the lowering and the printers, so on a machine with a second core much of that JIT
    /// work is done in parallel (docs/measurements.md: the cold regression against the foundation fell from about 0.3 s
    /// to about 0.1 s). Its result is discarded, so it cannot change any output, and any failure in it is ignored (the
    /// real compile reports its own).</summary>
    internal static class Warmup
    {
        private static int s_started;

        /// <summary>Whether the warm-up compile ran to the end (for tests).</summary>
        internal static bool Completed { get; private set; }

        public static void Start()
        {
            if (Interlocked.Exchange(ref s_started, 1) != 0)
            {
                return;
            }

            var thread = new Thread(Run) { IsBackground = true, Name = "ModelCompiler warm-up", Priority = ThreadPriority.BelowNormal };
            thread.Start();
        }

        internal static void Run()
        {
            try
            {
                ModelSpec spec = Spec();
                ModelCompilation compilation = ModelCompilation.Compile(spec);
                if (compilation.Succeeded)
                {
                    string code = ModelCompiler.Emit.ModelEmitter.Emit(compilation);
                    _ = ModelCompiler.Emit.ModelEmitter.MemberNames(compilation);
                    _ = ModelCompiler.Emit.ModelEmitter.File(spec, ModelCompiler.Options.CompileOptions.Default, code);
                    _ = ModelCompiler.Emit.RuntimeSource.Emit("ModelCompiler.Warmup");
                    Completed = true;
                }
            }
#pragma warning disable CA1031 // A warm-up failure must not matter: the real compile reports its own.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        /// <summary>A residual CNN using the common operators and both conv algorithms (as the 20-layer timing model).</summary>
        internal static ModelSpec Spec() => new()
        {
            Namespace = "ModelCompiler.Warmup",
            ClassName = "Net",
            WeightsPath = "warmup.safetensors",
            InputShape = EquatableArray.Create(3, 16, 16),
            Layers = EquatableArray.Create(
                Layer("Conv2d", "stem", ("inChannels", 3), ("outChannels", 16), ("kernelSize", 3), ("Padding", 1), ("Bias", false)),
                Layer("BatchNorm2d", "bn", ("numFeatures", 16)),
                Layer("ReLU", "relu"),
                Layer("Conv2d", "c1", ("inChannels", 16), ("outChannels", 16), ("kernelSize", 3), ("Padding", 1), ("Groups", 16)),
                Layer("ReLU6", "relu6"),
                Layer("Conv2d", "c2", ("inChannels", 16), ("outChannels", 16), ("kernelSize", 1)),
                Layer("Add", "add", inputs: ["relu", "c2"]),
                Layer("Concat", "cat", inputs: ["add", "relu"]),
                Layer("MaxPool2d", "pool", ("kernelSize", 2)),
                Layer("GlobalAvgPool2d", "gap"),
                Layer("Flatten", "flat"),
                Layer("Linear", "fc", ("inFeatures", 32), ("outFeatures", 10))),
        };

        private static LayerSpec Layer(string kind, string name, params (string Name, object Value)[] arguments) => Layer(kind, name, [], arguments);

        private static LayerSpec Layer(string kind, string name, string[] inputs, params (string Name, object Value)[] arguments)
        {
            OpDefinition op = OpRegistry.Get(kind);
            var declared = new List<KeyValuePair<string, object?>> { new("name", name) };
            foreach ((string key, object value) in arguments)
            {
                declared.Add(new KeyValuePair<string, object?>(key, value));
            }

            return new LayerSpec
            {
                Kind = op.Name,
                Name = name,
                Inputs = inputs.ToEquatableArray(),
                Attributes = op.Declare(new DeclaredArguments(declared)),
            };
        }
    }
}
