"""Scenario scale (issue 18 item 4): a repo of N SPEC folders x T tasks each (docs/<SPEC>/tasks.md). Cold
start (empty state dir) -> "baseline recorded", and a restart over the recorded baseline, each with the
daemon's peak RSS and CPU; then one save of one tasks.md: save -> first delivery at the receiver.
"""
import os

from benchlib import now_ms, proc_cpu_s, proc_status, save_atomically, task_table, wait_until


def start_timed(b, work, config, log_name):
    t0 = now_ms()
    d = b.start_daemon(work, config, log_name=log_name)  # returns once "baseline recorded" is logged
    return d, round(now_ms() - t0, 1)


def run(b):
    a = b.args
    n, tasks = a.scale_specs, a.scale_tasks
    work = b.workdir("scale")
    for i in range(n):
        spec = "SPEC-KIT-%d-scale" % (10000 + i)
        os.makedirs(os.path.join(work, "repo", "docs", spec))
        save_atomically(os.path.join(work, "repo", "docs", spec, "tasks.md"), task_table(tasks, 0, spec))
    r = b.start_receiver(work, "receiver")
    config = b.write_config(work, [{"name": "scale", "url": r["url"]}])
    b.log("scale: %d SPEC folders x %d tasks; cold start" % (n, tasks))
    d, cold_ms = start_timed(b, work, config, "daemon-cold.log")
    cold = {"start_to_baseline_ms": cold_ms, "vmhwm_kb": proc_status(d.pid).get("VmHWM"),
            "cpu_s": round(proc_cpu_s(d.pid), 2)}
    b.stop(d, timeout=60)
    b.log("scale: restart over the recorded baseline")
    d, warm_ms = start_timed(b, work, config, "daemon-warm.log")
    warm = {"start_to_baseline_ms": warm_ms, "vmhwm_kb": proc_status(d.pid).get("VmHWM"),
            "cpu_s": round(proc_cpu_s(d.pid), 2)}
    spec = "SPEC-KIT-%d-scale" % (10000 + n // 2)
    t0 = now_ms()
    save_atomically(os.path.join(work, "repo", "docs", spec, "tasks.md"), task_table(tasks, 1, spec))
    got = wait_until(30, lambda: b.receiver_stats(r)[0] >= 1, 0.01)
    b.stop(d, timeout=60)
    recs = b.stop_receiver(r)
    return {"specs": n, "tasks_per_spec": tasks, "cold": cold, "restart": warm, "delivered": got,
            "save_to_received_ms": round(recs[0]["recv_ms"] - t0, 1) if recs else None}
