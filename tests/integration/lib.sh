# Shared helpers for the integration tests (sourced). Real processes, real files, loopback only.
set -euo pipefail
BIN=${SPEC_NOTIFY_BIN:?SPEC_NOTIFY_BIN must point at the spec-notify binary}
TEST_DIR=${SPEC_NOTIFY_TEST_DIR:?}
WORK=$(mktemp -d /tmp/spec-notify-it-XXXXXX)
PIDS=()
cleanup() {
  local code=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$code" -ne 0 ]; then
    echo "--- test failed; logs from $WORK:" >&2
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }; done
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_until DEADLINE_SECONDS COMMAND...: polls the condition every 50 ms until it holds or the deadline passes.
wait_until() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

line_count() { local n; n=$(grep -c . "$1" 2>/dev/null) || true; echo "${n:-0}"; }
has_lines() { [ "$(line_count "$1")" -ge "$2" ]; }
file_has() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# save_atomically FILE: stdin -> FILE through a temp file + rename, as git and editors save.
save_atomically() { cat > "$1.tmp~" && mv -f "$1.tmp~" "$1"; }

ensure_verifiers() {
  [ -d "$TEST_DIR/integration/node_modules/standardwebhooks" ] ||
    fail "npm verifiers missing: run (cd tests/integration && npm install) or deploy/setup.sh --tests"
}

# start_verifier OUT_FILE PORT_FILE SECRET_ENV: the independent Node verifier (npm standardwebhooks +
# @octokit/webhooks-methods).
start_verifier() {
  node "$TEST_DIR/integration/verifier.js" --port 0 --ready-file "$2" --secret-env "$3" --out "$1" \
    >"$WORK/verifier.log" 2>&1 &
  PIDS+=($!)
  wait_until 10 test -s "$2" || fail "verifier did not start"
}

start_daemon() {  # start_daemon CONFIG LOG
  "$BIN" serve --config "$1" >>"$2" 2>&1 &
  DAEMON_PID=$!
  PIDS+=($DAEMON_PID)
}

# baseline_ready LOG: waits (15 s) for the daemon's first "baseline recorded" line: from then on a save is a change.
baseline_ready() { wait_until 15 file_has "$1" "baseline recorded" || fail "daemon did not record a baseline (see $1)"; }

# start_daemon_ready CONFIG LOG: start_daemon, then baseline_ready.
start_daemon_ready() { start_daemon "$1" "$2" && baseline_ready "$2"; }

# stop_daemon: SIGTERM, must exit 0 (after draining).
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  [ "$rc" -eq 0 ] || fail "serve exited with $rc on SIGTERM (want 0)"
}

# ---- Set-up and config helpers: most tests start from the same secret, SPEC folder and config ----

# new_secret VAR: exports VAR as a fresh whsec_ secret.
new_secret() { local s; s=$("$BIN" secret new) || fail "secret new failed"; export "$1=$s"; }

# new_spec_dir SPEC N: spec_dir=$WORK/repo/docs/SPEC, holding a tasks.md of T1..TN, all Backlog (task_table).
new_spec_dir() {
  spec_dir="$WORK/repo/docs/$1"
  mkdir -p "$spec_dir"
  task_table "$2" 0 | save_atomically "$spec_dir/tasks.md"
}

# local_url PORT_FILE [PATH]: http://127.0.0.1:<the port in PORT_FILE>PATH (PATH defaults to /hooks).
local_url() { echo "http://127.0.0.1:$(cat "$1")${2-/hooks}"; }

# toml_value VALUE: VALUE as a TOML value: numbers, booleans, arrays, inline tables and quoted strings as given;
# anything else ("5s", "1/s", "task", a path) as a string.
toml_value() {
  case $1 in
    true | false | \[* | \{* | \"*) printf '%s' "$1" ;;
    *) if [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then printf '%s' "$1"; else printf '"%s"' "$1"; fi ;;
  esac
}

# toml_keys PREFIX [KEY=VALUE...]: a `KEY = VALUE` line (toml_value) for each pair named PREFIX<KEY>, KEY without
# a dot: with PREFIX "" the table's own keys, with "retry." those of its retry table. Of two pairs with one key the
# later wins (a caller's pair replaces a helper's default: TOML refuses a key given twice).
toml_keys() {
  local prefix=$1 kv key later; shift
  local -A last=()
  for kv in "$@"; do last[${kv%%=*}]=$kv; done
  for kv in "$@"; do
    key=${kv%%=*}
    later=${last[$key]-}
    [ "$later" = "$kv" ] || continue
    unset "last[$key]"   # an identical pair given twice is written once
    [[ $key == "$prefix"* ]] || continue
    key=${key#"$prefix"}
    [[ $key == *.* ]] && continue
    printf '%s = %s\n' "$key" "$(toml_value "${kv#*=}")"
  done
}

# notify_table [KEY=VALUE...]: the [notify] table: repo "repo" and state_dir "state" (next to the config file, in
# $WORK) and admin on a free loopback port (parallel tests never share the default one); a KEY=VALUE replaces one
# of these or adds a key; state_dir= (empty) leaves state_dir out (the daemon's default).
notify_table() {
  local repo=repo state_dir=state admin="" kv extra=()
  for kv in "$@"; do
    case ${kv%%=*} in
      repo) repo=${kv#*=} ;;
      state_dir) state_dir=${kv#*=} ;;
      admin) admin=${kv#*=} ;;
      *) extra+=("$kv") ;;
    esac
  done
  [ "$admin" != "" ] || admin="127.0.0.1:$(free_port)"
  local keys=(repo="$repo")
  [ -z "$state_dir" ] || keys+=(state_dir="$state_dir")
  echo "[notify]"
  toml_keys "" "${keys[@]}" admin="$admin" "${extra[@]}"
}

# subscription NAME URL SECRET_ENV [KEY=VALUE...]: one [[notify.subscriptions]] table; KEY=VALUE pairs named
# retry.KEY and breaker.KEY go into its retry and breaker tables.
subscription() {
  printf '[[notify.subscriptions]]\nname = "%s"\nurl = "%s"\nsecret_env = "%s"\n' "$1" "$2" "$3"
  shift 3
  toml_keys "" "$@"
  local table kv
  for table in retry breaker; do
    for kv in "$@"; do
      if [[ $kv == "$table."* ]]; then
        printf '[notify.subscriptions.%s]\n' "$table"
        toml_keys "$table." "$@"
        break
      fi
    done
  done
}

# ALL_EVENTS: a subscription's events key taking every event type (the default is task transitions only).
ALL_EVENTS='events=["spec-kit.task.transitioned", "spec-auto.stage.completed", "spec-auto.pipeline.completed"]'

# config_toml [NOTIFY_KEY=VALUE...] [-- NAME URL SECRET_ENV [KEY=VALUE...]]...: stdout, a whole config: the
# notify_table of the first group, then one subscription per group after a --.
config_toml() {
  local group=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do group+=("$1"); shift; done
  notify_table "${group[@]}"
  while [ $# -gt 0 ]; do
    shift   # the --
    group=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do group+=("$1"); shift; done
    subscription "${group[@]}"
  done
}

# ---- Delivery-engine helpers (retry, dead letter, 410, crash, isolation tests; bench/delivery_throughput.sh) ----

# start_receiver OUT PORT_FILE LOG [receive options...]: `spec-notify receive` on a free loopback port, one JSON
# line per request appended to OUT. Sets RECEIVER_PID.
start_receiver() {
  local out=$1 port_file=$2 log=$3; shift 3
  "$BIN" receive --listen 127.0.0.1:0 --out "$out" --ready-file "$port_file" "$@" >>"$log" 2>&1 &
  RECEIVER_PID=$!
  PIDS+=($RECEIVER_PID)
  wait_until 10 test -s "$port_file" || fail "receiver did not start (see $log)"
}

# start_scripted_receiver OUT PORT_FILE LOG SCRIPT [SECRET_ENV]: a small Node receiver for behaviours that
# `spec-notify receive` lacks. SCRIPT is either
#   "blackhole"               accept every connection and request, never answer (the socket stays open), or
#   "503:1,503:1,503:1,200"   the answers to requests 1, 2, 3, ... in order, CODE[:RETRY_AFTER]; the last repeats.
# One JSON line per request is appended to OUT when its headers arrive: webhook_id, attempt
# (x-spec-notify-attempt), received_ms (unix ms), status (null for blackhole), retry_after, verified (Standard
# Webhooks HMAC checked with node:crypto against $SECRET_ENV; null without it) and the parsed body (null for
# blackhole, whose bodies are not waited for). Loopback only. Sets RECEIVER_PID.
start_scripted_receiver() {
  local out=$1 port_file=$2 log=$3 script=$4 secret_env=${5:-}
  cat >"$WORK/scripted_receiver.js" <<'JS'
"use strict";
const http = require("node:http"), fs = require("node:fs"), crypto = require("node:crypto");
const [out, portFile, script, secretEnv] = process.argv.slice(2);
const secrets = secretEnv ? (process.env[secretEnv] || "").split(/\s+/).filter(Boolean) : [];
const answers = script === "blackhole" ? null : script.split(",").map((s) => {
  const [code, ra] = s.split(":");
  return { code: Number(code), retryAfter: ra };
});
let n = 0;
const held = [];
function verify(h, body) {
  if (!secretEnv) return null;
  const id = h["webhook-id"], ts = h["webhook-timestamp"], sigs = (h["webhook-signature"] || "").split(" ");
  for (const s of secrets) {
    const key = Buffer.from(s.replace(/^whsec_/, ""), "base64");
    const want = "v1," + crypto.createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
    if (sigs.includes(want)) return true;
  }
  return false;
}
function record(req, status, retryAfter, body) {
  let parsed = null;
  try { parsed = body === null ? null : JSON.parse(body); } catch (_) { parsed = body; }
  fs.appendFileSync(out, JSON.stringify({
    webhook_id: req.headers["webhook-id"] || null, attempt: Number(req.headers["x-spec-notify-attempt"] || 0),
    received_ms: Date.now(), status, retry_after: retryAfter === undefined ? null : retryAfter,
    verified: body === null ? null : verify(req.headers, body), body: parsed }) + "\n");
}
const server = http.createServer((req, res) => {
  if (!answers) { held.push(req.socket); record(req, null, undefined, null); return; }  // never answered
  const a = answers[Math.min(n++, answers.length - 1)];
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    record(req, a.code, a.retryAfter, Buffer.concat(chunks).toString("utf8"));
    const headers = { "content-type": "text/plain" };
    if (a.retryAfter !== undefined) headers["retry-after"] = a.retryAfter;
    res.writeHead(a.code, headers);
    res.end(a.code >= 200 && a.code < 300 ? "ok\n" : "no\n");
  });
});
server.requestTimeout = 0;   // a blackhole holds requests for as long as the client waits
server.headersTimeout = 0;
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(portFile + ".tmp", String(server.address().port));
  fs.renameSync(portFile + ".tmp", portFile);
});
const stop = () => { for (const s of held) s.destroy(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
JS
  node "$WORK/scripted_receiver.js" "$out" "$port_file" "$script" "$secret_env" >>"$log" 2>&1 &
  RECEIVER_PID=$!
  PIDS+=($RECEIVER_PID)
  wait_until 10 test -s "$port_file" || fail "scripted receiver did not start (see $log)"
}

# start_slack_receiver OUT PORT_FILE LOG [ANSWER_DELAY_MS]: a Slack-like incoming webhook on a free loopback
# port: answers 429 (Retry-After: 1) to a request that arrives less than 1 s after the previous one, 200
# otherwise, ANSWER_DELAY_MS (default 0) after recording it. One JSON line per request appended to OUT:
# webhook_id, received_ms, gap_ms (null for the first), status, body. Sets RECEIVER_PID.
start_slack_receiver() {
  local out=$1 port_file=$2 log=$3 delay=${4:-0}
  cat >"$WORK/slack_receiver.js" <<'JS'
"use strict";
const http = require("node:http"), fs = require("node:fs");
const [out, portFile, delay] = process.argv.slice(2);
let last = 0;
const server = http.createServer((req, res) => {
  const now = Date.now(), gap = last ? now - last : null;
  last = now;
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const status = gap !== null && gap < 1000 ? 429 : 200;
    let body = null;
    try { body = JSON.parse(Buffer.concat(chunks).toString("utf8")); } catch (_) {}
    fs.appendFileSync(out, JSON.stringify({ webhook_id: req.headers["webhook-id"] || null, received_ms: now,
                                            gap_ms: gap, status, body }) + "\n");
    setTimeout(() => {
      res.writeHead(status, status === 429 ? { "retry-after": "1" } : {});
      res.end(status === 429 ? "rate_limited\n" : "ok\n");
    }, Number(delay));
  });
});
server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(portFile + ".tmp", String(server.address().port));
  fs.renameSync(portFile + ".tmp", portFile);
});
process.on("SIGTERM", () => process.exit(0));
JS
  node "$WORK/slack_receiver.js" "$out" "$port_file" "$delay" >>"$log" 2>&1 &
  RECEIVER_PID=$!
  PIDS+=($RECEIVER_PID)
  wait_until 10 test -s "$port_file" || fail "slack-like receiver did not start (see $log)"
}

# task_table N DONE_UPTO [SPEC_TITLE]: stdout, a tasks.md whose table holds tasks T1..TN; T1..T<DONE_UPTO> are
# Done, the others Backlog. Write it with save_atomically.
task_table() {
  awk -v n="$1" -v d="$2" -v title="${3:-Tasks}" 'BEGIN {
    printf "# %s\n\n| Task ID | Title | Status |\n|---|---|---|\n", title
    for (i = 1; i <= n; i++) printf "| T%d | Task number %d | %s |\n", i, i, (i <= d ? "Done" : "Backlog")
  }'
}

# daemon_exited PID: true once the process is gone (for wait_until after a signal).
daemon_exited() { ! kill -0 "$1" 2>/dev/null; }

# distinct_tasks OUT: how many distinct body.task.id values with a 2xx status the JSON-lines file holds.
distinct_tasks() {
  [ -f "$1" ] || { echo 0; return; }
  node -e '
    const ids = new Set();
    for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) {
      if (!l.trim()) continue;
      let j; try { j = JSON.parse(l); } catch (_) { continue; }  // a line being appended right now
      if (j.status >= 200 && j.status < 300 && j.body && j.body.task) ids.add(j.body.task.id);
    }
    console.log(ids.size);' "$1"
}
has_distinct_tasks() { [ "$(distinct_tasks "$1")" -ge "$2" ]; }

# check_burst OUT N WHAT: the requests of a burst that turned T1..TN Backlog -> Done, interrupted by kill -9 (WHAT
# says how, for the summary line): every request verifies and says Backlog -> Done (nothing re-detected), every
# task was answered 2xx, a task sent more than once (sent, but its completion not recorded when the daemon died)
# carries one webhook-id every time, its payload's delivery_id, and no two tasks share a webhook-id.
check_burst() {
  node - "$1" "$2" "$3" <<'JS'
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const n = Number(process.argv[3]);
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const byTask = new Map(), byId = new Map();
for (const l of lines) {
  if (l.verified !== true) fail(`request ${l.webhook_id} did not verify`);
  const t = l.body.task;
  if (t.from !== "Backlog" || t.to !== "Done") fail(`${t.id}: ${t.from} -> ${t.to}, want Backlog -> Done (re-detected?)`);
  if (!byTask.has(t.id)) byTask.set(t.id, []);
  byTask.get(t.id).push(l);
  if (!byId.has(l.webhook_id)) byId.set(l.webhook_id, new Set());
  byId.get(l.webhook_id).add(t.id);
}
let dups = 0;
for (let i = 1; i <= n; i++) {
  const ls = byTask.get("T" + i);
  if (!ls || !ls.some((l) => l.status === 200)) fail(`T${i} was never delivered (lost)`);
  const ids = new Set(ls.map((l) => l.webhook_id));
  if (ids.size !== 1) fail(`T${i} arrived under ${ids.size} webhook-ids: ${[...ids].join(" ")}`);
  if (ls[0].body.delivery_id !== ls[0].webhook_id) fail(`T${i}: payload delivery_id != webhook-id`);
  dups += ls.length - 1;
}
if (byTask.size !== n) fail(`${byTask.size} distinct tasks delivered, want ${n}`);
for (const [id, tasks] of byId) if (tasks.size !== 1) fail(`webhook-id ${id} used for tasks ${[...tasks].join(",")}`);
console.log(`all ${n} tasks delivered ${process.argv[4]}: ${lines.length} requests, ${dups} duplicate(s), each under its task's webhook-id`);
JS
}

# lines_in FILE: the number of non-empty lines; 0 for a missing or empty file (line_count prints "0" twice for an
# existing empty file, since grep -c exits 1 there).
lines_in() { if [ -s "$1" ]; then grep -c . "$1" || true; else echo 0; fi; }
at_least_lines() { [ "$(lines_in "$1")" -ge "$2" ]; }

# free_port: a loopback TCP port that was free a moment ago (for config keys that need a fixed port, such as
# metrics and admin, so parallel tests never share the defaults).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
