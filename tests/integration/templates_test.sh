#!/usr/bin/env bash
# Body templates (issue 17 item 2) with real template files: a JSON template with a custom content_type and
# an explicit signature (verified by `spec-notify receive`), a text/plain template (unsigned), hostile task
# titles JSON-escaped on the wire, --test with dry_run recording the rendered body, and check-config
# reporting a syntax error at the template's file:line:col, a template that renders invalid JSON, and an
# oversized, symlinked, missing or directory template by name.
source "$(dirname "$0")/lib.sh"

new_secret TPL_SECRET
start_receiver "$WORK/signed.jsonl" "$WORK/signed.port" "$WORK/receiver.log" --secret-env TPL_SECRET
python3 "$TEST_DIR/integration/chat_receiver.py" "$WORK/plain.jsonl" "$WORK/plain.port" >"$WORK/plain-receiver.log" 2>&1 &
PIDS+=($!)
wait_until 10 test -s "$WORK/plain.port" || fail "plain receiver did not start"

spec_dir="$WORK/repo/docs/SPEC-KIT-654-templates"
mkdir -p "$spec_dir"
write_tasks() {  # write_tasks STATUS: T1 has the hostile title
  python3 - "$spec_dir/tasks.md" "$1" <<'PY'
import sys, os
title = b'Say "hi" \\ back\\\\slash\ttab }} {{task.id}} {{{payload_json}}} <b>&amp; \xf0\x9f\x8e\x89 \xff end'
text = b"# Tasks\n\n| Task ID | Title | Status |\n|---|---|---|\n| T1 | " + title + b" | " + sys.argv[2].encode() + b" |\n"
open(sys.argv[1] + ".tmp", "wb").write(text); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
PY
}
write_tasks Backlog

mkdir -p "$WORK/templates"
cat > "$WORK/templates/card.mustache" <<'T'
{
  "title": "{{task.title}}",
  "short": "{{task.title_short}}",
  "spec": "{{spec.key}}",
  "change": "{{task.from}} -> {{task.to}}",
  "line": {{task.line}},
  {{#consensus}}"consensus": "{{status}}",{{/consensus}}
  "payload": {{{payload_json}}}
}
T
printf '{{task.id}}: {{task.title}} ({{task.to}})\n' > "$WORK/templates/plain.mustache"

CFG="$WORK/config.toml"
SPORT=$(cat "$WORK/signed.port"); PPORT=$(cat "$WORK/plain.port")
{
  config_toml -- card "http://127.0.0.1:$SPORT/card" TPL_SECRET template=templates/card.mustache \
    content_type="application/vnd.spec-notify+json" signature=standard \
    -- drycard "http://127.0.0.1:$SPORT/dry" TPL_SECRET template=templates/card.mustache dry_run=true
  printf '[[notify.subscriptions]]\nname = "plain"\nurl = "http://127.0.0.1:%s/plain/x"\n' "$PPORT"
  printf 'template = "templates/plain.mustache"\ncontent_type = "text/plain; charset=utf-8"\n'
} > "$CFG"

run() {  # run NAME ARGS...: stdout -> NAME.out, stderr -> NAME.err, exit code -> $rc
  local name=$1; shift
  set +e; "$BIN" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; rc=$?; set -e
}
both() { cat "$WORK/$1.out" "$WORK/$1.err"; }

echo "== check-config renders every template: OK"
run check check-config --config "$CFG"
[ "$rc" = 0 ] || fail "check-config exited $rc: $(both check)"
grep -qF "body: standard, template $WORK/templates/card.mustache; content-type: application/vnd.spec-notify+json" \
  "$WORK/check.out" || fail "check-config does not describe the card body: $(both check)"
grep -qF "body: standard, template $WORK/templates/plain.mustache; content-type: text/plain; charset=utf-8" \
  "$WORK/check.out" || fail "check-config does not describe the plain body: $(both check)"
# drycard has secret_env but no signature key: unsigned, and told so.
grep -q "subscription 'drycard': secret_env is unused: a template is sent without signature headers" "$WORK/check.err" ||
  fail "no unused-secret warning for drycard: $(both check)"
grep -q "payload_json.*unescaped" "$WORK/check.err" && fail "payload_json reported as unescaped: $(both check)"

echo "== --test: dry run records the rendered body; a real one is signed and verified"
run drytest --test SPEC-KIT-654 --subscription drycard --config "$CFG"
[ "$rc" = 0 ] || fail "--test drycard exited $rc: $(both drytest)"
run cardtest --test SPEC-KIT-654 --subscription card --config "$CFG"
[ "$rc" = 0 ] || fail "--test card exited $rc: $(both cardtest)"
wait_until 10 has_lines "$WORK/signed.jsonl" 1 || fail "the --test delivery did not arrive"
python3 - "$WORK"/repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/*/webhooks/*.jsonl <<'PY'
import json, sys
records = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
dry = [r for r in records if r.get("kind") == "dry_run"]
if len(dry) != 1: sys.exit("FAIL: want one dry-run record, got %d" % len(dry))
body = dry[0]["sample"]["body"]
if body.get("spec") != "SPEC-KIT-654" or body["payload"]["type"] != "spec-notify.test":
    sys.exit("FAIL: the dry-run sample is not the rendered template: %r" % body)
if "webhook-signature" in dry[0]["sample"]["headers"]: sys.exit("FAIL: drycard is signed")
PY

echo "== the daemon: T1 -> Done through both templates"
start_daemon_ready "$CFG" "$WORK/daemon.log"
write_tasks Done
wait_until 20 has_lines "$WORK/signed.jsonl" 2 || fail "card delivery did not arrive"
wait_until 20 has_lines "$WORK/plain.jsonl" 1 || fail "plain delivery did not arrive"
stop_daemon
python3 - "$WORK/signed.jsonl" "$WORK/plain.jsonl" <<'PY'
import json, sys
want = 'Say "hi" \\ back\\\\slash\ttab }} {{task.id}} {{{payload_json}}} <b>&amp; \U0001F389 \ufffd end'
card = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for r in card:
    if r.get("verified") is not True: sys.exit("FAIL: a card delivery did not verify: %r" % r)
    b = r["body"]
    if not isinstance(b, dict): sys.exit("FAIL: card body is not JSON: %r" % b)
    if b["title"] != want: sys.exit("FAIL: title arrived as %r, want %r" % (b["title"], want))
    if b["payload"]["task"]["title"] != want: sys.exit("FAIL: payload_json title %r" % b["payload"]["task"]["title"])
live = card[-1]["body"]
if live["change"] != "Backlog -> Done" or live["line"] != 5 or live["payload"]["type"] != "spec-kit.task.transitioned":
    sys.exit("FAIL: card body: %r" % live)
plain = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
p = plain[-1]
if p["content_type"] != "text/plain; charset=utf-8": sys.exit("FAIL: plain content-type %r" % p["content_type"])
if p["signature"]: sys.exit("FAIL: the plain template was signed")
# Values are JSON-escaped whatever the content type (a text template writes {{{x}}} for raw text).
if p["raw"] != "T1: " + json.dumps(want, ensure_ascii=False)[1:-1] + " (Done)\n": sys.exit("FAIL: plain body %r" % p["raw"])
PY

echo "== check-config: template errors name the file (and line:col for syntax)"
check_with() {  # check_with NAME TEMPLATE_PATH: check-config of a one-subscription config using it
  printf '[notify]\nrepo = "repo"\nadmin = "off"\n[[notify.subscriptions]]\nname = "t"\nurl = "http://127.0.0.1:9/x"\ntemplate = "%s"\n' \
    "$2" > "$WORK/$1.toml"
  run "$1" check-config --config "$WORK/$1.toml"
}
printf '{\n  "text": "{{task.id}}",\n  "title": "{{#task}}{{title}}"\n}\n' > "$WORK/templates/broken.mustache"
check_with broken templates/broken.mustache
[ "$rc" = 2 ] || fail "a broken template passed check-config: $(both broken)"
grep -qF "$WORK/templates/broken.mustache:3:13: error: subscription 't': template syntax error: Unclosed section \"task\"" \
  "$WORK/broken.err" || fail "syntax error not at file:line:col: $(both broken)"

printf '{"text": {{task.title}}}\n' > "$WORK/templates/unquoted.mustache"
check_with unquoted templates/unquoted.mustache
[ "$rc" = 2 ] || fail "a template rendering invalid JSON passed check-config: $(both unquoted)"
grep -qF "$WORK/templates/unquoted.mustache: error: subscription 't': template $WORK/templates/unquoted.mustache renders invalid JSON for a spec-kit.task.transitioned sample" \
  "$WORK/unquoted.err" || fail "invalid JSON not reported: $(both unquoted)"

printf '{{{task.title}}}\n' > "$WORK/templates/raw.mustache"
check_with raw templates/raw.mustache
grep -qF "{{{task.title}}} / {{&task.title}} writes its value unescaped" "$WORK/raw.err" ||
  fail "no warning for an unescaped value: $(both raw)"

head -c 70000 /dev/zero | tr '\0' x > "$WORK/templates/big.mustache"
check_with big templates/big.mustache
[ "$rc" = 2 ] && grep -qF "template '$WORK/templates/big.mustache' is 70000 bytes, larger than the limit of 65536" "$WORK/big.err" ||
  fail "oversized template: rc $rc $(both big)"
ln -s card.mustache "$WORK/templates/link.mustache"
check_with link templates/link.mustache
[ "$rc" = 2 ] && grep -qF "template '$WORK/templates/link.mustache' is a symbolic link" "$WORK/link.err" ||
  fail "symlinked template: rc $rc $(both link)"
check_with missing templates/nope.mustache
[ "$rc" = 2 ] && grep -qF "template '$WORK/templates/nope.mustache' does not exist" "$WORK/missing.err" ||
  fail "missing template: rc $rc $(both missing)"
check_with dir templates
[ "$rc" = 2 ] && grep -qF "template '$WORK/templates' is a directory, not a file" "$WORK/dir.err" ||
  fail "directory as template: rc $rc $(both dir)"
# serve refuses a broken template like check-config (exit 2, nothing started).
set +e; "$BIN" serve --config "$WORK/broken.toml" >"$WORK/serve-broken.log" 2>&1; rc=$?; set -e
[ "$rc" = 2 ] && grep -q "broken.mustache:3:13" "$WORK/serve-broken.log" || fail "serve with a broken template: rc $rc"
echo "templates: OK"
