#!/usr/bin/env python3
"""Runs deploy/docker-compose.yml's services as local processes on loopback (no Docker), and writes the sample
Spec Kit checkout: the implementation behind deploy/topology.sh.

deploy/topology.sh is the command to call (README.md, docs/installation.md and the compose tests do): its header
comment is the user documentation (the container -> host mappings, usage, output files), and `--help` prints it
from there, so it is written once. Running this file directly behaves the same (`deploy/topology.py up ...`).
It reads the compose file rather than restating it; PyYAML is imported only by `up`, so `sample-repo` works
without it. Messages keep the `topology.sh:` prefix because that is the command users type.
"""
import json, os, re, signal, socket, subprocess, sys, time

# deploy/: the compose file, deploy/.env and the --help text (topology.sh) are found next to this file.
HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg, code=2):
    print("topology.sh: " + msg, file=sys.stderr)
    sys.exit(code)


SAMPLE_TASKS = """# SPEC-KIT-900 compose demo: tasks

| Order | Task ID | Title | Status | Owners | Notes |
|---|---|---|---|---|---|
| 1 | T1 | Wire the compose environment | In Progress | Ops | |
| 2 | T2 | Document the configuration keys | Backlog | Docs | |
| 3 | T3 | Harden the systemd unit | Backlog | Ops | |
| 4 | T4 | Verify a delivery end to end | Backlog | QA | |
"""


def sample_repo(dest):
    folder = os.path.join(dest, "docs", "SPEC-KIT-900-compose-demo")
    os.makedirs(folder, exist_ok=True)
    os.makedirs(os.path.join(dest, "docs", "SPEC-OPS-004-integrated-coder-hooks", "evidence"), exist_ok=True)
    path = os.path.join(folder, "tasks.md")
    with open(path + ".tmp", "w") as f:
        f.write(SAMPLE_TASKS)
    os.replace(path + ".tmp", path)
    print("sample Spec Kit checkout in " + os.path.abspath(dest) + " (edit " + os.path.relpath(path, dest) +
          ": change a Status cell to Done)")


def parse_opts(args, names):
    opts, rest = {}, []
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and a[2:] in names:
            if i + 1 >= len(args):
                die(a + " needs a value")
            opts[a[2:]] = args[i + 1]
            i += 2
        elif a.startswith("--"):
            die("unknown option " + a)
        else:
            rest.append(a)
            i += 1
    return opts, rest


def read_env_file(path):
    values = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                die("%s:%d: expected KEY=VALUE" % (path, n))
            k, v = line.split("=", 1)
            k, v = k.strip(), v.strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1]
            values[k] = v
    return values


VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value, env):
    if not isinstance(value, str):
        return value

    def sub(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3)
        v = env.get(name)
        if op in (":-", "-"):
            if v is None or (op == ":-" and v == ""):
                return arg
        if op in (":?", "?") and (v is None or (op == ":?" and v == "")):
            die("variable %s: %s" % (name, arg))
        return v if v is not None else ""

    return VAR.sub(sub, value)


def deep_interpolate(node, env):
    if isinstance(node, dict):
        return {k: deep_interpolate(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [deep_interpolate(v, env) for v in node]
    return interpolate(node, env)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def duration_seconds(text, default):
    if text is None:
        return default
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", str(text).strip())
    if not m:
        return default
    n = float(m.group(1))
    return n * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


class Topology:
    def __init__(self, opts):
        try:
            import yaml
        except ImportError:
            die("python3-yaml (PyYAML) is required: apt-get install python3-yaml")
        self.compose_path = os.path.abspath(opts.get("compose", os.path.join(HERE, "docker-compose.yml")))
        self.compose_dir = os.path.dirname(self.compose_path)
        self.work = os.path.abspath(opts.get("workdir", os.path.join(os.getcwd(), "topology-run")))
        self.bin = os.path.abspath(opts.get("bin") or os.environ.get("SPEC_NOTIFY_BIN") or
                                   os.path.join(HERE, "..", "build", "spec-notify"))
        if not os.access(self.bin, os.X_OK):
            die("spec-notify binary not found at %s (pass --bin or set SPEC_NOTIFY_BIN)" % self.bin)
        env_file = opts.get("env-file", os.path.join(self.compose_dir, ".env"))
        file_env = {}
        if os.path.exists(env_file):
            file_env = read_env_file(env_file)
        elif "env-file" in opts:
            die("env file not found: " + env_file)
        self.env = dict(file_env)
        self.env.update(os.environ)  # the shell wins, as in docker-compose
        with open(self.compose_path) as f:
            raw = yaml.safe_load(f)
        if "name" in raw:
            die("top-level `name:` is not accepted by docker-compose 1.29")
        self.services = deep_interpolate(raw.get("services") or {}, self.env)
        self.named_volumes = set((raw.get("volumes") or {}).keys())
        for d in ("run", "health", "volumes"):
            os.makedirs(os.path.join(self.work, d), exist_ok=True)
        self.procs, self.ports, self.mounts, self.private_ports = {}, {}, {}, {}
        self.listen_port = {}  # service -> its container port
        for name, svc in self.services.items():
            cmd = [str(c) for c in svc.get("command") or []]
            if "--listen" in cmd:
                self.listen_port[name] = int(cmd[cmd.index("--listen") + 1].rsplit(":", 1)[1])

    # --- mapping container -> host ---------------------------------------------------------------------
    def volume_map(self, svc):
        mapping = {}
        for v in svc.get("volumes") or []:
            parts = v.split(":") if isinstance(v, str) else [v["source"], v["target"]]
            src, dst = parts[0], parts[1]
            if src in self.named_volumes:
                host = os.path.join(self.work, "volumes", src)
                os.makedirs(host, exist_ok=True)
            else:
                host = os.path.normpath(os.path.join(self.compose_dir, os.path.expanduser(src)))
            mapping[dst.rstrip("/") or "/"] = host
        return mapping

    @staticmethod
    def map_path(path, mapping):
        best = None
        for dst in mapping:
            if path == dst or path.startswith(dst + "/"):
                if best is None or len(dst) > len(best):
                    best = dst
        return path if best is None else mapping[best] + path[len(best):]

    def render_config(self, name, src, mapping):
        line_re = re.compile(r'^(\s*)([A-Za-z0-9_]+)(\s*=\s*)"([^"]*)"(.*)$')
        url_re = re.compile(r"^(https?://)([A-Za-z0-9_.-]+):(\d+)(.*)$")
        out = []
        with open(src) as f:
            for line in f:
                m = line_re.match(line.rstrip("\n"))
                if not m:
                    out.append(line.rstrip("\n"))
                    continue
                ind, key, eq, val, rest = m.groups()
                u = url_re.match(val)
                if u and u.group(2) in self.listen_port and int(u.group(3)) == self.listen_port[u.group(2)]:
                    if u.group(2) not in self.ports:
                        die("%s: %s refers to %s, which is not up (missing depends_on?)" % (src, key, u.group(2)))
                    val = "%s127.0.0.1:%d%s" % (u.group(1), self.ports[u.group(2)], u.group(4))
                elif key in ("admin", "metrics") and val:
                    port = free_port()
                    if ":" in val:  # a health check probing this port inside the container probes the new one
                        self.private_ports.setdefault(name, {})[int(val.rsplit(":", 1)[1])] = port
                    val = "127.0.0.1:%d" % port
                elif val.startswith("/"):
                    val = self.map_path(val, mapping)
                out.append('%s%s%s"%s"%s' % (ind, key, eq, val, rest))
        dest = os.path.join(self.work, "run", name + ".config.toml")
        with open(dest, "w") as f:
            f.write("# rendered by deploy/topology.sh from %s\n" % src + "\n".join(out) + "\n")
        return dest

    def service_env(self, svc, mapping):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.path.join(self.work, "run"),
               "SPEC_NOTIFY_LOG": "info"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                env[k] = os.environ[k]
        decl = svc.get("environment") or []
        items = decl.items() if isinstance(decl, dict) else [
            tuple(e.split("=", 1)) if "=" in e else (e, None) for e in decl]
        for k, v in items:
            if v is None:
                if k in self.env:
                    env[k] = self.env[k]  # pass-through (secrets): from the shell or the env file
            else:
                env[k] = self.map_path(str(v), mapping) if str(v).startswith("/") else str(v)
        return env

    # --- the processes -------------------------------------------------------------------------------
    def start_order(self):
        order, seen = [], set()

        def visit(n, stack=()):
            if n in seen:
                return
            if n in stack:
                die("depends_on cycle at " + n)
            deps = self.services[n].get("depends_on") or []
            for d in (deps.keys() if isinstance(deps, dict) else deps):
                visit(d, stack + (n,))
            seen.add(n)
            order.append(n)

        for n in self.services:
            visit(n)
        return order

    def wanted_healthy(self, name):
        for other in self.services.values():
            deps = other.get("depends_on") or {}
            if isinstance(deps, dict) and (deps.get(name) or {}).get("condition") == "service_healthy":
                return True
        return False

    def start(self, name):
        svc = self.services[name]
        mapping = self.volume_map(svc)
        cmd = [str(c) for c in svc.get("command") or []]
        if not cmd:
            die("service %s has no command" % name)
        env = self.service_env(svc, mapping)
        log = open(os.path.join(self.work, name + ".log"), "ab")
        info = {"log": os.path.join(self.work, name + ".log")}
        if cmd[0] == "receive":
            i = cmd.index("--listen")
            cmd[i + 1] = "127.0.0.1:0"
            cmd = [c for c in cmd if c != "--allow-remote"]
            port_file = os.path.join(self.work, "run", name + ".port")
            if os.path.exists(port_file):
                os.unlink(port_file)
            out = os.path.join(self.work, name + ".jsonl")
            cmd += ["--ready-file", port_file, "--out", out]
            info["out"] = out
        elif cmd[0] == "serve":
            if "--config" in cmd:
                i = cmd.index("--config") + 1
            else:
                cmd += ["--config", env.get("SPEC_NOTIFY_CONFIG", "/etc/spec-notify/config.toml")]
                i = len(cmd) - 1
            src = self.map_path(cmd[i], mapping)
            if not os.path.isfile(src):
                die("service %s: config %s (%s) not found" % (name, cmd[i], src))
            rendered = self.render_config(name, src, mapping)
            mapping[cmd[i]] = rendered
            cmd[i] = rendered
            env["SPEC_NOTIFY_CONFIG"] = rendered
            info["config"] = rendered
            info["volumes"] = mapping
        self.mounts[name] = mapping
        argv = [self.bin] + cmd
        p = subprocess.Popen(argv, env=env, cwd=os.path.join(self.work, "run"), stdin=subprocess.DEVNULL,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        info["pid"] = p.pid
        self.procs[name] = (p, env, info)
        with open(os.path.join(self.work, "run", name + ".pid"), "w") as f:
            f.write("%d\n" % p.pid)
        print("topology: started %s (pid %d): %s" % (name, p.pid, " ".join(cmd)), flush=True)
        if cmd[0] == "receive":
            deadline = time.time() + 15
            while not (os.path.exists(port_file) and open(port_file).read().strip()):
                if p.poll() is not None or time.time() > deadline:
                    die("service %s did not start (see %s)" % (name, info["log"]), 1)
                time.sleep(0.05)
            self.ports[name] = int(open(port_file).read().strip())
            info["port"] = self.ports[name]

    def probe_argv(self, name):
        hc = self.services[name].get("healthcheck") or {}
        test = hc.get("test")
        if not test or hc.get("disable") or test == ["NONE"]:
            return None
        if isinstance(test, str):
            test = ["CMD-SHELL", test]
        kind, rest = test[0], [str(t) for t in test[1:]]
        mapping = dict(self.mounts.get(name, {}))
        cport = self.listen_port.get(name)

        remap = dict(self.private_ports.get(name, {}))
        if cport is not None and name in self.ports:
            remap[cport] = self.ports[name]

        def fix(arg):
            for old, new in remap.items():
                arg = re.sub(r"(127\.0\.0\.1|localhost)([/:])%d\b" % old,
                             lambda m: "127.0.0.1%s%d" % (m.group(2), new), arg)
            if arg.startswith("/"):
                arg = self.map_path(arg, mapping)
            return arg

        rest = [fix(a) for a in rest]
        if kind == "CMD-SHELL":
            return ["sh", "-c", rest[0].replace("spec-notify ", self.bin + " ")]
        if rest and rest[0] == "spec-notify":
            rest[0] = self.bin
        return rest

    def probe(self, name):
        argv = self.probe_argv(name)
        if argv is None:
            return True, "no healthcheck"
        hc = self.services[name].get("healthcheck") or {}
        p, env, _ = self.procs[name]
        try:
            r = subprocess.run(argv, env=env, cwd=os.path.join(self.work, "run"), stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=duration_seconds(hc.get("timeout"), 30))
            ok, text = r.returncode == 0 and p.poll() is None, (r.stdout + r.stderr).decode(errors="replace")
        except subprocess.TimeoutExpired:
            ok, text = False, "probe timed out"
        with open(os.path.join(self.work, "health", name), "w") as f:
            f.write(("healthy\n" if ok else "unhealthy\n") + text[-2000:])
        return ok, text

    def wait_healthy(self, name):
        hc = self.services[name].get("healthcheck") or {}
        # Docker gives up after start_period + retries * interval; probe faster here, within the same bound.
        budget = duration_seconds(hc.get("start_period"), 0) + \
            max(1, int(hc.get("retries", 3))) * duration_seconds(hc.get("interval"), 30)
        deadline = time.time() + min(budget, 60)
        while True:
            ok, text = self.probe(name)
            if ok:
                return
            if self.procs[name][0].poll() is not None or time.time() > deadline:
                die("service %s did not become healthy: %s" % (name, text.strip()[-500:]), 1)
            time.sleep(0.1)

    def stop(self, order):
        codes = {}
        for name in reversed(order):
            if name not in self.procs:
                continue
            p = self.procs[name][0]
            if p.poll() is None:
                sig = getattr(signal, str(self.services[name].get("stop_signal", "SIGTERM")), signal.SIGTERM)
                p.send_signal(sig)
                grace = duration_seconds(self.services[name].get("stop_grace_period"), 10)
                try:
                    p.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    print("topology: %s ignored %s for %ss; SIGKILL" % (name, sig, grace), flush=True)
                    p.kill()
                    p.wait()
            codes[name] = p.returncode
            print("topology: %s exited %d" % (name, p.returncode), flush=True)
        with open(os.path.join(self.work, "exit-codes.json"), "w") as f:
            json.dump(codes, f)
        return codes

    def up(self):
        order = self.start_order()
        stopping = {"sig": None}

        def on_signal(sig, _frame):
            stopping["sig"] = sig

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        ready = os.path.join(self.work, "topology.json")
        if os.path.exists(ready):
            os.unlink(ready)
        try:
            for name in order:
                self.start(name)
                if self.wanted_healthy(name):
                    self.wait_healthy(name)
        except SystemExit:
            self.stop(order)
            raise
        for name in order:  # first probe of every service, as Docker's first healthcheck
            self.probe(name)
        with open(ready + ".tmp", "w") as f:
            json.dump({n: self.procs[n][2] for n in order}, f, indent=2)
        os.replace(ready + ".tmp", ready)
        print("topology: up (%s)" % ", ".join("%s=%d" % (n, self.procs[n][0].pid) for n in order), flush=True)
        next_probe = {n: time.time() + duration_seconds((self.services[n].get("healthcheck") or {})
                                                        .get("interval"), 30) for n in order}
        failed = None
        while stopping["sig"] is None:
            for name in order:
                if self.procs[name][0].poll() is not None:
                    failed = name
                    break
                if time.time() >= next_probe[name]:
                    self.probe(name)
                    next_probe[name] = time.time() + duration_seconds(
                        (self.services[name].get("healthcheck") or {}).get("interval"), 30)
            if failed:
                print("topology: %s exited %d on its own; stopping the rest" %
                      (failed, self.procs[failed][0].returncode), flush=True)
                break
            time.sleep(0.1)
        codes = self.stop(order)
        if failed:
            return 1
        return 0 if all(c == 0 for c in codes.values()) else 1


def main(args):
    if not args or args[0] in ("-h", "--help", "help"):
        # the usage is topology.sh's header comment (everything before its `set -euo pipefail`)
        header = open(os.path.join(HERE, "topology.sh")).read().split("set -euo pipefail")[0]
        print(header.replace("#!/usr/bin/env bash\n", ""))
        sys.exit(0 if args else 2)
    if args[0] == "sample-repo":
        if len(args) != 2:
            die("usage: topology.sh sample-repo DIR")
        sample_repo(args[1])
        sys.exit(0)
    if args[0] == "up":
        opts, rest = parse_opts(args[1:], {"workdir", "env-file", "bin", "compose"})
        if rest:
            die("unexpected argument " + rest[0])
        sys.exit(Topology(opts).up())
    die("unknown command %s (up | sample-repo DIR | --help)" % args[0])


if __name__ == "__main__":
    main(sys.argv[1:])
