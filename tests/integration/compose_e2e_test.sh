#!/usr/bin/env bash
# deploy/docker-compose.yml on a real Docker engine, as docs/installation.md section 4 runs it (ctest label
# `compose`; .ci/run runs it after README's test command).
# Engine: a private dockerd (Debian docker.io) started here: socket, exec root and pid file under the build dir,
# data root cached in $SPEC_NOTIFY_CI_CACHE (default /var/cache/spec-notify-ci, held with flock; a concurrent run
# gets a cold data root under the build dir). Stopped by its PID at the end; what it left mounted is unmounted.
# Base image: the Dockerfile's FROM, pulled when a registry answers, else made once by debootstrap from the
# mirror of this machine's apt sources (tarball cached) and `docker import`ed. The image is built from this
# checkout with `docker build --network host` (the engine has no default bridge).
# Checked, for a root-owned and for a 4242:4242-owned checkout: every service healthy; the daemon runs as the
# checkout's owner with no capability; one transition -> exactly one verified delivery at receiver-ok and one
# webhook-id three times (500, 500, 200) at receiver-faulty; evidence written (owned by the checkout's owner);
# metrics scraped; `admin status` through `docker-compose exec`; a `sed -i` config edit + SIGHUP reload is
# applied; `docker stop` exits 0 within 10 s; a transition made while down arrives once after `up`, nothing is
# re-delivered; `down` leaves no anonymous volume; no error line in the daemon's log. Then: the checkout changes
# owner while the state volume exists (the daemon starts, the volume is chowned); a placeholder secret
# (exit 2) stops the receiver's container with status 0 and no restart.
# SPEC_NOTIFY_SKIP_COMPOSE=1 skips it (exit 77) for quick local runs; CI never sets it.
# Skips come before lib.sh (its EXIT trap reports any non-zero status as a failure).
if [ "${SPEC_NOTIFY_SKIP_COMPOSE:-}" = 1 ]; then
  echo "SKIPPED: SPEC_NOTIFY_SKIP_COMPOSE=1"
  exit 77
fi
# The image is built from the sources, not from $BIN: a sanitizer build dir (.ci/sanitize.sh) has nothing to add.
if grep -Eqs '^SPEC_NOTIFY_SANITIZE:[A-Z]*=(address|thread)' "$(dirname "${SPEC_NOTIFY_BIN:-.}")/CMakeCache.txt"; then
  echo "SKIPPED: sanitizer build ($(dirname "$SPEC_NOTIFY_BIN")): the compose test runs once, in .ci/run's plain build"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TEST_DIR/.." && pwd)
CACHE=${SPEC_NOTIFY_CI_CACHE:-/var/cache/spec-notify-ci}
ENGINE=$(cd "$(dirname "$BIN")" && pwd)/compose-engine
t_start=$SECONDS
for tool in dockerd docker docker-compose debootstrap flock findmnt; do
  command -v "$tool" >/dev/null ||
    fail "$tool is missing: the compose test needs a real Docker engine (apt-get install docker.io docker-compose debootstrap)"
done
[ "$(id -u)" = 0 ] || fail "the compose test starts its own dockerd and must run as root"

# ---------------------------------------------------------------- engine
mkdir -p "$CACHE" "$ENGINE"
exec 9>"$CACHE/docker-data.lock"
if flock -n 9; then
  DATA=$CACHE/docker-data
else
  echo "== $CACHE/docker-data is in use by another run: cold data root under $ENGINE"
  DATA=$ENGINE/data
fi
rm -rf "$ENGINE/exec"
mkdir -p "$DATA" "$ENGINE/exec"
[ ${#ENGINE} -lt 60 ] || fail "build dir path too long for dockerd's sockets: $ENGINE"
export DOCKER_HOST=unix://$ENGINE/docker.sock
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
P=spec-notify-e2e   # compose project name
DC=(docker-compose -p "$P" -f "$WORK/deploy/docker-compose.yml")
teardown() {
  if [ -S "$ENGINE/docker.sock" ]; then
    "${DC[@]}" down -v --remove-orphans >>"$WORK/compose.log" 2>&1 || true
  fi
  local pid
  pid=$(cat "$ENGINE/docker.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  local m
  for m in $(findmnt -rn -o TARGET | grep -E "^($ENGINE|$DATA)/" | sort -r || true); do umount -l "$m" || true; done
}
trap 'rc=$?; teardown; (exit $rc); cleanup' EXIT
dockerd --host "$DOCKER_HOST" --data-root "$DATA" --exec-root "$ENGINE/exec" --pidfile "$ENGINE/docker.pid" \
  --storage-driver=overlay2 --iptables=false --ip-masq=false --ip-forward=false --bridge=none \
  --exec-opt native.cgroupdriver=cgroupfs >"$WORK/dockerd.log" 2>&1 &
wait_until 60 docker version >/dev/null 2>&1 || fail "dockerd did not start: $(tail -5 "$WORK/dockerd.log")"
echo "== engine up after $((SECONDS - t_start)) s (data root $DATA)"

# ---------------------------------------------------------------- base image + build
base=$(sed -n 's/^ARG DEBIAN_RELEASE=//p' "$ROOT/deploy/Dockerfile")
base_image=$(sed -n 's/^FROM \(debian:[^ ]*\).*/\1/p' "$ROOT/deploy/Dockerfile" | head -1)
base_image=${base_image//\$\{DEBIAN_RELEASE\}/$base}
if ! docker image inspect "$base_image" >/dev/null 2>&1 &&
   ! timeout 60 docker pull "$base_image" >>"$WORK/build.log" 2>&1; then
  tarball=$CACHE/$base-minbase.tar
  if [ ! -s "$tarball" ]; then
    # The mirror apt already uses on this machine (never a host name written here).
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
    [ -n "$mirror" ] || fail "no Debian mirror in the apt sources for debootstrap"
    echo "== debootstrap $base from the apt sources' mirror (cached in $tarball)"
    rm -rf "$CACHE/rootfs.tmp"
    debootstrap --variant=minbase "$base" "$CACHE/rootfs.tmp" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
      fail "debootstrap: $(tail -5 "$WORK/debootstrap.log")"
    tar -C "$CACHE/rootfs.tmp" -c . >"$tarball.tmp" && mv "$tarball.tmp" "$tarball"
    rm -rf "$CACHE/rootfs.tmp"
  fi
  docker import "$tarball" "$base_image" >/dev/null || fail "docker import $tarball"
fi
t_build=$SECONDS
docker build --network host -f "$ROOT/deploy/Dockerfile" -t spec-notify:local "$ROOT" >>"$WORK/build.log" 2>&1 ||
  fail "docker build: $(tail -20 "$WORK/build.log")"
echo "== image built in $((SECONDS - t_build)) s (after $((SECONDS - t_start)) s)"
# The secrets file stays out of the build context (.dockerignore).
grep -qx 'deploy/.env' "$ROOT/.dockerignore" || fail ".dockerignore must exclude deploy/.env"

# ---------------------------------------------------------------- helpers
# The compose files are copied: the test edits the config with sed -i, never the checkout's.
mkdir -p "$WORK/deploy"
cp "$ROOT/deploy/docker-compose.yml" "$WORK/deploy/"
cp -r "$ROOT/deploy/compose-config" "$WORK/deploy/"
CONFIG=$WORK/deploy/compose-config/config.toml
cid() { "${DC[@]}" ps -q "$1"; }
health() { docker inspect -f '{{.State.Health.Status}}' "$(cid "$1")" 2>/dev/null; }
all_healthy() { for s in spec-notify receiver-ok receiver-faulty; do [ "$(health "$s")" = healthy ] || return 1; done; }
# received SERVICE: the receiver's JSON lines (one per request) from its container log.
received() { "${DC[@]}" logs --no-color "$1" 2>/dev/null | sed -n 's/^[^|]*| //p' | grep '^{' || true; }
received_at_least() { [ "$(received "$1" | grep -c .)" -ge "$2" ]; }
daemon_log() { "${DC[@]}" logs --no-color spec-notify 2>/dev/null | sed -n 's/^[^|]*| //p'; }
daemon_log_has() { daemon_log | grep -q -- "$1"; }
up() {
  "${DC[@]}" up -d >>"$WORK/compose.log" 2>&1 || fail "up -d: $(tail -20 "$WORK/compose.log")"
  wait_until 90 all_healthy || fail "not healthy: $("${DC[@]}" ps 2>&1)"
}
ids() { python3 -c 'import json,sys; print(" ".join(json.loads(l)["body"]["task"]["id"] for l in sys.stdin))'; }

run_for_owner() {  # run_for_owner UID:GID
  local owner=$1 repo=$WORK/repo-${1/:/-}
  echo "== checkout owned by $owner"
  bash "$ROOT/deploy/topology.sh" sample-repo "$repo" >/dev/null
  chown -R "$owner" "$repo"
  local tasks=$repo/docs/SPEC-KIT-900-compose-demo/tasks.md
  local ev=$repo/docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-900-compose-demo/webhooks
  cp "$ROOT/deploy/compose-config/config.toml" "$CONFIG"
  printf 'SPEC_NOTIFY_CHATOPS_SECRET=%s\nSPEC_NOTIFY_AUDIT_SECRET=%s\nSPEC_NOTIFY_REPO=%s\n' \
    "$("$BIN" secret new)" "$("$BIN" secret new)" "$repo" >"$WORK/deploy/.env"
  "${DC[@]}" down -v --remove-orphans >>"$WORK/compose.log" 2>&1 || true
  local volumes_before
  volumes_before=$(docker volume ls -q | sort)

  "${DC[@]}" config -q || fail "compose config -q"
  up
  wait_until 30 daemon_log_has "baseline recorded" || fail "no baseline: $(daemon_log | tail -5)"
  # The daemon (child of the entrypoint, PID 1) runs as the checkout's owner and holds no capability.
  local pid
  pid=$(docker top "$(cid spec-notify)" -eo pid,args | awk '/libexec\/spec-notify\/spec-notify serve/ {print $1}')
  [ -n "$pid" ] || fail "no daemon process: $(docker top "$(cid spec-notify)" -eo pid,args)"
  [ "$(stat -c %u:%g /proc/"$pid")" = "$owner" ] || fail "daemon runs as $(stat -c %u:%g /proc/"$pid"), not $owner"
  grep -q '^CapEff:[[:space:]]*0*$' /proc/"$pid"/status || fail "daemon has capabilities: $(grep Cap /proc/"$pid"/status)"

  echo "   T1 -> Done: receiver-ok once, receiver-faulty 500, 500, 200 under one webhook-id"
  sed -i 's/| T1 | Wire the compose environment | In Progress |/| T1 | Wire the compose environment | Done |/' "$tasks"
  wait_until 30 received_at_least receiver-faulty 3 || fail "faulty receiver: $(received receiver-faulty)"
  wait_until 10 received_at_least receiver-ok 1 || fail "receiver-ok got nothing"
  received receiver-ok >"$WORK/ok.jsonl"
  received receiver-faulty >"$WORK/faulty.jsonl"
  python3 - "$WORK/ok.jsonl" "$WORK/faulty.jsonl" <<'PY' || fail "deliveries"
import json, sys
ok = [json.loads(l) for l in open(sys.argv[1])]
bad = [json.loads(l) for l in open(sys.argv[2])]
assert len(ok) == 1, ok
assert ok[0]["status"] == 200 and ok[0]["verified"] is True and ok[0]["github_verified"] is True, ok[0]
assert ok[0]["body"]["task"]["id"] == "T1" and ok[0]["body"]["task"]["to"] == "Done", ok[0]["body"]
assert len(bad) == 3, bad
assert len({l["webhook_id"] for l in bad}) == 1, "retries must keep the webhook-id"
assert [l["status"] for l in bad] == [500, 500, 200], [l["status"] for l in bad]
assert all(l["verified"] is True for l in bad), bad
PY

  echo "   evidence, metrics, admin status"
  wait_until 10 bash -c "[ \"\$(cat '$ev'/*.jsonl 2>/dev/null | grep -c .)\" = 4 ]" ||
    fail "want 4 evidence records (1 chatops + 3 audit), got: $(cat "$ev"/*.jsonl 2>/dev/null | grep -c .)"
  [ -z "$(find "$repo" \! -user "${owner%:*}")" ] || fail "files in the checkout not owned by $owner"
  "${DC[@]}" exec -T spec-notify bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/9464; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3' >"$WORK/metrics.txt" ||
    fail "metrics scrape"
  grep -q '^spec_notify_deliveries_succeeded_total{subscription="chatops"} 1$' "$WORK/metrics.txt" ||
    fail "metrics: $(grep succeeded "$WORK/metrics.txt")"
  printf 'status\nquit\n' | "${DC[@]}" exec -T spec-notify spec-notify admin >"$WORK/admin.txt" 2>&1 ||
    fail "admin status: $(cat "$WORK/admin.txt")"
  grep -q chatops "$WORK/admin.txt" && grep -q audit "$WORK/admin.txt" || fail "admin status: $(cat "$WORK/admin.txt")"

  echo "   config edited with sed -i + reload (SIGHUP): chatops now also gets Blocked"
  sed -i 's/^statuses = \["Done"\]$/statuses = ["Done", "Blocked"]/' "$CONFIG"
  grep -q 'statuses = \["Done", "Blocked"\]' "$CONFIG" || fail "sed did not change the config"
  "${DC[@]}" kill -s HUP spec-notify >>"$WORK/compose.log" 2>&1
  wait_until 20 daemon_log_has "SIGHUP: applying the new config" || fail "reload not applied: $(daemon_log | tail)"
  sed -i 's/| T2 | Document the configuration keys | Backlog |/| T2 | Document the configuration keys | Blocked |/' "$tasks"
  wait_until 30 received_at_least receiver-ok 2 || fail "the reloaded config was not applied (T2 Blocked)"
  [ "$(received receiver-ok | ids)" = "T1 T2" ] || fail "receiver-ok: $(received receiver-ok | ids)"
  wait_until 30 received_at_least receiver-faulty 4 || fail "audit did not get T2"

  echo "   docker stop: exit 0 within 10 s; T4 -> Done while down; down; up: T4 once, nothing re-delivered"
  local t0 took
  t0=$(date +%s%N)
  docker stop -t 30 "$(cid spec-notify)" >/dev/null
  took=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$took" -lt 10000 ] || fail "docker stop took $took ms"
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$(cid spec-notify)")" = 0 ] || fail "daemon did not exit 0 on stop"
  daemon_log >"$WORK/daemon-1.log"
  sed -i 's/| T4 | Verify a delivery end to end | Backlog |/| T4 | Verify a delivery end to end | Done |/' "$tasks"
  "${DC[@]}" down >>"$WORK/compose.log" 2>&1 || fail "down"
  [ "$(docker volume ls -q | sort)" = "$(printf '%s\n' $volumes_before "${P}_state" | sort -u)" ] ||
    fail "down left volumes other than ${P}_state: $(docker volume ls -q)"
  up
  wait_until 30 received_at_least receiver-ok 1 || fail "the change made while down was not delivered"
  sed -i 's/| T3 | Harden the systemd unit | Backlog |/| T3 | Harden the systemd unit | Done |/' "$tasks"
  wait_until 30 received_at_least receiver-ok 2 || fail "sentinel T3 missing"
  [ "$(received receiver-ok | ids)" = "T4 T3" ] || fail "after down/up receiver-ok got: $(received receiver-ok | ids)"
  wait_until 30 received_at_least receiver-faulty 4 || fail "audit after down/up: $(received receiver-faulty | ids)"
  [ "$(received receiver-faulty | ids)" = "T4 T4 T4 T3" ] || fail "audit after down/up: $(received receiver-faulty | ids)"
  "${DC[@]}" stop >>"$WORK/compose.log" 2>&1
  for s in spec-notify receiver-ok receiver-faulty; do
    [ "$(docker inspect -f '{{.State.ExitCode}}' "$(cid "$s")")" = 0 ] ||
      fail "$s exited $(docker inspect -f '{{.State.ExitCode}}' "$(cid "$s")") on stop: $(docker logs "$(cid "$s")" 2>&1 | tail -5)"
  done
  daemon_log >>"$WORK/daemon-1.log"
  cp "$WORK/daemon-1.log" "$WORK/daemon-${owner/:/-}.log"
  ! grep -E '^[^ ]+ +error |Permission denied' "$WORK/daemon-1.log" ||
    fail "error lines in the daemon's log (owner $owner)"
  "${DC[@]}" down >>"$WORK/compose.log" 2>&1
  [ "$(docker volume ls -q | sort)" = "$(printf '%s\n' $volumes_before "${P}_state" | sort -u)" ] ||
    fail "down left volumes other than ${P}_state: $(docker volume ls -q)"
  LAST_REPO=$repo
}

owner_change_keeps_state() {  # the checkout changes owner while the state volume exists: no LOCK failure
  echo "== the checkout changes owner to 0:0, the state volume was made by 4242:4242: the daemon starts as 0:0"
  chown -R 0:0 "$LAST_REPO"
  up
  local c
  c=$(cid spec-notify)
  wait_until 30 daemon_log_has "watching /repo" || fail "daemon did not start: $(daemon_log | tail -5)"
  [ "$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$c")" = "running 0" ] ||
    fail "daemon after the owner change: $(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$c")"
  "${DC[@]}" exec -T spec-notify find /var/lib/spec-notify \! -user 0 >"$WORK/not-chowned.txt" ||
    fail "find in the state volume"
  [ ! -s "$WORK/not-chowned.txt" ] || fail "state volume not chowned to 0: $(head -3 "$WORK/not-chowned.txt")"
  ! daemon_log | grep -E '^[^ ]+ +error |Permission denied' || fail "error lines after the owner change"
  "${DC[@]}" down -v >>"$WORK/compose.log" 2>&1
}

placeholder_secret_stops() {  # exit 2 (a placeholder secret) stops the container: no restart loop
  echo "== a placeholder secret: the receiver exits 2 -> status 0, restart: on-failure leaves it stopped"
  printf 'SPEC_NOTIFY_CHATOPS_SECRET=whsec_REPLACE_ME_run_spec-notify_secret_new\n' >"$WORK/deploy/.env"
  "${DC[@]}" up -d --no-deps receiver-ok >>"$WORK/compose.log" 2>&1 || fail "up receiver-ok"
  local c
  c=$(cid receiver-ok)
  wait_until 20 bash -c "[ \"\$(docker inspect -f '{{.State.Status}}' $c)\" = exited ]" ||
    fail "receiver-ok with a placeholder secret: $(docker inspect -f '{{.State.Status}}' "$c")"
  sleep 2  # restart: on-failure would restart within 100 ms; give it ample time to show
  [ "$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' "$c")" = "exited 0 0" ] ||
    fail "placeholder secret: $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' "$c")"
  docker logs "$c" 2>&1 | grep -q "exited 2 (configuration or usage error" || fail "no exit-2 explanation in the log"
  "${DC[@]}" down -v >>"$WORK/compose.log" 2>&1
}

run_for_owner 0:0
run_for_owner 4242:4242
owner_change_keeps_state
placeholder_secret_stops
echo "compose e2e: OK after $((SECONDS - t_start)) s"
