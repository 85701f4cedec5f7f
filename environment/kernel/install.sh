#!/usr/bin/env bash
# Builds and installs the dropkit Java kernel ("Java (dropkit)", kernelspec name dropkit-java):
#   1. makes sure the toolkit (dev.dropkit:dropkit) is in the local Maven repository (the kernel compiles against it),
#   2. packages the kernel (src/kernel, dev.dropkit:dropkit-kernel) with its dependencies into
#      $REPO/target/kernel-<hash of its sources>/ and points the symlink $REPO/target/kernel at it (atomic swap:
#      a kernel starting meanwhile sees the old or the new complete build),
#   3. makes a class-data archive (CDS) of a warm-up run for quicker starts,
#   4. writes kernel.json and installs it with `jupyter kernelspec install --user --replace`.
# The kernel's class path is its own jars plus the toolkit's target/dropkit.jar and target/lib/*.
# Idempotent and quiet when nothing changed; works as a non-root user (e.g. on mybinder.org). Needs java >= 17,
# mvn, and a Python with jupyter_client ($PYTHON).
#
# Env: DROPKIT_HOME (default ${XDG_CACHE_HOME:-$HOME/.cache}/dropkit), DROPKIT_DATA (default
# $DROPKIT_HOME/data), REPO (default: two levels above this script), PYTHON (default /usr/bin/python3),
# DROPKIT_KERNEL_XMX (default 1g), KERNEL_NAME (default dropkit-java).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DROPKIT_HOME="${DROPKIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dropkit}"
DROPKIT_DATA="${DROPKIT_DATA:-$DROPKIT_HOME/data}"
REPO="${REPO:-$(cd "$HERE/../.." && pwd)}"
PYTHON="${PYTHON:-/usr/bin/python3}"
XMX="${DROPKIT_KERNEL_XMX:-1g}"
KERNEL_NAME="${KERNEL_NAME:-dropkit-java}"
KSRC="$REPO/src/kernel"
LOGS="$DROPKIT_HOME/logs"

log() { echo "[kernel/install] $*" >&2; }
die() { echo "[kernel/install] ERROR: $*" >&2; exit 1; }

# ---- prerequisites ---------------------------------------------------------------------------
JAVA="$(command -v java || true)"
[[ -n "$JAVA" ]] || die "java not found on PATH (need a JDK >= 17)"
java_major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
[[ "${java_major:-0}" -ge 17 ]] 2>/dev/null || die "java >= 17 required (found '${java_major:-?}')"
"$PYTHON" -c 'import jupyter_client' 2>/dev/null \
  || die "$PYTHON has no jupyter_client (set PYTHON=... or install jupyter-client)"
[[ -f "$KSRC/pom.xml" ]] || die "missing $KSRC/pom.xml (the kernel's sources)"
mkdir -p "$DROPKIT_DATA" "$LOGS" "$REPO/target"

# ---- 1+2. build ------------------------------------------------------------------------------
# The build folder is named after the kernel's sources and the toolkit's pom: a change rebuilds, no change is a
# no-op.
src_hash="$( (cd "$REPO" && find src/kernel/pom.xml src/kernel/src/main -type f -print0 | sort -z \
  | xargs -0 sha256sum; sha256sum pom.xml) | sha256sum | cut -c1-16)"
build="$REPO/target/kernel-$src_hash"
link="$REPO/target/kernel"
if [[ ! -f "$build/dropkit-kernel.jar" ]]; then
  command -v mvn >/dev/null || die "mvn not found on PATH (needed to build the kernel)"
  log "building the kernel (src/kernel)"
  m2="${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}"
  if [[ ! -f "$m2/dev/dropkit/dropkit/0.1.0-SNAPSHOT/dropkit-0.1.0-SNAPSHOT.jar" ]]; then
    (cd "$REPO" && mvn -B -q -DskipTests install) >"$LOGS/kernel-build.log" 2>&1 \
      || die "could not install the toolkit into the local Maven repository (log: $LOGS/kernel-build.log)"
  fi
  tmp="$(mktemp -d "$REPO/target/.kernel.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$KSRC" && mvn -B -q -DskipTests package dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$tmp/lib" && cp target/dropkit-kernel.jar "$tmp/") >>"$LOGS/kernel-build.log" 2>&1 \
    || die "kernel build failed: $(grep -m1 '^\[ERROR\]' "$LOGS/kernel-build.log" || tail -n1 "$LOGS/kernel-build.log") (log: $LOGS/kernel-build.log)"
  chmod -R a+rX "$tmp"
  rm -rf "$build"
  mv "$tmp" "$build"
  trap - EXIT
fi
if [[ "$(readlink "$link" 2>/dev/null || true)" != "kernel-$src_hash" ]]; then
  [[ ! -e "$link" || -L "$link" ]] || rm -rf "$link"
  ln -sfn "kernel-$src_hash" "$link.new"
  mv -Tf "$link.new" "$link"
fi
for old in "$REPO"/target/kernel-*; do   # drop stale builds
  if [[ -d "$old" && "$old" != "$build" ]]; then rm -rf "$old"; fi
done

# ---- 3. class-data archive -------------------------------------------------------------------
# A dynamic CDS archive of the classes a start loads (JShell's compiler, the protocol library, the toolkit's display
# classes) makes kernel starts and the first cell quicker. Made by one warm-up run with the kernelspec's exact class
# path; remade when the toolkit jar is newer. Without it (the dump failed) the kernel simply starts without.
cp="$link/dropkit-kernel.jar:$link/lib/*:$REPO/target/dropkit.jar:$REPO/target/lib/*"
jsa="$link/kernel.jsa"
if [[ ! -f "$jsa" || "$REPO/target/dropkit.jar" -nt "$jsa" ]]; then
  log "making the kernel's class-data archive (one warm-up run)"
  tmp_jsa="$build/.kernel.jsa.$$"
  if "$JAVA" -Djava.awt.headless=true -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$tmp_jsa" -cp "$cp" \
       dev.dropkit.kernel.DropkitKernel --warm-up >"$LOGS/kernel-cds.log" 2>&1 && [[ -s "$tmp_jsa" ]]; then
    chmod a+r "$tmp_jsa"
    mv -f "$tmp_jsa" "$build/kernel.jsa"
  else
    rm -f "$tmp_jsa"
    log "no class-data archive (the kernel starts without it; log: $LOGS/kernel-cds.log)"
  fi
fi

# ---- 4. kernelspec ---------------------------------------------------------------------------
spec="$(mktemp -d)"
trap 'rm -rf "$spec"' EXIT
spec_dir="$spec/$KERNEL_NAME"
mkdir -p "$spec_dir"
JSA="$([[ -f "$jsa" ]] && echo "$jsa" || true)" JAVA="$JAVA" KDIR="$link" XMX="$XMX" REPO="$REPO" DROPKIT_HOME="$DROPKIT_HOME" \
DROPKIT_DATA="$DROPKIT_DATA" OUT="$spec_dir/kernel.json" "$PYTHON" - <<'PY'
import json, os
e = os.environ
# jupyter_client runs string.Template over kernelspec env values: protect literal '$'.
esc = lambda s: s.replace("$", "$$")
toolkit = e["REPO"] + "/target/dropkit.jar"
cp = os.pathsep.join([e["KDIR"] + "/dropkit-kernel.jar", e["KDIR"] + "/lib/*", toolkit, e["REPO"] + "/target/lib/*"])
cds = ["-XX:SharedArchiveFile=" + e["JSA"], "-Xshare:auto"] if e.get("JSA") else []
spec = {
    "argv": [e["JAVA"], "-Djava.awt.headless=true", "-XX:+UseSerialGC", "-Xmx" + e["XMX"]] + cds + [
             "-Ddropkit.classpath.expected=" + toolkit,
             "-cp", cp, "dev.dropkit.kernel.DropkitKernel", "{connection_file}"],
    "display_name": "Java (dropkit)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {
        "DJL_OFFLINE": "true",
        "DJL_CACHE_DIR": esc(e["DROPKIT_HOME"] + "/djl"),
        "DROPKIT_DATA": esc(e["DROPKIT_DATA"]),
    },
    "metadata": {"dropkit": {"kernel": "dev.dropkit:dropkit-kernel (src/kernel)"}},
}
with open(e["OUT"], "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
PY
# Quiet and quick when nothing changed: ./run calls this on every start.
installed="$("$PYTHON" -c 'import sys; from jupyter_client.kernelspec import KernelSpecManager as K
try: print(K().get_kernel_spec(sys.argv[1]).resource_dir)
except Exception: pass' "$KERNEL_NAME" 2>/dev/null || true)"
if [[ -n "$installed" ]] && cmp -s "$spec_dir/kernel.json" "$installed/kernel.json"; then
  exit 0
fi
"$PYTHON" -m jupyter kernelspec install --user --replace --name "$KERNEL_NAME" "$spec_dir" >/dev/null
log "installed kernelspec '$KERNEL_NAME' -> $("$PYTHON" -c 'import sys; from jupyter_client.kernelspec \
  import KernelSpecManager as K; print(K().get_kernel_spec(sys.argv[1]).resource_dir)' "$KERNEL_NAME")"
