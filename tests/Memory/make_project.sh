#!/bin/bash
# Writes the console project that tests/Memory/memory.sh and incremental.sh build: it uses the repository's compiler
# (Targets/ModelCompiler.InRepo.*) with one or two models of Linear(3072, 3072) layers (37.8 MB each) and their
# weights in weights/, and its program prints its resident memory after loading the weights and running once.
# usage: tests/Memory/make_project.sh dir layers-of-model-1 layers-of-model-2   (8 0: 302 MB)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$1; first=$2; second=$3
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
