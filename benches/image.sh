#!/usr/bin/env bash
# Compare `imglint image` analysis with dive on the same docker-archive tar.
#
#   benches/image.sh [SCALE] [RUNS]
#
# Builds a deterministic docker-save archive of about SCALE x 100 MB
# (default 3) with benches/image_fixture.rs, then runs dive
# (`--source docker-archive -j`) and imglint's analysis RUNS times each
# (default 3) under /usr/bin/time -v, and prints the median wall time and
# peak memory of each, and the ratios. Needs dive (run .ci/setup).
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

TAR=$WORK/image.tar
"$BIN" generate "$TAR" "$SCALE"
ls -l "$TAR"

measure() { # name cmd... -> appends "seconds kb" lines to $WORK/name
    local name=$1; shift
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -v "$@" >"$WORK/$name.out" 2>"$WORK/$name.time"
        awk -F': ' '
            /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; t = s }
            /Maximum resident set size/ { m = $2 }
            END { print t, m }' "$WORK/$name.time" >>"$WORK/$name"
    done
}

measure dive dive --source docker-archive -j "$WORK/dive.json" "$TAR"
measure imglint "$BIN" analyze "$TAR"

median() { sort -n -k"$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
DT=$(median "$WORK/dive" 1); DM=$(median "$WORK/dive" 2)
IT=$(median "$WORK/imglint" 1); IM=$(median "$WORK/imglint" 2)
python3 - "$WORK/dive.json" <<PY
import json, sys
d = json.load(open(sys.argv[1]))["image"]
print(f"dive:    efficiency {d['efficiencyScore']} wasted {d['inefficientBytes']}")
PY
echo "imglint: $(cat "$WORK/imglint.out")"
printf 'dive     %8.2f s  %10d kB peak\n' "$DT" "$DM"
printf 'imglint  %8.2f s  %10d kB peak\n' "$IT" "$IM"
python3 -c "print(f'speed-up {float($DT)/max(float($IT),1e-9):.1f}x, peak memory {float($DM)/max(float($IM),1):.1f}x less')"
