#!/usr/bin/env bash
# deploy/docker-compose.yml and deploy/Dockerfile, checked offline (no Docker engine on these machines):
#   - `docker-compose -f deploy/docker-compose.yml config -q` passes (Debian's docker-compose 1.29), with no
#     variables set and with an env file; no top-level `name:`; no secret value written in the file;
#   - each receiver's --secret-env is the secret_env of the subscription whose URL points at it, and the daemon
#     gets every secret_env its config names; the config validates with `spec-notify check-config`;
#   - only spec-notify builds, every service runs that image, restart on-failure, no-new-privileges=true,
#     the config folder is mounted, receivers mount nothing, the daemon's health check scrapes metrics;
#   - the Dockerfile is multi-stage on Debian 12, its runtime stage has no -dev package, no VOLUME, no USER
#     (deploy/entrypoint picks the checkout's owner at run time),
#     has a HEALTHCHECK running an existing subcommand, installs a package for every shared library the binary
#     needs, and COPYs every source folder CMakeLists.txt builds from.
source "$(dirname "$0")/lib.sh"
DEPLOY=$(cd "$TEST_DIR/../deploy" && pwd)
ROOT=$(cd "$TEST_DIR/.." && pwd)
COMPOSE="$DEPLOY/docker-compose.yml"
DOCKERFILE="$DEPLOY/Dockerfile"
command -v docker-compose >/dev/null ||
  fail "docker-compose is required (Debian package docker-compose; deploy/setup.sh installs it)"
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml is required (installed with docker-compose)"

echo "== docker-compose config -q ($(docker-compose version --short 2>/dev/null || echo '?'))"
(cd "$WORK" && env -u SPEC_NOTIFY_REPO -u SPEC_NOTIFY_CHATOPS_SECRET -u SPEC_NOTIFY_AUDIT_SECRET \
  docker-compose -f "$COMPOSE" config -q) >"$WORK/config.log" 2>&1 ||
  fail "docker-compose config -q: $(cat "$WORK/config.log")"
chatops=$("$BIN" secret new)
audit=$("$BIN" secret new)
printf 'SPEC_NOTIFY_CHATOPS_SECRET=%s\nSPEC_NOTIFY_AUDIT_SECRET=%s\nSPEC_NOTIFY_REPO=%s\n' \
  "$chatops" "$audit" "$WORK/repo" > "$WORK/test.env"
(cd "$WORK" && docker-compose --env-file "$WORK/test.env" -f "$COMPOSE" config) >"$WORK/resolved.yml" \
  2>"$WORK/config.log" || fail "docker-compose --env-file config: $(cat "$WORK/config.log")"

echo "== structure, secrets, wiring"
python3 - "$COMPOSE" "$WORK/resolved.yml" "$DEPLOY" "$chatops" "$audit" "$WORK/repo" <<'PY' || fail "compose checks"
import re, sys, tomllib, yaml
compose_path, resolved_path, deploy, chatops, audit, repo = sys.argv[1:]
text = open(compose_path).read()
raw = yaml.safe_load(text)
res = yaml.safe_load(open(resolved_path))
errors = []
def check(cond, msg):
    if not cond: errors.append(msg)

check("name" not in raw, "top-level name: is rejected by docker-compose 1.29")
check("whsec_" not in text, "a secret value is written in the compose file")
svcs = raw["services"]
check({"spec-notify", "receiver-ok", "receiver-faulty"} <= set(svcs), "services: %s" % list(svcs))
for name, svc in svcs.items():
    for e in svc.get("environment") or []:
        if re.search(r"SECRET", e, re.I):
            check("=" not in e, "%s: secret %s must be passed through by name, not given a value" % (name, e))
# named volume for the state dir
daemon = res["services"]["spec-notify"]
state_mounts = [v for v in daemon["volumes"] if v.split(":")[1] == "/var/lib/spec-notify"]
check(state_mounts and state_mounts[0].split(":")[0] in (res.get("volumes") or {}),
      "the state dir must be a named volume: %s" % daemon["volumes"])
check(any(v.startswith(repo + ":/repo") for v in daemon["volumes"]), "SPEC_NOTIFY_REPO is not mounted at /repo")
check(daemon["environment"].get("SPEC_NOTIFY_CHATOPS_SECRET") == chatops, "chatops secret not passed through")
check(daemon["environment"].get("SPEC_NOTIFY_AUDIT_SECRET") == audit, "audit secret not passed through")
# the daemon's config, as mounted: its folder (a file mount keeps the old inode after sed -i / git checkout)
cfg_mount = [v for v in daemon["volumes"] if v.split(":")[1] == "/etc/spec-notify"]
check(cfg_mount, "the config folder is not mounted at /etc/spec-notify")
cfg = tomllib.load(open(cfg_mount[0].split(":")[0] + "/config.toml", "rb"))["notify"]
hc = " ".join(daemon.get("healthcheck", {}).get("test", []))
check("/dev/tcp/127.0.0.1/%s" % cfg["metrics"].rsplit(":", 1)[1] in hc, "daemon healthcheck must scrape metrics")
# one build for every service; receivers keep no state; restarts stop on exit 2 (the entrypoint maps it to 0)
check([n for n, s in res["services"].items() if "build" in s] == ["spec-notify"], "only spec-notify builds")
check(len({s["image"] for s in res["services"].values()}) == 1, "every service runs the same image")
for name, svc in res["services"].items():
    check(svc.get("restart") == "on-failure", "%s: restart must be on-failure" % name)
    check("no-new-privileges=true" in (svc.get("security_opt") or []), "%s: no-new-privileges=true" % name)
    if name != "spec-notify":
        check(not svc.get("volumes"), "%s: a receiver mounts nothing" % name)
check(cfg["repo"] == "/repo" and cfg["state_dir"] == "/var/lib/spec-notify", "config paths vs mounts")
faults = 0
for sub in cfg["subscriptions"]:
    m = re.match(r"https?://([^:/]+):(\d+)/", sub["url"])
    check(m and m.group(1) in svcs, "subscription %s points at no service: %s" % (sub["name"], sub["url"]))
    if not m or m.group(1) not in svcs: continue
    target = res["services"][m.group(1)]
    cmd = [str(c) for c in target["command"]]
    check(cmd[0] == "receive", "%s is not a receiver" % m.group(1))
    check(cmd[cmd.index("--listen") + 1].endswith(":" + m.group(2)), "%s listens elsewhere" % m.group(1))
    check("--allow-remote" in cmd, "%s: a receiver on the compose network needs --allow-remote" % m.group(1))
    check(cmd[cmd.index("--secret-env") + 1] == sub["secret_env"], "%s verifies with another secret" % m.group(1))
    check(sub["secret_env"] in target["environment"], "%s does not get %s" % (m.group(1), sub["secret_env"]))
    check(sub["secret_env"] in daemon["environment"], "daemon does not get %s" % sub["secret_env"])
    faults += any(f in cmd for f in ("--fail", "--status", "--delay"))
    check(daemon["depends_on"].get(m.group(1), {}).get("condition") == "service_healthy",
          "daemon must wait for %s to be healthy" % m.group(1))
check(faults == 1, "exactly one receiver injects faults (got %d)" % faults)
for e in errors: print("  - " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
SPEC_NOTIFY_CHATOPS_SECRET=$chatops SPEC_NOTIFY_AUDIT_SECRET=$audit \
  "$BIN" check-config --config "$DEPLOY/compose-config/config.toml" >"$WORK/check.log" 2>&1 ||
  fail "the compose config does not validate: $(cat "$WORK/check.log")"
# The example env files are not usable as they are: their placeholders must fail validation.
(set -a; . "$DEPLOY/compose.env.example"; set +a
 "$BIN" check-config --config "$DEPLOY/compose-config/config.toml" >/dev/null 2>&1) &&
  fail "the placeholder secrets of compose.env.example must not validate"

echo "== Dockerfile"
python3 - "$DOCKERFILE" "$ROOT/CMakeLists.txt" "$BIN" <<'PY' || fail "Dockerfile checks"
import os, re, subprocess, sys
dockerfile, cmakelists, binary = sys.argv[1:]
text = open(dockerfile).read()
joined = re.sub(r"\\\n", " ", text)
lines = [l.strip() for l in joined.split("\n") if l.strip() and not l.strip().startswith("#")]
errors = []
def check(cond, msg):
    if not cond: errors.append(msg)
stages, cur = [], None
for l in lines:
    if l.upper().startswith("FROM "):
        cur = {"from": l.split()[1], "lines": []}
        stages.append(cur)
    elif cur is not None:
        cur["lines"].append(l)
check(len(stages) >= 2, "multi-stage build expected")
for s in stages:
    check(re.match(r"debian:(12|bookworm|\$\{DEBIAN_RELEASE\})", s["from"]), "not Debian 12: " + s["from"])
check("bookworm" in re.search(r"ARG DEBIAN_RELEASE=(\S+)", text).group(1), "DEBIAN_RELEASE must be bookworm")
run = stages[-1]
body = " ".join(run["lines"])
pkgs = set()
for m in re.finditer(r"apt-get install ([^&;]*)", body):
    pkgs |= {w for w in m.group(1).split() if not w.startswith("-")}
check(pkgs, "runtime stage installs no packages")
check(not re.search(r"^\s*VOLUME", text, re.M), "no VOLUME: receivers would leave anonymous volumes")
check(not re.search(r"once it (ships|is available)", text), "stale comment: the metrics endpoint has shipped")
check(not [p for p in pkgs if p.endswith("-dev") or p in ("build-essential", "cmake", "g++", "gcc")],
      "runtime stage has build packages: %s" % sorted(p for p in pkgs if p.endswith("-dev")))
# No build-time USER: deploy/entrypoint picks the checkout's owner at run time and drops every capability.
users = [l for l in run["lines"] if l.upper().startswith("USER ")]
check(not users, "the user is chosen at run time by deploy/entrypoint, not by USER")
check("setpriv" in open(os.path.join(os.path.dirname(dockerfile), "entrypoint")).read(), "entrypoint drops privileges")
check('ENTRYPOINT ["spec-notify"]' in text and "COPY deploy/entrypoint /usr/local/bin/spec-notify" in text,
      "the entrypoint must be installed as spec-notify (exec and health checks go through it)")
hc = [l for l in run["lines"] if l.upper().startswith("HEALTHCHECK")]
check(hc, "no HEALTHCHECK")
if hc:
    m = re.search(r'CMD \["spec-notify", "([a-z-]+)"', hc[0])
    check(m, "HEALTHCHECK must run a spec-notify subcommand: " + hc[0])
    if m:
        r = subprocess.run([binary, m.group(1), "--help"], capture_output=True)
        check(r.returncode == 0, "HEALTHCHECK subcommand '%s' does not exist" % m.group(1))
check(any(l.startswith("COPY --from=") for l in run["lines"]), "runtime stage must copy the built binary")
# Every shared library the binary NEEDS comes from a runtime package (or the base image).
base = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}
needed = re.findall(r"\(NEEDED\).*\[(.+)\]", subprocess.run(["readelf", "-d", binary], capture_output=True,
                                                            text=True).stdout)
ldd = dict(re.findall(r"^\s*(\S+) => (\S+)", subprocess.run(["ldd", binary], capture_output=True,
                                                             text=True).stdout, re.M))
check(len(needed) >= 5, "readelf found no NEEDED libraries (binutils missing?)")
# A sanitizer build of the tests (.ci/sanitize.sh) links other libraries than the image's Release build:
# the runtime-package check only means something for a plain build.
sanitized = any(l.startswith(("libasan", "libubsan", "libtsan")) for l in needed)
for lib in ([] if sanitized else needed):
    path = ldd.get(lib)
    if not path:
        errors.append("ldd does not resolve " + lib); continue
    owner = None
    for p in (path, os.path.realpath(path)):
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            owner = r.stdout.split(":")[0]; break
    if owner is None:
        errors.append("no Debian package owns %s (%s)" % (lib, path)); continue
    check(owner in pkgs or owner in base, "%s (package %s) is missing from the runtime stage" % (lib, owner))
# Sources: every top-level folder the build reads is COPYed into the build stage.
cm = open(cmakelists).read()
folders = set(re.findall(r"\$\{PROJECT_SOURCE_DIR\}/([A-Za-z0-9_.-]+)/", cm)) | \
          set(re.findall(r"add_subdirectory\(\s*([A-Za-z0-9_.-]+)", cm))
copied = set()
for l in stages[0]["lines"]:
    if l.startswith("COPY ") and "--from" not in l:
        copied |= {p.rstrip("/").lstrip("./") for p in l.split()[1:-1]}
check("CMakeLists.txt" in copied, "CMakeLists.txt not copied")
for f in sorted(folders):
    check(f in copied, "the build reads %s/ but the Dockerfile does not COPY it" % f)
for e in errors: print("  - " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
grep -qx 'deploy/.env' "$ROOT/.dockerignore" || fail ".dockerignore must keep deploy/.env (secrets) out of the build context"
echo "compose config: OK"
