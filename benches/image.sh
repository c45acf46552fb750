#!/usr/bin/env bash
# Compare `imglint image` analysis with dive on the same docker-archive tar.
#
#   benches/image.sh [SCALE] [RUNS]
#
# Builds a deterministic docker-save archive of about SCALE x 100 MB
# (default 3) with benches/image_fixture.rs, then runs dive
# (`--source docker-archive -j`) and `imglint image --format json` RUNS
# times each (default 3) under /usr/bin/time -v, alternating the two, each
# writing its JSON report, and prints the
# best and median wall time, CPU time and peak memory of each, and the
# ratios. On a busy machine the best run and the CPU time are the steadier
# figures. Needs dive (run .ci/setup).
#
# Measured on the 2-core development VM (scale 3: 311 MB archive, 5 layers,
# 17,633 entries; both tools report efficiency 0.9366485371065036 and
# 37,748,394 wasted bytes; imglint also verifies every digest and diff_id,
# which dive does not). The machine was shared with other builds (load
# about 2 on its 2 cores), so each figure is from one script run:
#   9 runs: imglint best 0.17 s, median 0.29 s, CPU 0.31 s, peak 27 MB;
#           dive best 0.75 s, median 0.91 s, CPU 0.93 s, peak 83 MB:
#           4.4x best, 3.1x median, 3.0x CPU, 3.0x less memory
#   7 runs: imglint best 0.23 s, median 0.28 s, CPU 0.31 s, peak 19 MB;
#           dive best 1.19 s, median 1.22 s, CPU 1.04 s, peak 89 MB:
#           5.2x best, 4.4x median, 3.4x CPU, 4.7x less memory
# About 0.17 s of imglint's CPU time is SHA-256 (with the CPU's SHA
# extensions, about 1.8 GB/s, the same as ring's); reading the file costs
# about 0.04 s more in the kernel. The rest (tar parsing, content hashes,
# the waste and dive accountings, checks, report) is about 0.1 s. With the
# machine idle, layers are read two at a time on three threads each
# (reading, hashing and decoding, parsing), so the wall time approaches the
# SHA-256 time of the largest layer plus the accountings.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-3}
RUNS=${2:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imglint-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

command -v dive >/dev/null || { echo "dive not installed (run .ci/setup)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not installed (run .ci/setup)" >&2; exit 2; }

flock /tmp/cargo.lock cargo bench --bench image_fixture --no-run --message-format=json >"$WORK/build.json"
BIN=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "image_fixture" and m.get("executable"):
        print(m["executable"])
' "$WORK/build.json" | tail -1)
flock /tmp/cargo.lock cargo build --release --quiet
IMGLINT=target/release/imglint

TAR=$WORK/image.tar
"$BIN" generate "$TAR" "$SCALE"
ls -l "$TAR"

measure() { # name cmd... -> appends "wall cpu kb" to $WORK/name
    local name=$1; shift
    /usr/bin/time -v "$@" >"$WORK/$name.out" 2>"$WORK/$name.time"
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; t = s }
        /User time/ { u = $2 }
        /System time/ { y = $2 }
        /Maximum resident set size/ { m = $2 }
        END { print t, u + y, m }' "$WORK/$name.time" >>"$WORK/$name"
}

for _ in $(seq "$RUNS"); do
    measure dive dive --source docker-archive -j "$WORK/dive.json" "$TAR"
    measure imglint "$IMGLINT" image "$TAR" --format json --output "$WORK/imglint.json" --no-fail
done

python3 - "$WORK" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def runs(name):
    return [tuple(map(float, l.split())) for l in open(f"{work}/{name}")]
d = json.load(open(f"{work}/dive.json"))["image"]
print(f"dive:    efficiency {d['efficiencyScore']} wasted {d['inefficientBytes']}")
i = json.load(open(f"{work}/imglint.json"))
print(f"imglint: efficiency {i['dive']['efficiency']} wasted {i['dive']['wasted_bytes']} "
      f"reclaimable {i['waste']['reclaimable_bytes']} findings {len(i['findings'])}")
res = {}
for name in ("dive", "imglint"):
    r = runs(name)
    wall = [x[0] for x in r]; cpu = [x[1] for x in r]; mem = [x[2] for x in r]
    res[name] = (min(wall), statistics.median(wall), statistics.median(cpu), statistics.median(mem))
    print(f"{name:8} wall best {min(wall):.2f} s, median {statistics.median(wall):.2f} s; "
          f"cpu {statistics.median(cpu):.2f} s; peak {int(statistics.median(mem))} kB")
(db, dm, dc, dmem), (ib, im, ic, imem) = res["dive"], res["imglint"]
print(f"speed-up: best {db/max(ib,1e-9):.1f}x, median {dm/max(im,1e-9):.1f}x, cpu {dc/max(ic,1e-9):.1f}x; "
      f"peak memory {dmem/max(imem,1):.1f}x less")
PY
