#!/usr/bin/env python3
"""test_http.py: `wasmgate serve --http` on the wire, with raw requests (so
every header is the test's): statuses, the Origin/Host/token checks, body
bounds, the modern revision's mirrored headers, legacy requests served
statelessly, the busy limit, cancellation by disconnect and by
notifications/cancelled with the minted session id, clean SIGTERM.
Runs inside netns.sh (loopback only).

usage: test_http.py WASMGATE EXAMPLES_DIR FIXTURES_DIR
"""
import base64
import json
import os
import socket
import subprocess
import threading
import time

from mcp_util import (WASMGATE, Http, cancelled_with, check, finish, jbody, modern_headers, request,
                      rpc, wait_for, workspace)

INIT = rpc(0, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                             "clientInfo": {"name": "t", "version": "1"}})


def err_of(body):
    j = jbody(body)
    return j and j.get("error")


def statuses(srv):
    p = srv.port
    st, h, b = request(p, body=INIT)
    check(st == 200 and h.get("content-type") == "application/json", "initialize: 200 json", (st, h))
    j = jbody(b)
    check(j["result"]["protocolVersion"] == "2025-11-25", "initialize negotiates", j)
    sid = h.get("mcp-session-id", "")
    check(len(sid) == 32 and all(c in "0123456789abcdef" for c in sid), "a session id is minted", sid)
    st, h, b = request(p, "GET")
    check(st == 405 and h.get("allow") == "POST", "GET /mcp is 405", (st, h))
    st, h, b = request(p, "DELETE", headers={"Mcp-Session-Id": sid})
    check(st == 405, "DELETE /mcp is 405", st)
    st, h, b = request(p, "GET", "/healthz")
    check((st, jbody(b)) == (200, {"status": "ok"}), "GET /healthz", (st, b))
    st, h, b = request(p, "POST", "/other", body=INIT)
    check(st == 404, "POST elsewhere is 404", st)
    st, h, b = request(p, "PUT", body=INIT)
    check(st == 405, "PUT /mcp is 405", st)
    st, h, b = request(p, body=INIT, headers={"Content-Type": "text/plain"})
    check(st == 415, "a non-JSON body type is 415", st)
    st, h, b = request(p, body=INIT, headers={"Accept": "text/event-stream"})
    check(st == 406, "Accept without JSON is 406", st)
    st, h, b = request(p, body={"jsonrpc": "2.0", "method": "notifications/initialized"})
    check((st, b) == (202, b""), "a notification is 202 without a body", (st, b))
    st, h, b = request(p, body={"jsonrpc": "2.0", "id": 4, "result": {}})
    check((st, b) == (202, b""), "a client response is 202", (st, b))
    st, h, b = request(p, body=b"{not json")
    check(st == 400 and err_of(b)["code"] == -32700 and "id" not in jbody(b), "parse error: 400, no id",
          (st, b))
    st, h, b = request(p, body=b"[]")
    check(st == 400 and err_of(b)["code"] == -32600, "a batch is 400 -32600", (st, b))


def security(ws):
    srv = Http(ws, "--allow-origin", "https://app.example.test", "--max-message", "2048")
    p = srv.port
    st, h, b = request(p, body=INIT, headers={"Origin": "http://evil.example.com"})
    check(st == 403 and err_of(b)["message"] == "Forbidden: Origin is not allowed", "foreign Origin: 403",
          (st, b))
    st, h, b = request(p, body=INIT, headers={"Origin": "null"})
    check(st == 403, "Origin null: 403", st)
    st, h, b = request(p, body=INIT, headers={"Origin": "http://localhost:6274"})
    check(st == 200, "loopback Origin accepted", st)
    st, h, b = request(p, body=INIT, headers={"Origin": "https://app.example.test"})
    check(st == 200, "--allow-origin accepted", st)
    st, h, b = request(p, body=INIT, headers={"Host": "evil.example.com"})
    check(st == 403 and "Host" in err_of(b)["message"], "DNS-rebinding Host: 403", (st, b))
    st, h, b = request(p, body=INIT, headers={"Host": "localhost:%d" % p})
    check(st == 200, "Host localhost accepted", st)
    st, h, b = request(p, body=b"{" + b" " * 3000 + b"}")
    check(st == 413, "a body over --max-message is 413", st)
    # Chunked: no Content-Length to refuse up front; cut off at the bound.
    s = socket.create_connection(("127.0.0.1", p), timeout=10)
    s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    try:
        for _ in range(4):
            s.sendall(b"400\r\n" + b" " * 1024 + b"\r\n")
        s.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except OSError:
        pass
    s.close()
    check(data.startswith(b"HTTP/1.1 413"), "a chunked body over the bound is 413", data[:40])
    check(srv.stop()[0] == 0, "serve exits 0")


def modern(srv):
    p = srv.port
    call = rpc(1, "tools/call", {"name": "Echo", "arguments": {"m": 1}}, modern=True)
    st, h, b = request(p, body=call, headers=modern_headers("tools/call", "Echo"))
    j = jbody(b)
    check(st == 200 and j["result"]["resultType"] == "complete" and
          j["result"]["content"][1]["text"] == '{"m":1}', "modern tools/call", (st, b))
    check("mcp-session-id" not in h, "modern: no session id minted", h)
    enc = "=?base64?%s?=" % base64.b64encode(b"Echo").decode()
    st, h, b = request(p, body=call, headers=modern_headers("tools/call", enc))
    check(st == 200, "Mcp-Name in the base64 sentinel form matches", (st, b))
    cases = [
        ({"Mcp-Method": "tools/call", "Mcp-Name": "Echo"}, "the MCP-Protocol-Version header is missing"),
        ({"MCP-Protocol-Version": "2025-11-25", "Mcp-Method": "tools/call", "Mcp-Name": "Echo"},
         "the MCP-Protocol-Version header does not match _meta"),
        ({"MCP-Protocol-Version": "2026-07-28", "Mcp-Name": "Echo"}, "the Mcp-Method header is missing"),
        (modern_headers("tools/list", "Echo"), "the Mcp-Method header does not match the body's method"),
        (modern_headers("tools/call"), "the Mcp-Name header is missing"),
        (modern_headers("tools/call", "Other"), "the Mcp-Name header does not match params.name"),
        (modern_headers("tools/call", "=?base64?T3RoZXI=?="), "the Mcp-Name header does not match params.name"),
        (modern_headers("tools/call", "=?base64?!!!?="), "the Mcp-Name header does not match params.name"),
    ]
    for hdrs, why in cases:
        st, h, b = request(p, body=call, headers=hdrs)
        e = err_of(b)
        check(st == 400 and e and e["code"] == -32020 and e["message"] == "Header mismatch: " + why,
              "HeaderMismatch: " + why, (st, b))
    bad = rpc(2, "tools/list", {"_meta": {"io.modelcontextprotocol/protocolVersion": "2030-01-01",
                                          "io.modelcontextprotocol/clientCapabilities": {}}})
    st, h, b = request(p, body=bad, headers={"MCP-Protocol-Version": "2030-01-01", "Mcp-Method": "tools/list"})
    e = err_of(b)
    check(st == 400 and e["code"] == -32022 and e["data"]["requested"] == "2030-01-01" and
          e["data"]["supported"][0] == "2026-07-28", "unsupported version: 400 -32022", (st, b))
    nocaps = rpc(3, "tools/list", {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}})
    st, h, b = request(p, body=nocaps, headers=modern_headers("tools/list"))
    check(st == 400 and err_of(b)["code"] == -32602, "missing clientCapabilities: 400 -32602", (st, b))
    st, h, b = request(p, body=rpc(4, "prompts/list", modern=True), headers=modern_headers("prompts/list"))
    check(st == 404 and err_of(b)["code"] == -32601, "unknown modern method: 404 -32601", (st, b))
    st, h, b = request(p, body=rpc(5, "tools/call", {"name": "Nope"}, modern=True),
                       headers=modern_headers("tools/call", "Nope"))
    check(st == 200 and err_of(b)["code"] == -32602, "modern unknown tool: 200 -32602", (st, b))
    st, h, b = request(p, body=rpc(6, "tools/list", modern=True), headers=modern_headers("tools/list"))
    r = jbody(b)["result"]
    check(st == 200 and r["ttlMs"] == 60000 and r["cacheScope"] == "public" and len(r["tools"]) == 9,
          "modern tools/list", (st, b))


def legacy(srv):
    p = srv.port
    # Stateless: no initialize needed on HTTP, any replica serves any request.
    st, h, b = request(p, body=rpc(1, "tools/list"), headers={"MCP-Protocol-Version": "2025-06-18"})
    check(st == 200 and len(jbody(b)["result"]["tools"]) == 9, "legacy tools/list without initialize", (st, b))
    st, h, b = request(p, body=rpc(2, "tools/list"))
    check(st == 200, "no MCP-Protocol-Version: taken as 2025-03-26", st)
    st, h, b = request(p, body=rpc(3, "tools/list"), headers={"MCP-Protocol-Version": "1999-01-01"})
    check(st == 400 and err_of(b)["code"] == -32600 and "unsupported MCP-Protocol-Version" in err_of(b)["message"],
          "unsupported legacy version header: 400", (st, b))
    st, h, b = request(p, body=rpc(4, "tools/call", {"name": "Nope"}))
    check(st == 200 and err_of(b) == {"code": -32602, "message": "Unknown tool: Nope"}, "legacy unknown tool",
          (st, b))
    st, h, b = request(p, body=rpc(5, "ping"))
    check((st, jbody(b)) == (200, {"jsonrpc": "2.0", "id": 5, "result": {}}), "legacy ping", (st, b))
    st, h, b = request(p, body=rpc(6, "tools/call", {"name": "Fetcher", "arguments": {}}))
    j = jbody(b)["result"]
    check(j["isError"] is True and j["structuredContent"]["code"] == "schema_mismatch",
          "schema mismatch is a tool error", j)


def busy(ws):
    srv = Http(ws, "--max-in-flight", "1")
    p = srv.port
    s = socket.create_connection(("127.0.0.1", p))
    body = json.dumps(rpc(1, "tools/call", {"name": "Deadline", "arguments": {"busy": 1}})).encode()
    s.sendall(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               "Content-Length: %d\r\n\r\n" % len(body)).encode() + body)
    wait_for(lambda: any(r["kind"] == "tool_call" and r["arguments"] == {"busy": 1}
                         for r in __import__("mcp_util").history(ws)))
    st, h, b = request(p, body=rpc(2, "tools/call", {"name": "Echo"}))
    check(st == 503 and h.get("retry-after") == "1" and err_of(b)["code"] == -32603 and
          err_of(b)["data"] == {"reason": "busy", "limit": 1}, "at the limit: 503 busy", (st, h, b))
    s.close()  # the disconnect cancels the Deadline call
    check(wait_for(lambda: cancelled_with(ws, '"busy"'), 3), "closing the connection cancels the call")
    st, h, b = request(p, body=rpc(3, "tools/call", {"name": "Echo"}))
    check(st == 200, "a slot is free again", st)
    check(srv.stop()[0] == 0, "serve exits 0")


def cancel_by_session(srv, ws):
    p = srv.port
    st, h, b = request(p, body=INIT)
    sid = h["mcp-session-id"]
    out = {}

    def call():
        out["r"] = request(p, body=rpc(7, "tools/call", {"name": "Deadline", "arguments": {"sess": 1}}),
                           headers={"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})

    t = threading.Thread(target=call)
    t.start()
    wait_for(lambda: any(r["kind"] == "tool_call" and r["arguments"] == {"sess": 1}
                         for r in __import__("mcp_util").history(ws)))
    # Another client's cancel (no or another session) does not touch it.
    note = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}}
    st, _, _ = request(p, body=note)
    st2, _, _ = request(p, body=note, headers={"Mcp-Session-Id": "f" * 32})
    time.sleep(0.2)
    check(st == 202 and st2 == 202 and t.is_alive(), "a cancel from another session is ignored", (st, st2))
    t0 = time.time()
    st, _, _ = request(p, body=note, headers={"Mcp-Session-Id": sid})
    t.join(10)
    check(st == 202 and not t.is_alive() and time.time() - t0 < 2, "the session's cancel stops the call")
    rst, rh, rb = out["r"]
    check((rst, rb) == (202, b""), "no result is sent for the cancelled call", (rst, rb))
    check(wait_for(lambda: cancelled_with(ws, '"sess"'), 2), "its history record says cancelled")


def auth(ws):
    tmp = os.path.dirname(ws)
    tok = os.path.join(tmp, "token")
    with open(tok, "w") as f:
        f.write("s3cret-token-0123456789\n")
    os.chmod(tok, 0o600)
    srv = Http(ws, "--auth-token-file", tok)
    p = srv.port
    st, h, b = request(p, body=INIT)
    check(st == 401 and h.get("www-authenticate") == "Bearer", "no token: 401", (st, h))
    st, h, b = request(p, body=INIT, headers={"Authorization": "Bearer s3cret-token-012345678"})
    check(st == 401, "a wrong token: 401", st)
    st, h, b = request(p, body=INIT, headers={"Authorization": "Bearer s3cret-token-0123456789"})
    check(st == 200, "the token: 200", st)
    st, h, b = request(p, body=rpc(1, "tools/list", modern=True),
                       headers=dict(modern_headers("tools/list"), Authorization="Bearer s3cret-token-0123456789"))
    check(jbody(b)["result"]["cacheScope"] == "private", "with a token, lists are private to a cache", b)
    st, h, b = request(p, "GET", "/healthz")
    check(st == 200, "healthz needs no token (a readiness probe cannot send one)", st)
    st, h, b = request(p, "GET", "/healthz", headers={"Origin": "http://evil.example.com"})
    check(st == 403, "healthz still checks Origin", st)
    check(srv.stop()[0] == 0, "serve exits 0")
    for mode, content, why in ((0o644, "s3cret-token-0123456789", "readable or writable by others"),
                               (0o600, "short", "shorter than 16 bytes")):
        with open(tok, "w") as f:
            f.write(content)
        os.chmod(tok, mode)
        r = subprocess.run([WASMGATE, "--workspace", ws, "serve", "--http", "127.0.0.1:0",
                            "--auth-token-file", tok], capture_output=True, text=True, timeout=30)
        check(r.returncode == 1 and why in r.stderr and r.stdout == "", "token file refused: " + why,
              (r.returncode, r.stderr))


def usage(ws):
    for args, msg in ((["--http", "nope"], "--http wants ADDR:PORT"),
                      (["--http", "127.0.0.1:99999"], "--http wants ADDR:PORT"),
                      (["--workers", "0"], "--workers needs an integer from 1 to 256, got '0'"),
                      (["--auth-token-file", "x"], "need --http"),
                      (["--bogus"], "unknown option '--bogus'")):
        r = subprocess.run([WASMGATE, "--workspace", ws, "serve"] + args, capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        check(r.returncode == 2 and msg in r.stderr and r.stdout == "", "usage: %s" % args, (r.returncode, r.stderr))
    r = subprocess.run([WASMGATE, "--workspace", ws, "serve", "--http", "not-an-ip:80"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 1 and "not a numeric IPv4 or IPv6 address" in r.stderr and r.stdout == "",
          "a non-numeric address is refused", r.stderr)
    r = subprocess.run([WASMGATE, "--workspace", "/nonexistent", "serve"], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    check(r.returncode == 1 and r.stdout == "" and "workspace" in r.stderr, "a missing workspace: exit 1",
          r.stderr)
    r = subprocess.run([WASMGATE, "serve", "--help"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "--http ADDR:PORT" in r.stdout, "serve --help")


def main():
    ws = workspace("--timeout-ms", "5000")
    srv = Http(ws)
    statuses(srv)
    modern(srv)
    legacy(srv)
    cancel_by_session(srv, ws)
    rc, out, err = srv.stop()
    check(rc == 0 and out == b"", "SIGTERM: exit 0, nothing on stdout", (rc, out))
    security(ws)
    busy(ws)
    auth(ws)
    usage(ws)
    finish()


if __name__ == "__main__":
    main()
