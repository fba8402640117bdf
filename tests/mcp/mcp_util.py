"""mcp_util.py: helpers of the Python tests of `wasmgate serve`: a fresh
workspace, the server as a subprocess (stdio or HTTP on 127.0.0.1 with an
ephemeral port), raw HTTP requests (every header under the test's control),
/proc thread and fd counts, and a check log ending in "N passed, M failed".
"""
import atexit
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WASMGATE, EXAMPLES, FIXTURES = sys.argv[1:4]

_passed = 0
_failed = 0
_children = []


@atexit.register
def _reap():
    """No server outlives the test, even when the test dies."""
    for p in _children:
        if p.poll() is None:
            p.kill()
            p.wait()


def check(cond, what, detail=None):
    global _passed, _failed
    if cond:
        _passed += 1
    else:
        _failed += 1
        print("FAIL: %s%s" % (what, "" if detail is None else ": %r" % (detail,)), file=sys.stderr)
    return cond


def finish():
    print("%d passed, %d failed" % (_passed, _failed))
    sys.exit(1 if _failed else 0)


def workspace(*extra):
    tmp = tempfile.mkdtemp(prefix="wg_mcp_py_")
    ws = os.path.join(tmp, "ws")
    subprocess.run([sys.executable, os.path.join(HERE, "make_workspace.py"), WASMGATE, EXAMPLES,
                    FIXTURES, ws] + list(extra), check=True)
    return ws


def history(ws):
    p = os.path.join(ws, ".wasmgate", "history.jsonl")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [json.loads(l) for l in f if l.strip()]


def wait_for(fn, timeout=5.0, step=0.005):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if fn():
            return True
        time.sleep(step)
    return fn()


def cancelled_with(ws, marker):
    """True when a call whose arguments contain marker has a cancelled tool_result."""
    recs = history(ws)
    ids = {r["call_id"] for r in recs if r["kind"] == "tool_call" and marker in json.dumps(r.get("arguments"))}
    return any(r["kind"] == "tool_result" and r["call_id"] in ids and r.get("error", {}).get("code") == "cancelled"
               for r in recs)


class Http:
    """`wasmgate serve --http 127.0.0.1:0 ARGS` and its port."""

    def __init__(self, ws, *args):
        self.ws = ws
        self.proc = subprocess.Popen([WASMGATE, "--workspace", ws, "serve", "--http", "127.0.0.1:0"] + list(args),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _children.append(self.proc)
        line = self.proc.stderr.readline().decode()
        m = re.search(r"on http://127\.0\.0\.1:(\d+)/mcp", line)
        if not m:
            raise RuntimeError("serve --http did not start: %r" % line)
        self.port = int(m.group(1))

    def stop(self):
        self.proc.terminate()
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err


def request(port, method="POST", path="/mcp", body=b"", headers=None, host=True, timeout=30):
    """One HTTP/1.1 request on a fresh connection; (status, headers, body)."""
    if isinstance(body, str):
        body = body.encode()
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if host:
        h["Host"] = "127.0.0.1:%d" % port
    h.update(headers or {})
    lines = ["%s %s HTTP/1.1" % (method, path)]
    lines += ["%s: %s" % (k, v) for k, v in h.items() if v is not None]
    if method in ("POST", "PUT") and "Content-Length" not in h:
        lines.append("Content-Length: %d" % len(body))
    lines.append("Connection: close")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return parse_response(data)


def parse_response(data):
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or not lines[0].startswith("HTTP/1.1 "):
        return None, {}, data
    status = int(lines[0].split()[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding") == "chunked":
        body = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            n = int(size_line, 16)
            if n == 0:
                break
            body += rest[:n]
            rest = rest[n + 2:]
        rest = body
    return status, hdrs, rest


def jbody(b):
    try:
        return json.loads(b)
    except ValueError:
        return None


def pagemap_fds(pid):
    """Descriptors open on the process's own /proc/PID/pagemap: the engine's
    memory pool keeps one per thread that has run a call (it finds the
    pages a call touched through it) and closes it when the thread ends."""
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).endswith("/pagemap"):
                n += 1
        except OSError:
            pass
    return n


def proc_counts(pid):
    """(threads, open fds) of a process; the fds leave out the per-thread
    pagemap descriptors (pagemap_fds), which are not per call."""
    fds = len(os.listdir("/proc/%d/fd" % pid)) - pagemap_fds(pid)
    return len(os.listdir("/proc/%d/task" % pid)), fds


def sockets(pid):
    """The process's open sockets."""
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:"):
                n += 1
        except OSError:
            pass
    return n


MODERN_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
               "io.modelcontextprotocol/clientCapabilities": {}}


def rpc(id_, method, params=None, modern=False):
    m = {"jsonrpc": "2.0", "id": id_, "method": method}
    p = dict(params or {})
    if modern:
        p["_meta"] = dict(MODERN_META)
    if p or params is not None:
        m["params"] = p
    return m


def modern_headers(method, name=None):
    h = {"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
    if name is not None:
        h["Mcp-Name"] = name
    return h
