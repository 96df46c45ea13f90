#!/usr/bin/env bash
# End to end: serve against a temp repo; a status change saved by atomic rename yields exactly one delivery
# that the official npm verifiers accept; a change made while the daemon is down arrives once after restart;
# the secret appears in no log, state or evidence file; SIGTERM exits 0.
source "$(dirname "$0")/lib.sh"
ensure_verifiers

new_secret E2E_SECRET
mkdir -p "$WORK/repo/docs/SPEC-KIT-075-webhooks"
spec() {  # spec T1 T2 T3 T4: the four statuses
  cat <<MD
# Tracker

| Order | Task ID | Title | Status | Owners | PRD | Branch | PR | Last Validation | Evidence | Notes |
|---|---|---|---|---|---|---|---|---|---|---|
| 1 | T1 | First | $1 | Code | docs/SPEC-KIT-075-webhooks/PRD.md |  |  |  |  |  |
| 2 | T2 | Second | $2 | Code | docs/SPEC-KIT-075-webhooks/PRD.md |  |  |  |  |  |
| 3 | T3 | Third | $3 | Code | docs/SPEC-KIT-075-webhooks/PRD.md |  |  |  |  |  |
| 4 | T4 | Fourth | $4 | Code |  |  |  |  |  |  |
MD
}
spec "In Progress" "Backlog" "In Progress" "Backlog" | save_atomically "$WORK/repo/SPEC.md"

start_verifier "$WORK/received.jsonl" "$WORK/verifier.port" E2E_SECRET
config_toml -- e2e "$(local_url "$WORK/verifier.port")" E2E_SECRET signature=both > "$WORK/config.toml"

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
has_lines "$WORK/received.jsonl" 1 && fail "the baseline must not emit events"

# 1. One transition -> exactly one verified delivery (T4 is the sentinel proving nothing else is in flight).
spec "Done" "Backlog" "In Progress" "Backlog" | save_atomically "$WORK/repo/SPEC.md"
wait_until 10 has_lines "$WORK/received.jsonl" 1 || fail "no delivery within 10 s of the save"
spec "Done" "Backlog" "In Progress" "**DONE**" | save_atomically "$WORK/repo/SPEC.md"
wait_until 10 has_lines "$WORK/received.jsonl" 2 || fail "sentinel delivery missing"

node - "$WORK/received.jsonl" <<'JS'
const lines = require('fs').readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const fail = (m) => { console.error('FAIL: ' + m); process.exit(1); };
if (lines.length !== 2) fail(`expected 2 deliveries, got ${lines.length}`);
const [a, b] = lines;
for (const l of lines) {
  if (l.standard_verified !== true) fail(`standardwebhooks rejected ${l.webhook_id}`);
  if (l.github_verified !== true) fail(`@octokit/webhooks-methods rejected ${l.webhook_id}`);
}
const t = a.body.task;
if (t.id !== 'T1' || t.from !== 'In Progress' || t.to !== 'Done') fail('first payload: ' + JSON.stringify(t));
if (a.body.spec.id !== 'SPEC-KIT-075-webhooks' || a.body.spec.key !== 'SPEC-KIT-075') fail('spec: ' + JSON.stringify(a.body.spec));
if (a.body.delivery_id !== a.webhook_id) fail('delivery_id must equal webhook-id');
if (b.body.task.id !== 'T4' || b.body.task.from !== 'Backlog' || b.body.task.raw_status !== '**DONE**') fail('sentinel: ' + JSON.stringify(b.body.task));
JS

# 2. Stop (SIGTERM -> exit 0), change while down, restart -> that change arrives exactly once.
stop_daemon
spec "Done" "Done" "In Progress" "**DONE**" | save_atomically "$WORK/repo/SPEC.md"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 15 has_lines "$WORK/received.jsonl" 3 || fail "change made while stopped was not delivered after restart"
spec "Done" "Done" "Done" "**DONE**" | save_atomically "$WORK/repo/SPEC.md"
wait_until 10 has_lines "$WORK/received.jsonl" 4 || fail "sentinel after restart missing"
ids=$(node -e 'for (const l of require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n")) console.log(JSON.parse(l).body.task.id)' "$WORK/received.jsonl" | tr '\n' ' ')
[ "$ids" = "T1 T4 T2 T3 " ] || fail "deliveries after restart: got '$ids', want 'T1 T4 T2 T3 '"

# 3. The secret is nowhere on disk or in the logs.
stop_daemon
key=${E2E_SECRET#whsec_}
if grep -rqF -e "$E2E_SECRET" -e "$key" "$WORK/daemon.log" "$WORK/state" "$WORK/repo"; then fail "secret leaked"; fi
echo "e2e delivery: OK"
