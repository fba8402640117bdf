#!/usr/bin/env python3
"""test_abuse.py: `wasmgate serve` under protocol abuse. On stdio: malformed
JSON and wrong types, oversize lines, a burst of 10,000 requests, abrupt
EOF mid-call, a client that closes or never reads stdout. On HTTP: garbage,
slow clients (headers and bodies), the connection limit, a concurrent
burst. Each time: no crash (exit by status, never by signal), nothing on
stdout but JSON-RPC messages, and the server's threads and sockets back to
their baseline afterwards (/proc). Runs inside netns.sh (loopback only).

usage: test_abuse.py WASMGATE EXAMPLES_DIR FIXTURES_DIR
"""
import json
import os
import socket
import subprocess
import threading
import time

import mcp_util
from mcp_util import (WASMGATE, Http, check, finish, jbody, pagemap_fds, proc_counts, request, rpc, sockets,
                      wait_for, workspace)

INIT = json.dumps(rpc(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}}))


def stdio(ws, *args):
    p = subprocess.Popen([WASMGATE, "--workspace", ws, "serve", "--quiet"] + list(args),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    mcp_util._children.append(p)
    return p


def valid_lines(out):
    """Every stdout line is one JSON-RPC response object."""
    bad = []
    lines = out.decode("utf-8", "replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for l in lines:
        j = jbody(l)
        if not (isinstance(j, dict) and j.get("jsonrpc") == "2.0" and ("result" in j) != ("error" in j)):
            bad.append(l[:120])
    return lines, bad


def malformed(ws):
    inputs = [b"{", b"}", b"nul", b"[1,2", b'{"a":1}', b'"x"', b"42", b"\xff\xfe", b'{"jsonrpc":"2.0","id":',
              b'{"jsonrpc":"2.0","id":1,"method":null}', b'{"jsonrpc":"2.0","id":true,"method":"ping"}',
              b'{"jsonrpc":"2.0","id":2,"method":"ping","params":"x"}',
              b'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":["Echo"]}}',
              b'{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"Echo","arguments":"{}"}}',
              b'{"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"cursor":{}}}',
              b'{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":1}}',
              b'{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"Echo","_meta":[]}}',
              b'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"Echo","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":[]}}}',
              b'{"jsonrpc":"2.0","id":9,"method":"x","params":{}}' + b"\x00",
              b"[" * 100000 + b"]" * 100000,
              b'{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"Echo","arguments":{"deep":' +
              b"[" * 400 + b"]" * 400 + b"}}}",
              b'{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"Echo","arguments":{"deep":' +
              b"[" * 5000 + b"]" * 5000 + b"}}}",
              b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":null}}',
              b'{"jsonrpc":"2.0","method":"notifications/cancelled"}']
    p = stdio(ws)
    data = INIT.encode() + b"\n" + b"\n".join(inputs) + b"\n" + json.dumps(rpc(99, "ping")).encode() + b"\n"
    out, err = p.communicate(data, timeout=60)
    lines, bad = valid_lines(out)
    check(p.returncode == 0, "malformed input: exit 0", (p.returncode, err[-300:]))
    check(not bad, "malformed input: only JSON-RPC on stdout", bad)
    # initialize + one reply per request-shaped line (the two notifications
    # get none) + the final ping.
    check(len(lines) == 1 + len(inputs) - 2 + 1, "malformed input: one reply each", len(lines))
    replies = [jbody(l) for l in lines]
    check({"jsonrpc": "2.0", "id": 99, "result": {}} in replies, "still serving after the abuse")
    ten = [r for r in replies if r.get("id") == 10]
    check(ten and ten[0]["result"]["content"][1]["text"] == '{"deep":' + "[" * 400 + "]" * 400 + "}",
          "400-deep arguments reach the tool", ten and ten[0].get("result", {}).get("isError"))
    deep = {"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error: nesting too deep at byte 600"}}
    check(deep in replies and not any(r.get("id") == 11 for r in replies),
          "5000-deep arguments: refused by the message parser's depth bound")


def oversize(ws):
    p = stdio(ws)
    big = b'{"jsonrpc":"2.0","id":1,"method":"ping","pad":"' + b"x" * (5 << 20) + b'"}'
    data = INIT.encode() + b"\n" + big + b"\n" + json.dumps(rpc(2, "ping")).encode() + b"\n"
    out, err = p.communicate(data, timeout=60)
    lines, bad = valid_lines(out)
    check(p.returncode == 0 and not bad, "oversize: exit 0, clean stdout", (p.returncode, bad))
    check([jbody(l) for l in lines[1:]] == [
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request: message larger than 4194304 bytes"}},
        {"jsonrpc": "2.0", "id": 2, "result": {}}], "oversize: refused, then the next line served", lines[1:])


def burst(ws):
    p = stdio(ws, "--max-in-flight", "64")
    n = 10000
    out_chunks = []
    t_peak = [0, 0]

    def reader():
        while True:
            c = p.stdout.read1(1 << 16) if hasattr(p.stdout, "read1") else p.stdout.read(1 << 16)
            if not c:
                return
            out_chunks.append(c)

    def sampler():
        while p.poll() is None:
            try:
                t, f = proc_counts(p.pid)
                t_peak[0] = max(t_peak[0], t)
                t_peak[1] = max(t_peak[1], f)
            except OSError:
                return
            time.sleep(0.01)

    rt = threading.Thread(target=reader)
    st = threading.Thread(target=sampler)
    rt.start()
    st.start()
    reqs = [INIT]
    for i in range(1, n + 1):
        kind = i % 3
        if kind == 0:
            reqs.append(json.dumps(rpc(i, "ping")))
        elif kind == 1:
            reqs.append(json.dumps(rpc(i, "tools/call", {"name": "Echo", "arguments": {"i": i}})))
        else:
            reqs.append(json.dumps(rpc(i, "tools/list", {"cursor": None})))
    p.stdin.write(("\n".join(reqs) + "\n").encode())
    p.stdin.close()
    p.wait(timeout=120)
    rt.join()
    st.join()
    lines, bad = valid_lines(b"".join(out_chunks))
    ids = {}
    busy = 0
    for l in lines:
        j = jbody(l)
        ids[j.get("id")] = ids.get(j.get("id"), 0) + 1
        if "error" in j and j["error"]["code"] == -32603:
            busy += 1
    check(p.returncode == 0 and not bad, "burst: exit 0, clean stdout", (p.returncode, bad[:3]))
    check(len(lines) == n + 1 and all(ids.get(i) == 1 for i in range(n + 1)),
          "burst: every one of 10,000 requests answered exactly once", (len(lines), len(ids)))
    # 4 workers + the reader + nothing per request.
    check(t_peak[0] <= 6, "burst: threads stay at the pool size", t_peak)
    print("burst: %d replies, %d refused busy, peak %d threads, %d fds" % (len(lines), busy, t_peak[0], t_peak[1]))


def eof_mid_call(ws):
    # stdin closes while a call runs: the call finishes (deadline 1 s) and is answered.
    p = stdio(ws)
    data = INIT + "\n" + json.dumps(rpc(1, "tools/call", {"name": "Deadline"})) + "\n"
    t0 = time.time()
    out, err = p.communicate(data.encode(), timeout=60)
    lines, bad = valid_lines(out)
    res = jbody(lines[-1]) if lines else None
    check(p.returncode == 0 and not bad, "EOF mid-call: exit 0", (p.returncode, err[-200:]))
    check(res and res["id"] == 1 and res["result"]["structuredContent"]["code"] == "timeout",
          "EOF mid-call: the call ends at its deadline and is answered", res)
    check(time.time() - t0 < 10, "EOF mid-call: prompt exit")
    # Both pipes vanish mid-call (the client died): exit 1 (output broken), no signal.
    p = stdio(ws)
    p.stdin.write((INIT + "\n").encode())
    p.stdin.flush()
    p.stdout.readline()
    p.stdin.write((json.dumps(rpc(1, "tools/call", {"name": "Deadline"})) + "\n").encode())
    p.stdin.flush()
    time.sleep(0.2)
    p.stdout.close()
    p.stdin.close()
    rc = p.wait(timeout=30)
    check(rc == 1, "client gone mid-call: exit 1, not a signal", rc)
    # SIGTERM mid-call: cancelled, answered, exit 0.
    p = stdio(ws)
    p.stdin.write((INIT + "\n" + json.dumps(rpc(1, "tools/call", {"name": "Deadline"})) + "\n").encode())
    p.stdin.flush()
    p.stdout.readline()
    time.sleep(0.2)
    p.terminate()
    out, err = p.communicate(timeout=30)
    lines, bad = valid_lines(out)
    check(p.returncode == 0 and not bad and lines and
          jbody(lines[-1])["result"]["structuredContent"]["code"] == "cancelled",
          "SIGTERM mid-call: the call is cancelled and answered, exit 0", (p.returncode, lines))


def never_reads(ws):
    p = stdio(ws, "--write-timeout", "1")
    t0 = time.time()

    def feed():
        try:
            p.stdin.write((INIT + "\n").encode())
            for i in range(200000):
                p.stdin.write((json.dumps(rpc(i, "ping")) + "\n").encode())
        except (BrokenPipeError, OSError):
            pass

    t = threading.Thread(target=feed)
    t.start()
    rc = p.wait(timeout=60)
    took = time.time() - t0
    err = p.stderr.read().decode()
    t.join(10)
    check(rc == 1 and "stopped reading" in err, "a client that never reads stdout is given up on (exit 1)",
          (rc, err[-200:]))
    check(took < 30, "... within a bounded time", took)


def http_abuse(ws):
    srv = Http(ws, "--max-connections", "8", "--idle-timeout", "2", "--request-timeout", "3")
    p = srv.port
    request(p, body=rpc(1, "ping"))
    time.sleep(0.2)
    base_threads, base_fds = proc_counts(srv.proc.pid)
    base_socks = sockets(srv.proc.pid)
    # Garbage and half requests.
    for raw in (b"GARBAGE\r\n\r\n", b"\x00\x01\x02\x03" * 100, b"POST /mcp HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                b"POST /mcp HTTP/9.9\r\n\r\n", b"POST /mcp HTTP/1.1\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n"):
        s = socket.create_connection(("127.0.0.1", p), timeout=10)
        try:
            s.sendall(raw)
            s.recv(4096)
        except OSError:
            pass
        s.close()
    # The server frees a closed connection's slot a moment later; the slow
    # clients below must find all 8 slots free, or some are turned away and
    # the limit check then sees a free slot.
    check(wait_for(lambda: proc_counts(srv.proc.pid)[0] <= base_threads and sockets(srv.proc.pid) <= base_socks, 5),
          "HTTP: garbage connections are closed and their slots freed",
          (proc_counts(srv.proc.pid), base_threads, sockets(srv.proc.pid), base_socks))
    # Slow clients: 6 stall inside the request line, 2 inside a body.
    slow = []
    for i in range(6):
        s = socket.create_connection(("127.0.0.1", p), timeout=10)
        s.sendall(b"POST /mcp HTT")
        slow.append(s)
    for i in range(2):
        s = socket.create_connection(("127.0.0.1", p), timeout=10)
        s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"jsonrpc\"")
        slow.append(s)
    # Every slow client holds a connection thread before the limit is tried.
    check(wait_for(lambda: proc_counts(srv.proc.pid)[0] >= base_threads + 8, 5),
          "HTTP: 8 slow clients hold 8 connections", (proc_counts(srv.proc.pid), base_threads))
    # At the connection limit a new connection is turned away...
    refused = False
    try:
        st, _, _ = request(p, body=rpc(2, "ping"), timeout=5)
        refused = st is None
    except OSError:
        refused = True
    check(refused, "past --max-connections a connection is refused", st if not refused else None)
    # ... and the idle timeout frees the slots.
    closed = 0
    for s in slow:
        s.settimeout(5)
        try:
            closed += s.recv(100) == b""
        except OSError:
            closed += 1
        s.close()
    check(closed == 8, "slow clients are cut off by the idle timeout", closed)
    def served():
        try:
            return request(p, body=rpc(3, "ping"))[0] == 200
        except OSError:
            return False  # a slot is freed a moment after its socket closes
    check(wait_for(served, 5, 0.05), "served again after the slow clients")
    check(wait_for(lambda: proc_counts(srv.proc.pid)[0] <= base_threads, 5),
          "HTTP: threads back to baseline after the slow clients", (proc_counts(srv.proc.pid), base_threads))
    rc, out, err = srv.stop()
    check(rc == 0 and out == b"", "HTTP: exit 0, nothing on stdout", (rc, out[:100]))
    # A concurrent burst (default limits): 6 clients x 40 calls.
    srv = Http(ws)
    p = srv.port
    request(p, body=rpc(1, "ping"))
    time.sleep(0.2)
    base_threads, base_fds = proc_counts(srv.proc.pid)
    base_socks = sockets(srv.proc.pid)
    results = []

    def worker(k):
        for i in range(40):
            try:
                st, _, b = request(p, body=rpc(k * 100 + i, "tools/call", {"name": "Echo", "arguments": {"k": k}}))
                results.append(st == 200 and jbody(b)["result"]["isError"] is False)
            except OSError:
                results.append(False)

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check(len(results) == 240 and all(results), "HTTP burst: 240 calls from 6 clients at once", results.count(False))
    check(wait_for(lambda: proc_counts(srv.proc.pid)[0] <= base_threads, 5),
          "HTTP: threads back to baseline", (proc_counts(srv.proc.pid), base_threads))
    check(wait_for(lambda: sockets(srv.proc.pid) <= base_socks and proc_counts(srv.proc.pid)[1] <= base_fds, 5),
          "HTTP: no leaked socket or fd", (sockets(srv.proc.pid), base_socks, proc_counts(srv.proc.pid)[1], base_fds))
    check(pagemap_fds(srv.proc.pid) <= proc_counts(srv.proc.pid)[0],
          "HTTP: at most one pagemap descriptor per thread", (pagemap_fds(srv.proc.pid), proc_counts(srv.proc.pid)))
    rc, out, err = srv.stop()
    check(rc == 0 and out == b"", "HTTP: exit 0, nothing on stdout", (rc, out[:100]))


def main():
    ws = workspace("--timeout-ms", "1000")
    malformed(ws)
    oversize(ws)
    burst(ws)
    eof_mid_call(ws)
    never_reads(ws)
    http_abuse(ws)
    finish()


if __name__ == "__main__":
    main()
