#!/bin/bash
# The sweep backends give the same findings: `./run sweep` on a tiny MNIST subset through the default local backend
# (trials concurrently, one slot per core), one slot at a time, and Apache Spark in this JVM (spark:local[2]); their
# summary.csv and history.csv must match apart from the timing columns. Also: an interrupted sweep keeps its
# finished trials and --resume completes it with the same table, and bad backends are one-line errors (exit 2).
#
#   environment/checks/sweep_backend_check.sh
#
# Installs the Spark backend first if it is missing (./run setup --with-spark: about 230 MB of jars from Maven
# Central, once). Exit status 1 on any failure (one line says which).
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { echo "sweep_backend_check: $*"; }
fail() { echo "sweep_backend_check: FAIL: $*" >&2; exit 1; }

[ -f target/spark/dropkit-spark.jar ] || ./run setup --with-spark >&2 || fail "./run setup --with-spark failed"
tmp="$(mktemp -d /tmp/sweep-backend-check.XXXX)"
trap 'rm -rf "$tmp"' EXIT
args=(--dropout 0,0.5 --seeds 2 --epochs 2 --lr 0.1 --train-subset 2000 --test-subset 500)

# same A B: the two CSV files agree, timing columns (names containing "seconds") aside.
same() {
    /usr/bin/python3 - "$1" "$2" <<'PY' || fail "$1 and $2 differ (timing columns aside)"
import csv, sys
def rows(path):
    with open(path) as f:
        r = list(csv.reader(f))
    keep = [i for i, name in enumerate(r[0]) if "seconds" not in name]
    return [[row[i] for i in keep] for row in r]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
if a != b:
    for x, y in zip(a, b):
        if x != y:
            print("  ", x, "\n  ", y, file=sys.stderr)
            break
    sys.exit(1)
PY
}

start=$SECONDS
./run sweep "${args[@]}" --out "$tmp/local" >"$tmp/local.log" 2>&1 \
    || fail "local sweep failed: $(tail -n1 "$tmp/local.log")"
grep -q "backend local:" "$tmp/local.log" || fail "the default backend is not local: $(head -n1 "$tmp/local.log")"
./run sweep "${args[@]}" --parallelism 1 --out "$tmp/one" >"$tmp/one.log" 2>&1 || fail "one-slot sweep failed"
same "$tmp/local/summary.csv" "$tmp/one/summary.csv"
same "$tmp/local/history.csv" "$tmp/one/history.csv"
say "local backend: concurrent trials = one at a time ($((SECONDS - start)) s)"

start=$SECONDS
./run sweep "${args[@]}" --backend 'spark:local[2]' --out "$tmp/spark" >"$tmp/spark.log" 2>&1 \
    || fail "spark:local[2] sweep failed: $(tail -n1 "$tmp/spark.log")"
same "$tmp/local/summary.csv" "$tmp/spark/summary.csv"
same "$tmp/local/history.csv" "$tmp/spark/history.csv"
say "spark:local[2] gives the local backend's summary table ($((SECONDS - start)) s with Spark's start-up)"

# Searches: successive halving (rungs wait for each other, so 2 slots give the same result) and ASHA (one slot: its
# promotions then follow from the seeds alone) on Spark, candidates moving between rungs as checkpoints.
search=(--dropout 0,0.25,0.5,0.75 --epochs 4 --lr 0.1 --train-subset 2000 --test-subset 500)
start=$SECONDS
for kind in halving asha; do
    if [ "$kind" = halving ]; then local_b=local; spark_b='spark:local[2]'; else local_b=local:1; spark_b='spark:local[1]'; fi
    ./run sweep "${search[@]}" --search "$kind" --backend "$local_b" --out "$tmp/$kind-local" >"$tmp/$kind-local.log" 2>&1 \
        || fail "local $kind search failed: $(tail -n1 "$tmp/$kind-local.log")"
    ./run sweep "${search[@]}" --search "$kind" --backend "$spark_b" --out "$tmp/$kind-spark" >"$tmp/$kind-spark.log" 2>&1 \
        || fail "$spark_b $kind search failed: $(tail -n1 "$tmp/$kind-spark.log")"
    same "$tmp/$kind-local/rungs.csv" "$tmp/$kind-spark/rungs.csv"
    same "$tmp/$kind-local/history.csv" "$tmp/$kind-spark/history.csv"
    grep -q "chosen on validation accuracy" "$tmp/$kind-spark.log" || fail "the $kind search printed no choice"
done
say "successive halving and ASHA on Spark give the local searches' rungs and histories ($((SECONDS - start)) s)"

# Interrupt a one-slot sweep (larger trials, so that it is still running) once its first trial is saved, resume it,
# and compare with the same sweep run without a break.
big=(--dropout 0,0.5 --epochs 2 --lr 0.1 --train-subset 12000 --test-subset 500)
./run sweep "${big[@]}" --parallelism 1 --out "$tmp/cut" >"$tmp/cut.log" 2>&1 &
pid=$!
for _ in $(seq 1500); do
    ls "$tmp"/cut.trials/*.csv >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
# The JVM (./run execs java); SIGTERM takes Ctrl-C's shutdown path (a background job ignores SIGINT).
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ ! -e "$tmp/cut" ] || fail "the sweep finished before it could be interrupted, or left results in $tmp/cut"
kept=$(ls "$tmp"/cut.trials/*.csv 2>/dev/null | wc -l)
[ "$kept" -ge 1 ] || fail "the interrupted sweep kept no finished trial in $tmp/cut.trials"
./run sweep "${big[@]}" --out "$tmp/cut" --resume >"$tmp/resume.log" 2>&1 \
    || fail "--resume failed: $(tail -n1 "$tmp/resume.log")"
grep -q "^\[1/2\]" "$tmp/resume.log" || fail "--resume did not report the kept trial"
./run sweep "${big[@]}" --out "$tmp/whole" >"$tmp/whole.log" 2>&1 || fail "sweep failed: $(tail -n1 "$tmp/whole.log")"
same "$tmp/whole/summary.csv" "$tmp/cut/summary.csv"
same "$tmp/whole/history.csv" "$tmp/cut/history.csv"
[ ! -e "$tmp/cut.trials" ] || fail "a completed sweep left $tmp/cut.trials behind"
say "interrupted after $kept of 2 trials; --resume completed it with the uninterrupted sweep's tables"

for bad in 'spark:nonsense' 'cluster' 'spark:spark://127.0.0.1:9'; do
    status=0
    ./run sweep "${args[@]}" --backend "$bad" --out "$tmp/bad" >"$tmp/bad.log" 2>&1 || status=$?
    [ "$status" = 2 ] || fail "--backend $bad: exit status $status, expected 2"
    tail -n1 "$tmp/bad.log" | grep -q '^sweep: error: .*' || fail "--backend $bad: no one-line error"
done
say "bad backends are one-line errors"
say "ok"
