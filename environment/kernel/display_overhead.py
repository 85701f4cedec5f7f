#!/usr/bin/env python3
"""What the live training display costs: trains the seed model in the kernel with the display on and off,
interleaved, and reports (1) the CPU time the display used (in the training thread's listener calls and in the
thread that renders and sends updates) as a share of the training thread's CPU time, (2) the median epoch seconds
with and without it.

    /usr/bin/python3 environment/kernel/display_overhead.py [--kernel dropkit-java] [--rounds 4] [--epochs 3]

Needs MNIST installed (./run setup). Wall times are noisy on a shared machine; (1) is per-thread CPU time and is
the robust figure (the engine runs with one intra-op thread, on the training thread).
"""
import argparse
import json
import queue
import statistics
import sys

from jupyter_client.manager import start_new_kernel

SETUP = """
import dev.dropkit.data.*;
import dev.dropkit.model.*;
import dev.dropkit.train.*;
var data = ImageData.builder("mnist").trainSubset(20000).testSubset(2000).build();
Training.of(Mlp.seedModel()).sgd(0.1).epochs(2).progress(false).fit(data);   // warm-up
"""
RUN = """
var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
double before = dev.dropkit.kernel.LiveTraining.displayCpuSeconds();
long cpu0 = cpu.getCurrentThreadCpuTime();
var h = Training.of(Mlp.seedModel()).sgd(0.1).epochs({epochs}).progress({on}).fit(data);
double trainCpu = (cpu.getCurrentThreadCpuTime() - cpu0) / 1e9;
double spent = dev.dropkit.kernel.LiveTraining.displayCpuSeconds() - before;
var times = h.table().doubleColumn(History.SECONDS);
System.out.println("RESULT " + spent + " " + trainCpu + " " + times.median());
System.out.println("BREAKDOWN " + dev.dropkit.kernel.LiveTraining.displayBreakdown());
"""


def run(kc, code, timeout=900):
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            sys.exit("cell failed: " + msg["content"]["evalue"])
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="dropkit-java")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=3)
    a = ap.parse_args()
    km, kc = start_new_kernel(kernel_name=a.kernel, startup_timeout=60)
    try:
        run(kc, SETUP)
        share, on, off, spent_all, cpu_all = [], [], [], 0.0, 0.0
        for r in range(a.rounds):
            for display in (True, False) if r % 2 == 0 else (False, True):
                out = run(kc, RUN.replace("{epochs}", str(a.epochs)).replace("{on}", str(display).lower()))
                spent, total, median = map(float, out.split("RESULT ")[1].split()[:3])
                breakdown = out.split("BREAKDOWN ")[1].strip()
                if display:
                    share.append(spent / total)
                    spent_all += spent
                    cpu_all += total
                    on.append(median)
                else:
                    off.append(median)
        result = {"display_cpu_share_of_training_cpu_overall": spent_all / cpu_all,
                  "display_cpu_share_of_training_cpu_median": statistics.median(share),
                  "display_share_max": max(share),
                  "epoch_s_median_display_on": statistics.median(on),
                  "epoch_s_median_display_off": statistics.median(off),
                  "rounds": a.rounds, "epochs_per_run": a.epochs, "cumulative_by_call": breakdown}
        print(json.dumps(result))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
