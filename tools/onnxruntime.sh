#!/usr/bin/env bash
# Prints the path of an ONNX Runtime shared library for the `onnxruntime` feature, installing the
# PyPI wheel (which carries libonnxruntime.so) into target/ort-venv the first time:
#   export ORT_DYLIB_PATH=$(bash tools/onnxruntime.sh)
#   cargo run --release --features onnxruntime -- check fixtures/
# ONNX_RUNTIME_VERSION picks another version (1.22 or later; default the one measured in README
# "Performance").
set -euo pipefail
cd "$(dirname "$0")/.."
version=${ONNX_RUNTIME_VERSION:-1.22.1}
venv=target/ort-venv
lib() { find "$venv" -path '*/onnxruntime/capi/libonnxruntime.so*' -type f 2>/dev/null | sort | head -n 1; }
installed=$("$venv/bin/python" -c 'import onnxruntime; print(onnxruntime.__version__)' 2>/dev/null || true)
if [ -z "$(lib)" ] || [ "$installed" != "$version" ]; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q "onnxruntime==$version" >&2
fi
path=$(lib)
[ -n "$path" ] || { echo "tools/onnxruntime.sh: no libonnxruntime.so in $venv" >&2; exit 1; }
realpath "$path"
