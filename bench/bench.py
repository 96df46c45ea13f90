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
  fanout     S subscriptions matching every event (+1 blackholed) x T transitions: deliveries/s, CPU, RSS
  scale      a repo of N SPEC folders x T tasks: cold start and restart -> baseline, RSS, one save -> delivery

Python 3 standard library only. Loopback only; every process it starts is stopped (SIGTERM) at the end.
"""
import argparse
import json
import os

from benchlib import Bench, machine, sh
from scenarios import backlog, burst, fanout, guardrail, latency, ordering, scale

# The harness (receivers, daemon start/stop, config writing) is bench/benchlib.py; each scenario is a module in
# bench/scenarios/. This file parses the options, runs the chosen scenarios in a fixed order (isolation reuses
# prd's result) and prints/writes the table.


# ---------------------------------------------------------------- output

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
        add("burst", "daemon CPU s per 1,000 deliveries (utime+stime, save -> last request)",
            "%.3f" % m["cpu_s_per_1000"] if m.get("cpu_s_per_1000") is not None else "n/a", "<= 0.06",
            m.get("cpu_s_per_1000") is not None and m["cpu_s_per_1000"] <= 0.06)
        add("burst", "save -> first request (ms)", fmt(m.get("save_to_first_ms")))
        for w in b.get("wrk", []):
            add("burst", "wrk ceiling, same receiver, %d conn (req/s)" % w["connections"], fmt(w["requests_per_s"]))
        if b.get("ratio_to_wrk_same_conns") is not None:
            add("burst", "ratio daemon / wrk ceiling (same connections)", "%.2f" % b["ratio_to_wrk_same_conns"])
        if "spec_notify_receive" in b:
            add("burst", "deliveries/s with `spec-notify receive` as receiver",
                fmt(b["spec_notify_receive"].get("deliveries_per_s")))
        add("burst", "daemon peak RSS during the burst (MB)", fmt((m.get("daemon_vmhwm_kb") or 0) / 1024.0))
    if "fanout" in res:
        f = res["fanout"]
        sc = "fanout %dx%d" % (f["subscriptions"], f["transitions"])
        add(sc, "deliveries received / distinct / verified-bad (one blackholed subscription beside them)",
            "%d / %d / %d" % (f["received"], f["distinct"], f["unverified"]), "%d / %d / 0" % (f["expected"], f["expected"]),
            f["distinct"] == f["expected"] and f["unverified"] == 0)
        add(sc, "deliveries/s (first -> last request)", fmt(f.get("deliveries_per_s")))
        add(sc, "daemon CPU s per 1,000 deliveries", fmt(f.get("cpu_s_per_1000")))
        add(sc, "daemon peak RSS (MB)", fmt((f.get("daemon_vmhwm_kb") or 0) / 1024.0))
    if "scale" in res:
        c = res["scale"]
        sc = "scale %dx%d" % (c["specs"], c["tasks_per_spec"])
        for k, label in (("cold", "cold start"), ("restart", "restart")):
            add(sc, "%s -> baseline recorded (ms) / peak RSS (MB) / CPU s" % label,
                "%s / %s / %s" % (fmt(c[k]["start_to_baseline_ms"]), fmt((c[k]["vmhwm_kb"] or 0) / 1024.0),
                                  fmt(c[k]["cpu_s"])))
        add(sc, "one tasks.md save -> delivery received (ms)", fmt(c.get("save_to_received_ms")))
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
    ap.add_argument("--only", default="prd,isolation,burst,ordering,guardrail,backlog,fanout,scale")
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
    ap.add_argument("--fanout-subs", type=int, default=100)
    ap.add_argument("--fanout-tasks", type=int, default=500)
    ap.add_argument("--scale-specs", type=int, default=1000)
    ap.add_argument("--scale-tasks", type=int, default=100)
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
        "guard_ops": a.guard_ops, "daemon_wrap": a.daemon_wrap, "fanout_subs": a.fanout_subs,
        "fanout_tasks": a.fanout_tasks, "scale_specs": a.scale_specs, "scale_tasks": a.scale_tasks}}
    try:
        if "prd" in only or "isolation" in only:
            res["prd"] = latency.run(b, "prd", False)
        if "isolation" in only:
            res["isolation"] = latency.isolation(res["prd"], latency.run(b, "isolation", True))
        if "burst" in only:
            res["burst"] = burst.run(b)
        if "ordering" in only:
            res["ordering"] = ordering.run(b, a.burst, a.max_in_flight, a.ordering_rounds)
        if "guardrail" in only:
            res["guardrail"] = guardrail.run(b)
        if "backlog" in only:
            res["backlog"] = backlog.run(b)
        if "fanout" in only:
            res["fanout"] = fanout.run(b)
        if "scale" in only:
            res["scale"] = scale.run(b)
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
