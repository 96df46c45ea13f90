"""Scenario ordering: the burst with ordering = "none" and "task" (distinct tasks), alternated; the cost of
ordering keys as the ratio of the medians.
"""
import statistics

from scenarios import burst


def run(b, n, max_in_flight, rounds):
    """The burst (n distinct tasks to Done in one save) with ordering "none" and "task", alternated so that
    drift of the machine hits both alike; the medians of deliveries/s and their ratio."""
    runs = {"none": [], "task": []}
    for i in range(rounds):
        for mode in ("none", "task"):
            r = burst.run_once(b, "ordering-%s-%d" % (mode, i), "bench_receiver", n, max_in_flight, mode)
            if r.get("deliveries_per_s"):
                runs[mode].append(r["deliveries_per_s"])
    med = {m: statistics.median(v) if v else None for m, v in runs.items()}
    ratio = round(med["task"] / med["none"], 3) if med["task"] and med["none"] else None
    return {"tasks": n, "max_in_flight": max_in_flight, "deliveries_per_s": runs,
            "median_none": med["none"], "median_task": med["task"], "ratio_task_to_none": ratio}
