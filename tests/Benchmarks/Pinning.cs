using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;

namespace ModelCompiler.Benchmarks;

/// <summary>Runs a measurement in a child process pinned to a given number of cores: started through
/// <c>taskset -c &lt;cpus&gt;</c> (so every thread, the runtime's and ONNX Runtime's included, inherits the affinity)
/// with <c>DOTNET_PROCESSOR_COUNT</c> set to the same count, so Environment.ProcessorCount, and with it the generated
/// code's Parallel.For and batch split, sees exactly those cores. Without taskset the child sets its own affinity
/// at startup (<see cref="EnsureAffinity"/>).</summary>
internal static class Pinning
{
    /// <summary>Runs this program again with <paramref name="arguments"/>, pinned to the first <paramref name="threads"/>
    /// cores this process may use; its output goes straight to ours. Returns its exit code.</summary>
    public static int RunChild(int threads, IReadOnlyList<string> arguments)
    {
        int[] cpus = AllowedCpus();
        if (threads > cpus.Length)
        {
            Console.Error.WriteLine(FormattableString.Invariant($"error: threads={threads} needs {threads} cores, this process may use {cpus.Length}"));
            return 2;
        }

        string cpuList = string.Join(",", cpus.Take(threads));
        (string program, List<string> programArguments) = Self();
        var start = new ProcessStartInfo { UseShellExecute = false };
        if (FindTaskset() is { } taskset)
        {
            start.FileName = taskset;
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpuList);
            start.ArgumentList.Add(program);
        }
        else
        {
            start.FileName = program;
        }

        foreach (string argument in programArguments.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_PROCESSOR_COUNT"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>In the child: checks that it runs on exactly <paramref name="threads"/> cores, and pins itself where
    /// taskset was not available (on Linux this binds the main thread and the threads it starts later).</summary>
    public static void EnsureAffinity(int threads)
    {
        if (Environment.ProcessorCount != threads)
        {
            throw new InvalidOperationException(FormattableString.Invariant(
                $"Environment.ProcessorCount is {Environment.ProcessorCount}, expected {threads} (DOTNET_PROCESSOR_COUNT not applied?)"));
        }

        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return;
        }

        int[] cpus = AllowedCpus();
        if (cpus.Length > threads)
        {
            Process.GetCurrentProcess().ProcessorAffinity = (nint)cpus.Take(threads).Aggregate(0L, (mask, cpu) => mask | (1L << cpu));
            Console.Error.WriteLine("note: taskset not found; pinned by ProcessorAffinity after startup");
        }
    }

    /// <summary>The CPUs this process may run on (all of them where the platform does not say).</summary>
    private static int[] AllowedCpus()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return [.. Enumerable.Range(0, Environment.ProcessorCount)];
        }

        long mask = Process.GetCurrentProcess().ProcessorAffinity;
        return [.. Enumerable.Range(0, 64).Where(cpu => (mask & (1L << cpu)) != 0)];
    }

    /// <summary>How to start this program again: its apphost, or <c>dotnet &lt;assembly&gt;</c> when run through the host.</summary>
    private static (string Program, List<string> Arguments) Self()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? (host, [Assembly.GetEntryAssembly()!.Location])
            : (host, []);
    }

    /// <summary>taskset's path on PATH, or null.</summary>
    private static string? FindTaskset() =>
        OperatingSystem.IsLinux()
            ? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "taskset")).FirstOrDefault(File.Exists)
            : null;
}
