#!/usr/bin/env bash
# deploy/spec-notify.service:
#   1. the directives the deployment relies on are there (Type=simple, Restart=on-failure, hardening,
#      ReadWritePaths for state and evidence, EnvironmentFile for secrets);
#   2. `systemd-analyze verify` accepts it with no warning at all (it works offline: no systemd as PID 1 needed;
#      the ExecStart binary must exist, so a copy of the unit points at $SPEC_NOTIFY_BIN);
#   3. `systemd-analyze security --offline=yes` rates its exposure <= 2.5 (0 = locked down, 10 = none);
#   4. the unit's ExecStart runs for real under the unit's file-system view, emulated with a private mount
#      namespace: the whole tree read-only (ProtectSystem=strict) except the unit's ReadWritePaths, with the
#      environment read from an EnvironmentFile the way systemd reads it. A transition must arrive verified at
#      a receiver, with evidence and state written only where the unit allows.
# What cannot be checked without systemd as PID 1 (this container has none): User=/StateDirectory= creation,
# seccomp filters, capability dropping, restart behaviour. docs/installation.md says how to check those on a
# real host (systemctl start, systemd-analyze security spec-notify).
source "$(dirname "$0")/lib.sh"
UNIT="$TEST_DIR/../deploy/spec-notify.service"
ENV_EXAMPLE="$TEST_DIR/../deploy/spec-notify.env.example"
command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze is required (Debian package systemd; deploy/setup.sh installs it)"
[ -f "$UNIT" ] || fail "missing $UNIT"

echo "== 1. required directives"
need() { grep -qxE "$1" "$UNIT" || fail "spec-notify.service lacks a line matching: $1"; }
need 'Type=simple'
need 'Restart=on-failure'
need 'NoNewPrivileges=yes'
need 'ProtectSystem=strict'
need 'EnvironmentFile=/etc/spec-notify/secrets.env'
need 'ExecStart=/usr/local/bin/spec-notify serve --config /etc/spec-notify/config.toml'
need 'ExecReload=/bin/kill -HUP \$MAINPID'
need 'ReadWritePaths=/var/lib/spec-notify'
need 'ReadWritePaths=/srv/spec-kit/docs/SPEC-OPS-004-integrated-coder-hooks/evidence'
need 'RestartPreventExitStatus=2'
need 'User=spec-notify'
! grep -qiE '^Environment=.*(SECRET|whsec_)' "$UNIT" || fail "a secret is set inline in the unit"

echo "== 2. systemd-analyze verify (no warnings allowed)"
mkdir -p "$WORK/units"
sed "s#/usr/local/bin/spec-notify#$BIN#g" "$UNIT" > "$WORK/units/spec-notify.service"
set +e
systemd-analyze verify --man=no "$WORK/units/spec-notify.service" >"$WORK/verify.log" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || fail "systemd-analyze verify exited $rc: $(cat "$WORK/verify.log")"
if grep -q . "$WORK/verify.log"; then fail "systemd-analyze verify warnings: $(cat "$WORK/verify.log")"; fi
# Sanity: the same verifier does flag a broken copy (proves it read our file).
sed 's/^Type=simple/Type=simpel/' "$WORK/units/spec-notify.service" > "$WORK/units/broken.service"
systemd-analyze verify --man=no "$WORK/units/broken.service" 2>&1 | grep -q "simpel" ||
  fail "systemd-analyze verify did not notice an invalid Type= (is it really checking the unit?)"

echo "== 3. systemd-analyze security --offline=yes"
systemd-analyze security --offline=yes --no-pager "$WORK/units/spec-notify.service" >"$WORK/security.log" 2>&1 ||
  fail "systemd-analyze security failed: $(tail -5 "$WORK/security.log")"
exposure=$(grep -oE 'Overall exposure level for spec-notify.service: [0-9.]+' "$WORK/security.log" | awk '{print $NF}')
[ -n "$exposure" ] || fail "no exposure level in: $(tail -3 "$WORK/security.log")"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.5) }' || fail "exposure $exposure > 2.5: $(grep '✗' "$WORK/security.log")"
echo "   exposure $exposure"

echo "== 4. ExecStart under ProtectSystem=strict + ReadWritePaths (mount-namespace emulation)"
command -v unshare >/dev/null || fail "unshare (util-linux) is required"
# The real error, not a guess: a rootless or locked-down container refuses this even as root (e.g.
# "unshare: cannot change root filesystem propagation: Permission denied").
if ! unshare_error=$(unshare -m true 2>&1); then
  fail "cannot create a mount namespace here: ${unshare_error:-unshare -m failed without a message}" \
    "(this step needs root with CAP_SYS_ADMIN and a container that allows mount namespaces, as CI has)"
fi
ensure_verifiers
secret=$("$BIN" secret new)
# The EnvironmentFile as an operator writes it from the example: systemd syntax, a quoted rotated list.
old=$("$BIN" secret new)
sed -e "s#^SPEC_NOTIFY_CHATOPS_SECRET=.*#SPEC_NOTIFY_CHATOPS_SECRET=\"$secret $old\"#" "$ENV_EXAMPLE" \
  > "$WORK/secrets.env"
grep -q REPLACE_ME "$WORK/secrets.env" && fail "env example has a placeholder the test does not fill"
# During a rotation ("NEW OLD") every delivery carries a Standard Webhooks signature per secret, and the one
# x-hub-signature-256 (signature = "both") is keyed by the oldest: a receiver that has not switched yet holds
# OLD, and verifies both schemes with it (docs/security.md, rotation).
export UNIT_SECRET="$old"
start_verifier "$WORK/received.jsonl" "$WORK/verifier.port" UNIT_SECRET
port=$(cat "$WORK/verifier.port")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mkdir -p "$WORK/repo/docs/SPEC-KIT-075-webhooks" "$WORK/state"
tasks() {
  printf '| Task ID | Title | Status |\n|---|---|---|\n| T1 | One | %s |\n| T2 | Two | Backlog |\n' "$1"
}
tasks "In Progress" | save_atomically "$WORK/repo/docs/SPEC-KIT-075-webhooks/tasks.md"
evidence_rel=docs/SPEC-OPS-004-integrated-coder-hooks/evidence
mkdir -p "$WORK/repo/$evidence_rel"   # the unit needs it to exist (ReadWritePaths), docs/installation.md says so
cat > "$WORK/config.toml" <<TOML
[notify]
repo = "/srv/spec-kit"
state_dir = "/var/lib/spec-notify"
admin = "127.0.0.1:$(free_port)"

[[notify.subscriptions]]
name = "chatops"
url = "http://127.0.0.1:$port/hooks/spec"
secret_env = "SPEC_NOTIFY_CHATOPS_SECRET"
signature = "both"
TOML

# ExecStart= argv, and the environment as systemd builds it: Environment= lines, then EnvironmentFile=.
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
read -r -a argv <<<"$exec_start"
[ "${argv[0]}" = /usr/local/bin/spec-notify ] || fail "unexpected ExecStart binary ${argv[0]}"
argv[0]=$BIN
for i in "${!argv[@]}"; do [ "${argv[$i]}" = /etc/spec-notify/config.toml ] && argv[$i]=$WORK/config.toml; done
python3 - "$UNIT" "$WORK/secrets.env" "$WORK/config.toml" > "$WORK/unit.env" <<'PY'
import shlex, sys
unit, env_file, config = sys.argv[1:]
env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
for line in open(unit):
    if line.startswith("Environment="):
        for item in shlex.split(line[len("Environment="):]):
            k, v = item.split("=", 1)
            env[k] = config if v == "/etc/spec-notify/config.toml" else v
for line in open(env_file):           # systemd EnvironmentFile= syntax: KEY=VALUE, "quoted", # comments
    line = line.strip()
    if not line or line[0] in "#;":
        continue
    k, v = line.split("=", 1)
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    env[k.strip()] = v
for k, v in env.items():
    print("%s=%s" % (k, v))
PY
grep -q "^SPEC_NOTIFY_CHATOPS_SECRET=$secret $old\$" "$WORK/unit.env" || fail "EnvironmentFile parsing"

# Every ReadWritePaths= entry becomes a writable bind mount of its stand-in under $WORK; everything else,
# including the watched checkout, is read-only.
binds=()
while read -r p; do
  case "$p" in
    /var/lib/spec-notify) binds+=("$WORK/state:$p") ;;
    /srv/spec-kit/*) binds+=("$WORK/repo/${p#/srv/spec-kit/}:$p") ;;
    *) fail "no stand-in for ReadWritePaths=$p" ;;
  esac
done < <(sed -n 's/^ReadWritePaths=-\{0,1\}//p' "$UNIT" | tr ' ' '\n' | grep .)
cat > "$WORK/sandbox.sh" <<'SH'
# Runs inside `unshare -m`: $1 = env file, $2... = "src:dst" binds, then "--", then argv.
set -euo pipefail
envfile=$1; shift
binds=()
while [ "$1" != "--" ]; do binds+=("$1"); shift; done
shift
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /srv
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mkdir -p /srv/spec-kit /var/lib/spec-notify
mount --bind "$REPO" /srv/spec-kit
for b in "${binds[@]}"; do mkdir -p "${b#*:}" 2>/dev/null || true; done
mount -o remount,bind,ro /srv/spec-kit
for b in "${binds[@]}"; do mount --bind "${b%%:*}" "${b#*:}"; done
# ProtectSystem=strict: every mount read-only except the API file systems and the ReadWritePaths binds.
targets=" "; for b in "${binds[@]}"; do targets+="${b#*:} "; done
awk '{print $2}' /proc/self/mounts | sort -u | while read -r m; do
  case "$m" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  [[ "$targets" == *" $m "* ]] && continue
  mount -o remount,bind,ro "$m" 2>/dev/null || true
done
# Prove the view: the checkout is read-only, the ReadWritePaths are writable.
if touch /srv/spec-kit/should-fail 2>/dev/null; then echo "sandbox: checkout is writable" >&2; exit 97; fi
if touch "$WORKDIR/should-fail" 2>/dev/null; then echo "sandbox: / is writable" >&2; exit 97; fi
for b in "${binds[@]}"; do
  touch "${b#*:}/.rw-probe" && rm "${b#*:}/.rw-probe" || { echo "sandbox: ${b#*:} not writable" >&2; exit 97; }
done
cd /
envs=()
while IFS= read -r line; do envs+=("$line"); done < "$envfile"
exec env -i "${envs[@]}" "$@"
SH
REPO="$WORK/repo" WORKDIR="$WORK" unshare -m bash "$WORK/sandbox.sh" "$WORK/unit.env" "${binds[@]}" -- \
  "${argv[@]}" >>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_until 20 file_has "$WORK/daemon.log" "baseline recorded" || fail "daemon in the sandbox did not start"
tasks "Done" | save_atomically "$WORK/repo/docs/SPEC-KIT-075-webhooks/tasks.md"
wait_until 20 has_lines "$WORK/received.jsonl" 1 || fail "no delivery from the sandboxed daemon"
node -e '
const l = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")[0]);
if (l.standard_verified !== true || l.github_verified !== true) { console.error("not verified"); process.exit(1); }
if (l.body.task.id !== "T1" || l.body.task.to !== "Done") { console.error(JSON.stringify(l.body.task)); process.exit(1); }
' "$WORK/received.jsonl" || fail "delivery not verified by the npm verifiers"
wait_until 10 bash -c "ls '$WORK/repo/$evidence_rel'/commands/*/webhooks/*.jsonl >/dev/null 2>&1" ||
  fail "no evidence written under ReadWritePaths"
[ -f "$WORK/state/CURRENT" ] || fail "no LevelDB in the state dir"
! grep -qiE "read-only file system|permission denied" "$WORK/daemon.log" || fail "the daemon hit a read-only path"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "the sandboxed daemon exited $? on SIGTERM (want 0)"
# Nothing but evidence was written into the checkout.
extra=$(cd "$WORK/repo" && find . -newer "$WORK/config.toml" -type f ! -path "./$evidence_rel/*" ! -name tasks.md)
[ -z "$extra" ] || fail "files written outside ReadWritePaths: $extra"
echo "systemd unit: OK (verify clean, exposure $exposure, ExecStart works under ProtectSystem=strict)"
