#!/usr/bin/env bash
# Reproduces deploy/docker-compose.yml without Docker: every service runs as a local process on loopback,
# with the command, environment, config file, health check, start order (depends_on + service_healthy) and
# named volumes the compose file declares. It READS the compose file rather than restating it, so what it runs
# is what compose would run, with these mappings:
#   - `receive --listen 0.0.0.0:8080 --allow-remote` -> `--listen 127.0.0.1:0` (a free port, via --ready-file);
#     the receiver's JSON lines go to WORKDIR/<service>.jsonl (docker: `docker-compose logs <service>`).
#   - `http://<service>:<port>` in the daemon's config -> `http://127.0.0.1:<that receiver's port>`.
#   - container paths from `volumes:` -> their host source; a named volume -> WORKDIR/volumes/<name>
#     (kept across runs like a named volume across `down`/`up`; delete the folder for `down -v`).
#   - admin / metrics host:port -> 127.0.0.1:<free port> (inside a container they are private; here they
#     must not collide with anything else on the host); a health check probing them follows.
#   - the image's entrypoint (deploy/entrypoint: uid switch, exit 2 -> 0) is not reproduced: every service
#     runs as the calling user and its exit status is reported as it is.
#   - `spec-notify` (the image's entrypoint) -> the binary given by --bin / $SPEC_NOTIFY_BIN / build/spec-notify.
# Environment: only what the service declares (plus PATH and the image's ENV), like a container: a value-less
# entry (a secret) is passed through from the shell or the env file (deploy/.env, or --env-file), shell first.
# Any service exiting stops the topology (like `up --abort-on-container-exit`). Network namespaces are not
# used: they need root, and loopback already gives each receiver its own address:port.
#
# Usage:
#   deploy/topology.sh up [--workdir DIR] [--env-file FILE] [--bin PATH] [--compose FILE]
#       foreground until SIGTERM/SIGINT (stops services in reverse start order, exits 0 when all exited 0).
#       Writes DIR/topology.json once every service is up (pids, ports, files), DIR/health/<service>,
#       DIR/<service>.log (stderr+stdout), DIR/<receiver>.jsonl, DIR/exit-codes.json at the end.
#   deploy/topology.sh sample-repo DIR
#       writes a small Spec Kit checkout (docs/SPEC-KIT-900-compose-demo/tasks.md) to watch.
# Needs python3 with PyYAML (Debian: python3-yaml, which docker-compose depends on).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "topology.sh: python3 is required" >&2; exit 2; }
# The program is deploy/topology.py; this wrapper keeps the command (and its python3 check) where the docs
# and tests call it.
exec python3 "$here/topology.py" "$@"
