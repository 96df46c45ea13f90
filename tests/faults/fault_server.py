#!/usr/bin/env python3
"""A misbehaving HTTP(S) endpoint for the fault tests (loopback only, raw sockets so every byte is ours).

usage: fault_server.py --out FILE --ready-file FILE --script ANSWERS [--cert PEM --key PEM [--tls-drip SECS]]

ANSWERS is a comma-separated list; request n (1-based, counted over all connections) gets answer n, the last
one repeats. An answer is a mode with ';'-separated options:
  CODE[;h:NAME=VALUE...]   answer CODE with a tiny body (keep-alive). VALUE "date+N" = an IMF-fixdate N seconds
                           after the next whole second; "date-N" likewise in the past.
  never                    read the request, never answer (hold the socket until the client closes it)
  late=SECS                answer 200 after SECS seconds (unless the client gave up first)
  reset                    send part of the status line and headers, then close with RST (SO_LINGER 0)
  trickle                  send "HTTP/1.1 200 OK ..." one byte per second (a slow-loris response)
  slowbody                 send 200 headers (Content-Length: 64) at once, then the body one byte per second
  huge=MB[;code=N][;framing=length|chunked|close]   answer CODE (200) with an MB-megabyte body
--tls-drip SECS: a real TLS handshake whose server flight (ServerHello, certificate, ...) is sent one byte every
SECS seconds (a slow-loris handshake); requests that get through it are answered as ANSWERS says.
One JSON line per event is appended to --out:
  {"ev":"request","n":..,"conn":..,"webhook_id":..,"attempt":..,"task":..,"received_ms":..,"answer":..}
  {"ev":"closed","conn":..,"n":..,"ms":..,"sent":BYTES}   the client closed/reset a connection we were answering
  {"ev":"connect","conn":..,"ms":..}                       a client connected (before any TLS handshake)
  {"ev":"tls_error","conn":..,"ms":..,"error":..}          a TLS handshake failed (the client refused us)
  {"ev":"handshake_cut","conn":..,"ms":..,"sent":BYTES}     --tls-drip: the client closed mid-handshake
"""
import argparse, email.utils, json, math, os, select, socket, ssl, struct, sys, threading, time

lock = threading.Lock()
counter = [0]
conns = [0]


def now_ms():
    return int(time.time() * 1000)


def record(out, obj):
    with lock:
        with open(out, "a") as f:
            f.write(json.dumps(obj) + "\n")


def parse_answer(text):
    parts = text.split(";")
    head, opts, headers = parts[0], {}, []
    for p in parts[1:]:
        if p.startswith("h:"):
            name, value = p[2:].split("=", 1)
            headers.append((name, value))
        elif "=" in p:
            k, v = p.split("=", 1)
            opts[k] = v
    if "=" in head:
        mode, arg = head.split("=", 1)
    else:
        mode, arg = head, None
    return mode, arg, opts, headers


def header_value(v):
    if v.startswith("date+") or v.startswith("date-"):
        delta = int(v[4:])
        return email.utils.formatdate(math.ceil(time.time()) + delta, usegmt=True)
    return v


def read_request(sock, buf):
    """Returns (headers dict, body bytes, rest) or None at EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return headers, rest[:length], rest[length:]


def client_gone(sock):
    """True when the client closed (EOF or reset) - checked without blocking."""
    try:
        r, _, _ = select.select([sock], [], [], 0)
        if not r:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ssl.SSLError, ValueError):
        return True


def wait_gone(sock, secs):
    """Waits up to secs for the client to close; True if it did."""
    deadline = time.time() + secs
    while time.time() < deadline:
        if client_gone(sock):
            return True
        time.sleep(0.02)
    return False


def send_all(sock, data):
    sock.sendall(data)


def serve_conn(sock, args, conn_id):
    buf = b""
    while True:
        try:
            req = read_request(sock, buf)
        except (OSError, ssl.SSLError):
            return
        if req is None:
            return
        headers, body, buf = req
        with lock:
            counter[0] += 1
            n = counter[0]
        answers = args.script.split(",")
        mode, arg, opts, extra = parse_answer(answers[min(n, len(answers)) - 1])
        task = None
        try:
            task = json.loads(body).get("task", {}).get("id")
        except Exception:
            pass
        record(args.out, {"ev": "request", "n": n, "conn": conn_id, "webhook_id": headers.get("webhook-id"),
                          "attempt": int(headers.get("x-spec-notify-attempt", "0")), "task": task,
                          "received_ms": now_ms(), "answer": answers[min(n, len(answers)) - 1]})
        sent = 0

        def closed():
            record(args.out, {"ev": "closed", "conn": conn_id, "n": n, "ms": now_ms(), "sent": sent})

        try:
            if mode.isdigit():
                code = int(mode)
                payload = b"ok\n" if 200 <= code < 300 else b"no\n"
                lines = ["HTTP/1.1 %d X" % code, "Content-Type: text/plain", "Content-Length: %d" % len(payload)]
                lines += ["%s: %s" % (k, header_value(v)) for k, v in extra]
                send_all(sock, ("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
                continue  # keep-alive
            if mode == "never":
                while not client_gone(sock):
                    time.sleep(0.02)
                closed()
                return
            if mode == "late":
                if wait_gone(sock, float(arg)):
                    closed()
                    return
                send_all(sock, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
                return
            if mode == "reset":
                send_all(sock, b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")
                time.sleep(0.1)
                raw = sock.unwrap() if isinstance(sock, ssl.SSLSocket) else sock
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                raw.close()
                return
            if mode in ("trickle", "slowbody"):
                if mode == "trickle":
                    data = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
                else:
                    send_all(sock, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 64\r\n\r\n")
                    data = b"x" * 64
                for i in range(len(data)):
                    if wait_gone(sock, 1.0):
                        closed()
                        return
                    send_all(sock, data[i:i + 1])
                    sent += 1
                wait_gone(sock, 30)
                closed()
                return
            if mode == "huge":
                total = int(float(arg) * 1024 * 1024)
                code = int(opts.get("code", "200"))
                framing = opts.get("framing", "length")
                head = "HTTP/1.1 %d X\r\nContent-Type: application/octet-stream\r\n" % code
                if framing == "length":
                    head += "Content-Length: %d\r\n" % total
                elif framing == "chunked":
                    head += "Transfer-Encoding: chunked\r\n"
                else:
                    head += "Connection: close\r\n"
                send_all(sock, (head + "\r\n").encode())
                block = b"z" * 65536
                while sent < total:
                    piece = block[:min(len(block), total - sent)]
                    if framing == "chunked":
                        send_all(sock, b"%x\r\n" % len(piece) + piece + b"\r\n")
                    else:
                        send_all(sock, piece)
                    sent += len(piece)
                if framing == "chunked":
                    send_all(sock, b"0\r\n\r\n")
                record(args.out, {"ev": "huge_sent", "conn": conn_id, "n": n, "ms": now_ms(), "sent": sent})
                if framing == "close":
                    return
                continue
            raise SystemExit("unknown mode " + mode)
        except (OSError, ssl.SSLError):
            closed()
            return


class dripped_tls:
    """A server-side TLS connection over memory BIOs: the handshake's outgoing bytes are written to the socket
    one at a time, `interval` seconds apart. Afterwards it is a minimal socket-like object for serve_conn."""

    def __init__(self, sock, tls, interval, out, conn_id):
        self.sock, self.inc, self.outgoing = sock, ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = tls.wrap_bio(self.inc, self.outgoing, server_side=True)
        self.interval, self.out, self.conn_id = interval, out, conn_id

    def handshake(self):
        """True when the handshake completed; False when the client gave up (recorded as handshake_cut)."""
        sent = 0
        while True:
            try:
                self.obj.do_handshake()
                done = True
            except ssl.SSLWantReadError:
                done = False
            except ssl.SSLError as e:
                record(self.out, {"ev": "tls_error", "conn": self.conn_id, "ms": now_ms(), "error": str(e)})
                return False
            data = self.outgoing.read()
            for i in range(len(data)):
                if wait_gone(self.sock, self.interval):
                    record(self.out, {"ev": "handshake_cut", "conn": self.conn_id, "ms": now_ms(), "sent": sent})
                    return False
                try:
                    self.sock.sendall(data[i:i + 1])
                except OSError:
                    record(self.out, {"ev": "handshake_cut", "conn": self.conn_id, "ms": now_ms(), "sent": sent})
                    return False
                sent += 1
            if done:
                return True
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                record(self.out, {"ev": "handshake_cut", "conn": self.conn_id, "ms": now_ms(), "sent": sent})
                return False
            self.inc.write(chunk)

    def _flush(self):
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def recv(self, n, flags=0):
        if flags:  # MSG_PEEK from client_gone: ask the raw socket
            return self.sock.recv(n, flags)
        while True:
            try:
                return self.obj.read(n)
            except ssl.SSLWantReadError:
                self._flush()
                chunk = self.sock.recv(65536)
                if not chunk:
                    return b""
                self.inc.write(chunk)
            except ssl.SSLZeroReturnError:
                return b""

    def sendall(self, data):
        self.obj.write(data)
        self._flush()

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        self.sock.close()


def handle(sock, args, conn_id, tls):
    record(args.out, {"ev": "connect", "conn": conn_id, "ms": now_ms()})
    try:
        if tls is not None and args.tls_drip:
            dripped = dripped_tls(sock, tls, args.tls_drip, args.out, conn_id)
            if not dripped.handshake():
                return
            serve_conn(dripped, args, conn_id)
            return
        if tls is not None:
            try:
                sock = tls.wrap_socket(sock, server_side=True)
            except (OSError, ssl.SSLError) as e:
                record(args.out, {"ev": "tls_error", "conn": conn_id, "ms": now_ms(), "error": str(e)})
                return
        serve_conn(sock, args, conn_id)
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--tls-drip", type=float, default=0.0)
    args = ap.parse_args()
    tls = None
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    with open(args.ready_file + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(args.ready_file + ".tmp", args.ready_file)
    while True:
        s, _ = srv.accept()
        conns[0] += 1
        threading.Thread(target=handle, args=(s, args, conns[0], tls), daemon=True).start()


if __name__ == "__main__":
    main()
