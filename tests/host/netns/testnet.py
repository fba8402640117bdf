#!/usr/bin/env python3
"""testnet.py: the servers the https tests talk to, all on loopback inside
the test's own network namespace (run_in_netns.py starts this; never run it
on a shared network).

One process, one thread per connection:
  - HTTPS on 127.0.0.1:PORT and 127.0.0.2:PORT (certificate signed by the
    test CA made at test time; SAN api.test, other.test, ... and the
    loopback IPs), counting every TCP connection it accepts;
  - HTTPS with an untrusted self-signed certificate on 127.0.0.1:BADPORT
    (for https_tls_failed);
  - a DNS responder on UDP 127.0.0.1:DNSPORT answering from a fixed table
    (public+blocked mixes, NXDOMAIN, a name that is never answered);
  - a plain-HTTP control server on 127.0.0.1:CTRLPORT: GET /stats (the
    connections and requests seen so far, with SNI and headers), POST
    /reset.

Routes of the HTTPS server (the query string carries parameters):
  /json            200 {"ok":true,"path":...}
  /echo            200 JSON of what it saw: method, path, headers, body
  /stall?s=N       accepts, reads the request, then sends nothing for N s
                   (at most 30) and closes
  /stall-body?s=N  sends the status and headers, then stalls the body
  /big?n=N         N bytes of 'a' (at most 4 MiB), content-length set
  /redirect?to=URL&code=N   a redirect (default 302) to URL
  /status?code=N   that status with a short body
  /headers         20 ordinary headers, sensitive ones, a non-ASCII value
  /binary          bytes that are not UTF-8
  /reflect?v=S     S back in the body and in an x-reflect header
  /reflect-auth    the request's authorization header value back in the
                   body and in x-reflect, raw, base64 and URL-encoded
  /repos/octo/demo a GitHub-style repository object (pretty-printed)
  /close-early     closes at once, without reading the body or answering

Everything stops by itself after --lifetime seconds (default 600).
"""
import argparse
import base64
import http.server
import json
import os
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
import urllib.parse

STATE_LOCK = threading.Lock()
STATE = {"connections": 0, "connections_by_addr": {}, "requests": [],
         "dns_queries": []}
MAX_LOG = 1000
SNI = {}


def note_connection(local_addr):
    with STATE_LOCK:
        STATE["connections"] += 1
        by = STATE["connections_by_addr"]
        by[local_addr] = by.get(local_addr, 0) + 1


def note_request(entry):
    with STATE_LOCK:
        if len(STATE["requests"]) < MAX_LOG:
            STATE["requests"].append(entry)


# ---- HTTPS ------------------------------------------------------------------

def query_param(query, name, default=None):
    v = urllib.parse.parse_qs(query).get(name)
    return v[0] if v else default


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wasmgate-testnet"
    sys_version = ""

    def setup(self):
        raw = self.request
        local = raw.getsockname()
        self.local_addr = local[0]
        note_connection("%s %d" % (local[0], local[1]))
        raw.settimeout(35)
        try:
            self.request = self.server.tls.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.tls_failed = str(e)
            self.request = None
            return
        self.tls_failed = None
        self.sni = SNI.pop(id(self.request), None)
        self.connection = self.request
        super().setup()

    def handle(self):
        if self.request is None:
            return
        try:
            super().handle()
        except (ssl.SSLError, OSError, ConnectionError):
            pass

    def finish(self):
        if self.request is None:
            return
        try:
            super().finish()
        except (ssl.SSLError, OSError):
            pass

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(min(n, 1 << 20)) if n else b""

    def send(self, status, body, ctype="application/json", extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.send_header("connection", "close")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def route(self):
        if self.path.startswith("/close-early"):
            # Closes without reading the body or answering: the client's
            # write meets a reset (EPIPE / ECONNRESET).
            self.close_connection = True
            self.request.close()
            return
        body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        note_request({
            "method": self.command, "path": self.path, "sni": self.sni,
            "local_addr": self.local_addr,
            "headers": [[k.lower(), v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", "replace"),
        })
        p, q = url.path, url.query
        if p == "/json":
            return self.send(200, json.dumps({"ok": True, "path": p}))
        if p == "/echo":
            return self.send(200, json.dumps({
                "method": self.command, "path": self.path,
                "headers": [[k.lower(), v] for k, v in self.headers.items()],
                "body": body.decode("utf-8", "replace")}))
        if p == "/stall":
            time.sleep(min(float(query_param(q, "s", "10")), 30))
            self.close_connection = True
            return
        if p == "/stall-body":
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", "100")
            self.end_headers()
            self.wfile.write(b"partial")
            self.wfile.flush()
            time.sleep(min(float(query_param(q, "s", "10")), 30))
            self.close_connection = True
            return
        if p == "/big":
            n = min(int(query_param(q, "n", "70000")), 4 << 20)
            return self.send(200, b"a" * n, "text/plain")
        if p == "/redirect":
            code = int(query_param(q, "code", "302"))
            return self.send(code, "moved", "text/plain",
                             [("location", query_param(q, "to", "/json"))])
        if p == "/status":
            code = int(query_param(q, "code", "200"))
            return self.send(code, "status %d" % code, "text/plain")
        if p == "/headers":
            extra = [("x-h-%02d" % i, "v%d" % i) for i in range(20)]
            extra = [("set-cookie", "session=abc"), ("authorization", "Bearer leak"),
                     ("x-api-key", "k"), ("x-utf8", "caf\u00e9".encode().decode("latin-1")),
                     ("x-token-info", "token=abc123 rest")] + extra
            return self.send(200, "h", "text/plain", extra)
        if p == "/binary":
            return self.send(200, b"ok\xff\xfe\x80end", "application/octet-stream")
        if p == "/reflect":
            v = query_param(q, "v", "")
            return self.send(200, "seen:" + v, "text/plain", [("x-reflect", v)])
        if p == "/reflect-auth":
            auth = self.headers.get("authorization", "")
            tok = auth.split(" ", 1)[-1]
            b64 = base64.b64encode(tok.encode()).decode()
            url_enc = urllib.parse.quote(tok, safe="")
            text = "raw=%s b64=%s url=%s" % (tok, b64, url_enc)
            return self.send(200, text, "text/plain", [("x-reflect", tok), ("x-reflect-b64", b64)])
        if p.startswith("/repos/"):
            parts = p.split("/")
            if len(parts) == 4 and parts[2] == "octo" and parts[3] == "demo":
                # A GitHub-style answer, pretty-printed as GitHub does.
                return self.send(200, json.dumps({
                    "id": 1, "full_name": "octo/demo", "description": "A demo repository",
                    "html_url": "https://github.example/octo/demo", "stargazers_count": 42,
                    "open_issues_count": 3, "owner": {"login": "octo"}}, indent=2))
            return self.send(404, json.dumps({"message": "Not Found"}))
        return self.send(404, "not found", "text/plain")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = route


class TLSServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, tls, family=socket.AF_INET):
        self.address_family = family
        self.tls = tls
        super().__init__(addr, Handler)


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def on_sni(sslobj, name, _ctx):
        SNI[id(sslobj)] = name

    ctx.sni_callback = on_sni
    return ctx


# ---- DNS --------------------------------------------------------------------

# name -> {"A": [...], "AAAA": [...]} | "NXDOMAIN" | "DROP" | "SERVFAIL"
DNS_TABLE = {
    "api.test": {"A": ["127.0.0.1"]},
    "other.test": {"A": ["127.0.0.1"]},
    "v4v6.test": {"A": ["127.0.0.1"], "AAAA": ["::ffff:127.0.0.1"]},
    "mixed.test": {"A": ["127.0.0.1", "10.0.0.1"]},
    "mixed6.test": {"A": ["127.0.0.1"], "AAAA": ["fe80::1"]},
    "blocked.test": {"A": ["127.0.0.2"]},
    "private.test": {"A": ["192.168.1.1"]},
    "linklocal.test": {"A": ["169.254.169.254"]},
    "loop6.test": {"AAAA": ["::1"]},
    "nx.test": "NXDOMAIN",
    "fail.test": "SERVFAIL",
    "silent.test": "DROP",
    "empty.test": {},
}


def dns_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def dns_answer(query):
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    name, off = dns_name(query, 12)
    qtype, qclass = struct.unpack("!HH", query[off:off + 4])
    question = query[12:off + 4]
    key = name.lower().rstrip(".")
    with STATE_LOCK:
        STATE["dns_queries"].append([key, qtype])
    entry = DNS_TABLE.get(key, "NXDOMAIN")
    if entry == "DROP":
        return None
    rd = flags & 0x0100
    if entry in ("NXDOMAIN", "SERVFAIL"):
        rcode = 3 if entry == "NXDOMAIN" else 2
        return struct.pack("!HHHHHH", qid, 0x8080 | rd | rcode, 1, 0, 0, 0) + question
    records = []
    if qtype == 1:
        for a in entry.get("A", []):
            records.append(struct.pack("!HHHIH", 0xC00C, 1, 1, 5, 4) + socket.inet_pton(socket.AF_INET, a))
    elif qtype == 28:
        for a in entry.get("AAAA", []):
            records.append(struct.pack("!HHHIH", 0xC00C, 28, 1, 5, 16) + socket.inet_pton(socket.AF_INET6, a))
    head = struct.pack("!HHHHHH", qid, 0x8080 | rd, 1, len(records), 0, 0)
    return head + question + b"".join(records)


def dns_serve(sock):
    while True:
        try:
            data, peer = sock.recvfrom(4096)
        except OSError:
            return
        try:
            reply = dns_answer(data)
        except Exception:  # a malformed query gets no answer
            reply = None
        if reply:
            sock.sendto(reply, peer)


# ---- control ----------------------------------------------------------------

class Control(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def reply(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with STATE_LOCK:
            self.reply(STATE)

    def do_POST(self):
        with STATE_LOCK:
            STATE["connections"] = 0
            STATE["connections_by_addr"] = {}
            STATE["requests"] = []
            STATE["dns_queries"] = []
            self.reply({"reset": True})


class ControlServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve_forever(server):
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="certificates in, ports.json out")
    ap.add_argument("--lifetime", type=float, default=600)
    a = ap.parse_args()
    good = tls_context(os.path.join(a.dir, "server.pem"), os.path.join(a.dir, "server.key"))
    bad = tls_context(os.path.join(a.dir, "untrusted.pem"), os.path.join(a.dir, "untrusted.key"))
    main_srv = TLSServer(("127.0.0.1", 0), good)
    port = main_srv.server_address[1]
    servers = [main_srv, TLSServer(("127.0.0.2", port), good)]
    try:
        servers.append(TLSServer(("::1", port), good, socket.AF_INET6))
        has_v6 = True
    except OSError:
        has_v6 = False
    bad_srv = TLSServer(("127.0.0.1", 0), bad)
    servers.append(bad_srv)
    ctrl = ControlServer(("127.0.0.1", 0), Control)
    servers.append(ctrl)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    for s in servers:
        serve_forever(s)
    threading.Thread(target=dns_serve, args=(dns,), daemon=True).start()
    ports = {"https": port, "untrusted": bad_srv.server_address[1],
             "control": ctrl.server_address[1], "dns": dns.getsockname()[1],
             "ipv6": has_v6, "pid": os.getpid()}
    tmp = os.path.join(a.dir, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump(ports, f)
    os.rename(tmp, os.path.join(a.dir, "ports.json"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    time.sleep(a.lifetime)


if __name__ == "__main__":
    main()
