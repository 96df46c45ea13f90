"""Scenario backlog: N deliveries pending in the spool (endpoint blackholed, daemon stopped), then a restart
against a healthy endpoint: RSS at first delivery, restart -> first delivery, drain rate.
"""
import os
import subprocess
import time
import urllib.request

from benchlib import free_port, now_ms, proc_status, save_atomically, task_table, wait_until


def run(b):
    a = b.args
    work = b.workdir("backlog")
    files = a.backlog_files
    per = a.backlog // files
    specs = ["SPEC-KIT-%d-backlog" % (960 + i) for i in range(files)]
    for s in specs:
        os.makedirs(os.path.join(work, "repo", "docs", s))
        save_atomically(os.path.join(work, "repo", "docs", s, "tasks.md"), task_table(per, 0, s))
    hole = b.start_receiver(work, "blackhole", blackhole=True)
    mport = free_port()
    sub = {"name": "backlog", "url": hole["url"], "timeout": "10m", "initial_backoff": "1h",
           "max_backoff": "2h"}
    config = b.write_config(work, [sub], metrics_port=mport)
    daemon = b.start_daemon(work, config)
    b.log("backlog: flipping %d tasks in %d files while the endpoint is blackholed" % (per * files, files))
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
    b.log("backlog: %d queued after %.1f s; stopping the daemon" % (depth(), spool_s))
    b.stop(daemon, timeout=60)
    b.stop_receiver(hole)
    counts = dict(l.split() for l in subprocess.run([b.args.spool_count, os.path.join(work, "state")],
                                                     capture_output=True, text=True).stdout.splitlines())
    state_kb = int(subprocess.run(["du", "-sk", os.path.join(work, "state")], capture_output=True,
                                  text=True).stdout.split()[0])
    # restart with the endpoint healthy
    r = b.start_receiver(work, "receiver")
    sub["url"] = r["url"]
    sub["initial_backoff"], sub["max_backoff"] = "50ms", "1s"
    config = b.write_config(work, [sub])
    b.log("backlog: restarting with %s pending and a healthy endpoint" % counts.get("dlv/"))
    t_start = now_ms()
    daemon = b.start_daemon(work, config, wait_baseline=False, log_name="daemon2.log")
    samples = []
    want = int(counts.get("dlv/", 0))
    first_seen = [None]
    end = time.time() + a.backlog / 1000 + 120
    while time.time() < end:
        st = proc_status(daemon.pid)
        posts = b.receiver_stats(r)[0]
        if posts >= 1 and first_seen[0] is None:
            first_seen[0] = dict(st)
        samples.append(((now_ms() - t_start) / 1000.0, st.get("VmRSS", 0), posts))
        if posts >= want:
            break
        time.sleep(0.1)
    t_drained = now_ms()
    final = proc_status(daemon.pid)
    b.stop(daemon, timeout=60)
    recs = b.stop_receiver(r)
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
    with open(os.path.join(b.args.results_dir, "backlog-rss.dat"), "w") as f:
        for s in samples:
            f.write("%.2f %d %d\n" % s)
    return res
