#!/bin/bash
# A fresh Maven project that depends only on dev.dropkit:dropkit (as ./run setup installed it into the local
# Maven repository) builds OFFLINE and trains, saves, loads and evaluates a tiny model.
# Also checks that the -sources and -javadoc jars are installed and that no logging implementation reaches the
# consumer's class path. Prints one line; exit 0 on success, 1 with the failing tool's own message.
#
#   environment/checks/consumer_check.sh        (MAVEN_REPO_LOCAL=DIR to use another local repository)
set -euo pipefail
cd "$(dirname "$0")/../.."
source environment/lib.sh

say() { echo "consumer_check: $*"; }
fail() { echo "consumer_check: FAILED: $*" >&2; exit 1; }

# Maven's local repository is under Java's user.home, which is the account's home from the password database
# (not $HOME).
repo_local="${MAVEN_REPO_LOCAL:-$(getent passwd "$(id -u)" | cut -d: -f6)/.m2/repository}"
version="$(sed -n '/<artifactId>dropkit<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;q}' pom.xml)"
[ -n "$version" ] || fail "cannot read the version from pom.xml"
installed="$repo_local/dev/dropkit/dropkit/$version"
for jar in "dropkit-$version.jar" "dropkit-$version-sources.jar" "dropkit-$version-javadoc.jar" "dropkit-$version.pom"; do
    [ -f "$installed/$jar" ] || fail "$installed/$jar is missing: run ./run setup (it runs mvn install)"
done
if unzip -l "$installed/dropkit-$version.jar" | grep -q simplelogger.properties; then
    fail "the installed jar carries a logging configuration (simplelogger.properties)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dropkit-consumer.XXXXXX")"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
mkdir -p "$work/src/main/java/example"
cat >"$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>consumer</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>dev.dropkit</groupId>
      <artifactId>dropkit</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-resources-plugin</artifactId>
        <version>3.3.1</version>
      </plugin>
    </plugins>
  </build>
</project>
POM
cat >"$work/src/main/java/example/Tiny.java" <<'JAVA'
package example;

import dev.dropkit.data.DataSets;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Evaluation;
import dev.dropkit.train.TrainedModel;
import dev.dropkit.train.Training;
import java.nio.file.Path;
import java.util.Random;

public class Tiny {
    public static void main(String[] args) {
        Random r = new Random(1);
        float[][] x = new float[240][3];
        int[] y = new int[240];
        for (int i = 0; i < x.length; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) (r.nextGaussian() + (j == y[i] ? 3 : 0));
            }
        }
        try (ImageData data = DataSets.fromArrays(x, y).build()) {
            Mlp mlp = Mlp.builder().inputs(data.features()).hidden(8, 0.1).outputs(data.classes()).build();
            try (TrainedModel model = Training.of(mlp).sgd(0.1).batchSize(16).epochs(10).progress(false).train(data)) {
                Path dir = model.save(Path.of(args[0]));
                try (TrainedModel again = TrainedModel.load(dir)) {
                    Evaluation e = again.evaluate(data);
                    if (e.accuracy() != model.history().finalTestAccuracy() || e.accuracy() < 0.8) {
                        throw new AssertionError("loaded model: " + e + ", trained: " + model.history().finalTestAccuracy());
                    }
                    System.out.println("trained " + mlp + ", test accuracy " + e.accuracy() + ", predicts class "
                            + again.predict(x[1]).label());
                }
            }
        }
    }
}
JAVA
log="$work/mvn.log"
if ! (cd "$work" && mvn -o -B -q -Dstyle.color=never -Dmaven.repo.local="$repo_local" compile \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=cp.txt) >"$log" 2>&1; then
    fail "offline build of a project depending on dev.dropkit:dropkit:$version: $(grep -m1 '^\[ERROR\] .' "$log" || tail -n1 "$log")"
fi
cp="$(cat "$work/cp.txt")"
case "$cp" in *slf4j-simple*) fail "slf4j-simple reaches the consumer's class path: it must stay optional" ;; esac
case "$cp" in *pytorch-native-cpu*) ;; *) fail "the PyTorch native library is not on the consumer's class path" ;; esac
out="$(cd "$work" && java -Djava.awt.headless=true -cp "target/classes:$cp" example.Tiny "$work/model" 2>"$work/java.err")" \
    || fail "the consumer's run failed: $(grep -m1 -v '^SLF4J' "$work/java.err" || true)"
say "ok: dev.dropkit:dropkit:$version (with -sources and -javadoc) builds offline in a fresh project; $out"
