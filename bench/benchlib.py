"""The harness every bench scenario shares: time/percentile helpers, the Bench object (bench_receiver
processes, spec-notify serve start/stop, config.toml writing, per-scenario work dirs, evidence parsing) and the
machine description recorded in the results. Scenarios (bench/scenarios/) take a Bench; bench/bench.py makes it.

Python 3 standard library only.
"""
import base64
import datetime as dt
import glob
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

EVIDENCE_REL = "docs/SPEC-OPS-004-integrated-coder-hooks/evidence"


# ---------------------------------------------------------------- helpers

def now_ms():
    return time.time() * 1000.0


def iso_to_ms(s):
    # "2026-11-25T01:02:03.456Z" -> unix ms (float)
    d = dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    return d.timestamp() * 1000.0


def pct(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def summary(values):
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99),
            "max": max(values), "mean": round(statistics.fmean(values), 2)}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_until(deadline_s, cond, step=0.05):
    end = time.time() + deadline_s
    while time.time() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def save_atomically(path, text, fsync=False):
    tmp = path + ".tmp~"
    with open(tmp, "w") as f:
        f.write(text)
        if fsync:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)


def task_table(n, done_upto, title="Tasks", done=None):
    lines = ["# %s" % title, "", "| Task ID | Title | Status |", "|---|---|---|"]
    for i in range(1, n + 1):
        is_done = (i in done) if done is not None else i <= done_upto
        lines.append("| T%d | Task number %d | %s |" % (i, i, "Done" if is_done else "Backlog"))
    return "\n".join(lines) + "\n"


def proc_cpu_s(pid):
    """utime + stime of a live process, in seconds (/proc/<pid>/stat fields 14 and 15)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                    out[line.split(":")[0]] = int(line.split()[1])  # kB
    except OSError:
        pass
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = args.bin
        self.receiver_bin = args.receiver
        self.procs = []
        self.secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        self.env = dict(os.environ, BENCH_SECRET=self.secret)
        self.root = tempfile.mkdtemp(prefix="spec-notify-bench-")
        self.wrap = args.daemon_wrap.split() if args.daemon_wrap else []

    # ------------------------------------------------------------ processes
    def log(self, msg):
        print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)

    def start_receiver(self, work, name, blackhole=False):
        ready = os.path.join(work, name + ".port")
        out = os.path.join(work, name + ".tsv")
        cmd = [self.receiver_bin, "--ready-file", ready, "--out", out]
        cmd += ["--blackhole"] if blackhole else ["--secret-env", "BENCH_SECRET"]
        p = subprocess.Popen(cmd, env=self.env, stderr=open(os.path.join(work, name + ".log"), "a"))
        self.procs.append(p)
        if not wait_until(10, lambda: os.path.exists(ready)):
            raise RuntimeError("receiver %s did not start" % name)
        port = int(open(ready).read())
        return {"proc": p, "port": port, "out": out, "url": "http://127.0.0.1:%d/hooks" % port}

    def receiver_stats(self, r):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/stats" % r["port"], timeout=5) as resp:
                posts, ok, bad = resp.read().decode().split()
                return int(posts), int(ok), int(bad)
        except Exception:
            return -1, -1, -1

    def stop(self, p, timeout=30):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p in self.procs:
            self.procs.remove(p)
        return p.returncode

    def stop_receiver(self, r):
        self.stop(r["proc"])
        recs = []
        if os.path.exists(r["out"]):
            for line in open(r["out"]):
                f = line.rstrip("\n").split("\t")
                if len(f) < 7:
                    continue
                recs.append({"recv_ms": int(f[0]) / 1000.0, "id": f[1], "attempt": f[2], "verified": f[3],
                             "occurred_at": f[4], "task": f[5], "spec": f[6]})
        return recs

    def write_config(self, work, subs, metrics_port=None, poll="1s"):
        lines = ["[notify]", 'repo = "repo"', 'state_dir = "state"', 'admin = "127.0.0.1:%d"' % free_port(),
                 'poll_interval = "%s"' % poll]
        if metrics_port:
            lines.append('metrics = "127.0.0.1:%d"' % metrics_port)
        for s in subs:
            lines += ["", "[[notify.subscriptions]]", 'name = "%s"' % s["name"], 'url = "%s"' % s["url"],
                      'secret_env = "BENCH_SECRET"', "max_in_flight = %d" % s.get("max_in_flight", 4),
                      'timeout = "%s"' % s.get("timeout", "10s"),
                      "events = %s" % json.dumps(s.get("events", ["spec-kit.task.transitioned"]))]
            if "ordering" in s:
                lines.append('ordering = "%s"' % s["ordering"])
            lines += ["[notify.subscriptions.retry]",
                      'initial_backoff = "%s"' % s.get("initial_backoff", "50ms"),
                      'max_backoff = "%s"' % s.get("max_backoff", "1s")]
        path = os.path.join(work, "config.toml")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def start_daemon(self, work, config, wait_baseline=True, log_name="daemon.log"):
        """Starts serve; with wait_baseline, returns once the differ has finished its start-up scan: "baseline
        recorded" on a fresh state dir, "start-up scan compared" over a stored one."""
        started = lambda text: "baseline recorded" in text or "start-up scan compared" in text
        log_path = os.path.join(work, log_name)
        logf = open(log_path, "a")
        p = subprocess.Popen(self.wrap + [self.bin, "serve", "--config", config], env=self.env, stdout=logf,
                             stderr=logf)
        self.procs.append(p)
        if wait_baseline:
            ok = wait_until(120 if self.wrap else 30,
                            lambda: started(open(log_path).read()) or p.poll() is not None)
            if not ok or p.poll() is not None:
                raise RuntimeError("daemon did not record a baseline (see %s)" % log_path)
        return p

    def workdir(self, name):
        w = os.path.join(self.root, name)
        os.makedirs(os.path.join(w, "repo", "docs"), exist_ok=True)
        return w

    def evidence_attempts(self, work):
        """delivery_id -> attempt-start unix ms of attempt 1, from the evidence JSON lines."""
        at = {}
        pattern = os.path.join(work, "repo", EVIDENCE_REL, "commands", "*", "webhooks", "*.jsonl")
        for path in glob.glob(pattern):
            for line in open(path):
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get("attempt") == 1 and r.get("kind") == "attempt":
                    at[r["delivery_id"]] = iso_to_ms(r["at"])
        return at

    def cleanup(self):
        for p in list(self.procs):
            self.stop(p, timeout=10)
        if not self.args.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            self.log("kept work files in %s" % self.root)


# ---------------------------------------------------------------- machine (recorded in the results)

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return ""


def machine(build_dir):
    lscpu = sh("lscpu")
    info = {}
    for line in lscpu.splitlines():
        k, _, v = line.partition(":")
        if k.strip() in ("Model name", "CPU(s)", "Thread(s) per core", "Hypervisor vendor", "Architecture"):
            info[k.strip()] = v.strip()
    cache = {}
    try:
        for line in open(os.path.join(build_dir, "CMakeCache.txt")):
            if line.startswith("CMAKE_BUILD_TYPE:"):
                cache["build_type"] = line.split("=", 1)[1].strip()
    except OSError:
        pass
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    return {"cpu": info.get("Model name"), "cpus": info.get("CPU(s)"), "hypervisor": info.get("Hypervisor vendor"),
            "memory": mem, "kernel": sh("uname -sr"), "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
            "compiler": sh("c++ --version | head -1"), "build_type": cache.get("build_type"),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_at_start": sh("cut -d' ' -f1-3 /proc/loadavg")}
