#!/usr/bin/env bash
# The compose topology (deploy/docker-compose.yml) for real, without Docker: deploy/topology.sh reads the compose
# file and runs its services as local processes on loopback (the daemon with deploy/spec-notify.compose.toml, a
# healthy and a fault-injecting `spec-notify receive`, secrets from an env file, the named state volume).
# Checks: start order + health checks; one transition reaches the healthy receiver once and the faulty one after
# two injected 500s with the same webhook-id; the per-subscription status filter; evidence of every attempt;
# `down` + `up` keeps the state volume (no re-delivery, a change made while down arrives once); every service
# exits 0 on SIGTERM; the secrets appear in no log, state or evidence file.
# Needs python3 + PyYAML (python3-yaml, installed with docker-compose by deploy/setup.sh).
source "$(dirname "$0")/lib.sh"
DEPLOY="$TEST_DIR/../deploy"
command -v python3 >/dev/null || fail "python3 is required (deploy/setup.sh installs it)"
python3 -c 'import yaml' 2>/dev/null ||
  fail "python3-yaml is required by deploy/topology.sh (deploy/setup.sh installs it with docker-compose)"

chatops=$("$BIN" secret new)
audit=$("$BIN" secret new)
printf '# test secrets\nSPEC_NOTIFY_CHATOPS_SECRET=%s\nSPEC_NOTIFY_AUDIT_SECRET="%s"\n' "$chatops" "$audit" \
  > "$WORK/secrets.env"
# The shell must not leak values into the services: topology.sh passes only what the compose file declares.
unset SPEC_NOTIFY_CHATOPS_SECRET SPEC_NOTIFY_AUDIT_SECRET
bash "$DEPLOY/topology.sh" sample-repo "$WORK/repo" >/dev/null
export SPEC_NOTIFY_REPO="$WORK/repo"   # the same variable docker-compose interpolates
# at_least FILE N: FILE has N or more non-empty lines (0 when it does not exist yet).
at_least() { [ "$(grep -cs . "$1" || true)" -ge "$2" ] 2>/dev/null; }
TASKS="$WORK/repo/docs/SPEC-KIT-900-compose-demo/tasks.md"
T="$WORK/topo"

up() {
  bash "$DEPLOY/topology.sh" up --workdir "$T" --env-file "$WORK/secrets.env" --bin "$BIN" \
    >>"$WORK/topology.log" 2>&1 &
  TOPO_PID=$!
  PIDS+=("$TOPO_PID")
  wait_until 60 test -s "$T/topology.json" || fail "topology did not come up"
}
down() {  # like `docker-compose down` (the named volume stays)
  kill -TERM "$TOPO_PID"
  local rc=0
  wait "$TOPO_PID" || rc=$?
  [ "$rc" = 0 ] || fail "topology exited $rc on SIGTERM: $(cat "$T/exit-codes.json" 2>/dev/null)"
  python3 - "$T/exit-codes.json" <<'PY' || fail "a service did not exit 0 on SIGTERM"
import json, sys
codes = json.load(open(sys.argv[1]))
assert set(codes) == {"spec-notify", "receiver-ok", "receiver-faulty"}, codes
assert all(c == 0 for c in codes.values()), codes
PY
}
status() {  # status TASK_ID NEW_STATUS: rewrites that row's Status cell, saved atomically
  python3 - "$TASKS" "$1" "$2" <<'PY'
import sys
path, task, status = sys.argv[1:]
lines = open(path).read().split("\n")
for i, l in enumerate(lines):
    cells = l.split("|")
    if len(cells) > 5 and cells[2].strip() == task:
        cells[4] = " %s " % status
        lines[i] = "|".join(cells)
open(path + ".tmp~", "w").write("\n".join(lines))
PY
  mv -f "$TASKS.tmp~" "$TASKS"
}

echo "== up: receivers healthy before the daemon starts, every health check passes"
up
grep -q "started receiver-ok" "$WORK/topology.log" || fail "receiver-ok not started"
order=$(grep -o 'started [a-z-]*' "$WORK/topology.log" | awk '{print $2}' | tr '\n' ' ')
[ "$(echo $order | wc -w)" = 3 ] && [ "${order% }" != "${order%spec-notify }" ] ||
  fail "the daemon must start last, after its dependencies: '$order'"
for s in spec-notify receiver-ok receiver-faulty; do
  wait_until 15 file_has "$T/health/$s" '^healthy' || fail "$s health: $(cat "$T/health/$s" 2>/dev/null)"
done
# The daemon's probe scrapes its metrics endpoint (the rendered config's free port, not the container's 9464).
grep -q "127.0.0.1/9464" "$DEPLOY/docker-compose.yml" || fail "the daemon's health check no longer scrapes 9464"
# TCP health probes are not requests: the fault budget (--fail 2) is untouched.
! grep -qs . "$T/receiver-faulty.jsonl" || fail "a health probe was counted as a request"
wait_until 20 file_has "$T/spec-notify.log" "baseline recorded" || fail "no baseline"

echo "== T1 -> Done: chatops once (verified, both signatures); audit after 2 injected 500s, same webhook-id"
status T1 Done
wait_until 20 at_least "$T/receiver-ok.jsonl" 1 || fail "healthy receiver got nothing"
wait_until 30 at_least "$T/receiver-faulty.jsonl" 3 || fail "faulty receiver did not get 3 attempts"

echo "== T2 -> In Progress (audit only: chatops filters Done), then T3 -> Done (both)"
status T2 "In Progress"
wait_until 20 at_least "$T/receiver-faulty.jsonl" 4 || fail "audit did not get the In Progress transition"
status T3 "**DONE**"
wait_until 20 at_least "$T/receiver-ok.jsonl" 2 || fail "chatops did not get T3"
wait_until 20 at_least "$T/receiver-faulty.jsonl" 5 || fail "audit did not get T3"

python3 - "$T/receiver-ok.jsonl" "$T/receiver-faulty.jsonl" <<'PY' || fail "deliveries"
import json, sys
ok = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
bad = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
def task(l): return l["body"]["task"]["id"]
assert [task(l) for l in ok] == ["T1", "T3"], [task(l) for l in ok]
assert all(l["status"] == 200 and l["verified"] is True and l["github_verified"] is True for l in ok), ok
assert all(l["attempt"] == 1 for l in ok), [l["attempt"] for l in ok]
t1 = ok[0]["body"]
assert t1["spec"]["id"] == "SPEC-KIT-900-compose-demo" and t1["spec"]["key"] == "SPEC-KIT-900", t1["spec"]
assert (t1["task"]["from"], t1["task"]["to"]) == ("In Progress", "Done"), t1["task"]
assert t1["delivery_id"] == ok[0]["webhook_id"]
first3 = bad[:3]
assert len({l["webhook_id"] for l in first3}) == 1, "retries must keep the webhook-id"
assert first3[0]["webhook_id"] != ok[0]["webhook_id"], "one delivery id per event x subscription"
assert [l["status"] for l in first3] == [500, 500, 200], [l["status"] for l in first3]
assert [l["attempt"] for l in first3] == [1, 2, 3], [l["attempt"] for l in first3]
assert all(l["verified"] is True and l["github_verified"] is None for l in bad), "audit: standard signature only"
assert [task(l) for l in bad] == ["T1", "T1", "T1", "T2", "T3"], [task(l) for l in bad]
assert [l["status"] for l in bad[3:]] == [200, 200]
assert bad[3]["body"]["task"]["to"] == "In Progress"
PY

echo "== evidence: one record per attempt, in the checkout's evidence dir"
ev="$WORK/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-900-compose-demo/webhooks"
wait_until 10 bash -c "cat '$ev'/*.jsonl 2>/dev/null | grep -c . | grep -qx 7" ||
  fail "want 7 evidence records (2 chatops + 5 audit attempts), got: $(cat "$ev"/*.jsonl 2>/dev/null | grep -c .)"
[ "$(cat "$ev"/*.jsonl | grep '"subscription":"audit"' | grep -c '"status_code":500')" = 2 ] ||
  fail "the two injected 500s are not in the evidence"

echo "== down; T4 -> Done while down; up: exactly T4 arrives, nothing is re-delivered (state volume kept)"
down
[ -f "$T/volumes/state/CURRENT" ] || fail "the named volume 'state' holds no LevelDB"
status T4 Done
up
wait_until 20 at_least "$T/receiver-ok.jsonl" 3 || fail "the change made while down was not delivered"
wait_until 20 at_least "$T/receiver-faulty.jsonl" 6 || fail "audit: change made while down not delivered"
# Sentinel: one more transition proves nothing else was queued before it.
status T2 Done
wait_until 20 at_least "$T/receiver-ok.jsonl" 4 || fail "sentinel missing"
ids=$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["body"]["task"]["id"] for l in open(sys.argv[1]) if l.strip()))' \
  "$T/receiver-ok.jsonl")
[ "$ids" = "T1 T3 T4 T2" ] || fail "chatops deliveries across down/up: '$ids', want 'T1 T3 T4 T2'"
down

echo "== no secret in any log, state, evidence or rendered file"
for s in "$chatops" "$audit"; do
  key=${s#whsec_}
  if grep -rqF -e "$s" -e "$key" "$T" "$WORK/repo" "$WORK/topology.log"; then fail "a secret leaked"; fi
done
echo "compose topology: OK"
