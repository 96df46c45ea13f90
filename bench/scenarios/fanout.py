"""Scenario fanout (issue 18 item 2): S subscriptions all matching every event plus one blackholed subscription
beside them, then one SPEC.md save flipping T tasks to Done: S x T deliveries to one bench_receiver (each
subscription its own path), deliveries/s, daemon CPU seconds per 1,000 deliveries, peak RSS, and whether the
blackholed endpoint held anyone back (per-endpoint isolation: every healthy delivery still arrives).
"""
import os

from benchlib import now_ms, proc_cpu_s, proc_status, save_atomically, wait_until


def spec_md(n, done):
    rows = ["# Spec-Kit Task Tracker", "", "| Task ID | Title | Status | Notes |", "|---|---|---|---|"]
    return "\n".join(rows + ["| T%d | Task number %d | %s | docs/SPEC-KIT-951-fanout/tasks.md |"
                             % (i, i, "Done" if done else "Backlog") for i in range(1, n + 1)]) + "\n"


def run(b):
    a = b.args
    subs_n, tasks = a.fanout_subs, a.fanout_tasks
    work = b.workdir("fanout")
    save_atomically(os.path.join(work, "repo", "SPEC.md"), spec_md(tasks, False))
    r = b.start_receiver(work, "receiver")
    hole = b.start_receiver(work, "blackhole", blackhole=True)
    subs = [{"name": "s%03d" % i, "url": "%s/s%03d" % (r["url"], i), "max_in_flight": a.max_in_flight}
            for i in range(subs_n)]
    subs.append({"name": "blackholed", "url": hole["url"], "timeout": "30s", "max_in_flight": a.max_in_flight})
    daemon = b.start_daemon(work, b.write_config(work, subs))
    want = subs_n * tasks
    b.log("fanout: %d subscriptions (+1 blackholed) x %d transitions = %d deliveries" % (subs_n, tasks, want))
    cpu0, t0 = proc_cpu_s(daemon.pid), now_ms()
    save_atomically(os.path.join(work, "repo", "SPEC.md"), spec_md(tasks, True))
    complete = wait_until(want / 500 + 120, lambda: b.receiver_stats(r)[0] >= want, 0.1)
    cpu1, t1 = proc_cpu_s(daemon.pid), now_ms()
    st = proc_status(daemon.pid)
    b.stop(daemon, timeout=60)
    recs = b.stop_receiver(r)
    b.stop_receiver(hole)
    times = sorted(x["recv_ms"] for x in recs)
    res = {"subscriptions": subs_n, "transitions": tasks, "expected": want, "complete": complete,
           "received": len(recs), "distinct": len({x["id"] for x in recs}),
           "unverified": sum(1 for x in recs if x["verified"] != "1"),
           "daemon_vmhwm_kb": st.get("VmHWM"), "daemon_cpu_s": round(cpu1 - cpu0, 2),
           "save_to_last_ms": round(t1 - t0, 1)}
    if len(times) >= 2:
        res["deliveries_per_s"] = round((len(times) - 1) / max((times[-1] - times[0]) / 1000.0, 1e-3))
        res["save_to_first_ms"] = round(times[0] - t0, 1)
    if recs:
        res["cpu_s_per_1000"] = round((cpu1 - cpu0) * 1000.0 / len(recs), 3)
    return res
