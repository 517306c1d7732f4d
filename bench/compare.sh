#!/usr/bin/env bash
# End-to-end speed of detente against scikit-learn and fastText, in one run.
#
#   bash bench/compare.sh            # everything (training at 1k, 10k, 100k rows)
#   SIZES="1000" bash bench/compare.sh   # training at 1k rows only
#   SKIP_TRAIN=1 bash bench/compare.sh   # tagging only
#
# Builds a >= 50 MB corpus from training-data/articles/*.txt repeated, tags it with
# `detente-tag --format jsonl` (one core), runs the segmenter alone, and has Python fit
# scikit-learn (TfidfVectorizer + LogisticRegression) and fastText on training-data/*.csv
# and predict the very sentences detente found. Then `detente-train` vs GridSearchCV
# (same alpha = 1/C grid, same grouped folds), `--jobs` scaling and cold start.
# Pinned Python packages go into target/bench/venv. Writes target/bench/results.md.
# Not part of CI. Needs: cargo, python3 (3.11), /usr/bin/time and hyperfine (apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
W=target/bench
mkdir -p "$W"
SIZES=${SIZES:-"1000 10000 100000"}
MB=${MB:-50}

need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- Python comparators, pinned -------------------------------------------------------
PKGS="numpy==1.26.4 scipy==1.13.1 scikit-learn==1.5.2 joblib==1.4.2 threadpoolctl==3.5.0 fasttext-wheel==0.9.2 pybind11==2.13.6"
if [ ! -x "$W/venv/bin/python" ]; then
  mkdir -p "$W/wheels"
  # Check every pinned package exists (as a wheel where one is needed) before installing.
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$W/wheels" $PKGS
  python3 -m venv "$W/venv"
  "$W/venv/bin/pip" install -q --no-index --find-links "$W/wheels" $PKGS
fi
PY="$W/venv/bin/python"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 RAYON_NUM_THREADS=1

# --- Rust binaries --------------------------------------------------------------------
cargo build --release -q --bins
SEG=$(cargo bench --bench segment_only --no-run --message-format=json 2>/dev/null |
  "$PY" -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("executable") and m["target"]["name"]=="segment_only": print(m["executable"])')
TAG=target/release/detente-tag
TRAIN=target/release/detente-train

# --- Corpus ---------------------------------------------------------------------------
CORPUS="$W/corpus.txt"
if [ ! -s "$CORPUS" ] || [ "$(stat -c %s "$CORPUS")" -lt $((MB * 1000000)) ]; then
  : > "$CORPUS"
  while [ "$(stat -c %s "$CORPUS")" -lt $((MB * 1000000)) ]; do
    for f in training-data/articles/*.txt; do cat "$f"; printf '\n\n\n'; done >> "$CORPUS"
  done
fi
BYTES=$(stat -c %s "$CORPUS")

# measure NAME CMD... : wall seconds and peak RSS (MB) via /usr/bin/time -v
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$W/$name.time" "$@" > "$W/$name.out"
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$W/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/{printf "%.1f", $2/1024}' "$W/$name.time")
  echo "$wall $rss"
}

echo "tagging $BYTES bytes" >&2
read -r TAG_WALL TAG_RSS < <(measure detente "$TAG" --format jsonl "$CORPUS")
SENTS=$(wc -l < "$W/detente.out")
read -r SEG_WALL SEG_RSS < <(measure segment "$SEG" "$CORPUS")
# The sentences detente found, one per line, for the comparators.
"$PY" -c 'import sys,json
with open(sys.argv[1]) as f, open(sys.argv[2],"w") as o:
    for l in f: o.write(" ".join(json.loads(l)["text"].split())+"\n")' "$W/detente.out" "$W/sentences.txt"
read -r SK_WALL SK_RSS < <(measure sklearn "$PY" bench/compare.py sklearn-tag training-data "$W/sentences.txt")
read -r FT_WALL FT_RSS < <(measure fasttext "$PY" bench/compare.py fasttext-tag training-data "$W/sentences.txt")
SK_PRED=$("$PY" -c 'import json,sys;print(json.load(open(sys.argv[1]))["predict_s"])' "$W/sklearn.out")
FT_PRED=$("$PY" -c 'import json,sys;print(json.load(open(sys.argv[1]))["predict_s"])' "$W/fasttext.out")

# --- Many files, --jobs ---------------------------------------------------------------
FILES="$W/files"
if [ ! -d "$FILES" ]; then
  mkdir -p "$FILES"
  for k in 0 1 2 3 4 5 6 7 8 9; do
    for f in training-data/articles/*.txt; do cp "$f" "$FILES/$k-$(basename "$f")"; done
  done
fi
"$TAG" --format jsonl "$FILES" > "$W/jobs1.jsonl"
"$TAG" --jobs 2 --format jsonl "$FILES" > "$W/jobs2.jsonl"
cmp -s "$W/jobs1.jsonl" "$W/jobs2.jsonl" && SAME=identical || SAME=DIFFERENT
hyperfine -N -w 2 -r 15 --export-json "$W/jobs.json" \
  "$TAG --format jsonl $FILES" "$TAG --jobs 2 --format jsonl $FILES" > /dev/null
read -r J1 J2 < <("$PY" -c 'import json;r=json.load(open("'"$W"'/jobs.json"))["results"];print(r[0]["median"],r[1]["median"])')

# --- Cold start -----------------------------------------------------------------------
hyperfine -N -w 5 -r 100 --export-json "$W/cold.json" "$TAG bench/data/article-25.txt" > /dev/null
read -r COLD_MEAN COLD_MED COLD_MIN < <("$PY" -c 'import json;r=json.load(open("'"$W"'/cold.json"))["results"][0];print(r["mean"]*1e3,r["median"]*1e3,r["min"]*1e3)')

# --- Report ---------------------------------------------------------------------------
OUT="$W/results.md"
"$PY" - "$OUT" <<PYEOF
import sys
b, n = $BYTES, $SENTS
mb = b / 1e6
rows = [
  ("detente-tag --format jsonl (end to end)", $TAG_WALL, $TAG_WALL, $TAG_RSS),
  ("detente segmenter alone", $SEG_WALL, $SEG_WALL, $SEG_RSS),
  ("scikit-learn vectorise+predict", $SK_PRED, $SK_WALL, $SK_RSS),
  ("fastText predict", $FT_PRED, $FT_WALL, $FT_RSS),
]
with open(sys.argv[1], "w") as o:
  o.write(f"Corpus: {mb:.1f} MB, {n} sentences (training articles repeated); one core.\n\n")
  o.write("| system | sentences/s | MB/s | timed s | process wall s | peak RSS MB |\n|---|---:|---:|---:|---:|---:|\n")
  for name, t, wall, rss in rows:
    o.write(f"| {name} | {n/t:,.0f} | {mb/t:.1f} | {t:.2f} | {wall:.2f} | {rss} |\n")
  d = rows[0][1]
  o.write(f"\nRatios (detente end to end vs …): scikit-learn **{rows[2][1]/d:.1f}×**, "
          f"fastText **{rows[3][1]/d:.1f}×**; detente / segmenter-alone throughput "
          f"**{100*rows[1][1]/d:.0f}%**.\n\n")
  o.write("Python timed s = predict phase only (model fit and file reading excluded); "
          "detente timed s = whole process (read, segment, featurise, stance, party, write JSONL).\n\n")
  o.write(f"--jobs on {2600} files: 1 job {$J1:.2f} s, 2 jobs {$J2:.2f} s → **{$J1/$J2:.2f}×**, output $SAME.\n\n")
  o.write(f"Cold start, 25-sentence article, built-in model (hyperfine, 100 runs): mean {$COLD_MEAN:.1f} ms, median {$COLD_MED:.1f} ms, min {$COLD_MIN:.1f} ms.\n\n")
PYEOF

# --- Training -------------------------------------------------------------------------
if [ -z "${SKIP_TRAIN:-}" ]; then
  ALPHAS=1,2,4,8,16,32
  {
    echo "Training (one core: RAYON_NUM_THREADS=1, n_jobs=1), alphas $ALPHAS (C = 1/alpha), 5 grouped folds:"
    echo
    echo "| rows | detente-train s | detente RSS MB | sklearn s | sklearn RSS MB | ratio |"
    echo "|---:|---:|---:|---:|---:|---:|"
  } >> "$OUT"
  for n in $SIZES; do
    D="$W/train-$n"
    "$PY" bench/compare.py make-rows training-data "$n" "$D" > /dev/null
    read -r DT_WALL DT_RSS < <(measure "dtrain-$n" "$TRAIN" --output "$W/model-$n.json" --alpha "$ALPHAS" "$D")
    read -r ST_WALL ST_RSS < <(measure "strain-$n" "$PY" bench/compare.py sklearn-train "$D" "$ALPHAS" 5)
    echo "| $n | $DT_WALL | $DT_RSS | $ST_WALL | $ST_RSS | $("$PY" -c "print(f'{$DT_WALL/$ST_WALL:.2f}×')") |" >> "$OUT"
  done
fi
cat "$OUT"
