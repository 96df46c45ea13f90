#!/usr/bin/env bash
# 3xx is a failure and redirects are never followed: the endpoint answers 301, 302, 307 and 308 in turn, each with
# a Location pointing at a second, healthy endpoint (absolute URL for 301/307, a relative path for 302, and 308 to
# the same host). Every answer must be logged as a retry with its status, the delivery dead-lettered after
# max_attempts = 4, and the redirect target must receive nothing at all.
source "$(dirname "$0")/faultlib.sh"

new_secret RD_SECRET
new_spec_dir SPEC-KIT-306-redirect 2
start_fault_server "$WORK/target.jsonl" "$WORK/target.port" "$WORK/server.log" "200"
target="http://127.0.0.1:$(cat "$WORK/target.port")/moved-here"
start_fault_server "$WORK/redirect.jsonl" "$WORK/redirect.port" "$WORK/server.log" \
  "301;h:Location=$target,302;h:Location=/elsewhere,307;h:Location=$target,308;h:Location=$target"
serve_sub_blocks redir "$(local_url "$WORK/redirect.port" /h)" RD_SECRET 5s 4 50ms 200ms
task_table 2 1 | save_atomically "$spec_dir/tasks.md"   # T1 -> Done
wait_until 15 file_has "$WORK/daemon.log" "deliverer/redir: .*moved to dead letters" ||
  fail "T1 was not dead-lettered within 15 s after 4 redirect answers"

lines=$(attempt_lines "$WORK/daemon.log" redir)
echo "$lines"
for code in 301 302 307; do
  grep -q "retrying (HTTP $code)" <<<"$lines" || fail "no 'retrying (HTTP $code)' attempt line"
done
grep -q "attempt 4: dead_lettered (HTTP 308)\|attempt 4: .*(HTTP 308).*dead letters" <<<"$lines" ||
  fail "attempt 4 (308) was not the dead-lettering attempt"
[ "$(requests_in "$WORK/redirect.jsonl")" -eq 4 ] || fail "the redirecting endpoint got $(requests_in "$WORK/redirect.jsonl") requests, want 4"
[ "$(requests_in "$WORK/target.jsonl")" -eq 0 ] || { cat "$WORK/target.jsonl" >&2; fail "a redirect was followed: the Location target received a request"; }
[ ! -s "$WORK/target.jsonl" ] || fail "the redirect target saw traffic"
stop_daemon
echo "redirect: OK"
