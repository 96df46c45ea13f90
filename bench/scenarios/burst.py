"""Scenario burst: one SPEC.md save flips N tasks to Done; deliveries/s into bench_receiver, that receiver's own
ceiling under wrk (same connections, and 64), and optionally the same burst into `spec-notify receive`.
run_once() is also the unit of the ordering scenario.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

from benchlib import iso_to_ms, now_ms, proc_cpu_s, proc_status, save_atomically, wait_until


def run(b):
    a = b.args
    main_run = run_once(b, "burst", "bench_receiver", a.burst, a.max_in_flight)
    burst = {"main": main_run}
    # the receiver's ceiling, same run: a fresh bench_receiver under wrk
    work = b.workdir("wrk")
    r = b.start_receiver(work, "wrk-receiver")
    burst["wrk"] = [wrk_ceiling(b, r, a.max_in_flight, 1, a.wrk_seconds),
                    wrk_ceiling(b, r, 64, 2, a.wrk_seconds)]
    b.stop_receiver(r)
    c = burst["wrk"][0]["requests_per_s"]
    if c and main_run.get("deliveries_per_s"):
        burst["ratio_to_wrk_same_conns"] = round(main_run["deliveries_per_s"] / c, 3)
    if not a.no_receive_compare:
        burst["spec_notify_receive"] = run_once(b, "burst-receive", "spec-notify receive", a.burst, a.max_in_flight)
    return burst


def wrk_ceiling(b, r, connections, threads, seconds):
    body = json.dumps({"schema_version": 1, "type": "spec-kit.task.transitioned", "event_id": "evt_x",
                       "delivery_id": "msg_wrk", "occurred_at": "2026-01-01T00:00:00.000Z",
                       "spec": {"id": "SPEC-KIT-950-burst", "key": "SPEC-KIT-950"},
                       "task": {"id": "T1", "title": "Task number 1", "from": "Backlog", "to": "Done",
                                "raw_status": "Done", "source": "SPEC.md", "line": 5},
                       "telemetry": None, "consensus": None, "evidence": []}, separators=(",", ":"))
    ts = str(int(time.time()))
    key = base64.b64decode(b.secret[len("whsec_"):])
    sig = base64.b64encode(hmac.new(key, ("msg_wrk.%s.%s" % (ts, body)).encode(), hashlib.sha256).digest())
    lua = os.path.join(b.root, "wrk-post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.body = %s\n' % json.dumps(body))
        for k, v in [("content-type", "application/json"), ("user-agent", "spec-notify/0.1.0"),
                     ("webhook-id", "msg_wrk"), ("webhook-timestamp", ts),
                     ("webhook-signature", "v1," + sig.decode()),
                     ("x-spec-notify-event", "spec-kit.task.transitioned"), ("x-spec-notify-schema", "1"),
                     ("x-spec-notify-attempt", "1")]:
            f.write('wrk.headers["%s"] = "%s"\n' % (k, v))
    before = b.receiver_stats(r)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "-s", lua,
                          r["url"]], capture_output=True, text=True).stdout
    after = b.receiver_stats(r)
    rps = None
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            rps = float(line.split()[1])
    return {"connections": connections, "threads": threads, "seconds": seconds, "requests_per_s": rps,
            "verified_ok": after[1] - before[1], "rejected": after[2] - before[2]}


def run_once(b, name, receiver_kind, n, max_in_flight, ordering=None):
    work = b.workdir(name)
    rows = ["# Spec-Kit Task Tracker", "", "| Task ID | Title | Status | Notes |", "|---|---|---|---|"]

    def spec_md(done):
        return "\n".join(rows + ["| T%d | Task number %d | %s | docs/SPEC-KIT-950-burst/tasks.md |"
                                 % (i, i, "Done" if done else "Backlog") for i in range(1, n + 1)]) + "\n"

    save_atomically(os.path.join(work, "repo", "SPEC.md"), spec_md(False))
    if receiver_kind == "bench_receiver":
        r = b.start_receiver(work, "receiver")
        count = lambda: b.receiver_stats(r)[0]
    else:  # spec-notify receive: verifies and appends one JSON line per request
        ready, out = os.path.join(work, "receive.port"), os.path.join(work, "received.jsonl")
        p = subprocess.Popen([b.bin, "receive", "--listen", "127.0.0.1:0", "--out", out, "--ready-file",
                              ready, "--secret-env", "BENCH_SECRET"], env=b.env,
                             stdout=open(os.path.join(work, "receive.log"), "a"), stderr=subprocess.STDOUT)
        b.procs.append(p)
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
    daemon = b.start_daemon(work, b.write_config(work, [sub]))
    b.log("%s: one SPEC.md save flips %d tasks to Done (receiver %s, max_in_flight %d, ordering %s)"
          % (name, n, receiver_kind, max_in_flight, ordering or "default"))
    cpu0, t0 = proc_cpu_s(daemon.pid), now_ms()
    save_atomically(os.path.join(work, "repo", "SPEC.md"), spec_md(True))
    done = wait_until(n / 100 + 60, lambda: count() >= n, 0.05)
    t_done, cpu1 = now_ms(), proc_cpu_s(daemon.pid)
    hwm = proc_status(daemon.pid).get("VmHWM")
    b.stop(daemon)
    if receiver_kind == "bench_receiver":
        recs = b.stop_receiver(r)
        times = sorted(x["recv_ms"] for x in recs)
        bad = sum(1 for x in recs if x["verified"] != "1")
        distinct = len({x["task"] for x in recs})
    else:
        b.stop(r["proc"])
        lines = [json.loads(l) for l in open(r["out"]) if l.strip()]
        times = sorted(iso_to_ms(l["received_at"]) for l in lines)
        bad = sum(1 for l in lines if l.get("status") != 200 or l.get("verified") is not True)
        distinct = len({l["body"]["task"]["id"] for l in lines})
    res = {"receiver": receiver_kind, "tasks": n, "max_in_flight": max_in_flight, "ordering": ordering,
           "complete": done,
           "received": len(times), "distinct": distinct, "unverified_or_non_200": bad,
           "daemon_vmhwm_kb": hwm, "daemon_cpu_s": round(cpu1 - cpu0, 3)}
    if times:
        # The daemon's own CPU (utime + stime, all threads) from the save to the last delivery seen.
        res["cpu_s_per_1000"] = round((cpu1 - cpu0) * 1000.0 / len(times), 3)
    if len(times) >= 2:
        phase = (times[-1] - times[0]) / 1000.0
        res.update({"save_to_first_ms": round(times[0] - t0, 1), "first_to_last_ms": round(times[-1] - times[0], 1),
                    "deliveries_per_s": round((len(times) - 1) / max(phase, 1e-3)),
                    "end_to_end_per_s": round(len(times) / max((times[-1] - t0) / 1000.0, 1e-3))})
        with open(os.path.join(b.args.results_dir, "throughput-%s.dat" % name), "w") as f:
            for i, t in enumerate(times, 1):
                f.write("%.1f %d\n" % (t - t0, i))
    del t_done
    return res
