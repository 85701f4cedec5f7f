#!/bin/bash
# When a set-up tool fails, set-up's error line carries that tool's own message (not just a log path): here npm,
# pointed at a registry that refuses connections, in a throw-away DROPKIT_HOME. Prints one line; exit 0 or 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
home="$(mktemp -d "${TMPDIR:-/tmp}/dropkit-setup-fail.XXXXXX")"
trap 'rm -rf "$home"' EXIT
status=0
# Its own DROPKIT_HOME, DROPKIT_DATA and Jupyter folder: the user's data and kernelspec are never touched.
err="$(DROPKIT_HOME="$home" DROPKIT_DATA="$home/data" JUPYTER_DATA_DIR="$home/jupyter" npm_config_registry=http://127.0.0.1:9/ npm_config_fetch_retries=0 \
    environment/setup.sh --skip-build 2>&1 >/dev/null)" || status=$?
line="$(printf '%s\n' "$err" | grep -m1 'setup: error:' || true)"
if [ "$status" -ne 1 ] || ! printf '%s' "$line" | grep -q 'ECONNREFUSED'; then
    echo "setup_failure_check: FAILED: expected exit 1 and npm's own message, got status $status: ${line:-$err}" >&2
    exit 1
fi
[ -s "$home/logs/npm.log" ] || { echo "setup_failure_check: FAILED: npm.log is empty" >&2; exit 1; }
echo "setup_failure_check: ok: a failing npm is reported with its own message (${line#setup: error: })" | cut -c1-200; true
