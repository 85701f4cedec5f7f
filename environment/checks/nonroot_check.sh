#!/bin/bash
# Binder's post-build step runs as the notebook user, not root: check that here with a throw-away user.
#
#   environment/checks/nonroot_check.sh [--cold] [--keep]
#
# As root: creates a user with its own HOME under /tmp, copies this working tree (tracked and untracked,
# not ignored files) to ~/repo, runs binder/postBuild (= environment/setup.sh) as that user without
# root, executes notebook 01 in quick mode with that user's kernel and data, checks that nothing was
# written outside its HOME and /tmp, then removes the user and its HOME.
# The system packages must already be installed (by a root ./run setup). By default the user's Maven
# and npm caches are seeded from root's to spare the network (~600 MB); --cold starts them empty, as on
# mybinder.org. --keep leaves the user and HOME for inspection.
# Not root: prints that it is skipped and exits 0. Exit status 1 on any failure (one line says which).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
cold=false
keep=false
for arg in "$@"; do
    case "$arg" in
        --cold) cold=true ;;
        --keep) keep=true ;;
        -h|--help) sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "nonroot_check: unknown option $arg (usage: nonroot_check.sh [--cold] [--keep])" >&2; exit 2 ;;
    esac
done

say() { echo "nonroot_check: $*"; }
fail() { echo "nonroot_check: FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    say "skipped (not root: creating a throw-away user needs root)"
    exit 0
fi

start=$SECONDS
base="$(mktemp -d /tmp/dropkit-nonroot.XXXXXX)"
chmod 755 "$base"
home="$base/home"
user="dkcheck$$"
cleanup() {
    local pids
    if $keep; then
        say "kept user $user and HOME $home"
        return
    fi
    # Stop what the throw-away user still runs (a kernel left by a failure), by process id.
    pids="$(ps -o pid= -u "$user" 2>/dev/null || true)"
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    sleep 0.5
    pids="$(ps -o pid= -u "$user" 2>/dev/null || true)"
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    userdel "$user" 2>/dev/null || true
    rm -rf "$base"
}
trap cleanup EXIT

useradd --home-dir "$home" --create-home --shell /bin/bash --user-group "$user" >/dev/null ||
    fail "useradd $user failed"
mkdir -p "$home/repo"
# The working tree as it is (others' uncommitted work included), without build outputs.
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$home/repo"
if ! $cold; then
    [ -d "$HOME/.m2/repository" ] && mkdir -p "$home/.m2" && cp -r "$HOME/.m2/repository" "$home/.m2/"
    [ -d "$HOME/.npm" ] && cp -r "$HOME/.npm" "$home/.npm"
fi
chown -R "$user:$user" "$home"
say "user $user, HOME $home ($($cold && echo 'empty caches' || echo 'Maven/npm caches seeded from root'))"

# A login-like, minimal environment: nothing of root's DROPKIT_*, DJL_* or PYTHON leaks in.
as_user() {
    runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash \
        PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 bash -c "$1"
}

log="$base/postBuild.log"
t=$SECONDS
if ! as_user 'cd ~/repo && binder/postBuild' >"$log" 2>&1; then
    tail -n 5 "$log" | sed 's/^/    /' >&2
    fail "binder/postBuild failed as $user (see the lines above)"
fi
say "binder/postBuild ok as $user in $((SECONDS - t)) s: $(grep -c '^setup:' "$log" || true) setup steps"
[ -f "$home/.local/share/jupyter/kernels/dropkit-java/kernel.json" ] ||
    fail "no kernelspec dropkit-java in $user's ~/.local/share/jupyter/kernels"
grep -q "$home/repo/target/dropkit.jar" "$home/.local/share/jupyter/kernels/dropkit-java/kernel.json" ||
    fail "the kernelspec of $user does not use its own build ($home/repo/target)"

t=$SECONDS
nb_log="$base/notebook.log"
if ! as_user 'cd ~/repo && source environment/lib.sh && py="$(dropkit_find_python)" &&
        "$py" environment/execute_notebooks.py --kernel dropkit-java --mode quick --out build/notebooks \
        notebooks/01-dropout-mlp.ipynb' >"$nb_log" 2>&1; then
    tail -n 8 "$nb_log" | sed 's/^/    /' >&2
    fail "notebook 01 failed in quick mode as $user"
fi
row="$(grep '^01-dropout-mlp,' "$home/repo/build/notebooks/summary.csv" || true)"
say "notebook 01 (quick) ok as $user in $((SECONDS - t)) s: $row (notebook,mode,seconds,peak_rss_mb,images,errors)"

# Nothing of the set-up may land outside the user's HOME (and /tmp).
stray="$(find /etc /opt /usr /var/lib /root -xdev -user "$user" -print -quit 2>/dev/null || true)"
[ -z "$stray" ] || fail "the set-up as $user wrote outside its HOME: $stray"
say "ok in $((SECONDS - start)) s"
