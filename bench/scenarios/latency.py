"""Scenarios prd and isolation: SPECs x task transitions, one save per transition, and the detection -> first
attempt / received percentiles; isolation is the same workload with a blackholed subscription beside the
healthy one (docs/benchmarks.md has the definitions).
"""
import os
import random
import threading
import time

from benchlib import iso_to_ms, now_ms, save_atomically, summary, task_table, wait_until


def run(b, name, with_blackhole):
    a = b.args
    work = b.workdir(name)
    specs = ["SPEC-KIT-%d-bench" % (900 + i) for i in range(a.specs)]
    for s in specs:
        os.makedirs(os.path.join(work, "repo", "docs", s))
        save_atomically(os.path.join(work, "repo", "docs", s, "tasks.md"), task_table(a.tasks, 0, s))
    healthy = b.start_receiver(work, "healthy")
    subs = [{"name": "healthy", "url": healthy["url"]}]
    hole = None
    if with_blackhole:
        hole = b.start_receiver(work, "blackhole", blackhole=True)
        subs.append({"name": "blackholed", "url": hole["url"], "timeout": "10s"})
    daemon = b.start_daemon(work, b.write_config(work, subs))
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

    b.log("%s: %d SPECs x %d transitions, one save per transition, mean gap %d ms per SPEC"
          % (name, a.specs, a.tasks, a.interval_ms))
    threads = [threading.Thread(target=writer, args=(i, s)) for i, s in enumerate(specs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    want = a.specs * a.tasks
    done = wait_until(120, lambda: b.receiver_stats(healthy)[0] >= want, 0.1)
    time.sleep(0.3)  # let the evidence writer append the last lines
    b.stop(daemon)
    recs = b.stop_receiver(healthy)
    if hole:
        b.stop_receiver(hole)
    at = b.evidence_attempts(work)
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
    with open(os.path.join(b.args.results_dir, "latency-%s.dat" % name), "w") as f:
        for v in sorted(d2a):
            f.write("%g\n" % v)
    return res


def isolation(prd, iso):
    """The isolation result: the healthy endpoint's p99 beside the blackhole (`iso`, a run() result) against
    its p99 alone (`prd`)."""
    solo = prd["detect_to_first_attempt_ms"].get("p99")
    both = iso["detect_to_first_attempt_ms"].get("p99")
    return {"with_blackhole": iso, "solo_p99_ms": solo, "with_blackhole_p99_ms": both,
            "ratio": round(both / solo, 3) if solo and both is not None else None}
