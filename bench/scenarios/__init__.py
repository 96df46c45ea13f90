"""One module per bench scenario (see bench/bench.py for the list and the run order). Each exposes run(b, ...)
taking the benchlib.Bench harness and returning the scenario's JSON-ready result dict."""
