#!/usr/bin/env bash
# Batch, cold-start and memory figures for the README's performance section.
#   bash tools/perf.sh [PHOTO_DIR]     (default ../shared/photo-suite; needs hyperfine and
#                                       /usr/bin/time: apt-get install hyperfine time)
# Prints: photos/s with --jobs 1 and --jobs 2 and their ratio; the median wall time of a
# single-photo call (cold start: process start, models loaded and optimised, one photo
# checked); peak resident memory of a single-photo call, of --jobs 1 and --jobs 2 batches,
# and of a 12-megapixel JPEG. The per-stage figures come from `cargo bench --bench pipeline`.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/photo-suite}
cargo build --release --quiet --examples
bin=target/release/photocheck
photo=fixtures/made/astronaut_licence.jpg
n=$(find "$dir" -maxdepth 1 -type f \( -name '*.jpg' -o -name '*.png' \) | wc -l)
echo "cores: $(nproc); photos in $dir: $n"

batch() { # jobs -> median seconds of 3 runs
  hyperfine -N -i -w 1 -r 3 --export-json /tmp/perf-batch.json \
    "$bin check -q --jobs $1 --format ndjson --output /dev/null $dir" >/dev/null 2>&1 || true
  python3 -c 'import json; print(json.load(open("/tmp/perf-batch.json"))["results"][0]["median"])'
}
if [ -z "${SKIP_BATCH:-}" ]; then
t1=$(batch 1)
t2=$(batch 2)
python3 - "$n" "$t1" "$t2" <<'PY'
import sys
n, t1, t2 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"batch --jobs 1: {t1:.2f} s, {n/t1:.1f} photos/s")
print(f"batch --jobs 2: {t2:.2f} s, {n/t2:.1f} photos/s  (x{t1/t2:.2f} of --jobs 1)")
PY
fi

hyperfine -N -i -w 3 -r 20 --export-json /tmp/perf-cold.json "$bin check -q $photo" >/dev/null 2>&1 || true
python3 - <<'PY'
import json
r = json.load(open("/tmp/perf-cold.json"))["results"][0]
print(f"cold single-photo call: median {r['median'] * 1e3:.0f} ms (min {r['min'] * 1e3:.0f} ms)")
PY

rss() { /usr/bin/time -f %M "$@" >/dev/null 2>/tmp/perf-rss || true; tail -1 /tmp/perf-rss; }
tmp=$(mktemp -d)
target/release/examples/bench_photos "$tmp" >/dev/null
echo "peak RSS, single 260x378 photo: $(rss $bin check -q $photo) KB"
echo "peak RSS, single 4000x3000 JPEG: $(rss $bin check -q "$tmp/4000x3000.jpg") KB"
echo "peak RSS, batch --jobs 1: $(rss $bin check -q --jobs 1 --format ndjson --output /dev/null "$dir") KB"
echo "peak RSS, batch --jobs 2: $(rss $bin check -q --jobs 2 --format ndjson --output /dev/null "$dir") KB"
rm -rf "$tmp"
