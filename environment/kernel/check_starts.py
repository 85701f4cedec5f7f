#!/usr/bin/python3
"""Measure how reliably and how fast a Jupyter kernel starts.

Each start: KernelManager.start_kernel(), client.wait_for_ready(timeout), execute a trivial cell and
check its reply and output, shut the kernel down. A start that never answers kernel_info_request
within --timeout is a "hang".

    check_starts.py --kernel dropkit-java --count 100 [--timeout 20]
    check_starts.py --kernel dropkit-java --also other-kernel --count 100   # both, interleaved, same run

Prints one line per start and a final summary line per kernel
    kernel=dropkit-java starts=100 ok=100 hangs=0 failed=0 median_s=1.9 max_s=2.4 median_first_cell_s=0.8
(seconds from start_kernel() to ready, over the starts that became ready; first cell: its execution time).
Exit code 1 if any start of --kernel hung or failed.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from queue import Empty

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

CELL = 'int dropkitCheck = 6 * 7;\nSystem.out.println("check " + dropkitCheck);'
EXPECTED = "check 42"


def run_cell(kc, code, timeout):
    """Execute code; return (reply status, collected stream text)."""
    msg_id = kc.execute(code)
    deadline = time.monotonic() + timeout
    out = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout", "".join(out)
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except Empty:
            return "timeout", "".join(out)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:  # skip stale replies (e.g. a second kernel_info_reply from wait_for_ready)
        try:
            reply = kc.get_shell_msg(timeout=max(1.0, deadline - time.monotonic()))
        except Empty:
            return "timeout", "".join(out)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["status"], "".join(out)


def one_start(ksm, name, timeout, log):
    km = KernelManager(kernel_name=name, kernel_spec_manager=ksm)
    t0 = time.monotonic()
    km.start_kernel(stdout=log, stderr=log)
    kc = km.client()
    kc.start_channels()
    ready = None
    result = "ok"
    detail = ""
    try:
        try:
            kc.wait_for_ready(timeout=timeout)
            ready = time.monotonic() - t0
        except RuntimeError as e:
            return "hang", None, str(e), None
        t1 = time.monotonic()
        status, out = run_cell(kc, CELL, timeout)
        cell = time.monotonic() - t1
        if status != "ok" or EXPECTED not in out:
            result, detail = "failed", f"cell status={status} output={out!r}"
        return result, ready, detail, cell
    finally:
        kc.stop_channels()
        try:
            km.shutdown_kernel(now=(result != "ok" or ready is None))
        except Exception as e:  # never leave a kernel behind
            print(f"  shutdown problem: {e}", file=sys.stderr)
            try:
                km.kill_kernel()
            except Exception:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default="dropkit-java", help="kernelspec name (default dropkit-java)")
    ap.add_argument("--also", help="a second kernelspec, started alternately with --kernel (for comparisons)")
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for kernel_info (default 20)")
    ap.add_argument("--kernel-log", help="append the kernels' stdout/stderr to this file (default: discard)")
    a = ap.parse_args()

    ksm = KernelSpecManager()
    names = [a.kernel] + ([a.also] if a.also else [])
    for name in names:
        print(f"kernel={name} argv={' '.join(ksm.get_kernel_spec(name).argv)}", flush=True)
    log = open(a.kernel_log, "ab") if a.kernel_log else subprocess.DEVNULL
    stats = {n: {"times": [], "cells": [], "hangs": 0, "failed": 0} for n in names}
    for i in range(1, a.count + 1):
        for name in names:
            result, ready, detail, cell = one_start(ksm, name, a.timeout, log)
            st = stats[name]
            if result == "hang":
                st["hangs"] += 1
            elif result == "failed":
                st["failed"] += 1
            if ready is not None:
                st["times"].append(ready)
            if cell is not None and result == "ok":
                st["cells"].append(cell)
            shown = f"{ready:.2f}s" if ready is not None else "-"
            print(f"start {i:3d} {name}: {result:6s} {shown} {detail}".rstrip(), flush=True)
    for name in names:
        st = stats[name]
        ok = a.count - st["hangs"] - st["failed"]
        med = f"{statistics.median(st['times']):.2f}" if st["times"] else "-"
        mx = f"{max(st['times']):.2f}" if st["times"] else "-"
        cell = f"{statistics.median(st['cells']):.2f}" if st["cells"] else "-"
        print(f"kernel={name} starts={a.count} ok={ok} hangs={st['hangs']} failed={st['failed']} median_s={med} "
              f"max_s={mx} median_first_cell_s={cell}", flush=True)
    main = stats[a.kernel]
    return 1 if main["hangs"] or main["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
