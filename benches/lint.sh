#!/usr/bin/env bash
# Lints the same Dockerfiles with imglint and with hadolint, each as one
# process over all files, and prints the time ratio. Also times one small
# file end to end. Input: the corpus in ../shared/corpus (or the files given
# as arguments).
#
#   benches/lint.sh            # the whole corpus
#   benches/lint.sh FILE...    # these files
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hadolint >/dev/null 2>&1 || .ci/setup
cargo build --release --quiet
imglint=target/release/imglint

files=()
if [ $# -gt 0 ]; then
  files=("$@")
else
  corpus=../shared/corpus
  [ -f "$corpus/MANIFEST.tsv" ] || { echo "no corpus at $corpus; pass files as arguments" >&2; exit 2; }
  while IFS=$'\t' read -r file _; do
    files+=("$corpus/$file")
  done < <(tail -n +2 "$corpus/MANIFEST.tsv")
fi
bytes=$(cat "${files[@]}" | wc -c)
echo "input: ${#files[@]} files, $bytes bytes"

now() { date +%s.%N; }
best_of() { # runs "$@" 5 times, prints the fastest wall time in seconds
  local best=""
  for _ in 1 2 3 4 5; do
    local s e t
    s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}

t_img=$(best_of "$imglint" --no-fail -f json "${files[@]}")
echo "imglint : $(printf '%.3f' "$t_img") s  ($(echo "$bytes / $t_img / 1000000" | bc -l | xargs printf '%.1f') MB/s)"
s=$(now); hadolint --no-fail -f json "${files[@]}" >/dev/null 2>&1 || true; e=$(now)
t_had=$(echo "$e - $s" | bc -l)
echo "hadolint: $(printf '%.3f' "$t_had") s"
echo "ratio   : imglint is $(echo "$t_had / $t_img" | bc -l | xargs printf '%.0f')x faster"

small=fixtures/single-stage-go.Dockerfile
t_one=$(best_of "$imglint" --no-fail "$small")
echo "one small file end to end: $(echo "$t_one * 1000" | bc -l | xargs printf '%.1f') ms"
