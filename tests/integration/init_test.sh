#!/usr/bin/env bash
# spec-notify init (issue 14): a commented config for a checkout that validates as written, a 0600 env file
# with a fresh secret (kept on a re-run), no overwrite without --force, --format standard only,
# --no-env-file; and explainable filters: check-config says which rows a subscription would get and why not,
# and the daemon logs a transition no subscription takes with each subscription's reason.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TEST_DIR/.." && pwd)
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$WORK"
bash "$ROOT/deploy/topology.sh" sample-repo repo >/dev/null

echo "== init writes a config and a 0600 env file"
"$BIN" init --repo repo >init.out 2>init.err || fail "init exited $?: $(cat init.err)"
[ -f config.toml ] && [ -f spec-notify.env ] || fail "config.toml / spec-notify.env missing"
[ "$(stat -c %a spec-notify.env)" = 600 ] || fail "env file mode $(stat -c %a spec-notify.env), want 600"
grep -q '^#   SPEC-KIT-900-compose-demo' config.toml || fail "the SPEC id is not listed: $(cat config.toml)"
grep -q '^#   docs/SPEC-KIT-900-compose-demo/tasks.md: 4 rows' config.toml || fail "the task file is not listed"
grep -q '^secret_env = "SPEC_NOTIFY_CHATOPS_SECRET"' config.toml || fail "no secret_env"
! grep -q whsec_ config.toml || fail "a secret was written into the config"
grep -q "^export SPEC_NOTIFY_CHATOPS_SECRET=whsec_" spec-notify.env || fail "no secret in the env file"
grep -q -- "--test SPEC-KIT-900 --subscription chatops" init.out || fail "next commands missing: $(cat init.out)"
secret1=$(grep -o 'whsec_[^ ]*' spec-notify.env)
(. ./spec-notify.env && "$BIN" check-config >check.out 2>&1) || fail "check-config: $(cat check.out)"
grep -q "chatops: a notification when any of 4 of 4 task row(s) changes to Done" check.out ||
  fail "check-config does not explain what chatops would receive: $(cat check.out)"

echo "== no overwrite without --force; --force keeps the env file's secret"
echo "# mine" >> config.toml
before=$(md5sum < config.toml)
set +e; "$BIN" init --repo repo >/dev/null 2>again.err; rc=$?; set -e
[ "$rc" = 2 ] || fail "init over an existing config exited $rc, want 2"
grep -q "exists; not overwriting" again.err || fail "no reason given: $(cat again.err)"
[ "$(md5sum < config.toml)" = "$before" ] || fail "the existing config was changed"
"$BIN" init --repo repo --force >force.out 2>&1 || fail "init --force: $(cat force.out)"
! grep -q "# mine" config.toml || fail "--force did not rewrite the config"
[ "$(grep -o 'whsec_[^ ]*' spec-notify.env)" = "$secret1" ] || fail "--force replaced the existing secret"

echo "== options"
set +e; "$BIN" init --repo repo --config other.toml --format slack >/dev/null 2>format.err; rc=$?; set -e
[ "$rc" = 2 ] && grep -q 'only payload format so far is "standard"' format.err || fail "--format slack: $rc $(cat format.err)"
[ ! -e other.toml ] || fail "a config was written despite the bad --format"
"$BIN" init --repo repo --config other.toml --format standard --no-env-file --subscription audit-1 \
  --url https://hooks.example/x >noenv.out 2>&1 || fail "--no-env-file: $(cat noenv.out)"
grep -q "^export SPEC_NOTIFY_AUDIT_1_SECRET=whsec_" noenv.out || fail "no export line printed: $(cat noenv.out)"
grep -q -- "--config other.toml" noenv.out || fail "next commands lack --config: $(cat noenv.out)"
set +e; "$BIN" init --repo nowhere --config x.toml >/dev/null 2>repo.err; rc=$?; set -e
[ "$rc" = 2 ] && grep -q "is not a directory" repo.err || fail "--repo nowhere: $rc $(cat repo.err)"

echo "== explained filters: check-config and the daemon's log"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sed -i -e 's/^specs = \[\]/specs = ["SPEC-KIT-075*"]/' \
  -e "s/^admin = .*/admin = \"127.0.0.1:$(free_port)\"/" config.toml
. ./spec-notify.env
"$BIN" check-config >check2.out 2>&1 || fail "check-config: $(cat check2.out)"
grep -q "not: specs filter SPEC-KIT-075\* does not match SPEC-KIT-900 (4 rows)" check2.out ||
  fail "check-config does not say why nothing matches: $(cat check2.out)"
start_daemon config.toml serve.log
wait_until 20 file_has serve.log "baseline recorded" || fail "daemon did not start"
sed 's/| T1 | Wire the compose environment | In Progress |/| T1 | Wire the compose environment | Done |/' \
  repo/docs/SPEC-KIT-900-compose-demo/tasks.md | save_atomically repo/docs/SPEC-KIT-900-compose-demo/tasks.md
wait_until 20 file_has serve.log "taken by no subscription" || fail "the dropped transition was not explained"
grep -q "info  router: T1 In Progress -> Done (SPEC-KIT-900-compose-demo, docs/SPEC-KIT-900-compose-demo/tasks.md:5) taken by no subscription: chatops: specs filter SPEC-KIT-075\* does not match SPEC-KIT-900$" serve.log ||
  fail "unexpected explanation: $(grep router serve.log)"
[ "$(grep -c "taken by no subscription" serve.log)" = 1 ] || fail "explained more than once"
stop_daemon
echo "init: OK"
