#!/bin/bash
# Build and load memory against the weights' size (docs/robustness.md, "Memory: build and load").
# usage: [MC_BUILD_ARGS=...] tests/Memory/memory.sh [layers-of-model-1 [layers-of-model-2]]   (default 8 0: 302 MB; 30 30: 2.27 GB)
# Builds a console project that uses the repository's compiler (Targets/ModelCompiler.InRepo.*) with one or two
# models of Linear(3072, 3072) layers (37.8 MB each), then relinks its weights alone (the weights file touched), and
# prints the peak resident memory (VmHWM) of each build process (the link runs in the MSBuild task host), then runs
# the app, which prints its resident memory after loading the weights and running once.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
first=${1:-8}; second=${2:-0}
dir=$(mktemp -d -t mc-memory-XXXXXX)
mkdir -p "$dir/weights"
python3 "$repo/tests/Memory/make_weights.py" "$dir/weights/first.safetensors" "$first" 3072
[ "$second" -gt 0 ] && python3 "$repo/tests/Memory/make_weights.py" "$dir/weights/second.safetensors" "$second" 3072
cat > "$dir/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <Import Project="$repo/Targets/ModelCompiler.InRepo.props" />
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
  <Import Project="$repo/Targets/ModelCompiler.InRepo.targets" />
</Project>
XML
python3 - "$dir" "$first" "$second" <<'PY'
import sys
d, first, second = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def model(name, n):
    layers = "\n".join(f'[Linear("fc{i}", 3072, 3072)]' + ("\n[ReLU]" if i < n - 1 else "") for i in range(n))
    return f'[Model("weights/{name.lower()}.safetensors")]\n[Input(3072)]\n{layers}\ninternal static partial class {name} {{ }}\n'
run = "First.Run(input, middle);\n" + ("Second.Run(middle, output);\n" if second else "middle.CopyTo(output, 0);\n")
weights = "First.WeightBytes" + (" + Second.WeightBytes" if second else "")
open(f"{d}/Program.cs", "w").write(f'''using System;
using System.IO;
using System.Linq;
using ModelCompiler;

float[] input = new float[3072], middle = new float[3072], output = new float[3072];
long before = Rss();
{run}GC.Collect();
Console.WriteLine($"weights {{{weights}}} bytes; resident before load {{before >> 10}} MB, after load and one run {{Rss() >> 10}} MB (output[0] = {{output[0]}})");

static long Rss() => long.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

''' + model("First", first) + (model("Second", second) if second else ""))
PY

# Runs a build and reports the peak resident memory of it and every process under it (polled every 0.1 s).
peaks() {
  "$@" > "$dir/build.log" 2>&1 &
  local root=$! p h
  declare -A peak cmd
  while kill -0 $root 2>/dev/null; do
    for p in $root $(pgrep -P $root) $(for c in $(pgrep -P $root); do pgrep -P $c; done); do
      h=$(awk '/VmHWM/{print $2}' /proc/$p/status 2>/dev/null) || continue
      [ -n "$h" ] || continue
      if [ -z "${peak[$p]:-}" ] || [ "$h" -gt "${peak[$p]}" ]; then peak[$p]=$h; cmd[$p]=$(tr '\0' ' ' < /proc/$p/cmdline | cut -c1-90); fi
    done
    sleep 0.1
  done
  wait $root || { tail -20 "$dir/build.log"; exit 1; }
  for p in "${!peak[@]}"; do echo "  peak $((peak[$p] >> 10)) MB  ${cmd[$p]}"; done | sort -k2 -rn | head -3
}

build=(dotnet build "$dir/App.csproj" -c Release -m:1 -nodeReuse:false -p:UseSharedCompilation=false ${MC_BUILD_ARGS:-})
echo "weights: $(du -cb "$dir"/weights/*.safetensors | tail -1 | cut -f1) bytes in $dir/weights"
echo "first build (compile and link):"; peaks "${build[@]}"
touch "$dir/weights/first.safetensors"
start=$(date +%s)
echo "link only (weights touched):"; peaks "${build[@]}"
echo "  $(( $(date +%s) - start )) s; artifact $(stat -c %s "$dir"/bin/Release/net10.0/App.mcweights) bytes"
/usr/bin/time -f "  app: peak resident %M kB, %e s" "$dir/bin/Release/net10.0/App"
rm -rf "$dir"
