#!/usr/bin/env python3
"""spec-notify benchmark driver (run it through bench/run.sh, which builds the Release binaries first).

Drives the real `spec-notify serve` over loopback against bench_receiver (bench/bench_receiver.cpp, a minimal
keep-alive epoll receiver that verifies every signature and records receive times) and prints/writes the
figures. Scenarios (see docs/benchmarks.md for the exact definitions):

  prd        10 SPECs x 50 task transitions: detection -> first attempt p50/p95/p99
  isolation  the prd workload again with a blackholed subscription beside the healthy one
  burst      one SPEC.md save flips N tasks to Done: deliveries/s (+ the receiver's wrk ceiling, and the same
             burst against `spec-notify receive` to show whether that receiver would be the bottleneck)
  guardrail  SPEC.md save / telemetry write timings with the daemon stopped vs running (PRD NFR3)
  backlog    N pending deliveries in the spool: restart RSS and restart -> first delivery
  ordering   the burst with ordering = "task" vs "none" (distinct tasks), alternated: the cost of ordering keys

Python 3 standard library only. Loopback only; every process it starts is stopped (SIGTERM) at the end.
"""
import argparse
import base64
import datetime as dt
import glob
import hmac
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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
        log_path = os.path.join(work, log_name)
        logf = open(log_path, "a")
        p = subprocess.Popen(self.wrap + [self.bin, "serve", "--config", config], env=self.env, stdout=logf,
                             stderr=logf)
        self.procs.append(p)
        if wait_baseline:
            ok = wait_until(120 if self.wrap else 30,
                            lambda: "baseline recorded" in open(log_path).read() or p.poll() is not None)
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

    # ------------------------------------------------------------ scenario: prd / isolation
    def latency_run(self, name, with_blackhole):
        a = self.args
        work = self.workdir(name)
        specs = ["SPEC-KIT-%d-bench" % (900 + i) for i in range(a.specs)]
        for s in specs:
            os.makedirs(os.path.join(work, "repo", "docs", s))
            save_atomically(os.path.join(work, "repo", "docs", s, "tasks.md"), task_table(a.tasks, 0, s))
        healthy = self.start_receiver(work, "healthy")
        subs = [{"name": "healthy", "url": healthy["url"]}]
        hole = None
        if with_blackhole:
            hole = self.start_receiver(work, "blackhole", blackhole=True)
            subs.append({"name": "blackholed", "url": hole["url"], "timeout": "10s"})
        daemon = self.start_daemon(work, self.write_config(work, subs))
        saves = {}  # (spec key, task id) -> save time (ms)
        lock = threading.Lock()

        def writer(idx, spec):
            rnd = random.Random(idx)
            path = os.path.join(work, "repo", "docs", spec, "tasks.md")
            key = "-".join(spec.split("-")[:3])
            for t in range(1, a.tasks + 1):
                time.sleep(rnd.uniform(0, 2 * a.interval_ms) / 1000.0)
                text = task_table(a.tasks, t, spec)
                t_save = now_ms()
                save_atomically(path, text)
                with lock:
                    saves[(key, "T%d" % t)] = t_save

        self.log("%s: %d SPECs x %d transitions, one save per transition, mean gap %d ms per SPEC"
                 % (name, a.specs, a.tasks, a.interval_ms))
        threads = [threading.Thread(target=writer, args=(i, s)) for i, s in enumerate(specs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        want = a.specs * a.tasks
        done = wait_until(120, lambda: self.receiver_stats(healthy)[0] >= want, 0.1)
        time.sleep(0.3)  # let the evidence writer append the last lines
        self.stop(daemon)
        recs = self.stop_receiver(healthy)
        if hole:
            self.stop_receiver(hole)
        at = self.evidence_attempts(work)
        d2a, d2r, s2r = [], [], []
        first = [r for r in recs if r["attempt"] == "1"]
        for r in first:
            occ = iso_to_ms(r["occurred_at"])
            if r["id"] in at:
                d2a.append(at[r["id"]] - occ)
            d2r.append(r["recv_ms"] - occ)
            if (r["spec"], r["task"]) in saves:
                s2r.append(r["recv_ms"] - saves[(r["spec"], r["task"])])
        res = {"specs": a.specs, "tasks": a.tasks, "transitions": want, "received": len(recs), "first_attempts": len(first),
               "distinct": len({(r["spec"], r["task"]) for r in recs}),
               "unverified": sum(1 for r in recs if r["verified"] != "1"), "complete": done,
               "detect_to_first_attempt_ms": summary(d2a), "detect_to_received_ms": summary(d2r),
               "save_to_received_ms": summary(s2r)}
        with open(os.path.join(self.args.results_dir, "latency-%s.dat" % name), "w") as f:
            for v in sorted(d2a):
                f.write("%g\n" % v)
        return res

    # ------------------------------------------------------------ scenario: burst
    def wrk_ceiling(self, r, connections, threads, seconds):
        body = json.dumps({"schema_version": 1, "type": "spec-kit.task.transitioned", "event_id": "evt_x",
                           "delivery_id": "msg_wrk", "occurred_at": "2026-01-01T00:00:00.000Z",
                           "spec": {"id": "SPEC-KIT-950-burst", "key": "SPEC-KIT-950"},
                           "task": {"id": "T1", "title": "Task number 1", "from": "Backlog", "to": "Done",
                                    "raw_status": "Done", "source": "SPEC.md", "line": 5},
                           "telemetry": None, "consensus": None, "evidence": []}, separators=(",", ":"))
        ts = str(int(time.time()))
        key = base64.b64decode(self.secret[len("whsec_"):])
        sig = base64.b64encode(hmac.new(key, ("msg_wrk.%s.%s" % (ts, body)).encode(), hashlib.sha256).digest())
        lua = os.path.join(self.root, "wrk-post.lua")
        with open(lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.body = %s\n' % json.dumps(body))
            for k, v in [("content-type", "application/json"), ("user-agent", "spec-notify/0.1.0"),
                         ("webhook-id", "msg_wrk"), ("webhook-timestamp", ts),
                         ("webhook-signature", "v1," + sig.decode()),
                         ("x-spec-notify-event", "spec-kit.task.transitioned"), ("x-spec-notify-schema", "1"),
                         ("x-spec-notify-attempt", "1")]:
                f.write('wrk.headers["%s"] = "%s"\n' % (k, v))
        before = self.receiver_stats(r)
        out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "-s", lua,
                              r["url"]], capture_output=True, text=True).stdout
        after = self.receiver_stats(r)
        rps = None
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                rps = float(line.split()[1])
        return {"connections": connections, "threads": threads, "seconds": seconds, "requests_per_s": rps,
                "verified_ok": after[1] - before[1], "rejected": after[2] - before[2]}

    def burst_run(self, name, receiver_kind, n, max_in_flight, ordering=None):
        work = self.workdir(name)
        rows = ["# Spec-Kit Task Tracker", "", "| Task ID | Title | Status | Notes |", "|---|---|---|---|"]

        def spec_md(done):
            return "\n".join(rows + ["| T%d | Task number %d | %s | docs/SPEC-KIT-950-burst/tasks.md |"
                                     % (i, i, "Done" if done else "Backlog") for i in range(1, n + 1)]) + "\n"

        save_atomically(os.path.join(work, "repo", "SPEC.md"), spec_md(False))
        if receiver_kind == "bench_receiver":
            r = self.start_receiver(work, "receiver")
            count = lambda: self.receiver_stats(r)[0]
        else:  # spec-notify receive: verifies and appends one JSON line per request
            ready, out = os.path.join(work, "receive.port"), os.path.join(work, "received.jsonl")
            p = subprocess.Popen([self.bin, "receive", "--listen", "127.0.0.1:0", "--out", out, "--ready-file",
                                  ready, "--secret-env", "BENCH_SECRET"], env=self.env,
                                 stdout=open(os.path.join(work, "receive.log"), "a"), stderr=subprocess.STDOUT)
            self.procs.append(p)
            wait_until(10, lambda: os.path.exists(ready) and open(ready).read().strip() != "")
            r = {"proc": p, "url": "http://127.0.0.1:%s/hooks" % open(ready).read().strip(), "out": out}

            def count():
                try:
                    with open(out, "rb") as f:
                        return f.read().count(b"\n")
                except OSError:
                    return 0
        sub = {"name": "burst", "url": r["url"], "max_in_flight": max_in_flight}
        if ordering:
            sub["ordering"] = ordering
        daemon = self.start_daemon(work, self.write_config(work, [sub]))
        self.log("%s: one SPEC.md save flips %d tasks to Done (receiver %s, max_in_flight %d, ordering %s)"
                 % (name, n, receiver_kind, max_in_flight, ordering or "default"))
        t0 = now_ms()
        save_atomically(os.path.join(work, "repo", "SPEC.md"), spec_md(True))
        done = wait_until(n / 100 + 60, lambda: count() >= n, 0.05)
        t_done = now_ms()
        hwm = proc_status(daemon.pid).get("VmHWM")
        self.stop(daemon)
        if receiver_kind == "bench_receiver":
            recs = self.stop_receiver(r)
            times = sorted(x["recv_ms"] for x in recs)
            bad = sum(1 for x in recs if x["verified"] != "1")
            distinct = len({x["task"] for x in recs})
        else:
            self.stop(r["proc"])
            lines = [json.loads(l) for l in open(r["out"]) if l.strip()]
            times = sorted(iso_to_ms(l["received_at"]) for l in lines)
            bad = sum(1 for l in lines if l.get("status") != 200 or l.get("verified") is not True)
            distinct = len({l["body"]["task"]["id"] for l in lines})
        res = {"receiver": receiver_kind, "tasks": n, "max_in_flight": max_in_flight, "ordering": ordering,
               "complete": done,
               "received": len(times), "distinct": distinct, "unverified_or_non_200": bad,
               "daemon_vmhwm_kb": hwm}
        if len(times) >= 2:
            phase = (times[-1] - times[0]) / 1000.0
            res.update({"save_to_first_ms": round(times[0] - t0, 1), "first_to_last_ms": round(times[-1] - times[0], 1),
                        "deliveries_per_s": round((len(times) - 1) / max(phase, 1e-3)),
                        "end_to_end_per_s": round(len(times) / max((times[-1] - t0) / 1000.0, 1e-3))})
            with open(os.path.join(self.args.results_dir, "throughput-%s.dat" % name), "w") as f:
                for i, t in enumerate(times, 1):
                    f.write("%.1f %d\n" % (t - t0, i))
        del t_done
        return res

    # ------------------------------------------------------------ scenario: ordering
    def ordering_run(self, n, max_in_flight, rounds):
        """The burst (n distinct tasks to Done in one save) with ordering "none" and "task", alternated so that
        drift of the machine hits both alike; the medians of deliveries/s and their ratio."""
        runs = {"none": [], "task": []}
        for i in range(rounds):
            for mode in ("none", "task"):
                r = self.burst_run("ordering-%s-%d" % (mode, i), "bench_receiver", n, max_in_flight, mode)
                if r.get("deliveries_per_s"):
                    runs[mode].append(r["deliveries_per_s"])
        med = {m: statistics.median(v) if v else None for m, v in runs.items()}
        ratio = round(med["task"] / med["none"], 3) if med["task"] and med["none"] else None
        return {"tasks": n, "max_in_flight": max_in_flight, "deliveries_per_s": runs,
                "median_none": med["none"], "median_task": med["task"], "ratio_task_to_none": ratio}

    # ------------------------------------------------------------ scenario: guardrail
    def guardrail_run(self):
        a = self.args
        work = self.workdir("guardrail")
        repo = os.path.join(work, "repo")
        spec_path = os.path.join(repo, "SPEC.md")
        tel_dir = os.path.join(repo, EVIDENCE_REL, "commands", "SPEC-KIT-970")
        os.makedirs(tel_dir, exist_ok=True)
        n_rows = 200

        def spec_md(done):
            return "\n".join(["# Tracker", "", "| Task ID | Title | Status | Notes |", "|---|---|---|---|"] +
                             ["| T%d | Task number %d | %s | docs/SPEC-KIT-970-guard/tasks.md |"
                              % (i, i, "Done" if i in done else "Backlog") for i in range(1, n_rows + 1)]) + "\n"

        save_atomically(spec_path, spec_md(set()))
        counter = [0]

        def ops(label):
            save_t, tel_t = [], []
            done = set()
            for i in range(a.guard_ops):
                # flip one more task each save: the running daemon detects and delivers every one
                done.add(i % n_rows + 1) if (i // n_rows) % 2 == 0 else done.discard(i % n_rows + 1)
                text = spec_md(done)
                t = time.perf_counter()
                save_atomically(spec_path, text, fsync=True)
                save_t.append((time.perf_counter() - t) * 1000.0)
                counter[0] += 1
                stamp = "2026-01-01T00:00:%02dZ-%d" % (counter[0] % 60, counter[0])
                tel = json.dumps({"schemaVersion": 1, "command": "spec-ops-validate", "specId": "SPEC-KIT-970",
                                  "sessionId": stamp, "timestamp": "2026-01-01T00:00:00Z", "artifacts": [],
                                  "scenarios": [{"name": "smoke", "status": "passed"}]})
                t = time.perf_counter()
                with open(os.path.join(tel_dir, "spec-validate_%s.json" % stamp), "w") as f:
                    f.write(tel)
                tel_t.append((time.perf_counter() - t) * 1000.0)
                time.sleep(a.guard_gap_ms / 1000.0)
            return {"spec_md_save_ms": summary([round(x, 3) for x in save_t]),
                    "telemetry_write_ms": summary([round(x, 3) for x in tel_t])}

        self.log("guardrail: %d SPEC.md saves (write+fsync+rename) and %d telemetry writes, daemon stopped"
                 % (a.guard_ops, a.guard_ops))
        stopped = ops("stopped")
        r = self.start_receiver(work, "receiver")
        daemon = self.start_daemon(work, self.write_config(work, [{
            "name": "guard", "url": r["url"],
            "events": ["spec-kit.task.transitioned", "spec-auto.stage.completed", "spec-auto.pipeline.completed"]}]))
        self.log("guardrail: the same with the daemon running and delivering")
        running = ops("running")
        time.sleep(0.5)
        self.stop(daemon)
        recs = self.stop_receiver(r)
        res = {"ops": a.guard_ops, "gap_ms": a.guard_gap_ms, "stopped": stopped, "running": running,
               "deliveries_while_running": len(recs)}
        for k in ("spec_md_save_ms", "telemetry_write_ms"):
            res[k.replace("_ms", "_overhead_p95_ms")] = round(running[k]["p95"] - stopped[k]["p95"], 3)
        return res

    # ------------------------------------------------------------ scenario: backlog
    def backlog_run(self):
        a = self.args
        work = self.workdir("backlog")
        files = a.backlog_files
        per = a.backlog // files
        specs = ["SPEC-KIT-%d-backlog" % (960 + i) for i in range(files)]
        for s in specs:
            os.makedirs(os.path.join(work, "repo", "docs", s))
            save_atomically(os.path.join(work, "repo", "docs", s, "tasks.md"), task_table(per, 0, s))
        hole = self.start_receiver(work, "blackhole", blackhole=True)
        mport = free_port()
        sub = {"name": "backlog", "url": hole["url"], "timeout": "10m", "initial_backoff": "1h",
               "max_backoff": "2h"}
        config = self.write_config(work, [sub], metrics_port=mport)
        daemon = self.start_daemon(work, config)
        self.log("backlog: flipping %d tasks in %d files while the endpoint is blackholed" % (per * files, files))
        t0 = time.time()
        for s in specs:
            save_atomically(os.path.join(work, "repo", "docs", s, "tasks.md"), task_table(per, per, s))

        def depth():
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5) as resp:
                    for line in resp.read().decode().splitlines():
                        if line.startswith("spec_notify_queue_depth{") and 'subscription="backlog"' in line:
                            return int(float(line.split()[-1]))
            except Exception:
                pass
            return -1

        spooled = wait_until(a.backlog / 200 + 120, lambda: depth() >= per * files, 0.5)
        spool_s = time.time() - t0
        filling = proc_status(daemon.pid)
        self.log("backlog: %d queued after %.1f s; stopping the daemon" % (depth(), spool_s))
        self.stop(daemon, timeout=60)
        self.stop_receiver(hole)
        counts = dict(l.split() for l in subprocess.run([self.args.spool_count, os.path.join(work, "state")],
                                                         capture_output=True, text=True).stdout.splitlines())
        state_kb = int(subprocess.run(["du", "-sk", os.path.join(work, "state")], capture_output=True,
                                      text=True).stdout.split()[0])
        # restart with the endpoint healthy
        r = self.start_receiver(work, "receiver")
        sub["url"] = r["url"]
        sub["initial_backoff"], sub["max_backoff"] = "50ms", "1s"
        config = self.write_config(work, [sub])
        self.log("backlog: restarting with %s pending and a healthy endpoint" % counts.get("dlv/"))
        t_start = now_ms()
        daemon = self.start_daemon(work, config, wait_baseline=False, log_name="daemon2.log")
        samples = []
        want = int(counts.get("dlv/", 0))
        first_seen = [None]
        end = time.time() + a.backlog / 1000 + 120
        while time.time() < end:
            st = proc_status(daemon.pid)
            posts = self.receiver_stats(r)[0]
            if posts >= 1 and first_seen[0] is None:
                first_seen[0] = dict(st)
            samples.append(((now_ms() - t_start) / 1000.0, st.get("VmRSS", 0), posts))
            if posts >= want:
                break
            time.sleep(0.1)
        t_drained = now_ms()
        final = proc_status(daemon.pid)
        self.stop(daemon, timeout=60)
        recs = self.stop_receiver(r)
        times = sorted(x["recv_ms"] for x in recs)
        res = {"pending_target": per * files, "spooled": spooled, "spool_fill_s": round(spool_s, 1),
               "spool_counts": {k: int(v) for k, v in counts.items()}, "state_dir_kb": state_kb,
               "filling_daemon_vmhwm_kb": filling.get("VmHWM"),
               "restart_to_first_delivery_ms": round(times[0] - t_start, 1) if times else None,
               "rss_at_first_delivery_kb": (first_seen[0] or {}).get("VmRSS"),
               "rss_anon_at_first_delivery_kb": (first_seen[0] or {}).get("RssAnon"),
               "rss_file_at_first_delivery_kb": (first_seen[0] or {}).get("RssFile"),
               "rss_anon_end_of_drain_kb": final.get("RssAnon"),
               "vmhwm_at_first_delivery_kb": (first_seen[0] or {}).get("VmHWM"),
               "vmhwm_during_drain_kb": final.get("VmHWM"),
               "max_sampled_rss_kb": max((s[1] for s in samples), default=None),
               "delivered": len(recs), "distinct": len({x["id"] for x in recs}),
               "drain_s": round((times[-1] - times[0]) / 1000.0, 2) if len(times) > 1 else None,
               "drain_per_s": round((len(times) - 1) / ((times[-1] - times[0]) / 1000.0)) if len(times) > 1 else None}
        del t_drained
        with open(os.path.join(self.args.results_dir, "backlog-rss.dat"), "w") as f:
            for s in samples:
                f.write("%.2f %d %d\n" % s)
        return res


# ---------------------------------------------------------------- machine + output

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


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = round(v, 1)
    return "%s%s" % (v, unit)


def table_rows(res):
    rows = []  # (scenario, figure, value, target, verdict)

    def add(sc, fig, val, target="", ok=None):
        rows.append((sc, fig, val, target, "" if ok is None else ("yes" if ok else "NO")))

    if "prd" in res:
        p = res["prd"]
        d = p["detect_to_first_attempt_ms"]
        add("PRD %dx%d" % (p["specs"], p["tasks"]), "detection -> first attempt p50 / p95 / p99 (ms)",
            "%s / %s / %s" % (fmt(d.get("p50")), fmt(d.get("p95")), fmt(d.get("p99"))), "p99 < 100 ms (PRD: p95 < 5 s)",
            d.get("p99") is not None and d["p99"] < 100 and p["first_attempts"] == p["transitions"])
        r = p["detect_to_received_ms"]
        add("PRD %dx%d" % (p["specs"], p["tasks"]), "detection -> received p50 / p95 / p99 (ms)",
            "%s / %s / %s" % (fmt(r.get("p50")), fmt(r.get("p95")), fmt(r.get("p99"))))
        s = p["save_to_received_ms"]
        add("PRD %dx%d" % (p["specs"], p["tasks"]), "file save -> received p50 / p95 / p99 (ms)",
            "%s / %s / %s" % (fmt(s.get("p50")), fmt(s.get("p95")), fmt(s.get("p99"))))
        add("PRD %dx%d" % (p["specs"], p["tasks"]), "deliveries received / verified-bad", "%d / %d" % (p["received"], p["unverified"]),
            "%d / 0" % p["transitions"], p["distinct"] == p["transitions"] and p["unverified"] == 0)
    if "burst" in res:
        b = res["burst"]
        m = b["main"]
        add("burst", "deliveries/s, bench_receiver (first -> last request)", fmt(m.get("deliveries_per_s")),
            ">= 5000", (m.get("deliveries_per_s") or 0) >= 5000 and m["distinct"] == m["tasks"])
        add("burst", "deliveries/s end to end (save -> last request)", fmt(m.get("end_to_end_per_s")))
        add("burst", "save -> first request (ms)", fmt(m.get("save_to_first_ms")))
        for w in b.get("wrk", []):
            add("burst", "wrk ceiling, same receiver, %d conn (req/s)" % w["connections"], fmt(w["requests_per_s"]))
        if b.get("ratio_to_wrk_same_conns") is not None:
            add("burst", "ratio daemon / wrk ceiling (same connections)", "%.2f" % b["ratio_to_wrk_same_conns"])
        if "spec_notify_receive" in b:
            add("burst", "deliveries/s with `spec-notify receive` as receiver",
                fmt(b["spec_notify_receive"].get("deliveries_per_s")))
        add("burst", "daemon peak RSS during the burst (MB)", fmt((m.get("daemon_vmhwm_kb") or 0) / 1024.0))
    if "ordering" in res:
        o = res["ordering"]
        add("ordering", "deliveries/s, ordering = none (median)", fmt(o.get("median_none")))
        add("ordering", "deliveries/s, ordering = task, distinct tasks (median)", fmt(o.get("median_task")))
        add("ordering", "ratio task / none", "%.2f" % o["ratio_task_to_none"] if o.get("ratio_task_to_none") else "-",
            ">= 0.90", o.get("ratio_task_to_none") is not None and o["ratio_task_to_none"] >= 0.90)
    if "backlog" in res:
        k = res["backlog"]
        add("backlog", "pending deliveries in the spool (dlv/)", fmt(k["spool_counts"].get("dlv/")),
            "%d" % k["pending_target"], k["spool_counts"].get("dlv/") == k["pending_target"])
        add("backlog", "restart -> first delivery (ms)", fmt(k["restart_to_first_delivery_ms"]), "< 1000",
            k["restart_to_first_delivery_ms"] is not None and k["restart_to_first_delivery_ms"] < 1000)
        add("backlog", "RSS at first delivery (MB)", fmt((k["rss_at_first_delivery_kb"] or 0) / 1024.0), "< 64",
            k["rss_at_first_delivery_kb"] is not None and k["rss_at_first_delivery_kb"] < 64 * 1024)
        add("backlog", "  of which anonymous (heap, stacks) / file-backed (binary + shared libraries) (MB)",
            "%s / %s" % (fmt((k.get("rss_anon_at_first_delivery_kb") or 0) / 1024.0),
                         fmt((k.get("rss_file_at_first_delivery_kb") or 0) / 1024.0)), "anonymous < 64",
            k.get("rss_anon_at_first_delivery_kb") is not None and k["rss_anon_at_first_delivery_kb"] < 64 * 1024)
        add("backlog", "peak RSS (VmHWM) while draining the backlog (MB)",
            fmt((k["vmhwm_during_drain_kb"] or 0) / 1024.0), "< 64",
            k["vmhwm_during_drain_kb"] is not None and k["vmhwm_during_drain_kb"] < 64 * 1024)
        add("backlog", "drain rate (deliveries/s) / delivered", "%s / %s" % (fmt(k["drain_per_s"]), k["delivered"]))
    if "isolation" in res:
        i = res["isolation"]
        add("isolation", "healthy detection -> first attempt p99: solo / beside blackhole (ms)",
            "%s / %s" % (fmt(i["solo_p99_ms"]), fmt(i["with_blackhole_p99_ms"])), "within 20%",
            i["ratio"] is not None and i["ratio"] <= 1.2)
        add("isolation", "healthy p50 / p95 beside blackhole (ms)",
            "%s / %s" % (fmt(i["with_blackhole"]["detect_to_first_attempt_ms"].get("p50")),
                         fmt(i["with_blackhole"]["detect_to_first_attempt_ms"].get("p95"))))
    if "guardrail" in res:
        g = res["guardrail"]
        for k, label in (("spec_md_save_ms", "SPEC.md save (write+fsync+rename)"),
                         ("telemetry_write_ms", "telemetry JSON write")):
            s, r = g["stopped"][k], g["running"][k]
            add("guardrail", "%s p50 / p95 ms: stopped -> running" % label,
                "%s / %s -> %s / %s" % (fmt(s["p50"]), fmt(s["p95"]), fmt(r["p50"]), fmt(r["p95"])),
                "< 200 ms added", r["p95"] - s["p95"] < 200)
    return rows


def render_table(rows):
    head = ("scenario", "figure", "value", "target", "met")
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--receiver", required=True)
    ap.add_argument("--spool-count", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--results-dir", required=True)
    ap.add_argument("--only", default="prd,isolation,burst,ordering,guardrail,backlog")
    ap.add_argument("--ordering-rounds", type=int, default=3, help="burst pairs (none, task) of the ordering run")
    ap.add_argument("--specs", type=int, default=10)
    ap.add_argument("--tasks", type=int, default=50)
    ap.add_argument("--interval-ms", type=int, default=50, help="mean gap between two saves of one SPEC")
    ap.add_argument("--burst", type=int, default=5000)
    ap.add_argument("--max-in-flight", type=int, default=4)
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--no-receive-compare", action="store_true")
    ap.add_argument("--backlog", type=int, default=100000)
    ap.add_argument("--backlog-files", type=int, default=10)
    ap.add_argument("--guard-ops", type=int, default=100)
    ap.add_argument("--guard-gap-ms", type=int, default=20)
    ap.add_argument("--daemon-wrap", default="", help="prefix for serve, e.g. 'valgrind --tool=callgrind'")
    ap.add_argument("--keep", action="store_true", help="keep the temp work dirs")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    os.makedirs(a.results_dir, exist_ok=True)
    only = set(a.only.split(","))
    b = Bench(a)
    res = {"machine": machine(a.build_dir), "parameters": {
        "specs": a.specs, "tasks_per_spec": a.tasks, "interval_ms": a.interval_ms, "burst": a.burst,
        "max_in_flight": a.max_in_flight, "backlog": a.backlog, "backlog_files": a.backlog_files,
        "guard_ops": a.guard_ops, "daemon_wrap": a.daemon_wrap}}
    try:
        if "prd" in only or "isolation" in only:
            res["prd"] = b.latency_run("prd", False)
        if "isolation" in only:
            iso = b.latency_run("isolation", True)
            solo = res["prd"]["detect_to_first_attempt_ms"].get("p99")
            both = iso["detect_to_first_attempt_ms"].get("p99")
            res["isolation"] = {"with_blackhole": iso, "solo_p99_ms": solo, "with_blackhole_p99_ms": both,
                                "ratio": round(both / solo, 3) if solo and both is not None else None}
        if "burst" in only:
            main_run = b.burst_run("burst", "bench_receiver", a.burst, a.max_in_flight)
            burst = {"main": main_run}
            # the receiver's ceiling, same run: a fresh bench_receiver under wrk
            work = b.workdir("wrk")
            r = b.start_receiver(work, "wrk-receiver")
            burst["wrk"] = [b.wrk_ceiling(r, a.max_in_flight, 1, a.wrk_seconds),
                            b.wrk_ceiling(r, 64, 2, a.wrk_seconds)]
            b.stop_receiver(r)
            c = burst["wrk"][0]["requests_per_s"]
            if c and main_run.get("deliveries_per_s"):
                burst["ratio_to_wrk_same_conns"] = round(main_run["deliveries_per_s"] / c, 3)
            if not a.no_receive_compare:
                burst["spec_notify_receive"] = b.burst_run("burst-receive", "spec-notify receive", a.burst,
                                                           a.max_in_flight)
            res["burst"] = burst
        if "ordering" in only:
            res["ordering"] = b.ordering_run(a.burst, a.max_in_flight, a.ordering_rounds)
        if "guardrail" in only:
            res["guardrail"] = b.guardrail_run()
        if "backlog" in only:
            res["backlog"] = b.backlog_run()
    finally:
        b.cleanup()
    res["machine"]["load_at_end"] = sh("cut -d' ' -f1-3 /proc/loadavg")
    rows = table_rows(res)
    res["table"] = [dict(zip(("scenario", "figure", "value", "target", "met"), r)) for r in rows]
    table = render_table(rows)
    res["table_markdown"] = table
    out = a.json or os.path.join(a.results_dir, "latest.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=2)
    print(table)
    print("\nJSON: %s" % out)


if __name__ == "__main__":
    main()
