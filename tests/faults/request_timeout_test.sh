#!/usr/bin/env bash
# Request timeouts (timeout = 1 s): "blackhole" never answers; "late" answers its first request only after 3 s,
# then 200 at once. Each attempt must be cut at the timeout (the endpoint sees the connection closed about 1 s
# after the request arrived, never after its own 3 s), logged as a retry whose error says "timeout", and retried
# under the same webhook-id: blackhole is dead-lettered after max_attempts = 2, late is delivered by attempt 2.
source "$(dirname "$0")/faultlib.sh"

new_secret TO_SECRET
new_spec_dir SPEC-KIT-302-timeout 2

start_fault_server "$WORK/blackhole.jsonl" "$WORK/blackhole.port" "$WORK/server.log" "never"
start_fault_server "$WORK/late.jsonl" "$WORK/late.port" "$WORK/server.log" "late=3,200"
serve_sub_blocks blackhole "$(local_url "$WORK/blackhole.port" /h)" TO_SECRET 1s 2 50ms 100ms \
  -- late "$(local_url "$WORK/late.port" /h)" TO_SECRET 1s 5 50ms 100ms
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done

wait_until 15 file_has "$WORK/daemon.log" "deliverer/blackhole: .*moved to dead letters" ||
  fail "blackhole: not dead-lettered within 15 s (2 attempts x 1 s timeout)"
wait_until 15 has_requests "$WORK/late.jsonl" 2 || fail "late: $(requests_in "$WORK/late.jsonl") request(s), want 2"
wait_until 10 file_has "$WORK/late.jsonl" '"ev": "closed"' || fail "late: the first (3 s) request was never abandoned"

check() {  # check OUT LABEL WANT_REQUESTS
  node - "$@" <<'JS'
const [file, label, want] = process.argv.slice(2);
const all = require("fs").readFileSync(file, "utf8").trim().split("\n").map(JSON.parse);
const show = all.map((l) => "  " + JSON.stringify(l)).join("\n");
const fail = (m) => { console.error(`FAIL ${label}: ${m}\n${show}`); process.exit(1); };
const reqs = all.filter((l) => l.ev === "request"), closed = all.filter((l) => l.ev === "closed");
if (reqs.length !== +want) fail(`${reqs.length} requests, want ${want}`);
if (new Set(reqs.map((l) => l.webhook_id)).size !== 1) fail("webhook-ids differ between attempts");
if (reqs.map((l) => l.attempt).join() !== [...Array(+want).keys()].map((i) => i + 1).join()) fail("attempt numbers");
const cut = reqs.filter((r) => r.answer !== "200");
for (const r of cut) {
  const c = closed.find((x) => x.n === r.n);
  if (!c) fail(`request ${r.n}: the daemon never closed the connection`);
  const held = c.ms - r.received_ms;
  // timeout 1 s: closed by the client after ~1000 ms (plus scheduling slack), certainly before the 3 s answer
  if (held < 900 || held > 2500) fail(`request ${r.n} held ${held} ms before the daemon gave up, want ~1000`);
}
console.log(`${label}: ${reqs.length} request(s) under ${reqs[0].webhook_id}; held ` +
  cut.map((r) => closed.find((x) => x.n === r.n).ms - r.received_ms).join("/") + " ms before the cut");
JS
}
check "$WORK/blackhole.jsonl" blackhole 2 || fail "blackhole attempts"
check "$WORK/late.jsonl" late 2 || fail "late attempts"

# The attempt errors say timeout: blackhole attempt 1 retrying + attempt 2 dead-lettered, late attempt 1.
nb=$(attempt_lines "$WORK/daemon.log" blackhole | grep -c "timeout after 1000 ms" || true)
nl=$(attempt_lines "$WORK/daemon.log" late | grep -c "attempt 1: retrying timeout after 1000 ms" || true)
[ "$nb" -eq 2 ] || { attempt_lines "$WORK/daemon.log" blackhole >&2; fail "blackhole: $nb attempt line(s) say timeout, want 2"; }
[ "$nl" -eq 1 ] || { attempt_lines "$WORK/daemon.log" late >&2; fail "late: attempt 1 not logged as a timeout retry"; }
evidence_lines SPEC-KIT-302-timeout | grep -q '"timeout after 1000 ms"' || fail "evidence has no timeout record"
stop_daemon
echo "request timeout: OK"
