#!/usr/bin/env bash
# Connection reset mid-response: the endpoint reads the request, sends part of the status line and headers, then
# closes with RST (SO_LINGER 0) - twice - and then answers 200. The delivery must be retried (same webhook-id,
# attempts 1..3) and delivered; each reset is logged as a retry with a network error (not as an HTTP status).
source "$(dirname "$0")/faultlib.sh"

new_secret RST_SECRET
new_spec_dir SPEC-KIT-303-reset 2
start_fault_server "$WORK/reset.jsonl" "$WORK/reset.port" "$WORK/server.log" "reset,reset,200"
serve_sub_blocks reset "$(local_url "$WORK/reset.port" /h)" RST_SECRET 5s 5 50ms 200ms
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done
wait_until 15 has_requests "$WORK/reset.jsonl" 3 || fail "$(requests_in "$WORK/reset.jsonl") request(s) within 15 s, want 3 (reset, reset, 200)"
task_table 2 2 | save_atomically "$spec_dir/tasks.md"   # T2: sentinel (200)
wait_until 10 has_requests "$WORK/reset.jsonl" 4 || fail "sentinel T2 not received"

node - "$WORK/reset.jsonl" <<'JS' || fail "reset attempts"
const reqs = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse).filter((l) => l.ev === "request");
const fail = (m) => { console.error("FAIL: " + m + "\n" + reqs.map((l) => "  " + JSON.stringify(l)).join("\n")); process.exit(1); };
const t1 = reqs.filter((l) => l.task === "T1");
if (t1.length !== 3) fail(`T1: ${t1.length} requests, want 3`);
if (new Set(t1.map((l) => l.webhook_id)).size !== 1) fail("T1 webhook-ids differ");
if (t1.map((l) => l.attempt).join() !== "1,2,3") fail("attempt numbers " + t1.map((l) => l.attempt).join());
if (reqs.filter((l) => l.task === "T2").length !== 1) fail("T2 not exactly once");
console.log("reset, reset, 200 under " + t1[0].webhook_id);
JS
lines=$(attempt_lines "$WORK/daemon.log" reset)
echo "$lines"
[ "$(grep -c "retrying" <<<"$lines")" -eq 2 ] || fail "want exactly 2 'retrying' attempt lines"
if grep "retrying" <<<"$lines" | grep -q "(HTTP "; then fail "a reset was reported with an HTTP status"; fi
grep "retrying" <<<"$lines" | grep -Eqi "reset|closed|aborted|invalid HTTP response" ||
  fail "the retry lines do not name the network failure"
stop_daemon
echo "connection reset: OK"
