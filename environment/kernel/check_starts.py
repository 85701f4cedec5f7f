#!/usr/bin/python3
"""Measure how reliably a Jupyter kernel starts.

Each start: KernelManager.start_kernel(), client.wait_for_ready(timeout), execute a trivial cell and
check its reply and output, shut the kernel down. A start that never answers kernel_info_request
within --timeout is a "hang" (the rapaio-jupyter-kernel 3.0.1 start-up race).

    check_starts.py --kernel dropkit-java --count 50 [--timeout 20]
    check_starts.py --kernel dropkit-java --count 50 --stock   # same kernelspec, but the stock
                                                               # `java -jar` launch without our fix

Prints one line per start and a final summary line
    starts=50 ok=50 hangs=0 failed=0 median_s=1.9 max_s=2.4
(seconds from start_kernel() to ready, over the starts that became ready). Exit code 1 if any start
hung or failed.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from queue import Empty

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

MAIN_CLASS = "org.rapaio.jupyter.kernel.MainApp"
CELL = 'int dropkitCheck = 6 * 7;\nSystem.out.println("check " + dropkitCheck);'
EXPECTED = "check 42"


def stock_spec_dir(kernel_name, tmp):
    """A temporary copy of kernel_name's kernelspec that launches the kernel jar with `java -jar`
    (i.e. without our LoopThread fix ahead of it on the class path)."""
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    argv = list(spec.argv)
    if "-cp" not in argv or MAIN_CLASS not in argv:
        sys.exit(f"kernelspec {kernel_name} does not look like a '-cp FIX:JAR {MAIN_CLASS}' launch: {argv}")
    i = argv.index("-cp")
    jar = [p for p in argv[i + 1].split(os.pathsep) if p.endswith(".jar")][0]
    argv[i:argv.index(MAIN_CLASS) + 1] = ["-jar", jar]
    d = os.path.join(tmp, "kernels", kernel_name + "-stock")
    os.makedirs(d)
    with open(os.path.join(d, "kernel.json"), "w") as f:
        json.dump({"argv": argv, "display_name": spec.display_name + " (stock)", "language": spec.language,
                   "interrupt_mode": spec.interrupt_mode, "env": spec.env}, f, indent=2)
    return KernelSpecManager(kernel_dirs=[os.path.join(tmp, "kernels")]), kernel_name + "-stock"


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
            return "hang", None, str(e)
        status, out = run_cell(kc, CELL, timeout)
        if status != "ok" or EXPECTED not in out:
            result, detail = "failed", f"cell status={status} output={out!r}"
        return result, ready, detail
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
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for kernel_info (default 20)")
    ap.add_argument("--stock", action="store_true",
                    help="launch the unfixed kernel jar (java -jar) with the same kernelspec otherwise")
    ap.add_argument("--kernel-log", help="append the kernels' stdout/stderr to this file (default: discard)")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="check_starts.")
    try:
        if a.stock:
            ksm, name = stock_spec_dir(a.kernel, tmp)
        else:
            ksm, name = KernelSpecManager(), a.kernel
        print(f"kernel={name} argv={' '.join(ksm.get_kernel_spec(name).argv)}", flush=True)
        log = open(a.kernel_log, "ab") if a.kernel_log else subprocess.DEVNULL
        times, hangs, failed = [], 0, 0
        for i in range(1, a.count + 1):
            result, ready, detail = one_start(ksm, name, a.timeout, log)
            if result == "hang":
                hangs += 1
            elif result == "failed":
                failed += 1
            if ready is not None:
                times.append(ready)
            shown = f"{ready:.2f}s" if ready is not None else "-"
            print(f"start {i:3d}: {result:6s} {shown} {detail}".rstrip(), flush=True)
        ok = a.count - hangs - failed
        med = f"{statistics.median(times):.2f}" if times else "-"
        mx = f"{max(times):.2f}" if times else "-"
        print(f"starts={a.count} ok={ok} hangs={hangs} failed={failed} median_s={med} max_s={mx}", flush=True)
        return 1 if hangs or failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
