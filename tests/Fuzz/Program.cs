using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace ModelCompiler.Fuzz;

/// <summary>Runs each reader on mutated inputs derived from a corpus of valid files. A crash is any exception
/// other than the reader's documented format error; a hang is an input that takes longer than the limit.
/// Prints one line per target: result: target=... iterations=... crashes=... hangs=...; exits 1 on any finding.</summary>
internal static class Program
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(2);

    private static int Main(string[] args)
    {
        string target = Option(args, "--target") ?? "all";
        long iterations = long.Parse(Option(args, "--iterations") ?? "100000", CultureInfo.InvariantCulture);
        ulong seed = ulong.Parse(Option(args, "--seed") ?? "1", CultureInfo.InvariantCulture);
        IReadOnlyList<FuzzTarget> targets = target == "all"
            ? FuzzTarget.All
            : FuzzTarget.All.Where(t => t.Name == target).ToList();
        if (targets.Count == 0)
        {
            Console.Error.WriteLine($"unknown target '{target}'; use one of: all, {string.Join(", ", FuzzTarget.All.Select(t => t.Name))}");
            return 2;
        }

        int findings = 0;
        foreach (FuzzTarget t in targets)
        {
            findings += Run(t, iterations, seed);
        }

        return findings == 0 ? 0 : 1;
    }

    private static int Run(FuzzTarget target, long iterations, ulong seed)
    {
        var random = new Mutator(seed);
        byte[][] corpus = target.Corpus();
        int crashes = 0, hangs = 0;
        var clock = Stopwatch.StartNew();
        long current = 0;
        using var done = new ManualResetEventSlim();

        // The watchdog turns an input that never returns into a reported hang instead of a silent stall.
        var watchdog = new Thread(() =>
        {
            long last = -1;
            while (!done.Wait(HangLimit * 5))
            {
                long now = Interlocked.Read(ref current);
                if (now == last)
                {
                    Console.WriteLine($"result: target={target.Name} iterations={now} crashes={crashes} hangs=1");
                    Console.Error.WriteLine($"hang: input {now} did not return within {HangLimit.TotalSeconds * 5} s");
                    Environment.Exit(1);
                }

                last = now;
            }
        }) { IsBackground = true };
        watchdog.Start();

        for (long i = 0; i < iterations; i++)
        {
            Interlocked.Exchange(ref current, i);
            byte[] input = random.Mutate(corpus[random.Next(corpus.Length)], corpus);
            long start = Stopwatch.GetTimestamp();
            try
            {
                target.Read(input);
            }
            catch (Exception e) when (target.IsExpected(e))
            {
                // A clear format error is the correct answer to a bad file.
            }
            catch (Exception e)
            {
                if (crashes++ < 5)
                {
                    Console.Error.WriteLine($"crash: {target.Name} input {i} ({input.Length} bytes): {e.GetType().Name}: {e.Message}");
                    Console.Error.WriteLine("  first bytes: " + Convert.ToHexString(input, 0, Math.Min(64, input.Length)));
                }
            }

            if (Stopwatch.GetElapsedTime(start) > HangLimit)
            {
                hangs++;
            }
        }

        done.Set();
        Console.WriteLine(FormattableString.Invariant(
            $"result: target={target.Name} iterations={iterations} crashes={crashes} hangs={hangs} seconds={clock.Elapsed.TotalSeconds:F1}"));
        return crashes + hangs;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
