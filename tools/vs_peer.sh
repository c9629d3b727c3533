#!/usr/bin/env bash
# photocheck side by side with the Python peer over MediaPipe (../shared/tools/peer_mediapipe.py),
# on the same photos, in one run:
#   bash tools/vs_peer.sh [PHOTO_DIR] [N]     (default ../shared/photo-suite, the first 120 photos)
# Needs hyperfine, /usr/bin/time and taskset (apt-get install hyperfine time util-linux) and the peer's
# Python: PEER_PY=/path/to/python, or it is made once with ../shared/tools/peer_setup.sh in
# target/peer-venv. PHOTOCHECK=/path/to/photocheck compares another build (default: this tree's
# release build; with ORT_DYLIB_PATH set, built with the `onnxruntime` feature, so that photocheck runs
# its networks with that ONNX Runtime library).
# Prints, for photocheck and the peer: batch time on one core (--jobs 1 and `taskset -c 0` for both) and
# on two cores, a single-photo call from a cold process, and peak resident memory of the one-core batch,
# each with the ratio; then both reports scored against the suite's truth when the photos are the suite's.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/photo-suite}
n=${2:-120}
runs=${RUNS:-3}
if [ -z "${PHOTOCHECK:-}" ]; then
  if [ -n "${ORT_DYLIB_PATH:-}" ]; then
    cargo build --release --quiet --bin photocheck --features onnxruntime
  else
    cargo build --release --quiet --bin photocheck
  fi
  PHOTOCHECK=target/release/photocheck
fi
peer_script=../shared/tools/peer_mediapipe.py
if [ -z "${PEER_PY:-}" ]; then
  [ -x target/peer-venv/bin/python ] || bash ../shared/tools/peer_setup.sh target/peer-venv >&2
  PEER_PY=target/peer-venv/bin/python
fi

photos=$(mktemp -d)
trap 'rm -rf "$photos"' EXIT
find "$dir" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | sort | head -n "$n" |
  while read -r f; do ln -s "$(realpath "$f")" "$photos/$(basename "$f")"; done
count=$(find "$photos" -maxdepth 1 -type l | wc -l)
one=$(find "$photos" -maxdepth 1 -type l | sort | head -n 1)
echo "photos: $count from $dir; cores: $(nproc); photocheck: $PHOTOCHECK (networks on ${ORT_DYLIB_PATH:-tract}); peer: $PEER_PY $peer_script"

median() { # command... -> median wall seconds over $runs runs (one warm-up)
  hyperfine -N -i -w 1 -r "$runs" --export-json "$photos/h.json" "$*" >/dev/null 2>&1
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$photos/h.json"
}
ours1=$(median taskset -c 0 "$PHOTOCHECK" check -q --jobs 1 --format json --output "$photos/ours.json" "$photos")
peer1=$(median taskset -c 0 "$PEER_PY" "$peer_script" --jobs 1 "$photos")
ours2=$(median "$PHOTOCHECK" check -q --jobs 2 --format json --output "$photos/ours2.json" "$photos")
peer2=$(median "$PEER_PY" "$peer_script" --jobs 2 "$photos")
oursc=$(runs=15 median "$PHOTOCHECK" check -q --format json --output /dev/null "$one")
peerc=$(runs=5 median "$PEER_PY" "$peer_script" "$one")
rss() { /usr/bin/time -f %M "$@" >/dev/null 2>"$photos/rss" || true; tail -n 1 "$photos/rss"; }
oursm=$(rss taskset -c 0 "$PHOTOCHECK" check -q --jobs 1 --format json --output /dev/null "$photos")
peerm=$(rss taskset -c 0 "$PEER_PY" "$peer_script" --jobs 1 "$photos")
"$PEER_PY" "$peer_script" "$photos" > "$photos/peer.json" 2>/dev/null

python3 - "$count" "$ours1" "$peer1" "$ours2" "$peer2" "$oursc" "$peerc" "$oursm" "$peerm" <<'PY'
import sys
n = int(sys.argv[1])
o1, p1, o2, p2, oc, pc = map(float, sys.argv[2:8])
om, pm = int(sys.argv[8]), int(sys.argv[9])
print("| | photocheck | peer | photocheck vs peer |")
print("|---|---|---|---|")
print(f"| one core, {n} photos | {o1:.2f} s ({1e3*o1/n:.1f} ms/photo) | {p1:.2f} s ({1e3*p1/n:.1f} ms/photo) | {p1/o1:.2f}x the peer's throughput |")
print(f"| two cores | {o2:.2f} s | {p2:.2f} s | {p2/o2:.2f}x |")
print(f"| one photo, cold process | {oc:.3f} s | {pc:.3f} s | {pc/oc:.1f}x faster |")
print(f"| peak memory, one-core batch | {om/1024:.0f} MB | {pm/1024:.0f} MB | {pm/om:.1f}x less |")
PY
if [ -f "$dir/truth.jsonl" ]; then
  for who in ours peer; do
    echo "$who: $(python3 ../shared/tools/score_suite.py --truth "$dir/truth.jsonl" --report "$photos/$who.json" | tail -n 1)"
  done
fi
