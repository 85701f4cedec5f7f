#!/bin/bash
# ./run bench [--jmh|--parallel] [options]: the dropout benchmark (src/bench/java/dev/dropkit/bench/DropoutBench.java).
#   ./run bench                 toolkit variants vs EasyTrain vs the PyTorch and Deeplearning4j peers, then time to
#                               97%/98% -> build/bench/results.csv, epochs.csv, results.png, time_to_accuracy.csv
#   ./run bench --threads 2     another intra-op thread count (1..cores; default 1, the toolkit's default)
#   ./run bench --configs toolkit-standard,toolkit-no-dropout   some configurations only
#   ./run bench --time-to-accuracy-seeds 0   skip the time-to-accuracy runs
#   ./run bench --parallel      data-parallel workers x batch size x intra-op threads -> build/bench/parallel.csv
#                               (--dropout-kind fast: masks drawn per shard in Java, not by the engine's one generator)
#   ./run bench --jmh           JMH: dropout forward + backward alone, ns per element -> build/bench/jmh.csv
#   ./run bench --profile NAME [args]   a profile on the console: StepProfile (where a training step's time goes, per
#                               dropout kind), ProductWidth (the first layer's products by width), ProfileRun, GatherProfile,
#                               StepBudget (what a standard-dropout epoch cannot avoid, against 0.8x each peer)
set -euo pipefail
cd "$(dirname "$0")/../.."
source environment/lib.sh

jmh=false
parallel=false
profile=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --jmh) jmh=true ;;
        --parallel) parallel=true ;;
        --profile)
            profile="${2:-}"
            case "$profile" in
                StepProfile|ProductWidth|ProfileRun|GatherProfile|StepBudget) shift ;;
                *) echo "bench: --profile takes one of StepProfile, ProductWidth, ProfileRun, GatherProfile, StepBudget (got '$profile')" >&2
                   exit 2 ;;
            esac ;;
        -h|--help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) args+=("$1") ;;
    esac
    shift
done

python="$(dropkit_bench_python)" || {
    echo "bench: no Python with torch: the PyTorch peer is skipped (install python3-torch: environment/setup.sh --with-bench)" >&2
    python=none
}

# The class path of the `bench` Maven profile (the toolkit's dependencies + JMH); offline once JMH is cached.
mkdir -p build/bench
cp_file="build/bench/.classpath"
mvn -B -q -o -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null 2>&1 \
    || mvn -B -q -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
# A private copy of the toolkit jar and bench classes under build/bench: other builds rewriting target/ during the
# run cannot pull classes from under it. javac finds JMH's annotation processor on the class path.
cp -f target/dropkit.jar build/bench/.dropkit.jar
rm -rf build/bench/.classes
javac -nowarn -d build/bench/.classes -cp "build/bench/.dropkit.jar:$(cat "$cp_file")" \
    $(find src/bench/java -name '*.java')
cp="build/bench/.classes:build/bench/.dropkit.jar:environment/logging:$(cat "$cp_file")"  # environment/logging: quiet slf4j-simple
export DJL_OFFLINE=true
if [ -n "$profile" ]; then   # no peers needed
    exec java -Djava.awt.headless=true -Dai.djl.offline=true -cp "$cp" "dev.dropkit.bench.$profile" "${args[@]}"
fi

# The Deeplearning4j peer runs in its own JVM on the class path of the `bench-dl4j` profile (never the library's).
dl4j=none
dl4j_cp_file="build/bench/.dl4j-classpath"
if mvn -B -q -o -Pbench-dl4j dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$dl4j_cp_file" \
        >/dev/null 2>&1 || mvn -B -q -Pbench-dl4j dependency:build-classpath -Dmdep.includeScope=runtime \
        -Dmdep.outputFile="$dl4j_cp_file" >/dev/null 2>&1; then
    rm -rf build/bench/.dl4j-classes
    if javac -nowarn -d build/bench/.dl4j-classes -cp "$(cat "$dl4j_cp_file")" \
            $(find src/bench/dl4j -name '*.java') 2>build/bench/.dl4j-javac.log; then
        dl4j="build/bench/.dl4j-classes:$(cat "$dl4j_cp_file")"
    else
        echo "bench: the Deeplearning4j peer does not compile (build/bench/.dl4j-javac.log): it is skipped" >&2
    fi
else
    echo "bench: Deeplearning4j (Maven profile bench-dl4j) could not be resolved: its peer is skipped" >&2
fi

if $parallel; then
    rm -rf build/bench/.parallel-classes
    if ! javac -nowarn -d build/bench/.parallel-classes -cp "$cp" $(find src/bench/parallel -name '*.java') \
            2>build/bench/.parallel-javac.log; then
        echo "bench: the parallel bench does not compile (build/bench/.parallel-javac.log)" >&2
        exit 1
    fi
    exec java -Djava.awt.headless=true -Dai.djl.offline=true -cp "build/bench/.parallel-classes:$cp" \
        dev.dropkit.bench.ParallelBench "${args[@]}"
fi

if $jmh; then
    tmp="build/bench/.jmh-$$.csv"
    java -cp "$cp" -Dai.djl.offline=true org.openjdk.jmh.Main DropoutJmh -rf csv -rff "$tmp" "${args[@]}"
    mv -f "$tmp" build/bench/jmh.csv
    "$python" - build/bench/jmh.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("dropout forward+backward, 128x128 floats, p=0.5:")
for r in rows:
    ns = float(r["Score"]); err = float(r["Score Error (99.9%)"] or 0)
    print("  %-10s %9.0f ns/op  %6.2f ns/element  (+-%.2f)" % (r["Param: kind"], ns, ns / 16384, err / 16384))
PY
    echo "wrote build/bench/jmh.csv"
else
    exec java -Djava.awt.headless=true -Dai.djl.offline=true -cp "$cp" dev.dropkit.bench.DropoutBench \
        --python "$python" --dl4j-classpath "$dl4j" "${args[@]}"
fi
