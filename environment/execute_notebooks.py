#!/usr/bin/python3
"""Execute dropkit notebooks headless, record time / peak memory / images / errors.

Usage (run with Debian's /usr/bin/python3, which has Jupyter; a pyenv `python3` does not):

    /usr/bin/python3 environment/execute_notebooks.py --kernel dropkit-java --mode quick \
        --out build/notebooks [--timeout SECONDS_PER_CELL] [--verbose] NB1.ipynb NB2.ipynb ...

For each notebook:
  * starts the kernel (KernelManager) with DROPKIT_MODE=<mode> in its environment, in the
    notebook's own folder; if it does not answer kernel_info within --startup-timeout (30 s)
    it is killed and started once more (logged);
  * kernel stdout/stderr go to OUT/<name>.kernel.log (its tail is printed if the kernel
    failed to start, timed out or died);
  * executes every cell with nbclient (per-cell timeout, errors recorded, not aborted on);
  * reads the kernel's peak resident memory (VmHWM in /proc/<pid>/status, summed over the
    kernel process and any descendants it had; sampled every second and once more just
    before shutdown, so a kernel that dies still has a value);
  * writes OUT/<name>.ipynb (executed) and OUT/<name>.html (PNG outputs inline as data URIs),
    each through a temp file + os.replace;
  * replaces its (notebook, mode) row in OUT/summary.csv
    (columns: notebook,mode,seconds,peak_rss_mb,images,errors; MiB), rewriting it atomically.

A notebook fails if it has any error output (an error reply without an error output, a cell
timeout or a dead kernel are recorded as error outputs too) or fewer image/png outputs than
its metadata "dropkit": {"min_images": N} asks for (default 1). All notebooks are run; the exit
code is 1 if any failed, 2 on bad arguments, 130 if interrupted.
"""

import argparse
import asyncio
import csv
import fcntl
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbconvert import HTMLExporter
except ImportError as e:  # pragma: no cover
    sys.exit(f"execute_notebooks.py: {e}\nRun it with /usr/bin/python3 (Debian's Python with "
             "jupyter-nbconvert/jupyter-client installed), not a pyenv python3.")

CSV_COLUMNS = ["notebook", "mode", "seconds", "peak_rss_mb", "images", "errors"]
DEFAULT_CELL_TIMEOUT = {"quick": 600, "full": 7200}
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
MiB = 1024 * 1024


def log(msg):
    print(msg, flush=True)


def strip_ansi(s):
    return ANSI_RE.sub("", s)


# ---------------------------------------------------------------- memory

def _status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # "VmHWM:   812345 kB"
    except (OSError, ValueError, IndexError):
        pass
    return None


def _children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


class PeakMemory:
    """Max VmHWM seen per process of the kernel's process tree (kernel pid + descendants).

    For a single-process kernel (java -jar ...) this is exactly that process's VmHWM. If the
    kernelspec launches a wrapper that spawns the JVM, the JVM's VmHWM is counted too.
    """

    def __init__(self, pid):
        self.pid = pid
        self.peak_kib = {}

    def sample(self):
        todo, seen = [self.pid], set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            hwm = _status_kib(p, "VmHWM")
            if hwm is not None:
                self.peak_kib[p] = max(hwm, self.peak_kib.get(p, 0))
                todo.extend(_children(p))

    async def run(self, interval=1.0):
        while True:
            self.sample()
            await asyncio.sleep(interval)

    def mib(self):
        if not self.peak_kib:
            return None
        return sum(self.peak_kib.values()) / 1024.0


def kernel_pid(km):
    prov = getattr(km, "provisioner", None)
    proc = getattr(prov, "process", None) if prov is not None else None
    if proc is not None and getattr(proc, "pid", None):
        return proc.pid
    pid = getattr(prov, "pid", None) if prov is not None else None
    if pid:
        return pid
    k = getattr(km, "kernel", None)  # older jupyter_client
    return getattr(k, "pid", None)


# ---------------------------------------------------------------- kernel start

async def stop_kernel(km, kc, now):
    try:
        if kc is not None:
            kc.stop_channels()
    except Exception:
        pass
    try:
        if km.has_kernel:
            await km.shutdown_kernel(now=now)
    except Exception as e:
        log(f"  warning: kernel shutdown: {e!r}; killing it")
        try:
            await km.kill_kernel()
        except Exception:
            pass
    try:
        await km.cleanup_resources()
    except Exception:
        pass


async def start_kernel(kernel_name, env, cwd, ready_timeout, logf, attempts=2):
    """Start a kernel (kernel stdout/stderr go to logf); kill and retry once if it does not
    answer kernel_info within ready_timeout seconds."""
    last = None
    for attempt in range(1, attempts + 1):
        km = AsyncKernelManager(kernel_name=kernel_name)
        kc = None
        try:
            logf.write(f"==== {time.strftime('%Y-%m-%d %H:%M:%S')} kernel start attempt {attempt}\n")
            logf.flush()
            await km.start_kernel(env=env, cwd=cwd, stdout=logf, stderr=subprocess.STDOUT)
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=ready_timeout)
            return km, kc
        except Exception as e:  # RuntimeError "Kernel didn't respond in N seconds" / died
            last = e
            pid = kernel_pid(km) if km.has_kernel else None
            log(f"  kernel start attempt {attempt}/{attempts} failed (pid {pid}): {e}"
                + ("; killing it and retrying" if attempt < attempts else ""))
            await stop_kernel(km, kc, now=True)
        except BaseException:  # Ctrl-C / cancelled while starting: don't leave a kernel behind
            await stop_kernel(km, kc, now=True)
            raise
    raise RuntimeError(f"kernel '{kernel_name}' did not become ready in {attempts} attempts: {last}")


# ---------------------------------------------------------------- execution

class Client(NotebookClient):
    """NotebookClient that streams output live (--verbose) and notes a signal-triggered cleanup."""

    verbose = False
    interrupted = False

    def output(self, outs, msg, display_id, cell_index):
        if self.verbose and msg["msg_type"] == "stream":
            stream = sys.stderr if msg["content"].get("name") == "stderr" else sys.stdout
            stream.write(msg["content"].get("text", ""))
            stream.flush()
        return super().output(outs, msg, display_id, cell_index)

    async def _async_cleanup_kernel(self):
        # With a km passed in (owns_km False) nbclient only calls this from its SIGINT/SIGTERM
        # handler or atexit: remember that we are being interrupted.
        self.interrupted = True
        if self.km is not None:
            await super()._async_cleanup_kernel()


def print_log_tail(path, n=20):
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    log(f"  last {min(n, len(lines))} lines of {path}:")
    for line in lines[-n:]:
        log(f"    | {line}")


def error_output(ename, evalue, traceback=()):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=list(traceback))


def count_outputs(nb):
    images = errors = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors += 1
            elif out.get("output_type") in ("display_data", "execute_result") \
                    and "image/png" in out.get("data", {}):
                images += 1
    return images, errors


def atomic_write(path, data):
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def update_summary(out_dir, row):
    summary = out_dir / "summary.csv"
    dfd = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(dfd, fcntl.LOCK_EX)  # two runs writing the same folder don't lose rows
        rows = []
        if summary.exists():
            with open(summary, newline="", encoding="utf-8") as f:
                rows = [r for r in csv.DictReader(f)
                        if (r.get("notebook"), r.get("mode")) != (row["notebook"], row["mode"])]
        rows.append(row)
        rows.sort(key=lambda r: (r.get("mode", ""), r.get("notebook", "")))
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        atomic_write(summary, buf.getvalue())
    finally:
        os.close(dfd)


async def run_cells(nb, name, km, kc, timeout, cwd, args, t0):
    """Execute all cells on a started kernel; always stops the kernel. Returns
    (nb, pid, PeakMemory, aborted, interrupted)."""
    pid = kernel_pid(km)
    mem = PeakMemory(pid)
    if args.verbose:
        log(f"  kernel {args.kernel} pid {pid} ready after {time.monotonic() - t0:.1f} s")

    aborted = False  # kernel unusable: timed out / died
    client = None
    sampler = asyncio.ensure_future(mem.run())
    try:
        client = Client(nb, km=km, kernel_name=args.kernel, timeout=timeout or None,
                        allow_errors=True, interrupt_on_timeout=False, record_timing=True,
                        startup_timeout=int(args.startup_timeout), shutdown_kernel="graceful",
                        resources={"metadata": {"path": cwd}})
        client.kc = kc
        client.verbose = args.verbose
        state = {"cell": None, "t": t0}

        def on_cell_start(cell, cell_index):
            state["cell"] = cell_index
            state["t"] = time.monotonic()
            if args.verbose and cell.cell_type == "code" and cell.source.strip():
                first = cell.source.strip().splitlines()[0][:70]
                log(f"  [{name}] cell {cell_index} ... {first}")

        def on_cell_executed(cell, cell_index, execute_reply):
            content = (execute_reply or {}).get("content", {})
            # A kernel that reports an error only in the reply (no iopub error message):
            if content.get("status") == "error" and not any(
                    o.get("output_type") == "error" for o in cell.outputs):
                cell.outputs.append(error_output(content.get("ename", "Error"),
                                                 content.get("evalue", ""),
                                                 content.get("traceback", [])))
            if args.verbose:
                log(f"  [{name}] cell {cell_index} done in {time.monotonic() - state['t']:.1f} s"
                    f" ({content.get('status', '?')})")

        client.on_cell_start = on_cell_start
        client.on_cell_executed = on_cell_executed

        await client.async_execute()
    except CellTimeoutError:
        aborted = True
        i = state["cell"]
        nb.cells[i].outputs.append(error_output(
            "CellTimeoutError", f"cell {i} did not finish within {timeout} s (--timeout)"))
    except DeadKernelError as e:
        aborted = True
        i = state["cell"] if state["cell"] is not None else 0
        proc = getattr(km.provisioner, "process", None)
        rc = proc.poll() if proc is not None else None
        hint = " (killed by SIGKILL: out of memory? see dmesg)" if rc == -9 else ""
        nb.cells[i].setdefault("outputs", []).append(error_output(
            "DeadKernelError", f"the kernel died while running cell {i}: {e}, "
            f"exit code {rc}{hint}"))
    except Exception as e:
        aborted = True
        if client is None:
            raise
        if client.interrupted:
            raise KeyboardInterrupt
        i = state["cell"] if state["cell"] is not None else 0
        nb.cells[i].setdefault("outputs", []).append(error_output(type(e).__name__, str(e)))
    finally:
        mem.sample()  # just before shutdown
        sampler.cancel()
        try:
            await sampler
        except asyncio.CancelledError:
            pass
        await stop_kernel(km, kc, now=aborted)
    return nb, pid, mem, aborted, client.interrupted


async def execute_one(nb_path, args):
    name = nb_path.stem
    nb = nbformat.read(str(nb_path), as_version=4)
    min_images = int((nb.metadata.get("dropkit") or {}).get("min_images", 1))
    cwd = str(nb_path.parent.resolve())
    env = dict(os.environ)
    env["DROPKIT_MODE"] = args.mode
    timeout = args.timeout if args.timeout is not None else DEFAULT_CELL_TIMEOUT[args.mode]

    t0 = time.monotonic()
    log_path = args.out / f"{name}.kernel.log"
    with open(log_path, "w", encoding="utf-8") as logf:
        try:
            km, kc = await start_kernel(args.kernel, env, cwd, args.startup_timeout, logf)
        except Exception:
            print_log_tail(log_path)
            raise
        try:
            nb, pid, mem, aborted, interrupted = await run_cells(nb, name, km, kc, timeout, cwd,
                                                                 args, t0)
        except BaseException:
            await stop_kernel(km, kc, now=True)
            raise
    if interrupted:
        raise KeyboardInterrupt
    seconds = time.monotonic() - t0

    images, errors = count_outputs(nb)
    peak = mem.mib()
    problems = []
    if errors:
        problems.append(f"{errors} error output(s)")
    if images < min_images:
        problems.append(f"{images} image/png output(s), {min_images} required")

    # outputs
    out_dir = args.out
    atomic_write(out_dir / f"{name}.ipynb", nbformat.writes(nb))
    exporter = HTMLExporter()
    exporter.exclude_input_prompt = False
    html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    inline = html.count('<img src="data:image/png;base64,')
    if inline < images:
        log(f"  warning: {name}.html shows {inline} of {images} PNG outputs inline "
            "(outputs with text/html next to image/png render the HTML instead)")
    atomic_write(out_dir / f"{name}.html", html)

    update_summary(out_dir, {
        "notebook": name, "mode": args.mode, "seconds": f"{seconds:.1f}",
        "peak_rss_mb": "" if peak is None else f"{peak:.0f}",
        "images": images, "errors": errors})

    ok = not problems
    peak_s = "?" if peak is None else f"{peak:.0f}"
    log(f"{name}  {args.mode}  {seconds:.1f} s  peak {peak_s} MB  images {images}  "
        f"errors {errors}  {'OK' if ok else 'FAIL'}")
    if not ok:
        log(f"  {name} failed: {'; '.join(problems)}")
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    log(f"  cell {i}: {out.get('ename')}: {strip_ansi(str(out.get('evalue')))}")
                    tb = strip_ansi("\n".join(out.get("traceback", []))).splitlines()
                    for line in tb[:args.traceback_lines]:
                        log(f"    {line}")
                    if len(tb) > args.traceback_lines:
                        log(f"    ... ({len(tb) - args.traceback_lines} more lines)")
        if aborted:
            print_log_tail(log_path)
    return ok


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel", default="dropkit-java", help="kernelspec name (default dropkit-java)")
    p.add_argument("--mode", choices=["quick", "full"], required=True,
                   help="passed to the kernel as DROPKIT_MODE")
    p.add_argument("--out", type=Path, default=Path("build/notebooks"))
    p.add_argument("--timeout", type=int, default=None, metavar="SECONDS_PER_CELL",
                   help="per-cell timeout; 0 = none (default %s)" % DEFAULT_CELL_TIMEOUT)
    p.add_argument("--startup-timeout", type=float, default=30.0,
                   help="seconds for the kernel to answer kernel_info before one kill+retry")
    p.add_argument("--traceback-lines", type=int, default=12)
    p.add_argument("--verbose", "-v", action="store_true",
                   help="log each cell as it starts/ends and stream its stdout/stderr live")
    p.add_argument("notebooks", nargs="+", type=Path)
    args = p.parse_args(argv)

    missing = [str(n) for n in args.notebooks if not n.is_file()]
    if missing:
        p.error("no such notebook: " + ", ".join(missing))
    stems = [n.stem for n in args.notebooks]
    dups = sorted({s for s in stems if stems.count(s) > 1})
    if dups:
        p.error("notebook names collide in --out: " + ", ".join(dups))
    args.out.mkdir(parents=True, exist_ok=True)

    failed = []
    for nb_path in args.notebooks:
        if args.verbose:
            log(f"== {nb_path} ({args.mode})")
        try:
            ok = asyncio.run(execute_one(nb_path, args))
        except KeyboardInterrupt:
            log(f"{nb_path.stem}  {args.mode}  interrupted")
            return 130
        except Exception as e:  # kernel never started, unreadable notebook, ...
            ok = False
            log(f"{nb_path.stem}  {args.mode}  FAIL  {type(e).__name__}: {e}")
            update_summary(args.out, {"notebook": nb_path.stem, "mode": args.mode, "seconds": "",
                                      "peak_rss_mb": "", "images": 0, "errors": 1})
        if not ok:
            failed.append(nb_path.stem)
    if failed:
        log(f"{len(failed)} of {len(args.notebooks)} notebook(s) failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
