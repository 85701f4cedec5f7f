#!/usr/bin/env python3
"""A kernel interrupt during training stops the cell within about one batch and leaves the kernel usable.

    /usr/bin/python3 environment/checks/interrupt_check.py [--kernel dropkit-java] [--after 4] [--limit 5]

Starts the Java kernel through jupyter_client, trains the seed model on MNIST for many epochs in one cell, sends an
interrupt request after --after seconds (the kernelspec's interrupt_mode decides how jupyter_client delivers it),
and asserts that (1) the cell ends with an error within --limit seconds of the request, (2) the next cell runs and
prints, (3) a short training run after the interrupt still works. Prints one line per step; exit 0 when all pass.
"""
import argparse
import queue
import subprocess
import sys
import time

from jupyter_client.manager import start_new_kernel

SETUP = """
import dev.dropkit.data.*;
import dev.dropkit.model.*;
import dev.dropkit.train.*;
var data = ImageData.builder("mnist").trainSubset(10000).testSubset(1000).build();
System.out.println("loaded " + data.trainSize());
"""
LONG = """
var h = Training.of(Mlp.seedModel()).sgd(0.1).batchSize(32).epochs(1000).progress(false).fit(data);
System.out.println("NOT INTERRUPTED");
"""
# The cell ends as soon as the kernel cancels it; this looks whether training itself stopped (its thread left the
# loop) rather than going on unseen behind the next cells.
STILL_TRAINING = """
Thread.sleep(500);
long training = Thread.getAllStackTraces().values().stream()
        .filter(st -> java.util.Arrays.stream(st).anyMatch(f -> f.getClassName().endsWith("TrainingRun"))).count();
System.out.println("threads still training: " + training);
"""
AFTER = """
var again = Training.of(Mlp.seedModel()).sgd(0.1).epochs(1).progress(false).fit(data);
System.out.println(String.format("after interrupt: %d epoch, test accuracy %.3f", again.epochs(), again.finalTestAccuracy()));
"""


def run(kc, code, timeout):
    """Executes code; returns (status, stdout text, error names, seconds)."""
    start = time.monotonic()
    msg_id = kc.execute(code)
    return collect(kc, msg_id, start, timeout)


def collect(kc, msg_id, start, timeout):
    out, errors = [], []
    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            return "timeout", "".join(out), errors, time.monotonic() - start
        try:
            msg = kc.get_iopub_msg(timeout=left)
        except queue.Empty:
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            errors.append(content.get("ename", "") + ": " + content.get("evalue", ""))
        elif kind == "status" and content["execution_state"] == "idle":
            while True:  # skip replies to other requests (e.g. the kernel_info of the start)
                reply = kc.get_shell_msg(timeout=30)
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply["content"]["status"], "".join(out), errors, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="dropkit-java")
    ap.add_argument("--after", type=float, default=4.0, help="seconds of training before the interrupt")
    ap.add_argument("--limit", type=float, default=5.0, help="most seconds from interrupt to the cell's end")
    ap.add_argument("--log", default="", help="file for the kernel's own output (default: discarded)")
    args = ap.parse_args()

    log = open(args.log, "w") if args.log else subprocess.DEVNULL  # the kernel logs every message on stderr
    km, kc = start_new_kernel(kernel_name=args.kernel, startup_timeout=90, stdout=log, stderr=log)
    failures = []
    try:
        status, out, errors, secs = run(kc, SETUP, 120)
        if status != "ok":
            sys.exit(f"interrupt_check: FAIL setup cell: {status} {errors} {out.strip()}")
        start = time.monotonic()
        msg_id = kc.execute(LONG)
        time.sleep(args.after)
        sent = time.monotonic()
        km.interrupt_kernel()
        status, out, errors, _ = collect(kc, msg_id, start, args.after + 120)
        stop = time.monotonic() - sent
        detail = "; ".join(errors) or out.strip()
        print(f"interrupt_check: training cell ended {stop:.2f} s after the interrupt ({status}: {detail[:160]})")
        if status != "error" or "NOT INTERRUPTED" in out:
            failures.append(f"training cell ended with status {status}, not an error")
        if stop > args.limit:
            failures.append(f"training cell took {stop:.1f} s to stop (limit {args.limit} s)")
        status, out, errors, secs = run(kc, STILL_TRAINING, 60)
        print(f"interrupt_check: next cell {status} in {secs:.2f} s: {out.strip() or errors}")
        if status != "ok" or "threads still training: 0" not in out:
            failures.append(f"the next cell did not run or training goes on ({status} {errors} {out.strip()})")
        status, out, errors, secs = run(kc, AFTER, 120)
        print(f"interrupt_check: training again {status} in {secs:.2f} s: {out.strip() or errors}")
        if status != "ok" or "after interrupt" not in out:
            failures.append(f"training after the interrupt failed ({status} {errors})")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if failures:
        print("interrupt_check: FAIL: " + "; ".join(failures))
        sys.exit(1)
    print("interrupt_check: ok")


if __name__ == "__main__":
    main()
