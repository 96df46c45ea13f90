#!/usr/bin/env bash
# deploy/prometheus/alerts.yml and deploy/grafana/spec-notify.json against Debian's promtool and a real daemon:
#   1. `promtool check rules` and `promtool test rules` (deploy/prometheus/alerts_test.yml: each alert fires on
#      synthetic series, and not for healthy ones);
#   2. a daemon whose five subscriptions delivered (ok), dead-lettered (dead: 500, max_attempts = 2), were
#      disabled (gone: 410), opened a circuit (down: nothing listens) and used a rate limit (limited) is scraped
#      with every series present, and `promtool check metrics` finds nothing to say about the scrape (names,
#      _total counters, units, HELP and TYPE);
#   3. every metric name in an expr of alerts.yml and in the dashboard's queries (panels and template
#      variables) is one that scrape exports (a histogram as <name>_bucket/_sum/_count; `up` is Prometheus'
#      own), every dashboard query uses the ${DS_PROMETHEUS} data source variable, and each parses as PromQL
#      (`promtool check rules` on them as recording rules, Grafana's $variables replaced).
# SKIPPED (exit 77) without promtool (Debian package prometheus; deploy/setup.sh --tests installs it).
# PROMETHEUS_RULES_DASHBOARD=<file> checks another dashboard file instead (to see the test fail on a wrong name).
# Skips come before lib.sh (its EXIT trap reports any non-zero status as a failure).
if ! command -v promtool >/dev/null; then
  echo "SKIPPED: promtool not installed (apt-get install prometheus, or deploy/setup.sh --tests)"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is required"
command -v python3 >/dev/null || fail "python3 is required"
ROOT=$(cd "$TEST_DIR/.." && pwd)
ALERTS=$ROOT/deploy/prometheus/alerts.yml
DASHBOARD=${PROMETHEUS_RULES_DASHBOARD:-$ROOT/deploy/grafana/spec-notify.json}

echo "== promtool check rules / test rules"
promtool check rules "$ALERTS" >"$WORK/check_rules.log" 2>&1 || fail "promtool check rules: $(cat "$WORK/check_rules.log")"
# test rules resolves rule_files relative to the test file.
promtool test rules "$ROOT/deploy/prometheus/alerts_test.yml" >"$WORK/test_rules.log" 2>&1 ||
  fail "promtool test rules: $(cat "$WORK/test_rules.log")"
grep -q SUCCESS "$WORK/test_rules.log" || fail "promtool test rules said: $(cat "$WORK/test_rules.log")"

echo "== a daemon with a delivery, a dead letter, a 410, an open circuit and a rate limit"
PR_SECRET=$("$BIN" secret new) || fail "secret new failed"
export PR_SECRET
spec_dir="$WORK/repo/docs/SPEC-KIT-480-alerts"
mkdir -p "$spec_dir"
task_table 2 0 | save_atomically "$spec_dir/tasks.md"
start_receiver "$WORK/ok.jsonl" "$WORK/ok.port" "$WORK/receiver.log" --secret-env PR_SECRET
start_receiver "$WORK/dead.jsonl" "$WORK/dead.port" "$WORK/receiver.log" --secret-env PR_SECRET --status 500
start_receiver "$WORK/gone.jsonl" "$WORK/gone.port" "$WORK/receiver.log" --secret-env PR_SECRET --status 410
down_port=$(free_port)   # nothing listens: connection refused
mport=$(free_port)
ok_url="http://127.0.0.1:$(cat "$WORK/ok.port")/hooks"
cat >"$WORK/config.toml" <<TOML
[notify]
repo = "repo"
state_dir = "state"
metrics = "127.0.0.1:$mport"
admin = "127.0.0.1:$(free_port)"

[[notify.subscriptions]]
name = "ok"
url = "$ok_url"
secret_env = "PR_SECRET"

[[notify.subscriptions]]
name = "limited"
url = "$ok_url"
secret_env = "PR_SECRET"
rate_limit = "10/s"
rate_limit_burst = 2

[[notify.subscriptions]]
name = "dead"
url = "http://127.0.0.1:$(cat "$WORK/dead.port")/hooks"
secret_env = "PR_SECRET"
[notify.subscriptions.retry]
max_attempts = 2
initial_backoff = "50ms"
max_backoff = "100ms"

[[notify.subscriptions]]
name = "gone"
url = "http://127.0.0.1:$(cat "$WORK/gone.port")/hooks"
secret_env = "PR_SECRET"

[[notify.subscriptions]]
name = "down"
url = "http://127.0.0.1:$down_port/hooks"
secret_env = "PR_SECRET"
timeout = "2s"
[notify.subscriptions.retry]
max_attempts = 10
initial_backoff = "50ms"
max_backoff = "100ms"
[notify.subscriptions.breaker]
failures = 2
probe = "1s"
TOML

scrape() { curl -sf "http://127.0.0.1:$mport/metrics" >"$WORK/metrics.txt"; }
metric_is() {  # metric_is LINE...: every given series line is in a fresh scrape
  scrape || return 1
  local l
  for l in "$@"; do grep -qxF -- "$l" "$WORK/metrics.txt" || return 1; done
}
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 15 file_has "$WORK/daemon.log" "baseline recorded" || fail "no baseline"
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done: one delivery per subscription
wait_until 30 metric_is 'spec_notify_deliveries_succeeded_total{subscription="ok"} 1' \
  'spec_notify_deliveries_succeeded_total{subscription="limited"} 1' \
  'spec_notify_deliveries_dead_lettered_total{subscription="dead"} 1' \
  'spec_notify_subscription_disabled{subscription="gone"} 1' \
  'spec_notify_circuit_open{subscription="down"} 1' ||
  fail "not every outcome reached the metrics: $(cat "$WORK/metrics.txt")"
for name in spec_notify_rate_limit_tokens spec_notify_circuit_open_since_seconds spec_notify_consecutive_failures \
  spec_notify_events_detected_total spec_notify_delivery_latency_seconds_bucket; do
  grep -q "^$name[{ ]" "$WORK/metrics.txt" || fail "no $name series in: $(cat "$WORK/metrics.txt")"
done

echo "== promtool check metrics on the scrape"
# Exits non-zero and prints one line per problem (e.g. 'counter metrics should have "_total" suffix').
if ! promtool check metrics <"$WORK/metrics.txt" >"$WORK/check_metrics.log" 2>&1 || [ -s "$WORK/check_metrics.log" ]; then
  fail "promtool check metrics: $(cat "$WORK/check_metrics.log")"
fi

echo "== metric names in alerts.yml and the dashboard against the scrape"
python3 - "$WORK/metrics.txt" "$ALERTS" "$DASHBOARD" "$WORK/dashboard_queries.yml" <<'PY' || fail "metric names (above) do not match the scrape"
import json, re, sys

scrape_file, alerts_file, dashboard_file, out_rules = sys.argv[1:]
exported = {"up"}  # Prometheus' own series for the scrape job (SpecNotifyDown)
for line in open(scrape_file):
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        name, kind = m.groups()
        exported |= {name + s for s in ("_bucket", "_sum", "_count")} if kind == "histogram" else {name}
    elif line.strip() and not line.startswith("#"):
        exported.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))

KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "offset", "inf", "nan"}

def metric_names(expr):
    """The metric names a PromQL (or Grafana label_values) expression selects."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)   # string literals
    e = re.sub(r"\{[^{}]*\}", "{}", e)                                  # label matchers
    e = re.sub(r"\[[^\]]*\]", "[]", e)                                  # ranges and subqueries
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", e)  # label lists
    e = re.sub(r"\s+(by|without)\s*(?=\()", "", e)                     # `sum by (l) (` is a call of sum
    e = re.sub(r"\$\{[^}]*\}|\$\w+", "", e)                             # Grafana variables
    names = set()
    for m in re.finditer(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?", e):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in KEYWORDS or re.fullmatch(r"\d+[smhdwy]", word):
            continue
        names.add(word)
    return names

problems, used = [], {}

def check(where, expr):
    names = metric_names(expr)
    if not names:
        problems.append(f"{where}: no metric name in {expr!r}")
    for n in sorted(names):
        used.setdefault(n, []).append(where)
        if n not in exported:
            problems.append(f"{where}: {n} is not exported by the daemon (expr {expr!r})")

try:
    import yaml
except ImportError:
    sys.exit("python3-yaml is required (deploy/setup.sh --tests)")
groups = yaml.safe_load(open(alerts_file))["groups"]
rules = [(r.get("alert") or r.get("record"), r["expr"]) for g in groups for r in g["rules"]]
if len(rules) < 5:
    problems.append(f"{alerts_file}: only {len(rules)} rules")
for name, expr in rules:
    check(f"alerts.yml {name}", expr)

dash = json.load(open(dashboard_file))
if not 36 <= dash.get("schemaVersion", 0) <= 41:
    problems.append(f"dashboard schemaVersion {dash.get('schemaVersion')} (want ~38)")
variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
ds = variables.get("DS_PROMETHEUS")
if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
    problems.append("dashboard: no datasource variable DS_PROMETHEUS (type datasource, query prometheus)")

def ds_ok(d):
    return isinstance(d, dict) and d.get("uid") == "${DS_PROMETHEUS}"

panels, exprs, queries = [], 0, []
def walk(ps):
    for p in ps:
        panels.append(p)
        walk(p.get("panels", []))
walk(dash.get("panels", []))
for p in panels:
    if p.get("type") == "row":
        continue
    where = f"dashboard panel {p.get('title')!r}"
    if not ds_ok(p.get("datasource")):
        problems.append(f"{where}: datasource {p.get('datasource')!r}, want uid ${{DS_PROMETHEUS}}")
    targets = p.get("targets") or []
    if not targets:
        problems.append(f"{where}: no targets")
    for t in targets:
        if not ds_ok(t.get("datasource")):
            problems.append(f"{where}: a target's datasource is {t.get('datasource')!r}")
        if not t.get("expr"):
            problems.append(f"{where}: a target without expr")
            continue
        exprs += 1
        check(where, t["expr"])
        queries.append(t["expr"])
for name, v in variables.items():
    if v.get("type") == "query":
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if not ds_ok(v.get("datasource")):
            problems.append(f"dashboard variable {name}: datasource {v.get('datasource')!r}")
        check(f"dashboard variable {name}", re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", q))

spec_names = {n for n in exported if n.startswith("spec_notify_")}
unused = sorted(n for n in spec_names if n not in used and not re.search(r"_(sum|count)$", n))
print(f"{len(rules)} rules, {sum(p.get('type') != 'row' for p in panels)} panels, {exprs} dashboard queries: "
      f"{len(used)} distinct metric names, checked against the {len(exported)} names of the scrape")
if unused:
    print("exported but in neither file:", ", ".join(unused))
# The queries as recording rules (Grafana's variables replaced), for promtool to parse as PromQL.
GRAFANA = {"$__rate_interval": "1m", "$__range": "6h", "$__interval": "30s", "$instance": ".*", "$subscription": ".*"}
with open(out_rules, "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, q in enumerate(queries):
        for var, value in GRAFANA.items():
            q = q.replace(var, value)
        if "$" in q:
            problems.append(f"dashboard query {q!r}: a Grafana variable this test does not know")
        f.write(f"      - record: spec_notify_dashboard:query{i}\n        expr: {json.dumps(q)}\n")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
promtool check rules "$WORK/dashboard_queries.yml" >"$WORK/dashboard_queries.log" 2>&1 ||
  fail "a dashboard query is not valid PromQL: $(cat "$WORK/dashboard_queries.log")"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "serve exited non-zero on SIGTERM"
echo "prometheus rules and dashboard: OK"
