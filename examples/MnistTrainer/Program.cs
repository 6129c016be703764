using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Numerics;
using MnistTrainer.Models;

namespace MnistTrainer;

/// <summary>
/// Command line:
///   dotnet run -c Release --project examples/MnistTrainer -- --model all --out examples/Mnist/weights
/// Options: --model mlp|cnn|all, --seed N (1), --epochs N (per-model default), --data PATH,
/// --out DIR, --threads N (results do not depend on it), --gradcheck.
/// </summary>
internal static class Program
{
    private const string DataRelative = "examples/Mnist/data/mnist.bin.gz";
    private const string WeightsRelative = "examples/Mnist/weights";

    public static int Main(string[] args)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Options.Usage);
            return 0;
        }

        Par.Threads = options.Threads ?? Environment.ProcessorCount;
        string? root = FindRepositoryRoot();
        string dataPath = options.Data ?? (root is null ? DataRelative : Path.Combine(root, DataRelative));
        if (!File.Exists(dataPath))
        {
            Console.Error.WriteLine($"error: data file not found: {dataPath} (use --data)");
            return 1;
        }

        (MnistSet train, MnistSet test) = MnistData.Load(dataPath);
        Console.WriteLine($"data: {train.Count} train, {test.Count} test samples; threads={Par.Threads}, simd={(Vector.IsHardwareAccelerated ? Vector<float>.Count : 1)} floats");

        if (options.GradCheck)
        {
            return GradCheck.Run(train, Console.Out) ? 0 : 1;
        }

        string outDir = options.Out ?? (root is null ? WeightsRelative : Path.Combine(root, WeightsRelative));
        Directory.CreateDirectory(outDir);

        string[] models = options.Model == "all" ? ["mlp", "cnn"] : [options.Model];
        foreach (string name in models)
        {
            TrainConfig config = TrainConfig.For(name);
            if (options.Epochs is int epochs)
            {
                config = config with { Epochs = epochs };
            }

            // One generator per model, seeded from --seed, so each model is reproducible on its own.
            var rng = new Rng((ulong)options.Seed);
            IModel model = ModelFactory.Create(name, rng);
            TrainResult result = Trainer.Train(model, train, test, config, rng, Console.Out);

            string file = Path.Combine(outDir, $"mnist_{name}.safetensors");
            SafeTensorsWriter.Write(file, model.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"result: model={name} seed={options.Seed} epochs={config.Epochs} train_accuracy={result.TrainAccuracy:F4} test_accuracy={result.TestAccuracy:F4} seconds={result.Seconds:F1}"));
        }

        return 0;
    }

    /// <summary>Walks up from the executable to the repository (Compiler.sln or the data file).</summary>
    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln")) || File.Exists(Path.Combine(dir.FullName, DataRelative)))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private sealed class Options
    {
        public const string Usage =
            "usage: MnistTrainer [--model mlp|cnn|all] [--seed N] [--epochs N] [--data PATH] [--out DIR] [--threads N] [--gradcheck]";

        public string Model { get; private set; } = "all";

        public int Seed { get; private set; } = 1;

        public int? Epochs { get; private set; }

        public string? Data { get; private set; }

        public string? Out { get; private set; }

        public int? Threads { get; private set; }

        public bool GradCheck { get; private set; }

        public bool Help { get; private set; }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--model":
                        o.Model = Value();
                        if (o.Model is not ("mlp" or "cnn" or "all"))
                        {
                            throw new ArgumentException($"--model must be mlp, cnn or all, not '{o.Model}'.");
                        }

                        break;
                    case "--seed":
                        o.Seed = NonNegative("--seed", Value());
                        break;
                    case "--epochs":
                        o.Epochs = Positive("--epochs", Value());
                        break;
                    case "--threads":
                        o.Threads = Positive("--threads", Value());
                        break;
                    case "--data":
                        o.Data = Value();
                        break;
                    case "--out":
                        o.Out = Value();
                        break;
                    case "--gradcheck":
                        o.GradCheck = true;
                        break;
                    case "-h" or "--help":
                        o.Help = true;
                        break;
                    default:
                        throw new ArgumentException($"unknown option '{args[i]}'.");
                }
            }

            return o;
        }

        private static int NonNegative(string name, string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v)
                ? v
                : throw new ArgumentException($"{name} expects a non-negative integer, not '{text}'.");

        private static int Positive(string name, string text) =>
            NonNegative(name, text) is int v && v > 0 ? v : throw new ArgumentException($"{name} must be positive.");
    }
}
