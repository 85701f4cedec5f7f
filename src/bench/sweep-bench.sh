#!/bin/bash
# ./run bench --sweeps [--rounds N] [--epochs N] [--train-subset N]: a sweep of 8 trials sequentially, on two local
# slots and on spark:local[2] (when ./run setup --with-spark installed it), interleaved rounds
# -> build/bench/sweeps.csv (see src/bench/java/dev/dropkit/bench/SweepBench.java).
set -euo pipefail
cd "$(dirname "$0")/../.."
source environment/lib.sh
case "${1:-}" in -h|--help) sed -n '2,4s/^# \{0,1\}//p' "$0"; exit 0 ;; esac

mkdir -p build/bench
# A private copy of the toolkit jar: other builds rewriting target/ during the run cannot pull classes from under it.
cp -f target/dropkit.jar build/bench/.sweeps-dropkit.jar
rm -rf build/bench/.sweeps-classes
javac -nowarn -d build/bench/.sweeps-classes -cp "build/bench/.sweeps-dropkit.jar:target/lib/*" \
    src/bench/java/dev/dropkit/bench/SweepBench.java
cp="build/bench/.sweeps-classes:build/bench/.sweeps-dropkit.jar:target/lib/*"
jvm=()
if [ -f target/spark/dropkit-spark.jar ]; then
    cp="$cp:target/spark/dropkit-spark.jar:target/spark/lib/*"
    jvm=("${DROPKIT_SPARK_JAVA_OPTIONS[@]}")
fi
export DJL_OFFLINE=true
exec java -Djava.awt.headless=true -Dai.djl.offline=true "${jvm[@]}" -cp "$cp" dev.dropkit.bench.SweepBench "$@"
