#!/usr/bin/env python3
"""Every executed notebook fits Binder: its kernel's peak resident memory is at most the limit.

    python3 environment/checks/notebook_memory_check.py [--summary build/notebooks/summary.csv] [--limit-mb 1536]
            [--mode quick|full]

Reads the summary that environment/execute_notebooks.py writes (peak_rss_mb: VmHWM of the kernel and its
children, MiB) and prints one line per notebook; exit 1 if any is over the limit or has no figure, 2 if the
summary is missing. Binder gives about 2 GB per user; 1.5 GB leaves room for Jupyter itself.
"""
import argparse
import csv
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--summary", default="build/notebooks/summary.csv")
    ap.add_argument("--limit-mb", type=float, default=1536)
    ap.add_argument("--mode", choices=["quick", "full"], default=None, help="only rows of this mode")
    args = ap.parse_args()
    try:
        with open(args.summary, newline="") as f:
            rows = [r for r in csv.DictReader(f) if args.mode is None or r["mode"] == args.mode]
    except FileNotFoundError:
        print(f"notebook_memory_check: no {args.summary}: execute the notebooks first (./run test or ./run)")
        return 2
    if not rows:
        print(f"notebook_memory_check: {args.summary} has no rows{' for mode ' + args.mode if args.mode else ''}")
        return 2
    bad = 0
    for r in rows:
        peak = r.get("peak_rss_mb", "")
        ok = peak != "" and float(peak) <= args.limit_mb
        bad += not ok
        print(f"notebook_memory_check: {r['notebook']} ({r['mode']}): peak {peak or '?'} MB "
              f"{'<=' if ok else 'EXCEEDS'} {args.limit_mb:.0f} MB")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
