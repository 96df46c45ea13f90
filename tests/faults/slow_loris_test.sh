#!/usr/bin/env bash
# Slow-loris responses (timeout = 2 s). "trickle" sends its status line and headers one byte per second: every
# attempt must be cut at the 2 s deadline (Poco's per-call timeouts alone would never fire, since a byte arrives
# every second), logged as a timeout, and dead-lettered after max_attempts = 2. "slowbody" sends 200 headers at
# once and then the body one byte per second: that is a 2xx answer (delivered, not retried), but the connection
# must still be dropped at the deadline, and the next delivery (T2, answered 200 at once) must go through.
source "$(dirname "$0")/faultlib.sh"

new_secret SL_SECRET
new_spec_dir SPEC-KIT-304-loris 2
start_fault_server "$WORK/trickle.jsonl" "$WORK/trickle.port" "$WORK/server.log" "trickle"
start_fault_server "$WORK/slowbody.jsonl" "$WORK/slowbody.port" "$WORK/server.log" "slowbody,200"
serve_sub_blocks trickle "$(local_url "$WORK/trickle.port" /h)" SL_SECRET 2s 2 50ms 100ms \
  -- slowbody "$(local_url "$WORK/slowbody.port" /h)" SL_SECRET 2s 3 50ms 100ms
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done
wait_until 20 file_has "$WORK/daemon.log" "deliverer/trickle: .*moved to dead letters" ||
  fail "trickle: not dead-lettered within 20 s (2 attempts x 2 s timeout)"
wait_until 10 file_has "$WORK/slowbody.jsonl" '"ev": "closed"' || fail "slowbody: the connection was never dropped"
task_table 2 2 | save_atomically "$spec_dir/tasks.md"   # T2 -> Done
wait_until 10 has_requests "$WORK/slowbody.jsonl" 2 || fail "slowbody: T2 never arrived (worker stuck?)"

node - "$WORK/trickle.jsonl" "$WORK/slowbody.jsonl" <<'JS' || fail "slow-loris"
const read = (f) => require("fs").readFileSync(f, "utf8").trim().split("\n").map(JSON.parse);
const tr = read(process.argv[2]), sb = read(process.argv[3]);
const fail = (m) => { console.error("FAIL: " + m + "\n" + [...tr, ...sb].map((l) => "  " + JSON.stringify(l)).join("\n")); process.exit(1); };
const held = (all, r) => { const c = all.find((x) => x.ev === "closed" && x.n === r.n); return c ? c.ms - r.received_ms : null; };
const treq = tr.filter((l) => l.ev === "request" && l.task === "T1");
if (treq.length !== 2) fail(`trickle: T1 got ${treq.length} requests, want 2 (then dead letter)`);
if (new Set(treq.map((l) => l.webhook_id)).size !== 1) fail("trickle: webhook-ids differ");
for (const r of treq) {
  const h = held(tr, r);
  if (h === null) fail(`trickle request ${r.n}: never cut`);
  if (h < 1900 || h > 3500) fail(`trickle request ${r.n}: cut after ${h} ms, want ~2000 (the timeout)`);
}
const sreq = sb.filter((l) => l.ev === "request");
const s1 = sreq.filter((l) => l.task === "T1"), s2 = sreq.filter((l) => l.task === "T2");
if (s1.length !== 1) fail(`slowbody: T1 got ${s1.length} requests, want 1 (200 status = delivered)`);
if (s2.length !== 1) fail(`slowbody: T2 got ${s2.length} requests, want 1`);
const h = held(sb, s1[0]);
if (h === null || h < 1900 || h > 3500) fail(`slowbody: T1 connection dropped after ${h} ms, want ~2000`);
console.log(`trickle cut after ${treq.map((r) => held(tr, r)).join("/")} ms; slowbody dropped after ${h} ms`);
JS
nt=$(attempt_lines "$WORK/daemon.log" trickle | grep -c "timeout after 2000 ms" || true)
[ "$nt" -eq 2 ] || { attempt_lines "$WORK/daemon.log" trickle >&2; fail "trickle: $nt attempt line(s) say timeout, want 2"; }
if [ -n "$(attempt_lines "$WORK/daemon.log" slowbody)" ]; then
  attempt_lines "$WORK/daemon.log" slowbody >&2; fail "slowbody: a 200 answer was retried"
fi
stop_daemon
echo "slow-loris: OK"
