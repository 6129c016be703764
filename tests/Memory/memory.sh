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
"$repo/tests/Memory/make_project.sh" "$dir" "$first" "$second"

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
