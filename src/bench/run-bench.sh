#!/bin/bash
# ./run bench [--jmh] [options]: the dropout benchmark (see src/bench/java/dev/dropkit/bench/DropoutBench.java).
#   ./run bench                 toolkit variants vs EasyTrain vs the PyTorch peer -> build/bench/results.csv, .png
#   ./run bench --threads 2     another intra-op thread count (default 1, the toolkit's default)
#   ./run bench --jmh           JMH: dropout forward + backward alone, ns per element per variant
#                               -> build/bench/jmh.csv
set -euo pipefail
cd "$(dirname "$0")/../.."
source environment/lib.sh

jmh=false
args=()
for a in "$@"; do
    case "$a" in
        --jmh) jmh=true ;;
        -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) args+=("$a") ;;
    esac
done

python="$(dropkit_bench_python)" || { echo "bench: no Python with torch: run environment/setup.sh --with-bench" >&2; exit 1; }

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
        --python "$python" "${args[@]}"
fi
