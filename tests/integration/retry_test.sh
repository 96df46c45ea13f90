#!/usr/bin/env bash
# Retry with Retry-After: the endpoint answers 503 (Retry-After: 1) three times, then 200. The delivery must
# arrive after exactly 4 attempts, all under the same webhook-id, numbered 1..4 (x-spec-notify-attempt), every
# retry waiting out the Retry-After second (the configured backoff is only 50 ms, so a shorter gap means the
# header was ignored), and it must not be sent again once delivered. The evidence trail holds the 4 attempts.
source "$(dirname "$0")/lib.sh"

new_secret RETRY_SECRET
new_spec_dir SPEC-KIT-201-retry 3

start_scripted_receiver "$WORK/received.jsonl" "$WORK/receiver.port" "$WORK/receiver.log" \
  "503:1,503:1,503:1,200" RETRY_SECRET
config_toml -- retry "$(local_url "$WORK/receiver.port")" RETRY_SECRET max_in_flight=1 timeout=5s \
  retry.max_attempts=6 retry.initial_backoff=50ms retry.max_backoff=5s retry.multiplier=2.0 > "$WORK/config.toml"

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"

task_table 3 1 | save_atomically "$spec_dir/tasks.md"     # T1: Backlog -> Done
wait_until 20 has_distinct_tasks "$WORK/received.jsonl" 1 || fail "T1 was not delivered within 20 s (3 x 503 then 200)"

# Sentinel: a later transition (answered 200 at once) proves the pipeline moved on; T1 must not be re-sent.
task_table 3 2 | save_atomically "$spec_dir/tasks.md"     # T2: Backlog -> Done
wait_until 10 has_distinct_tasks "$WORK/received.jsonl" 2 || fail "sentinel T2 was not delivered"

node - "$WORK/received.jsonl" <<'JS' || fail "retry sequence"
const lines = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
const fail = (m) => { console.error("FAIL: " + m + "\n" + lines.map((l) =>
  `  ${l.received_ms} ${l.webhook_id} task=${l.body && l.body.task && l.body.task.id} attempt=${l.attempt} -> ${l.status}`).join("\n")); process.exit(1); };
const t1 = lines.filter((l) => l.body && l.body.task && l.body.task.id === "T1");
const t2 = lines.filter((l) => l.body && l.body.task && l.body.task.id === "T2");
if (t1.length !== 4) fail(`T1: ${t1.length} requests, want 4 (503, 503, 503, 200)`);
if (t1.map((l) => l.status).join() !== "503,503,503,200") fail("T1 answers: " + t1.map((l) => l.status).join());
if (new Set(t1.map((l) => l.webhook_id)).size !== 1 || !/^msg_/.test(t1[0].webhook_id)) fail("T1 webhook-ids differ");
if (t1[0].body.delivery_id !== t1[0].webhook_id) fail("payload delivery_id != webhook-id");
if (t1.map((l) => l.attempt).join() !== "1,2,3,4") fail("x-spec-notify-attempt: " + t1.map((l) => l.attempt).join());
if (!lines.every((l) => l.verified === true)) fail("a request did not verify (Standard Webhooks HMAC)");
for (let i = 1; i < 4; i++) {
  const gap = t1[i].received_ms - t1[i - 1].received_ms;
  // Retry-After: 1 -> at least 1000 ms between the 503 answer and the next attempt (5 ms of clock slack).
  if (gap < 995) fail(`attempt ${i + 1} came ${gap} ms after attempt ${i}: Retry-After: 1 not respected`);
  if (gap > 4000) fail(`attempt ${i + 1} came ${gap} ms after attempt ${i}: far longer than Retry-After: 1`);
}
if (t2.length !== 1 || t2[0].status !== 200) fail(`sentinel T2: ${t2.length} requests`);
if (t2[0].webhook_id === t1[0].webhook_id) fail("T1 and T2 share a webhook-id");
console.log("retry sequence: 503,503,503,200 under " + t1[0].webhook_id + ", gaps " +
  [1, 2, 3].map((i) => t1[i].received_ms - t1[i - 1].received_ms).join("/") + " ms");
JS

# Evidence: one record per attempt of T1 (3 retrying + 1 delivered), written by the evidence actor.
t1_id=$(node -e 'for (const l of require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n")) { const j = JSON.parse(l); if (j.body.task.id === "T1") { console.log(j.webhook_id); break; } }' "$WORK/received.jsonl")
evidence_attempts() { cat "$WORK"/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-201-retry/webhooks/*.jsonl 2>/dev/null | grep -F "\"$t1_id\"" | grep -c . || true; }
evidence_has_4() { [ "$(evidence_attempts)" -ge 4 ]; }
wait_until 10 evidence_has_4 || fail "evidence holds $(evidence_attempts) record(s) of $t1_id, want 4"

stop_daemon
echo "retry: OK"
