#!/usr/bin/env bash
# Huge response bodies (50 MB each): T1 is answered 500 + 50 MB (Content-Length), then 200 + 50 MB (chunked);
# T2 is answered 200 + 50 MB delimited by connection close; T3 gets a plain 200. Each delivery must be decided by
# its status alone (T1: one retry then delivered, T2 and T3 delivered, no further attempts), the daemon must not
# download the bodies (the endpoint sees the connection dropped before it could write all 50 MB), and the
# daemon's peak resident memory (VmHWM) must not grow by more than 16 MB over the whole episode.
source "$(dirname "$0")/faultlib.sh"

new_secret HB_SECRET
spec=SPEC-KIT-305-huge
mkdir -p "$WORK/repo/docs/$spec"
task_table 3 0 | save_atomically "$WORK/repo/docs/$spec/tasks.md"
start_fault_server "$WORK/huge.jsonl" "$WORK/huge.port" "$WORK/server.log" \
  "huge=50;code=500,huge=50;framing=chunked,huge=50;framing=close,200"
serve_sub_blocks huge "$(local_url "$WORK/huge.port" /h)" HB_SECRET 10s 5 50ms 200ms
hwm_before=$(vm_kb "$DAEMON_PID" VmHWM)
task_table 3 1 | save_atomically "$WORK/repo/docs/$spec/tasks.md"   # T1 -> Done
wait_until 20 has_requests "$WORK/huge.jsonl" 2 || fail "T1: $(requests_in "$WORK/huge.jsonl") request(s), want 2"
task_table 3 2 | save_atomically "$WORK/repo/docs/$spec/tasks.md"   # T2 -> Done
wait_until 20 has_requests "$WORK/huge.jsonl" 3 || fail "T2 not received"
task_table 3 3 | save_atomically "$WORK/repo/docs/$spec/tasks.md"   # T3 -> Done (sentinel)
wait_until 20 has_requests "$WORK/huge.jsonl" 4 || fail "T3 not received"
# Evidence: every attempt recorded with its status (T1: 500 then 200; T2, T3: 200).
ev_count() { evidence_lines "$spec" | grep -c . || true; }
ev_has_4() { [ "$(ev_count)" -ge 4 ]; }
wait_until 10 ev_has_4 || fail "evidence holds $(ev_count) record(s), want 4"
hwm_after=$(vm_kb "$DAEMON_PID" VmHWM)
growth=$(( hwm_after - hwm_before ))
echo "daemon VmHWM: ${hwm_before} kB -> ${hwm_after} kB (+${growth} kB) across 3 x 50 MB bodies"

evidence_lines "$spec" > "$WORK/evidence.jsonl"
node - "$WORK/huge.jsonl" "$WORK/evidence.jsonl" <<'JS' || fail "huge bodies"
const read = (f) => require("fs").readFileSync(f, "utf8").trim().split("\n").filter(Boolean).map(JSON.parse);
const all = read(process.argv[2]), ev = read(process.argv[3]);
const fail = (m) => { console.error("FAIL: " + m + "\n" + [...all, ...ev].map((l) => "  " + JSON.stringify(l)).join("\n")); process.exit(1); };
const reqs = all.filter((l) => l.ev === "request");
const tasks = reqs.map((l) => l.task).join();
if (tasks !== "T1,T1,T2,T3") fail(`requests for ${tasks}, want T1,T1,T2,T3`);
if (reqs[0].webhook_id !== reqs[1].webhook_id) fail("T1 webhook-ids differ");
for (const r of reqs.slice(0, 3)) {
  if (all.some((x) => x.ev === "huge_sent" && x.n === r.n)) fail(`request ${r.n}: the daemon read all 50 MB of the body`);
}
const status = (e) => e.status_code ?? e.status ?? e.http_status;
const byId = (id) => ev.filter((e) => e.delivery_id === id).map(status).join();
if (byId(reqs[0].webhook_id) !== "500,200") fail(`T1 evidence statuses ${byId(reqs[0].webhook_id)}, want 500,200`);
if (byId(reqs[2].webhook_id) !== "200") fail(`T2 evidence statuses ${byId(reqs[2].webhook_id)}, want 200`);
console.log("T1 500 -> retry -> 200, T2 200 (close-delimited), T3 200; no body downloaded in full");
JS
[ "$growth" -le 16384 ] || fail "daemon VmHWM grew by ${growth} kB (> 16 MB) while answers carried 50 MB bodies"
kill -0 "$DAEMON_PID" || fail "daemon died"
stop_daemon
echo "huge body: OK"
