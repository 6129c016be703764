// The weights fingerprint's time on one file, page-cached (docs/robustness.md, "Stale weights").
// usage: dotnet run -c Release tests/Memory/fingerprint.cs -- file [runs]
// Prints each run's time; the first includes the JIT, as in a build process that had not run the check before.
#:project ../../BuildTasks/BuildTasks.csproj
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using ModelCompiler.BuildTasks;

string path = args[0];
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
long length = new FileInfo(path).Length;
File.ReadAllBytes(path); // into the page cache
for (int i = 0; i < runs; i++)
{
    var clock = Stopwatch.StartNew();
    ulong fingerprint = WeightsFingerprint.OfFile(path);
    double ms = clock.Elapsed.TotalMilliseconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fingerprint:x16}  {length} bytes  {ms:F0} ms  {length / ms / 1e6:F2} GB/s"));
}
