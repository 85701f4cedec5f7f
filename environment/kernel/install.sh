#!/usr/bin/env bash
# Installs the dropkit Java kernel ("Java (dropkit)", kernelspec name dropkit-java):
#   1. fetches rapaio-jupyter-kernel 3.0.1 from Maven Central into $DROPKIT_HOME/kernel/ (sha256-pinned),
#   2. compiles our corrected LoopThread (fixes the 3.0.1 start-up race, see LoopThread.java) into
#      $DROPKIT_HOME/kernel/fix, which goes AHEAD of the kernel jar on the class path,
#   3. writes kernel.json and installs it with `jupyter kernelspec install --user --replace`.
# Idempotent; works as a non-root user (e.g. on mybinder.org). Needs java/javac >= 17, mvn, and a
# Python with jupyter_client ($PYTHON).
#
# Env: DROPKIT_HOME (default ${XDG_CACHE_HOME:-$HOME/.cache}/dropkit), DROPKIT_DATA (default
# $DROPKIT_HOME/data), REPO (default: two levels above this script), PYTHON (default /usr/bin/python3),
# DROPKIT_KERNEL_XMX (default 1g), KERNEL_NAME (default dropkit-java; used by check_starts.py tests).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DROPKIT_HOME="${DROPKIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dropkit}"
DROPKIT_DATA="${DROPKIT_DATA:-$DROPKIT_HOME/data}"
REPO="${REPO:-$(cd "$HERE/../.." && pwd)}"
PYTHON="${PYTHON:-/usr/bin/python3}"
XMX="${DROPKIT_KERNEL_XMX:-1g}"
KERNEL_NAME="${KERNEL_NAME:-dropkit-java}"

RJK_VERSION=3.0.1
RJK_JAR_NAME="rapaio-jupyter-kernel-$RJK_VERSION.jar"
# sha256 of io.github.padreati:rapaio-jupyter-kernel:3.0.1 as served by Maven Central
# (its published sha1 is fc39d9fbe034e907c09d7712462aab8eebc36068).
RJK_JAR_SHA256=cffac185dafff9a4d62ffdbeb357822b56931c41421c576314a84d3605addd09
FIX_SRC="$HERE/LoopThread.java"
# All class replacements (LoopThread; ControlChannel + RapaioExecutionControl fix interrupts) are built together.
FIX_SRCS=("$HERE"/*.java)

KDIR="$DROPKIT_HOME/kernel"
JAR="$KDIR/$RJK_JAR_NAME"
FIX_LINK="$KDIR/fix"

log() { echo "[kernel/install] $*" >&2; }
die() { echo "[kernel/install] ERROR: $*" >&2; exit 1; }

# ---- prerequisites ---------------------------------------------------------------------------
JAVA="$(command -v java || true)"
[[ -n "$JAVA" ]] || die "java not found on PATH (need a JDK >= 17)"
command -v javac >/dev/null || die "javac not found on PATH (need a JDK >= 17)"
java_major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
[[ "${java_major:-0}" -ge 17 ]] 2>/dev/null || die "java >= 17 required (found '${java_major:-?}')"
"$PYTHON" -c 'import jupyter_client' 2>/dev/null \
  || die "$PYTHON has no jupyter_client (set PYTHON=... or install jupyter-client)"
[[ -f "$FIX_SRC" ]] || die "missing $FIX_SRC"

mkdir -p "$KDIR" "$DROPKIT_DATA"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# ---- 1. kernel jar ---------------------------------------------------------------------------
if [[ -f "$JAR" && "$(sha256_of "$JAR")" == "$RJK_JAR_SHA256" ]]; then
  :   # present and intact
else
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch the kernel jar)"
  log "fetching io.github.padreati:rapaio-jupyter-kernel:$RJK_VERSION"
  tmp="$(mktemp -d "$KDIR/.jar.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  mvn -q -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$RJK_VERSION" -DoutputDirectory="$tmp" \
    || die "maven could not fetch the kernel jar"
  got="$(sha256_of "$tmp/$RJK_JAR_NAME")"
  [[ "$got" == "$RJK_JAR_SHA256" ]] || die "kernel jar sha256 mismatch: got $got, want $RJK_JAR_SHA256"
  mv -f "$tmp/$RJK_JAR_NAME" "$JAR"
  rm -rf "$tmp"; trap - EXIT
fi

# ---- 2. the LoopThread fix -------------------------------------------------------------------
# Compiled into a folder named after the source's hash; "fix" is a symlink swapped atomically, so a
# kernel starting meanwhile sees either the old or the new complete class, and a changed source is
# always recompiled.
src_hash="$(cat "${FIX_SRCS[@]}" | sha256sum | cut -c1-16)"
fix_dir="$KDIR/fix-$src_hash"
fix_class="$fix_dir/org/rapaio/jupyter/kernel/channels/LoopThread.class"
if [[ ! -f "$fix_class" ]]; then
  log "compiling LoopThread fix"
  tmp="$(mktemp -d "$KDIR/.fix.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  javac --release 17 -nowarn -cp "$JAR" -d "$tmp" "${FIX_SRCS[@]}"
  [[ -f "$tmp/org/rapaio/jupyter/kernel/channels/LoopThread.class" ]] || die "javac produced no LoopThread.class"
  chmod -R a+rX "$tmp"
  rm -rf "$fix_dir"
  mv "$tmp" "$fix_dir"
  trap - EXIT
fi
if [[ "$(readlink "$FIX_LINK" 2>/dev/null || true)" != "fix-$src_hash" ]]; then
  [[ ! -e "$FIX_LINK" || -L "$FIX_LINK" ]] || rm -rf "$FIX_LINK"   # an old plain folder
  ln -sfn "fix-$src_hash" "$FIX_LINK.new"
  mv -Tf "$FIX_LINK.new" "$FIX_LINK"
fi
for old in "$KDIR"/fix-*; do   # drop stale builds
  if [[ -d "$old" && "$old" != "$fix_dir" ]]; then rm -rf "$old"; fi
done

# ---- 3. kernelspec ---------------------------------------------------------------------------
spec="$(mktemp -d)"
trap 'rm -rf "$spec"' EXIT
spec_dir="$spec/$KERNEL_NAME"
mkdir -p "$spec_dir"
# RJK_MIMA_CACHE is always resolved relative to the kernel jar's folder (even if absolute), so a
# relative name puts rapaio's %dependency cache at $DROPKIT_HOME/kernel/mima_cache.
JAVA="$JAVA" FIX="$FIX_LINK" JAR="$JAR" XMX="$XMX" REPO="$REPO" DROPKIT_HOME="$DROPKIT_HOME" \
DROPKIT_DATA="$DROPKIT_DATA" OUT="$spec_dir/kernel.json" "$PYTHON" - <<'PY'
import json, os
e = os.environ
# jupyter_client runs string.Template over kernelspec env values: protect literal '$'.
esc = lambda s: s.replace("$", "$$")
spec = {
    "argv": [e["JAVA"], "-Djava.awt.headless=true", "-XX:+UseSerialGC", "-Xmx" + e["XMX"],
             "-cp", e["FIX"] + os.pathsep + e["JAR"],
             "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"],
    "display_name": "Java (dropkit)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {
        "RJK_CLASSPATH": esc(f'{e["REPO"]}/target/dropkit.jar;{e["REPO"]}/target/lib/*.jar'),
        "RJK_TIMEOUT_MILLIS": "-1",
        "RJK_MIMA_CACHE": "mima_cache",
        "DJL_OFFLINE": "true",
        "DJL_CACHE_DIR": esc(e["DROPKIT_HOME"] + "/djl"),
        "DROPKIT_DATA": esc(e["DROPKIT_DATA"]),
    },
    "metadata": {"dropkit": {"rapaio_jupyter_kernel": "3.0.1", "loopthread_fix": True}},
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
