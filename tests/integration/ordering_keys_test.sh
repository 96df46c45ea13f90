#!/usr/bin/env bash
# Ordering keys (issue 16 item 1). 200 tasks go Backlog -> In Progress -> In Review -> Done in three quick saves
# (each save waits only until the daemon has detected the one before, so the three rounds overlap in the spool)
# to a receiver that answers after a random 0-200 ms and fails 20% of first attempts (HTTP 500, chosen by a
# hash of the webhook-id, so a re-send after the crash meets the same answer). With ordering = "task" and
# max_in_flight = 8, for every task the receiver must see In Progress (sequence 1), In Review (2), Done (3):
# no request of sequence s+1 before a 2xx of s, no request of s after one of s+1. The daemon is killed -9 in
# the middle and restarted, then reloaded (SIGHUP); order and sequence must hold across both, and every
# request verifies.
source "$(dirname "$0")/lib.sh"

N=200
new_secret ORD_SECRET
spec="SPEC-KIT-416-ordering"
spec_dir="$WORK/repo/docs/$spec"
mkdir -p "$spec_dir"
table() {  # table STATUS: all N tasks in STATUS
  awk -v n=$N -v s="$1" 'BEGIN { printf "# Tasks\n\n| Task ID | Title | Status |\n|---|---|---|\n"
    for (i = 1; i <= n; i++) printf "| T%d | Task %d | %s |\n", i, i, s }'
}
table Backlog | save_atomically "$spec_dir/tasks.md"

cat >"$WORK/flaky.js" <<'JS'
"use strict";
const http = require("node:http"), fs = require("node:fs"), crypto = require("node:crypto");
const [out, portFile] = process.argv.slice(2);
const secrets = (process.env.ORD_SECRET || "").split(/\s+/).filter(Boolean);
function verify(h, body) {
  const sigs = (h["webhook-signature"] || "").split(" ");
  return secrets.some((s) => sigs.includes("v1," + crypto.createHmac("sha256", Buffer.from(s.replace(/^whsec_/, ""), "base64"))
    .update(`${h["webhook-id"]}.${h["webhook-timestamp"]}.${body}`).digest("base64")));
}
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const id = req.headers["webhook-id"] || "", attempt = Number(req.headers["x-spec-notify-attempt"] || 0);
    const fails = attempt === 1 && crypto.createHash("sha256").update(id).digest()[0] % 5 === 0;  // 20%
    const status = fails ? 500 : 200;
    let parsed = null;
    try { parsed = JSON.parse(body); } catch (_) {}
    // Recorded when the answer is decided, before it is sent: the order of lines is the order of answers.
    setTimeout(() => {
      fs.appendFileSync(out, JSON.stringify({ webhook_id: id, attempt, status, received_ms: Date.now(),
        verified: verify(req.headers, body), body: parsed }) + "\n");
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(fails ? "no\n" : "ok\n");
    }, Math.floor(Math.random() * 201));
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => {
  fs.writeFileSync(portFile + ".tmp", String(server.address().port));
  fs.renameSync(portFile + ".tmp", portFile);
});
process.on("SIGTERM", () => process.exit(0));
JS
node "$WORK/flaky.js" "$WORK/received.jsonl" "$WORK/flaky.port" >>"$WORK/flaky.log" 2>&1 &
PIDS+=($!)
wait_until 10 test -s "$WORK/flaky.port" || fail "receiver did not start"

mport=$(free_port)
config_toml metrics="127.0.0.1:$mport" \
  -- ordered "$(local_url "$WORK/flaky.port")" ORD_SECRET 'statuses=["In Progress", "In Review", "Done"]' \
  ordering=task max_in_flight=8 retry.max_attempts=20 retry.initial_backoff=50ms retry.max_backoff=300ms \
  > "$WORK/config.toml"

# events_detected_total >= N: the daemon's differ has seen the save (the counter starts at 0 per start).
detected_at_least() {
  local n
  n=$(curl -sf "http://127.0.0.1:$mport/metrics" | awk '$1 == "spec_notify_events_detected_total" { print $2 }')
  [ -n "$n" ] && [ "$n" -ge "$1" ]
}

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
round=0
for status in "In Progress" "In Review" "Done"; do
  round=$((round + 1))
  table "$status" | save_atomically "$spec_dir/tasks.md"
  wait_until 20 detected_at_least $((N * round)) || fail "round $round ($status) not detected within 20 s"
done
# Kill -9 while the three rounds are still going out.
wait_until 60 at_least_lines "$WORK/received.jsonl" $((N * 3 / 2)) || fail "fewer than $((N * 3 / 2)) requests within 60 s"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
at_kill=$(lines_in "$WORK/received.jsonl")
echo "killed the daemon (SIGKILL) after $at_kill requests"
echo "--- restart after SIGKILL" >>"$WORK/daemon.log"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
# And a reload (SIGHUP restarts the pipeline) while the rest goes out.
wait_until 60 at_least_lines "$WORK/received.jsonl" $((at_kill + 100)) || fail "no progress after the restart"
kill -HUP "$DAEMON_PID"
wait_until 20 file_has "$WORK/daemon.log" "SIGHUP: applying the new config" || fail "the reload did not happen"
echo "reloaded (SIGHUP) after $(lines_in "$WORK/received.jsonl") requests"

delivered_all() {  # every (task, sequence 3) answered 2xx
  [ "$(grep '"status":200' "$WORK/received.jsonl" | grep -c '"to":"Done"')" -ge $N ]
}
wait_until 120 delivered_all || fail "not every task reached Done at the receiver within 120 s of the restart"

node - "$WORK/received.jsonl" $N "$spec" <<'JS' || fail "order or sequence broken (see above)"
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const n = Number(process.argv[3]), spec = process.argv[4];
const fail = (m) => { console.error("FAIL: " + m); process.exit(1); };
const want = { 1: "In Progress", 2: "In Review", 3: "Done" };
const perTask = new Map(), seqOfId = new Map();
let failed = 0;
for (const l of lines) {
  if (l.verified !== true) fail(`request ${l.webhook_id} did not verify`);
  const b = l.body, t = b.task.id;
  if (b.ordering_key !== `${spec}/${t}`) fail(`${t}: ordering_key ${b.ordering_key}`);
  if (want[b.sequence] !== b.task.to) fail(`${t}: sequence ${b.sequence} carries ${b.task.to}`);
  if (seqOfId.has(l.webhook_id) && seqOfId.get(l.webhook_id) !== b.sequence) fail(`${l.webhook_id}: sequence changed`);
  seqOfId.set(l.webhook_id, b.sequence);
  if (l.status !== 200) failed++;
  if (!perTask.has(t)) perTask.set(t, []);
  perTask.get(t).push(l);
}
if (perTask.size !== n) fail(`${perTask.size} tasks seen, want ${n}`);
for (const [t, ls] of perTask) {
  let done = 0;  // highest sequence answered 2xx so far
  let highest = 0;  // highest sequence requested so far
  for (const l of ls) {
    const s = l.body.sequence;
    if (s > done + 1) fail(`${t}: sequence ${s} requested before ${done + 1} was delivered`);
    if (s < highest) fail(`${t}: sequence ${s} requested after ${highest}`);
    highest = Math.max(highest, s);
    if (l.status === 200) done = Math.max(done, s);
  }
  if (done !== 3) fail(`${t}: delivered up to sequence ${done}`);
}
console.log(`${n} tasks x 3 transitions in order with sequences 1..3; ${lines.length} requests, ${failed} answered 500`);
JS
stop_daemon
echo "ordering: OK"
