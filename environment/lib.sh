# shellcheck shell=bash
# dropkit environment: source this file (bash) from ./run, environment/setup.sh or binder/start.
#
# Exports:
#   DROPKIT_REPO   the repository this file belongs to
#   DROPKIT_HOME   ${XDG_CACHE_HOME:-$HOME/.cache}/dropkit unless already set
#   DROPKIT_DATA   $DROPKIT_HOME/data unless already set
#   DJL_CACHE_DIR  $DROPKIT_HOME/djl (always: the kernel and ./run must share one cache)
#   DJL_OFFLINE    true (DJL must never probe the network)
#   PYTHON         a Python that has jupyter_client + nbconvert + nbclient (+ notebook or jupyterlab),
#                  or empty when there is none yet (environment/setup.sh installs one)
# Functions:
#   dropkit_find_python    print the Jupyter Python (as PYTHON above); status 1 if none
#   dropkit_bench_python   print a Python that can import torch (for `./run bench`); status 1 if none
#
# Sourcing changes no shell options and never exits the caller.

DROPKIT_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DROPKIT_HOME="${DROPKIT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/dropkit}"
DROPKIT_DATA="${DROPKIT_DATA:-$DROPKIT_HOME/data}"
DJL_CACHE_DIR="$DROPKIT_HOME/djl"
DJL_OFFLINE=true
export DROPKIT_REPO DROPKIT_HOME DROPKIT_DATA DJL_CACHE_DIR DJL_OFFLINE

# _dropkit_has_modules PY MODULE... : true when PY exists and can find every module
# (find_spec only locates them: no import, so this stays fast).
_dropkit_has_modules() {
    local py="$1"; shift
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || return 1
    "$py" -c '
import importlib.util, sys
for group in sys.argv[1:]:
    # "a|b" means: a or b
    if not any(importlib.util.find_spec(m) for m in group.split("|")):
        sys.exit(1)
' "$@" >/dev/null 2>&1
}

# Debian's /usr/bin/python3 first (that is where the Debian Jupyter packages live; `python3` on PATH
# may be a pyenv Python without them); then `python3` on PATH (on mybinder.org Jupyter comes from
# repo2docker's conda Python). DROPKIT_PYTHON, when set, is tried before both.
dropkit_find_python() {
    local py
    for py in ${DROPKIT_PYTHON:+"$DROPKIT_PYTHON"} /usr/bin/python3 python3; do
        if _dropkit_has_modules "$py" jupyter_client nbconvert nbclient 'notebook|jupyterlab'; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}

# The PyTorch peer for `./run bench` is Debian's python3-torch, seen by /usr/bin/python3.
dropkit_bench_python() {
    local py
    for py in /usr/bin/python3 python3; do
        if _dropkit_has_modules "$py" torch; then
            command -v "$py"
            return 0
        fi
    done
    return 1
}

PYTHON="$(dropkit_find_python || true)"
export PYTHON

# Whether `./run sweep ARGS` chose a Spark backend (--backend spark:..., else $DROPKIT_BACKEND).
dropkit_wants_spark() {
    local backend="${DROPKIT_BACKEND:-}" prev=""
    for a in "$@"; do
        case "$a" in --backend=*) backend="${a#--backend=}" ;; esac
        [ "$prev" = --backend ] && backend="$a"
        prev="$a"
    done
    case "$backend" in spark:*) return 0 ;; *) return 1 ;; esac
}

# What Spark needs on Java 17 (spark-submit adds the same): module openings for its off-heap and reflection use.
DROPKIT_SPARK_JAVA_OPTIONS=(-XX:+IgnoreUnrecognizedVMOptions
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
    --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
    -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
export DROPKIT_SPARK_JAVA_OPTIONS 2>/dev/null || true
