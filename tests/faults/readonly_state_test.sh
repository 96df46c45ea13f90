#!/usr/bin/env bash
# Read-only state directory. Phase 1 (writable): T1 is detected and attempted against an endpoint answering 500,
# so its delivery stays in the spool; SIGTERM. Phase 2: the state directory becomes read-only (a tmpfs remounted
# read-only when the test runs as root with CAP_SYS_ADMIN; else, as root, chmod 555 plus the daemon run as uid
# 65534 via setpriv; else, unprivileged, chmod 555). Then `serve` must exit 1 within 10 s with an error naming the
# state directory - for the existing store and for a state_dir that does not exist yet - and send nothing: the
# endpoint gets no request, no new evidence is written. Phase 3 (writable again, endpoint answers 200): T1 is
# delivered from the spool under its original webhook-id (nothing lost), and T2 made meanwhile is detected.
source "$(dirname "$0")/faultlib.sh"

new_secret RO_SECRET
spec=SPEC-KIT-309-readonly
mkdir -p "$WORK/repo/docs/$spec"
task_table 3 0 | save_atomically "$WORK/repo/docs/$spec/tasks.md"
MNT=$WORK/mnt
mode=""
# SPEC_NOTIFY_FAULT_RO_MODE=setpriv forces the fallback (to exercise it where mounting works).
if [ "${SPEC_NOTIFY_FAULT_RO_MODE:-}" != setpriv ] && mount_tmpfs "$MNT" 8m; then
  mode=remount
elif [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  mode=setpriv; mkdir -p "$MNT"; chmod 755 "$WORK"; chmod -R a+rX "$WORK"
elif [ "$(id -u)" -ne 0 ]; then
  mode=chmod; mkdir -p "$MNT"
else
  fail "cannot make a read-only state dir: mount not permitted ($(cat "$WORK/mount.log" 2>/dev/null)) and no setpriv"
fi
echo "read-only method: $mode"

start_fault_server "$WORK/failing.jsonl" "$WORK/failing.port" "$WORK/server.log" "500"
start_fault_server "$WORK/healthy.jsonl" "$WORK/healthy.port" "$WORK/server.log" "200"
write_config() {  # write_config FILE STATE_DIR PORT_FILE
  { notify_header "$2"
    sub_block ro "http://127.0.0.1:$(cat "$3")/h" RO_SECRET 5s 100 100ms 200ms
  } > "$1"
}
write_config "$WORK/config.toml" "$MNT/state" "$WORK/failing.port"

# Phase 1: writable; T1 is pending in the spool after a few 500s.
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
baseline_ready "$WORK/daemon.log"
task_table 3 1 | save_atomically "$WORK/repo/docs/$spec/tasks.md"   # T1 -> Done
wait_until 15 has_requests "$WORK/failing.jsonl" 2 || fail "T1 was not attempted twice against the failing endpoint"
stop_daemon
t1_id=$(node -e 'console.log(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } }).find((l) => l.ev === "request").webhook_id)' "$WORK/failing.jsonl")
[[ "$t1_id" == msg_* ]] || fail "no webhook-id for T1"

# Phase 2: read-only.
case $mode in
  remount) mount -o remount,ro "$MNT" || fail "remount read-only failed"
           touch "$MNT/state/probe" 2>/dev/null && fail "the remounted state dir is still writable" ;;
  setpriv|chmod) chmod -R a-w "$MNT" ;;
esac
run_serve() {  # run_serve CONFIG LOG: foreground serve (as uid 65534 in setpriv mode), bounded by 10 s
  if [ "$mode" = setpriv ]; then
    timeout -s KILL 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
      env RO_SECRET="$RO_SECRET" "$BIN" serve --config "$1" >>"$2" 2>&1
  else
    timeout -s KILL 10 "$BIN" serve --config "$1" >>"$2" 2>&1
  fi
}
if [ "$mode" = setpriv ]; then
  setpriv --reuid=65534 --regid=65534 --clear-groups touch "$MNT/state/probe" 2>/dev/null &&
    fail "uid 65534 can still write the state dir"
fi
requests_before=$(requests_in "$WORK/failing.jsonl")
evidence_before=$(evidence_lines "$spec" | grep -c . || true)
task_table 3 2 | save_atomically "$WORK/repo/docs/$spec/tasks.md"   # T2 -> Done, while no daemon can run

rc=0; run_serve "$WORK/config.toml" "$WORK/ro.log" || rc=$?
echo "serve on the read-only store: exit $rc"; cat "$WORK/ro.log"
[ "$rc" -eq 1 ] || fail "serve on a read-only existing state dir exited $rc, want 1 (137 = still running after 10 s)"
grep -E "error +serve:" "$WORK/ro.log" | grep -qF "$MNT/state" || fail "the error does not name the state dir $MNT/state"

write_config "$WORK/fresh.toml" "$MNT/fresh/state" "$WORK/failing.port"
rc=0; run_serve "$WORK/fresh.toml" "$WORK/ro-fresh.log" || rc=$?
echo "serve with a new state dir inside the read-only mount: exit $rc"; cat "$WORK/ro-fresh.log"
[ "$rc" -eq 1 ] || fail "serve with an uncreatable state dir exited $rc, want 1"
grep -E "error +serve:" "$WORK/ro-fresh.log" | grep -qF "$MNT/fresh/state" || fail "the error does not name $MNT/fresh/state"

[ "$(requests_in "$WORK/failing.jsonl")" -eq "$requests_before" ] || fail "a read-only daemon sent requests"
[ "$(evidence_lines "$spec" | grep -c . || true)" -eq "$evidence_before" ] || fail "a read-only daemon wrote evidence"
if grep -q "deliverer/\|differ:.*->" "$WORK/ro.log" "$WORK/ro-fresh.log"; then fail "a read-only daemon started its pipeline"; fi

# Phase 3: writable again, healthy endpoint: T1 from the spool (same webhook-id) and T2 from the files.
case $mode in
  remount) mount -o remount,rw "$MNT" || fail "remount read-write failed" ;;
  setpriv|chmod) chmod -R u+w "$MNT" ;;
esac
write_config "$WORK/config.toml" "$MNT/state" "$WORK/healthy.port"
start_daemon "$WORK/config.toml" "$WORK/daemon.log"
wait_until 15 has_requests "$WORK/healthy.jsonl" 2 || fail "after the state dir became writable: $(requests_in "$WORK/healthy.jsonl") of 2 deliveries"
node - "$WORK/healthy.jsonl" "$t1_id" <<'JS' || fail "phase 3 deliveries"
const reqs = require("fs").readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse).filter((l) => l.ev === "request");
const fail = (m) => { console.error("FAIL: " + m + "\n" + reqs.map((l) => "  " + JSON.stringify(l)).join("\n")); process.exit(1); };
const t1 = reqs.filter((l) => l.task === "T1"), t2 = reqs.filter((l) => l.task === "T2");
if (t1.length !== 1 || t1[0].webhook_id !== process.argv[3]) fail(`T1 not delivered once under its spooled id ${process.argv[3]}`);
if (t2.length !== 1) fail(`T2 (made while no daemon could run) delivered ${t2.length} times, want 1`);
console.log(`T1 delivered from the spool as ${t1[0].webhook_id} (attempt ${t1[0].attempt}); T2 detected after the outage`);
JS
stop_daemon
echo "read-only state dir: OK"
