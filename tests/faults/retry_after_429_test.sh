#!/usr/bin/env bash
# 429 + Retry-After: two subscriptions get the same transition. "honour" (max_backoff 10 s) is answered
# 429 Retry-After: 2 (delta seconds), then 429 Retry-After: <HTTP-date ~2-3 s ahead>, then 200: each retry must
# wait out the header (the configured backoff is only 50 ms, so a short gap means it was ignored). "clamp"
# (max_backoff 1 s) is answered 429 Retry-After: 3600, then 429 Retry-After: <HTTP-date an hour ahead>, then 200:
# both waits must be clamped to max_backoff (about 1 s, never an hour). Same webhook-id on every attempt,
# attempts numbered 1..3, each 429 logged as a retry.
source "$(dirname "$0")/faultlib.sh"

new_secret RA_SECRET
new_spec_dir SPEC-KIT-301-ra 2

start_fault_server "$WORK/honour.jsonl" "$WORK/honour.port" "$WORK/server.log" \
  "429;h:Retry-After=2,429;h:Retry-After=date+2,200"
start_fault_server "$WORK/clamp.jsonl" "$WORK/clamp.port" "$WORK/server.log" \
  "429;h:Retry-After=3600,429;h:Retry-After=date+3600,200"
serve_sub_blocks honour "$(local_url "$WORK/honour.port" /h)" RA_SECRET 5s 5 50ms 10s \
  -- clamp "$(local_url "$WORK/clamp.port" /h)" RA_SECRET 5s 5 50ms 1s
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done

wait_until 20 has_requests "$WORK/honour.jsonl" 3 || fail "honour: $(requests_in "$WORK/honour.jsonl") request(s) within 20 s, want 3"
wait_until 10 has_requests "$WORK/clamp.jsonl" 3 || fail "clamp: $(requests_in "$WORK/clamp.jsonl") request(s) within 10 s, want 3"
# Delivered means no 4th attempt; give a late one a moment to show up through a sentinel transition.
task_table 2 2 | save_atomically "$spec_dir/tasks.md"   # T2 -> Done (answered 200)
wait_until 10 has_requests "$WORK/honour.jsonl" 4 || fail "honour: sentinel T2 not received"
wait_until 10 has_requests "$WORK/clamp.jsonl" 4 || fail "clamp: sentinel T2 not received"

check() {  # check OUT MIN_MS MAX_MS MIN2_MS MAX2_MS LABEL
  node - "$@" <<'JS'
const [file, min1, max1, min2, max2, label] = process.argv.slice(2);
const all = require("fs").readFileSync(file, "utf8").trim().split("\n").map(JSON.parse).filter((l) => l.ev === "request");
const show = all.map((l) => `  ${l.received_ms} ${l.webhook_id} ${l.task} attempt=${l.attempt} answer=${l.answer}`).join("\n");
const fail = (m) => { console.error(`FAIL ${label}: ${m}\n${show}`); process.exit(1); };
const t1 = all.filter((l) => l.task === "T1"), t2 = all.filter((l) => l.task === "T2");
if (t1.length !== 3) fail(`T1: ${t1.length} requests, want 3 (429, 429, 200)`);
if (new Set(t1.map((l) => l.webhook_id)).size !== 1 || !/^msg_/.test(t1[0].webhook_id)) fail("T1 webhook-ids differ");
if (t1.map((l) => l.attempt).join() !== "1,2,3") fail("attempt numbers " + t1.map((l) => l.attempt).join());
if (t2.length !== 1) fail(`sentinel T2: ${t2.length} requests, want 1`);
const gaps = [t1[1].received_ms - t1[0].received_ms, t1[2].received_ms - t1[1].received_ms];
if (gaps[0] < +min1 || gaps[0] > +max1) fail(`gap 1->2 is ${gaps[0]} ms, want ${min1}..${max1} ms`);
if (gaps[1] < +min2 || gaps[1] > +max2) fail(`gap 2->3 is ${gaps[1]} ms, want ${min2}..${max2} ms`);
console.log(`${label}: 429,429,200 under ${t1[0].webhook_id}, gaps ${gaps.join("/")} ms`);
JS
}
# honour: "2" -> >= 2 s; HTTP-date at ceil(now)+2 s -> 2..3 s (+ slack for second rounding and scheduling)
check "$WORK/honour.jsonl" 1990 3500 1900 4200 honour || fail "Retry-After not honoured"
# clamp: an hour, twice -> max_backoff (1 s) each time
check "$WORK/clamp.jsonl" 950 2500 950 2500 clamp || fail "Retry-After not clamped to max_backoff"

n429=$(attempt_lines "$WORK/daemon.log" honour | grep -c "retrying (HTTP 429)" || true)
[ "$n429" -eq 2 ] || fail "daemon log: $n429 'retrying (HTTP 429)' lines for honour, want 2"
stop_daemon
echo "retry-after 429: OK"
