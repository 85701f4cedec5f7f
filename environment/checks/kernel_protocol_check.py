#!/usr/bin/env python3
"""Protocol-level checks of the Java kernel through jupyter_client: what a front end sees.

    /usr/bin/python3 environment/checks/kernel_protocol_check.py [--kernel dropkit-java] [--no-training]

Starts the kernel once and checks: a cell's value (execute_result with text/plain), stdout streaming, an image,
an HTML table (head and tail of a long table), display(o, mime), updateDisplay, `import java.util.*` followed by
display, completion, inspection, is_complete, history, compile and runtime errors (line, caret, message, no kernel frames),
the toolkit's one-line errors, a class-initialisation error, several MB of output, an unknown type, %maven of an
artifact already in the local Maven repository, %jars with a missing jar, interrupts of a sleeping and of a busy
loop (cell ends, CPU back to idle, earlier variables kept), the live training display and a sweep's live table
(unless --no-training), JShell's default imports, and
a kernelspec whose class path names a missing jar. Prints one line per check; exit 0 when all pass.
"""
import argparse
import json
import os
import queue
import shutil
import sys
import tempfile
import time

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

FAILED = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        FAILED.append(name)


class Kernel:
    def __init__(self, name, ksm=None, log=None):
        self.km = KernelManager(kernel_name=name, **({"kernel_spec_manager": ksm} if ksm else {}))
        self.km.start_kernel(stdout=log, stderr=log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def pid(self):
        return self.km.provisioner.process.pid

    def cpu_seconds(self):
        with open(f"/proc/{self.pid()}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def run(self, code, timeout=120, interrupt_after=None):
        """Executes code; returns (reply status, iopub messages of the cell, seconds from interrupt to idle)."""
        msg_id = self.kc.execute(code)
        start, interrupted, msgs = time.monotonic(), None, []
        while True:
            now = time.monotonic()
            if now - start > timeout:
                return "timeout", msgs, None
            if interrupt_after is not None and interrupted is None and now - start > interrupt_after:
                interrupted = time.monotonic()
                self.km.interrupt_kernel()
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            msgs.append(msg)
        took = time.monotonic() - interrupted if interrupted else None
        while True:
            reply = self.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]["status"], msgs, took

    def request(self, method, *args, **kw):
        msg_id = getattr(self.kc, method)(*args, **kw)
        while True:
            reply = self.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]

    def stop(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def of_type(msgs, kind):
    return [m["content"] for m in msgs if m["msg_type"] == kind]


def stdout(msgs):
    return "".join(c["text"] for c in of_type(msgs, "stream") if c["name"] == "stdout")


def stderr(msgs):
    return "".join(c["text"] for c in of_type(msgs, "stream") if c["name"] == "stderr")


def idle_cpu(k, seconds=2.0):
    before = k.cpu_seconds()
    time.sleep(seconds)
    return (k.cpu_seconds() - before) / seconds


def basics(k):
    st, msgs, _ = k.run("1 + 1")
    res = of_type(msgs, "execute_result")
    check("value: execute_result with text/plain", st == "ok" and res and res[0]["data"].get("text/plain") == "2",
          str(res))

    st, msgs, _ = k.run('System.out.println("hello"); System.err.println("oops");')
    check("stdout and stderr streamed", "hello" in stdout(msgs) and "oops" in stderr(msgs))

    st, msgs, _ = k.run('for (int i = 0; i < 3; i++) { System.out.println("tick " + i); Thread.sleep(400); }')
    ticks = [m for m in msgs if m["msg_type"] == "stream"]
    check("stdout arrives while the cell runs", len(ticks) >= 2, f"{len(ticks)} stream messages")

    st, msgs, _ = k.run("var img = new java.awt.image.BufferedImage(20, 10, java.awt.image.BufferedImage.TYPE_INT_RGB);\n"
                        "display(img);")
    d = of_type(msgs, "display_data")
    check("image: display(BufferedImage) is image/png with text/plain",
          d and "image/png" in d[0]["data"] and "text/plain" in d[0]["data"], str(msgs)[:300])
    check("display(...) as last statement echoes no display id", not of_type(msgs, "execute_result"))
    st, msgs, _ = k.run("String shown = null;\nshown = display(img);")
    check("shown = display(...) echoes no display id either", st == "ok" and not of_type(msgs, "execute_result")
          and len(of_type(msgs, "display_data")) == 1, str(msgs)[:300])

    st, msgs, _ = k.run('tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", '
                        'java.util.stream.IntStream.range(0, 5000).toArray()))')
    res = of_type(msgs, "execute_result")
    html = res[0]["data"].get("text/html", "") if res else ""
    check("table: HTML with text/plain", "<table" in html and "text/plain" in res[0]["data"], str(res)[:300])
    check("long table: head and tail with a row count", "5000 rows" in html and html.count("<tr>") < 40
          and ">4999<" in html, f"{html.count('<tr>')} rows shown")

    st, msgs, _ = k.run('display("<b>bold</b>", "text/html");')
    d = of_type(msgs, "display_data")
    check("display(o, \"text/html\") (IJava's argument order)", st == "ok" and d
          and d[0]["data"].get("text/html") == "<b>bold</b>" and "text/plain" in d[0]["data"], str(msgs)[:300])

    st, msgs, _ = k.run('String did = display("first");\nupdateDisplay(did, "second");')
    d, u = of_type(msgs, "display_data"), of_type(msgs, "update_display_data")
    check("updateDisplay updates the display in place", d and u
          and d[0]["transient"]["display_id"] == u[0]["transient"]["display_id"]
          and u[0]["data"]["text/plain"] == "second", str(msgs)[:300])

    st, msgs, _ = k.run("new ArrayList<>(List.of(1, 2)).size() + Stream.of(1).count() + BigInteger.ONE.intValue()"
                        " + (Files.exists(Paths.get(\"/\")) ? 1 : 0)")
    res = of_type(msgs, "execute_result")
    check("JShell's default imports (java.util, java.util.stream, java.math, java.nio.file, ...) without import",
          st == "ok" and res and res[0]["data"].get("text/plain") == "5", str(msgs)[:300])

    st, msgs, _ = k.run("import java.util.*;")
    st, msgs, _ = k.run("List<Integer> xs = new ArrayList<>(List.of(3, 1, 2));\ndisplay(xs);")
    check("import java.util.* then display", st == "ok" and of_type(msgs, "display_data"), str(msgs)[:300])

    st, msgs, _ = k.run("new Object() { public String toString() { return \"custom thing\"; } }")
    res = of_type(msgs, "execute_result")
    check("unknown type falls back to text/plain", res and res[0]["data"].get("text/plain") == "custom thing",
          str(res))


def analysis(k):
    code = "String greeting = \"hi\";\ngreeting.toUpp"
    reply = k.request("complete", code, len(code))
    check("completion", "toUpperCase" in "".join(reply.get("matches", [])), str(reply)[:300])
    code = "Math.max"
    reply = k.request("inspect", code, len(code))
    check("inspection", reply.get("found") and "max" in reply["data"].get("text/plain", ""), str(reply)[:300])
    r1 = k.request("is_complete", "for (int i = 0; i < 3; i++) {")
    r2 = k.request("is_complete", "int a = 1;")
    check("is_complete", r1.get("status") == "incomplete" and r2.get("status") == "complete", f"{r1} {r2}")
    r = k.request("history", hist_access_type="tail", n=3)
    check("history: the last cells", len(r.get("history", [])) == 3, str(r)[:300])


def errors(k):
    st, msgs, _ = k.run("int a = 1;\n  int b = missing + 1;")
    e = of_type(msgs, "error")
    ev = e[0]["evalue"] if e else ""
    check("compile error: line, caret and message in evalue", st == "error" and "line 2" in ev
          and "\n  int b = missing + 1;\n          ^" in ev and "cannot find symbol" in ev, ev)

    st, msgs, _ = k.run("int[] arr = new int[2];\nint bad(int i) { return arr[i]; }\nint z = 0;\nbad(5);")
    e = of_type(msgs, "error")
    tb = "\n".join(e[0]["traceback"]) if e else ""
    check("runtime error: ename and cell lines", e and e[0]["ename"] == "ArrayIndexOutOfBoundsException"
          and "at bad (cell [" in tb and "line 2)" in tb and "line 4" in tb, tb)
    check("runtime error: no kernel or JShell frames", e and "jdk.jshell" not in tb and "dev.dropkit.kernel" not in tb
          and "reflect" not in tb, tb)

    st, msgs, _ = k.run("dev.dropkit.model.Mlp.checkRate(1.0)")
    e = of_type(msgs, "error")
    tb = e[0]["traceback"] if e else []
    check("toolkit error shown as its one line", e and e[0]["ename"] == "IllegalArgumentException" and len(tb) == 1,
          str(e)[:400])

    st, msgs, _ = k.run("class Boom { static int v = Integer.parseInt(\"x\"); }\nint w = Boom.v;")
    e = of_type(msgs, "error")
    tb = "\n".join(e[0]["traceback"]) if e else ""
    check("class initialisation error: clear message", e and "ExceptionInInitializerError" in (e[0]["evalue"] + tb)
          and "NumberFormatException" in tb, str(e)[:400])

    st, msgs, _ = k.run("for (int i = 0; i < 40000; i++) System.out.println(\"line \" + i + \" \" + \"x\".repeat(60));")
    total = len(stdout(msgs))
    check("several MB of output arrive", st == "ok" and total > 2_000_000, f"{total} chars")
    st, msgs, _ = k.run("a + 1")
    check("kernel usable after the errors", of_type(msgs, "execute_result")
          and of_type(msgs, "execute_result")[0]["data"]["text/plain"] == "2")


def magics(k):
    # Maven's local repository is under Java's user.home: the account's home in the password database, not $HOME.
    import pwd
    repo = os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".m2/repository/com/google/code/gson/gson")
    versions = sorted(os.listdir(repo)) if os.path.isdir(repo) else []
    versions = [v for v in versions if os.path.exists(f"{repo}/{v}/gson-{v}.jar")]
    if versions:
        st, msgs, _ = k.run(f"%maven com.google.code.gson:gson:{versions[-1]}\n"
                            "new com.google.gson.Gson().toJson(java.util.Map.of(\"a\", 1))")
        res = of_type(msgs, "execute_result")
        check("%maven of an artifact in the local repository", st == "ok" and res
              and '{"a":1}' in res[0]["data"]["text/plain"], str(msgs)[:400])
    else:
        check("%maven of an artifact in the local repository", False, "no gson in ~/.m2 to resolve")
    st, msgs, _ = k.run("%jars /nonexistent/nothing.jar\n1")
    e = of_type(msgs, "error")
    check("%jars of a missing jar: one-line error", st == "error" and e and "no such jar" in e[0]["evalue"], str(e))


def interrupts(k):
    k.run("int kept = 42;")
    st, msgs, took = k.run("Thread.sleep(60000);", timeout=30, interrupt_after=2)
    check("interrupt a sleeping cell", st == "error" and took is not None and took < 2, f"status {st}, {took}")
    print(f"  interrupt -> idle (sleep): {took:.2f} s" if took else "", flush=True)
    st, msgs, took = k.run("long n = 0; while (true) { n++; }", timeout=30, interrupt_after=2)
    check("interrupt a busy loop that never checks", st == "error" and took is not None and took < 5,
          f"status {st}, {took}")
    print(f"  interrupt -> idle (busy loop): {took:.2f} s" if took else "", flush=True)
    cpu = idle_cpu(k)
    check("CPU back to idle after the interrupt", cpu < 0.25, f"{cpu:.2f} cores busy")
    st, msgs, _ = k.run("kept")
    res = of_type(msgs, "execute_result")
    check("earlier variables intact, next cell runs", res and res[0]["data"]["text/plain"] == "42", str(msgs)[:300])


def training(k):
    code = ("var data = dev.dropkit.data.ImageData.builder(\"mnist\").trainSubset(5000).testSubset(500).build();\n"
            "var h = dev.dropkit.train.Training.of(dev.dropkit.model.Mlp.seedModel()).sgd(0.1).epochs(2).fit(data);")
    st, msgs, _ = k.run(code, timeout=300)
    d, u = of_type(msgs, "display_data"), of_type(msgs, "update_display_data")
    ids = {c["transient"]["display_id"] for c in d + u}
    last = u[-1]["data"] if u else {}
    check("training: one live display updated in place", st == "ok" and len(d) == 1 and len(u) >= 2 and len(ids) == 1,
          f"{len(d)} displays, {len(u)} updates, {len(ids)} ids, status {st}")
    check("training: final state is a summary line with the epoch table", "2 epochs" in last.get("text/plain", "")
          and last.get("text/html", "").count("<tr>") == 3, str(last)[:300])
    check("training: no plain epoch lines printed", "epoch" not in stdout(msgs).lower(), stdout(msgs)[:200])
    st, msgs, _ = k.run("h")
    res = of_type(msgs, "execute_result")
    check("History shows as a table", res and "<table" in res[0]["data"].get("text/html", ""), str(res)[:200])

    code = ("var sweep = dev.dropkit.experiment.Sweep.of(\"rate\", java.util.List.of(0.05, 0.1)).seeds(2)\n"
            "    .labels(r -> \"sgd \" + r)\n"
            "    .run(data, r -> dev.dropkit.train.Training.of(dev.dropkit.model.Mlp.seedModel()).sgd(r).epochs(1));")
    st, msgs, _ = k.run(code, timeout=300)
    d, u = of_type(msgs, "display_data"), of_type(msgs, "update_display_data")
    ids = {c["transient"]["display_id"] for c in d + u}
    last = u[-1]["data"] if u else {}
    check("sweep: one live table updated in place", st == "ok" and len(d) == 1 and len(u) >= 1 and len(ids) == 1,
          f"{len(d)} displays, {len(u)} updates, {len(ids)} ids, status {st}")
    html = last.get("text/html", "")
    check("sweep: final state is the table with every trial done",
          "4 of 4 trials finished" in last.get("text/plain", "") and html.count("<td>done</td>") == 4
          and html.count("<tr>") == 5, str(last)[:300])
    check("sweep: no per-trial or per-epoch lines printed", stdout(msgs).strip() == "", stdout(msgs)[:200])


def missing_jar(name, log):
    spec = KernelSpecManager().get_kernel_spec(name)
    tmp = tempfile.mkdtemp(prefix="kernel-check.")
    try:
        argv = list(spec.argv)
        i = argv.index("-cp")
        argv[i + 1] = argv[i + 1].replace("target/dropkit.jar", "target/missing-dropkit.jar")
        argv = [a.replace("target/dropkit.jar", "target/missing-dropkit.jar") for a in argv]
        d = os.path.join(tmp, "kernels", name + "-broken")
        os.makedirs(d)
        with open(os.path.join(d, "kernel.json"), "w") as f:
            json.dump({"argv": argv, "display_name": "broken", "language": "java",
                       "interrupt_mode": "message", "env": spec.env}, f)
        k = Kernel(name + "-broken", KernelSpecManager(kernel_dirs=[os.path.join(tmp, "kernels")]), log)
        try:
            st, msgs, _ = k.run("6 * 7")
            res = of_type(msgs, "execute_result")
            check("kernelspec naming a missing jar: kernel starts and says so",
                  res and "missing-dropkit.jar" in stderr(msgs) and "setup" in stderr(msgs), str(msgs)[:300])
        finally:
            k.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="dropkit-java")
    ap.add_argument("--no-training", action="store_true", help="skip the check that needs the MNIST data")
    ap.add_argument("--log", default="", help="file for the kernel's own output (default: discarded)")
    a = ap.parse_args()
    log = open(a.log, "ab") if a.log else open(os.devnull, "wb")
    t0 = time.monotonic()
    k = Kernel(a.kernel, log=log)
    print(f"kernel {a.kernel} ready after {time.monotonic() - t0:.2f} s", flush=True)
    try:
        for part in (basics, analysis, errors, magics, interrupts) + (() if a.no_training else (training,)):
            try:
                part(k)
            except Exception as e:  # a crash of one group is a failure, the others still run
                check(part.__name__, False, f"{type(e).__name__}: {e}")
    finally:
        k.stop()
    missing_jar(a.kernel, log)
    print(f"{'all checks passed' if not FAILED else 'FAILED: ' + ', '.join(FAILED)}", flush=True)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
