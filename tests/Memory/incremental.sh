#!/bin/bash
# Build times against the weights check (docs/robustness.md, "Stale weights").
# usage: [MC_BUILD_ARGS=...] tests/Memory/incremental.sh [layers [runs]]   (default 8 5: 302 MB of weights, 5 runs)
# Builds the console project of make_project.sh once, then times no-op builds and C#-only edit builds (a comment
# appended to Program.cs) with ModelCompilerWeightsCheck=content and =time, and prints the median of each, with
# the medians of the CheckWeightsFiles and LinkModelWeights tasks' own times (MSBuild's performance summary; a
# machine busy with other work moves the build times far more than the check). The tasks are loaded into
# MSBuild's process, as from the package (_ModelCompilerUseTaskHost=false). Then times the fingerprint of the
# weights file alone (tests/Memory/fingerprint.cs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
layers=${1:-8}; runs=${2:-5}
dir=$(mktemp -d -t mc-incremental-XXXXXX)
"$repo/tests/Memory/make_project.sh" "$dir" "$layers" 0
build=(dotnet build "$dir/App.csproj" -c Release -v:n -clp:PerformanceSummary -nodeReuse:false -p:_ModelCompilerUseTaskHost=false ${MC_BUILD_ARGS:-})
echo "weights: $(stat -c %s "$dir/weights/first.safetensors") bytes"

# One build: its seconds, then the CheckWeightsFiles and LinkModelWeights tasks' milliseconds (0: did not run).
# Stops the script when it fails.
timed() {
  local start end
  start=$(date +%s.%N)
  "${build[@]}" "$@" > "$dir/build.log" 2>&1 || { tail -20 "$dir/build.log"; exit 1; }
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" '
    /Task Performance Summary:/ { tasks = 1 }
    tasks && $3 == "CheckWeightsFiles" { check = $1 }
    tasks && $3 == "LinkModelWeights" { link = $1 }
    END { printf "%.2f %d %d\n", e - s, check, link }' "$dir/build.log"
}
# Medians of each of the three columns.
medians() {
  local rows i
  rows=$(cat)
  for i in 1 2 3; do echo "$rows" | cut -d' ' -f$i | sort -n | awk '{ a[NR] = $1 } END { printf "%s ", a[int((NR + 1) / 2)] }'; done
  echo
}

timed > /dev/null
for check in content time; do
  # Settles the stamp for this check: the first C# edit after switching links once.
  echo "// settle $check" >> "$dir/Program.cs"
  timed -p:ModelCompilerWeightsCheck=$check > /dev/null
  read -r noop noopcheck _ < <(for i in $(seq "$runs"); do
    timed -p:ModelCompilerWeightsCheck=$check
    grep -q 'Skipping target "ModelCompilerLinkWeights"' "$dir/build.log" || echo "a no-op build ran the link" >&2
  done | medians)
  read -r edit editcheck editlink < <(for i in $(seq "$runs"); do
    echo "// edit $check $i" >> "$dir/Program.cs"
    timed -p:ModelCompilerWeightsCheck=$check
    ! grep -q 'App.mcweights (' "$dir/build.log" || echo "a C#-only edit linked the weights again" >&2
  done | medians)
  echo "ModelCompilerWeightsCheck=$check (medians of $runs):"
  echo "  no-op build $noop s (CheckWeightsFiles $noopcheck ms)"
  echo "  C#-only edit build $edit s (CheckWeightsFiles $editcheck ms, LinkModelWeights $editlink ms, weights not linked again)"
done
if [ -f "$repo/tests/Memory/fingerprint.cs" ]; then
  echo "fingerprint alone:"
  dotnet run -c Release "$repo/tests/Memory/fingerprint.cs" -- "$dir/weights/first.safetensors" 7 | sed 's/^/  /'
fi
rm -rf "$dir"
