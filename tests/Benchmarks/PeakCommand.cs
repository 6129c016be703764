using System;

namespace ModelCompiler.Benchmarks;

/// <summary>The <c>peak</c> measurement: the single-core FP32 FMA peak as one <c>result:</c> line.</summary>
internal static class PeakCommand
{
    public static int Run()
    {
        Print(PeakFma.Measure());
        return 0;
    }

    public static void Print(FmaPeak peak) => Console.WriteLine(FormattableString.Invariant(
        $"result: machine=peak cpu=\"{PeakFma.CpuModel().Replace('"', '\'')}\" fma_gflops_v512={peak.V512:F2} fma_gflops_v256={peak.V256:F2} fma_gflops_v128={peak.V128:F2} threads=1"));
}
