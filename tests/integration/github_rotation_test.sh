#!/usr/bin/env bash
# Issue 12: receivers during a rotation, against the real daemon. The subscription signs with "whsec_NEW
# whsec_OLD" and signature = "both":
#  - without github_secret_env, x-hub-signature-256 is keyed by the OLDEST secret: a receiver still holding
#    only the old one verifies both headers (spec-notify receive given that secret without its whsec_ prefix
#    and with loose trailing bits, as the official libraries accept it; and the npm verifiers);
#  - a receiver that already dropped the old secret but requires the GitHub header gets 401 (it must keep the
#    old one until the sender drops it: docs/security.md);
#  - with github_secret_env, the header is keyed by that whole value, spaces kept ("It's a Secret to
#    Everybody"); receive --github-secret-env NEW,OLD (receiver-side GitHub rotation) and the npm verifier
#    accept it.
source "$(dirname "$0")/lib.sh"
ensure_verifiers

OLD=$("$BIN" secret new)
NEW=$("$BIN" secret new)
export ROT="$NEW $OLD" OLD_ONLY="$OLD" NEW_ONLY="$NEW"
export GH="It's a Secret to Everybody" GH_NEXT="a newer secret, not yet used"
# The old secret as a receiver might hold it: no prefix, last character's unused bits set.
export OLD_LOOSE=$(python3 -c '
import sys; a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
s = sys.argv[1][len("whsec_"):]; c = s[-2]
print(s[:-2] + a[a.index(c) ^ 1] + "=")' "$OLD")
[ "whsec_$OLD_LOOSE" != "$OLD" ] || fail "loose spelling must differ"

mkdir -p "$WORK/repo/docs/SPEC-KIT-120-rotation"
table() {
  printf '| Order | Task | Owner | Status |\n| --- | --- | --- | --- |\n| 1 | T120-1: Rotate | Ops | %s |\n' "$1"
}
table "In Progress" | save_atomically "$WORK/repo/docs/SPEC-KIT-120-rotation/tasks.md"

start_receiver "$WORK/old.jsonl" "$WORK/old.port" "$WORK/old.log" --secret-env OLD_LOOSE \
  --github-secret-env OLD_ONLY
start_receiver "$WORK/new.jsonl" "$WORK/new.port" "$WORK/new.log" --secret-env NEW_ONLY \
  --github-secret-env NEW_ONLY
start_receiver "$WORK/gh.jsonl" "$WORK/gh.port" "$WORK/gh.log" --github-secret-env GH_NEXT,GH
node "$TEST_DIR/integration/verifier.js" --port 0 --ready-file "$WORK/v_old.port" --secret-env OLD_ONLY \
  --out "$WORK/v_old.jsonl" >"$WORK/v_old.log" 2>&1 &
PIDS+=($!)
node "$TEST_DIR/integration/verifier.js" --port 0 --ready-file "$WORK/v_gh.port" --secret-env NEW_ONLY \
  --github-secret-env GH --out "$WORK/v_gh.jsonl" >"$WORK/v_gh.log" 2>&1 &
PIDS+=($!)
wait_until 10 test -s "$WORK/v_old.port" || fail "verifier did not start"
wait_until 10 test -s "$WORK/v_gh.port" || fail "verifier did not start"

sub() {  # sub NAME PORT_FILE [KEY=VALUE...]
  subscription "$1" "$(local_url "$2" /)" ROT signature=both "${@:3}" retry.max_attempts=1
}
{
  notify_table admin=off
  sub old "$WORK/old.port"
  sub new "$WORK/new.port"
  sub gh "$WORK/gh.port" github_secret_env=GH
  sub v-old "$WORK/v_old.port"
  sub v-gh "$WORK/v_gh.port" github_secret_env=GH
} >"$WORK/config.toml"
"$BIN" check-config --config "$WORK/config.toml" >"$WORK/check.log" 2>&1 || fail "config: $(cat "$WORK/check.log")"
grep -q -- "$GH" "$WORK/check.log" && fail "check-config printed the GitHub secret"

start_daemon_ready "$WORK/config.toml" "$WORK/daemon.log"
table "Done" | save_atomically "$WORK/repo/docs/SPEC-KIT-120-rotation/tasks.md"
for f in old new gh v_old v_gh; do
  wait_until 15 has_lines "$WORK/$f.jsonl" 1 || fail "no delivery reached $f"
done

node - "$WORK" <<'JS' || fail "receiver verdicts"
const fs = require("node:fs");
const assert = require("node:assert/strict");
const one = (f) => {
  const lines = fs.readFileSync(`${process.argv[2]}/${f}.jsonl`, "utf8").trim().split("\n").map(JSON.parse);
  assert.equal(lines.length, 1, f);
  return lines[0];
};
const pick = (l) => [l.status, l.verified, l.github_verified];
assert.deepEqual(pick(one("old")), [200, true, true], "receiver holding only the old secret");
assert.deepEqual(pick(one("new")), [401, true, false], "GitHub check with only the new secret");
assert.deepEqual(pick(one("gh")), [200, null, true], "GitHub-only receiver, secret with spaces");
const v = (l) => [l.status, l.standard_verified, l.github_verified];
assert.deepEqual(v(one("v_old")), [200, true, true], "npm verifiers holding only the old secret");
assert.deepEqual(v(one("v_gh")), [200, true, true], "npm verifiers with the GitHub secret");
assert.equal(one("gh").body.type, "spec-kit.task.transitioned");
JS
for f in "$WORK"/*.log; do
  grep -q -- "$GH" "$f" && fail "the GitHub secret appears in $(basename "$f")"
done
echo "PASS github_rotation_test"
