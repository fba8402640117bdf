#!/usr/bin/env python3
"""test_https_cli.py: the `yoi:https` host API end to end through
`wasmgate call`, inside the network namespace of netns/run_in_netns.py
(loopback only; the HTTPS server, DNS responder and control port are the
test's own). Covers the seed's list: allowed request with a grant, missing
grant denied before any connection, disallowed host / method / scheme,
localhost / private / link-local / loopback targets refused before or at
connect, a name resolving to a blocked address, timeout, truncation at
64 KiB, secret header injected and redacted, path secrets, redirects off
by default and re-checked per hop, header and body bounds,
max_requests_per_call, Ctrl-C during a stalled transfer, no network access
without the import and the grant; plus bad descriptors and history records.
Every check asserts exact codes and messages.

usage (under run_in_netns.py): test_https_cli.py WASMGATE EXAMPLES_DIR FIXTURE_DIR PLUGINS_SRC
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

WASMGATE, EXAMPLES, FIXTURES, PLUGINS = sys.argv[1:5]
PORT = int(os.environ["WG_TESTNET_HTTPS"])
UNTRUSTED = int(os.environ["WG_TESTNET_UNTRUSTED"])
CTRL = int(os.environ["WG_TESTNET_CONTROL"])
DNS = int(os.environ["WG_TESTNET_DNS"])
CA = os.environ["WG_TESTNET_CA"]
TOKEN = "tok-5e6f7a8b9c0d1e2f"          # [secrets] token (env)
HOOK = "hook/secret value+1"            # [secrets] hook (file): needs URL-encoding
failures = 0
passed = 0


def check(cond, what):
    global failures, passed
    if cond:
        passed += 1
    else:
        failures += 1
        print("FAIL: " + what, file=sys.stderr)


def eq(got, want, what):
    check(got == want, "%s:\n   got  %r\n   want %r" % (what, got, want))


def control(method="GET"):
    req = urllib.request.Request("http://127.0.0.1:%d/" % CTRL, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def reset():
    control("POST")


def run(args, env_extra=None, timeout=60, stdin=None):
    env = dict(os.environ, HOME="/nonexistent-home", WG_TEST_TOKEN=TOKEN)
    env.pop("WG_TEST_SHORT", None)
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([WASMGATE] + args, capture_output=True, text=True, env=env,
                       timeout=timeout, input=stdin)
    return p.returncode, p.stdout, p.stderr


# ---- the workspace ---------------------------------------------------------

def pack(tmp, store, name, wasm, manifest_text):
    stage = os.path.join(tmp, "stage-" + name)
    os.makedirs(stage)
    shutil.copy(wasm, os.path.join(stage, "plugin.wasm"))
    with open(os.path.join(stage, "plugin.toml"), "w") as f:
        f.write(manifest_text)
    out = os.path.join(store, name + ".yoi-plugin")
    rc, o, e = run(["pack", stage, "-o", out])
    assert rc == 0, e
    rc, o, e = run(["digest", out])
    assert rc == 0, e
    return o.split()[0]


def grant(pid, tool, dg, https_perm=True, https_tables=""):
    perms = '{ kind = "surface", surface = "tool" }, { kind = "tool", name = "%s" }' % tool
    if https_perm:
        perms += ', { kind = "host_api", api = "https" }'
    return ('[[plugins.enabled]]\nid = "project:%s"\n[plugins.enabled.grants]\n'
            'id = "project:%s"\nversion = "1.0.0"\ndigest = "%s"\npermissions = [ %s ]\n%s'
            % (pid, pid, dg, perms, https_tables))


PROBE_GRANTS = """[[plugins.enabled.grants.https]]
host = "api.test"
port = {port}
methods = ["GET", "POST", "PUT"]
path_prefixes = ["/json", "/echo", "/stall", "/stall-body", "/big", "/redirect", "/status",
                 "/headers", "/binary", "/reflect", "/reflect-auth", "/hooks"]
headers = [ {{ name = "authorization", value = "Bearer ${{secret:token}}" }} ]
path_secrets = ["hook"]
max_redirects = {redirects}
[[plugins.enabled.grants.https]]
host = "other.test"
port = {port}
methods = ["GET"]
path_prefixes = ["/json", "/echo"]
[[plugins.enabled.grants.https]]
host = "blocked.test"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "mixed.test"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "linklocal.test"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "nx.test"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "silent.test"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "127.0.0.1"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "127.0.0.2"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "localhost"
port = {port}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "10.1.2.3"
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "untrusted.test"
port = {untrusted}
methods = ["GET"]
[[plugins.enabled.grants.https]]
host = "api.test"
methods = ["GET"]
"""

HTTPS_TABLE = """[https]
allow_networks = ["127.0.0.1/32"]
ca_file = "{ca}"
resolve = ["api.test:{port}:127.0.0.1", "other.test:{port}:127.0.0.1",
           "blocked.test:{port}:127.0.0.2", "untrusted.test:{untrusted}:127.0.0.1",
           "api.test:443:127.0.0.1"]
dns_servers = ["127.0.0.1:{dns}"]
timeout_ms = {timeout}
max_requests_per_call = {max_requests}
[secrets]
token = {{ env = "WG_TEST_TOKEN" }}
hook = {{ file = "hook.secret" }}
short = {{ env = "WG_TEST_SHORT" }}
[history]
fsync = "never"
"""


class Workspace:
    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "ws")
        store = os.path.join(self.dir, ".yoi", "plugins")
        os.makedirs(store)
        with open(os.path.join(PLUGINS, "https_probe.toml")) as f:
            probe_manifest = f.read()
        probe_wasm = os.path.join(FIXTURES, "https_probe.wasm")
        self.d = {}
        self.d["probe"] = pack(tmp, store, "probe", probe_wasm, probe_manifest)
        # The same module, its manifest without host_api.https.
        self.d["nomanifest"] = pack(tmp, store, "nomanifest", probe_wasm, probe_manifest
                                    .replace('id = "probe"', 'id = "nomanifest"')
                                    .replace('name = "Probe"', 'name = "ProbeNoManifest"')
                                    .replace(',\n                { kind = "host_api", api = "https" }', ''))
        # The same module, its grant without host_api.https.
        self.d["nogrant"] = pack(tmp, store, "nogrant", probe_wasm, probe_manifest
                                 .replace('id = "probe"', 'id = "nogrant"')
                                 .replace('name = "Probe"', 'name = "ProbeNoGrant"'))
        # The same module, host_api.https granted but no https allowlist.
        self.d["noallow"] = pack(tmp, store, "noallow", probe_wasm, probe_manifest
                                 .replace('id = "probe"', 'id = "noallow"')
                                 .replace('name = "Probe"', 'name = "ProbeNoAllowlist"'))
        shutil.copy(os.path.join(EXAMPLES, "repo-info.yoi-plugin"), store)
        shutil.copy(os.path.join(EXAMPLES, "echo.yoi-plugin"), store)
        for n in ("repo-info", "echo"):
            rc, o, e = run(["digest", os.path.join(store, n + ".yoi-plugin")])
            self.d[n] = o.split()[0]
        with open(os.path.join(self.dir, "hook.secret"), "w") as f:
            f.write(HOOK + "\n")
        self.history = os.path.join(self.dir, ".wasmgate", "history.jsonl")
        self.write_config()

    def write_config(self, redirects=0, timeout=5000, max_requests=16, extra_grant="",
                     repo_headers=""):
        fmt = dict(port=PORT, untrusted=UNTRUSTED, dns=DNS, ca=CA, redirects=redirects,
                   timeout=timeout, max_requests=max_requests)
        repo = ('[[plugins.enabled.grants.https]]\nhost = "api.test"\nport = %d\n'
                'methods = ["GET"]\npath_prefixes = ["/repos"]\n%s' % (PORT, repo_headers))
        text = ("[feature.plugins]\nenabled = true\n"
                + grant("probe", "Probe", self.d["probe"], True,
                        PROBE_GRANTS.format(**fmt) + extra_grant)
                + grant("nomanifest", "ProbeNoManifest", self.d["nomanifest"], True,
                        PROBE_GRANTS.format(**fmt))
                + grant("nogrant", "ProbeNoGrant", self.d["nogrant"], False,
                        PROBE_GRANTS.format(**fmt))
                + grant("noallow", "ProbeNoAllowlist", self.d["noallow"], True, "")
                + grant("repo-info", "RepoInfo", self.d["repo-info"], True, repo)
                + grant("echo", "Echo", self.d["echo"], False, "")
                + HTTPS_TABLE.format(**fmt)
                + '[limits]\ntimeout_ms = 20000\n')
        with open(os.path.join(self.dir, "wasmgate.toml"), "w") as f:
            f.write(text)

    def call(self, tool, args, env_extra=None, timeout=60):
        rc, out, err = run(["--workspace", self.dir, "call", tool, json.dumps(args), "--json"],
                           env_extra, timeout)
        try:
            doc = json.loads(out)
        except ValueError:
            doc = None
        return rc, doc, out + err

    def last_result(self):
        with open(self.history) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        return [l for l in lines if l["kind"] == "tool_result"][-1]


def desc(method, url, headers=None, body=None, **extra):
    d = {"method": method, "url": url}
    if headers is not None:
        d["headers"] = [{"name": n, "value": v} for n, v in headers]
    if body is not None:
        d["body"] = body
    d.update(extra)
    return json.dumps(d)


def U(path, host="api.test", port=None):
    return "https://%s:%d%s" % (host, PORT if port is None else port, path)


class Probe:
    """One `Probe` call: rc, the error (or None), the per-request results."""

    def __init__(self, ws, *descs, tool="Probe", env_extra=None, timeout=60):
        reset()
        self.rc, self.doc, self.text = ws.call(tool, {"requests": list(descs)}, env_extra, timeout)
        self.stats = control()
        self.error = (self.doc or {}).get("error")
        self.results = None
        if self.doc and not self.doc["is_error"]:
            self.results = json.loads(self.doc["content"])
        self.code = self.error["code"] if self.error else None
        self.message = self.error["message"] if self.error else None
        self.https = (self.doc or {}).get("https")
        self.record = ws.last_result()

    def response(self, i=0):
        """The response object the guest read (the probe embeds it)."""
        return self.results[i]["response"] if self.results else None


def connections(p):
    return p.stats["connections"]


def failed(ws, what, descs, code, message, conns=0, tool="Probe", records=None):
    p = Probe(ws, *descs, tool=tool)
    eq(p.rc, 1, what + ": exit status")
    eq(p.code, code, what + ": code")
    if message is not None:
        eq(p.message, message, what + ": message")
    if conns is not None:
        eq(connections(p), conns, what + ": connections the server accepted")
    if records is not None:
        eq(p.record.get("https"), records, what + ": history https records")
    return p


def rec(method, url, status=None, error=None, nbytes=None, hop=None):
    """The expected history record with its ms taken from the real one."""
    r = {"method": method, "url": url}
    if error:
        r["error"] = error
    else:
        r["status"] = status
    r["bytes"] = nbytes
    if hop:
        r["hop"] = hop
    return r


def strip_ms(records):
    out = []
    for r in records or []:
        r = dict(r)
        check(isinstance(r.pop("ms", None), int), "a history record has integer ms")
        out.append(r)
    return out


# ---- the cases ----------------------------------------------------------------

def test_allowed(ws):
    p = Probe(ws, desc("GET", U("/json?q=secret-query")))
    eq(p.rc, 0, "allowed GET: exit 0 " + p.text)
    resp = p.response()
    eq(resp["status"], 200, "allowed GET: status")
    eq(resp["body"], '{"ok": true, "path": "/json"}', "allowed GET: body")
    eq(resp["truncated"], False, "allowed GET: truncated")
    eq(list(resp.keys()), ["status", "headers", "body", "truncated"], "response field order")
    names = [h["name"] for h in resp["headers"]]
    eq(names, ["server", "date", "content-type", "content-length", "connection"],
       "response headers in order, lowercase")
    eq(p.results[0]["wrong_len_reads"], 0, "response_read refuses a wrong length")
    eq(connections(p), 1, "allowed GET: one connection")
    seen = p.stats["requests"][0]
    eq(seen["sni"], "api.test", "the TLS name is the host the policy checked")
    eq(seen["local_addr"], "127.0.0.1", "the address is the one pinned")
    eq(seen["path"], "/json?q=secret-query", "the query is sent")
    hdr = dict(seen["headers"])
    eq(hdr["host"], "api.test:%d" % PORT, "Host header is the checked host")
    eq(hdr["user-agent"], "wasmgate/0.1.0", "user agent")
    eq(hdr["authorization"], "Bearer " + TOKEN, "the grant's secret header is injected")
    eq(strip_ms(p.record["https"]),
       [rec("GET", U("/json"), status=200, nbytes=len('{"ok": true, "path": "/json"}'))],
       "history: method, safe URL without the query, status, bytes")
    check("secret-query" not in json.dumps(p.record), "no query string in history")
    eq(p.https, p.record["https"], "call --json prints the same https records as history")
    check(TOKEN not in json.dumps(p.record) and TOKEN not in p.text, "the token is nowhere")


def test_default_port_and_ip_literal(ws):
    # api.test without a port is 443: the second api.test grant (port 443),
    # pinned by resolve to 127.0.0.1:443, where nothing listens.
    p = failed(ws, "port 443 pinned to a closed port", [desc("GET", "https://api.test/json")],
               "https_network", "HTTPS request to https://api.test/json failed: "
               "Couldn't connect to server")
    # An IP literal host granted and inside allow_networks.
    p = Probe(ws, desc("GET", "https://127.0.0.1:%d/json" % PORT))
    eq(p.rc, 0, "IP literal 127.0.0.1 (allow_networks): exit 0 " + p.text)
    eq(p.stats["requests"][0]["local_addr"], "127.0.0.1", "IP literal: connected to it")
    # WHATWG shorthand: 0x7f.1 is 127.0.0.1 for the policy and for curl.
    p = Probe(ws, desc("GET", "https://0x7f.1:%d/json" % PORT))
    eq(p.rc, 0, "0x7f.1 is 127.0.0.1: exit 0 " + p.text)
    eq(strip_ms(p.record["https"])[0]["url"], "https://127.0.0.1:%d/json" % PORT,
       "the safe URL shows the canonical host")


def test_grant_denials(ws):
    failed(ws, "host not granted", [desc("GET", U("/json", host="nothere.test"))],
           "https_grant_denied",
           "HTTPS request GET https://nothere.test:%d/json is not covered by host/method/path "
           "grants (host not granted)" % PORT,
           records=None)
    failed(ws, "path not granted", [desc("GET", U("/admin"))], "https_grant_denied",
           "HTTPS request GET https://api.test:%d/admin is not covered by host/method/path "
           "grants (path not granted)" % PORT)
    failed(ws, "segment prefix", [desc("GET", U("/jsonx"))], "https_grant_denied",
           "HTTPS request GET https://api.test:%d/jsonx is not covered by host/method/path "
           "grants (path not granted)" % PORT)
    failed(ws, "port not granted", [desc("GET", U("/json", port=PORT + 1))], "https_grant_denied",
           "HTTPS request GET https://api.test:%d/json is not covered by host/method/path "
           "grants (port %d not granted for this host)" % (PORT + 1, PORT + 1))
    failed(ws, "method not granted", [desc("DELETE", U("/json"))], "https_method_denied",
           "HTTPS request DELETE https://api.test:%d/json is not covered by host/method/path "
           "grants (method DELETE not granted for this host)" % PORT)
    failed(ws, "method not allowed at all", [desc("HEAD", U("/json"))], "https_method_denied",
           "HTTPS method `HEAD` is not allowed")
    failed(ws, "lowercase method", [desc("get", U("/json"))], "https_method_denied",
           "HTTPS method `get` is not allowed")


def test_scheme_and_url(ws):
    failed(ws, "http scheme", [desc("GET", "http://api.test:%d/json" % PORT)], "https_url_rejected",
           'unsupported URL scheme "http"; only https is allowed')
    failed(ws, "file scheme", [desc("GET", "file:///etc/passwd")], "https_url_rejected",
           'unsupported URL scheme "file"; only https is allowed')
    failed(ws, "userinfo", [desc("GET", "https://user:pw@api.test:%d/json" % PORT)],
           "https_url_rejected", "HTTPS URLs with embedded credentials are not allowed")


def test_local_targets(ws):
    failed(ws, "localhost refused by name", [desc("GET", U("/json", host="localhost"))],
           "https_private_address", 'HTTPS blocked local/private host "localhost"')
    failed(ws, "loopback literal outside allow_networks",
           [desc("GET", "https://127.0.0.2:%d/json" % PORT)], "https_private_address",
           'HTTPS blocked local/private address 127.0.0.2 for host "127.0.0.2" '
           '(loopback 127.0.0.0/8)')
    failed(ws, "private literal", [desc("GET", "https://10.1.2.3/json")], "https_private_address",
           'HTTPS blocked local/private address 10.1.2.3 for host "10.1.2.3" (private 10.0.0.0/8)')
    failed(ws, "resolve pin to a blocked loopback address",
           [desc("GET", U("/json", host="blocked.test"))], "https_private_address",
           'HTTPS blocked local/private address 127.0.0.2 for host "blocked.test" '
           '(loopback 127.0.0.0/8)')
    failed(ws, "link-local answer from DNS", [desc("GET", U("/json", host="linklocal.test"))],
           "https_private_address",
           'HTTPS blocked local/private address 169.254.169.254 for host "linklocal.test" '
           '(link-local 169.254.0.0/16)')
    p = failed(ws, "one blocked answer among allowed ones",
               [desc("GET", U("/json", host="mixed.test"))], "https_private_address",
               'HTTPS blocked local/private address 10.0.0.1 for host "mixed.test" '
               '(private 10.0.0.0/8)')
    eq([q[0] for q in p.stats["dns_queries"]], ["mixed.test", "mixed.test"],
       "the name was looked up (A and AAAA) through the configured DNS server")


def test_dns_failures(ws):
    failed(ws, "NXDOMAIN", [desc("GET", U("/json", host="nx.test"))], "https_dns_failed",
           'DNS lookup for "nx.test" returned no addresses (no such name)')
    ws.write_config(timeout=400)
    t0 = time.monotonic()
    failed(ws, "DNS server never answers", [desc("GET", U("/json", host="silent.test"))],
           "https_timeout", "HTTPS request to https://silent.test:%d/json timed out (DNS lookup)" % PORT)
    check(time.monotonic() - t0 < 10, "the DNS timeout ends the call promptly")
    ws.write_config()


def test_tls(ws):
    failed(ws, "untrusted certificate", [desc("GET", U("/json", host="untrusted.test", port=UNTRUSTED))],
           "https_tls_failed",
           "HTTPS request to https://untrusted.test:%d/json failed: TLS: SSL certificate "
           "problem: self-signed certificate" % UNTRUSTED, conns=1)


def test_timeout(ws):
    ws.write_config(timeout=500)
    t0 = time.monotonic()
    p = failed(ws, "stalling server", [desc("GET", U("/stall?s=5"))], "https_timeout",
               "HTTPS request to https://api.test:%d/stall timed out" % PORT, conns=1)
    took = time.monotonic() - t0
    print("timeout: 500 ms request bound, call took %.2f s" % took)
    check(took < 4, "the request timeout ends the call well before the server's 5 s stall")
    eq(strip_ms(p.record["https"]),
       [rec("GET", U("/stall"), error="https_timeout", nbytes=0)], "history of a timeout")
    ws.write_config()


def test_truncation(ws):
    p = Probe(ws, desc("GET", U("/big?n=200000")))
    eq(p.rc, 0, "big body: exit 0 " + p.text)
    r = p.results[0]
    eq(r["truncated"], True, "body over 64 KiB is truncated")
    eq(r["body_text_len"], 65536 + 2, "the body string holds exactly 65536 bytes")
    eq(strip_ms(p.record["https"])[0]["bytes"], 65536 + 8192 + 1, "bytes read stop past the bound")
    p = Probe(ws, desc("GET", U("/big?n=65536")))
    eq(p.results[0]["truncated"], False, "exactly 64 KiB is not truncated")
    p = Probe(ws, desc("GET", U("/binary")))
    resp = p.response()
    eq(resp["body"], "ok\ufffd\ufffd\ufffdend", "invalid UTF-8 becomes U+FFFD")


def test_response_headers(ws):
    p = Probe(ws, desc("GET", U("/headers")))
    resp = p.response()
    names = [h["name"] for h in resp["headers"]]
    eq(len(names), 16, "at most 16 response headers")
    for s in ("set-cookie", "authorization", "x-api-key"):
        check(s not in names, "sensitive response header %s dropped" % s)
    check("x-utf8" not in names, "a header that is not visible ASCII is skipped")
    tok = [h["value"] for h in resp["headers"] if h["name"] == "x-token-info"]
    eq(tok, ["token=<redacted> rest"], "header values are needle-redacted")


def test_secret_redaction(ws):
    p = Probe(ws, desc("GET", U("/reflect-auth")))
    eq(p.rc, 0, "reflect-auth: exit 0 " + p.text)
    resp = p.response()
    b64 = base64.b64encode(TOKEN.encode()).decode()
    eq(resp["body"], "raw=<redacted> b64=<redacted> url=<redacted>",
       "the echoed token (raw, base64, URL-encoded) is redacted in the body")
    vals = {h["name"]: h["value"] for h in resp["headers"]}
    eq(vals.get("x-reflect"), "<redacted>", "the echoed token is redacted in a header")
    eq(vals.get("x-reflect-b64"), "<redacted>", "its base64 is redacted in a header")
    seen = dict(p.stats["requests"][0]["headers"])
    eq(seen["authorization"], "Bearer " + TOKEN, "the server saw the real token")
    everything = p.text + json.dumps(p.record) + open(ws.history).read()
    for form in (TOKEN, b64, urllib.parse.quote(TOKEN)):
        check(form not in everything, "secret form %r not in the output or history" % form)
    # The guest cannot set a credential header itself.
    failed(ws, "guest authorization header",
           [desc("GET", U("/json"), headers=[("authorization", "Bearer guess")])],
           "https_header_rejected",
           "HTTPS request header `authorization` is credential-like and must be supplied by a "
           "grant from [secrets], not guest memory")
    # A server that reflects a guest-chosen value which is the secret: redacted.
    p = Probe(ws, desc("GET", U("/reflect?v=" + TOKEN)))
    resp = p.response()
    eq(resp["body"], "seen:<redacted>", "a reflected secret is redacted whatever sent it")


def test_path_secret(ws):
    p = Probe(ws, desc("POST", U("/hooks/{{secret:hook}}/send"), body="hi"))
    eq(p.code, None, "path secret: no error " + p.text)
    seen = p.stats["requests"][0]
    eq(seen["path"], "/hooks/" + urllib.parse.quote(HOOK, safe="") + "/send",
       "the server saw the substituted, percent-encoded secret")
    eq(seen["body"], "hi", "the body was sent")
    eq(strip_ms(p.record["https"])[0]["url"], U("/hooks/{{secret:hook}}/send"),
       "history keeps the placeholder")
    check(HOOK not in p.text and urllib.parse.quote(HOOK, safe="") not in p.text,
          "the path secret is not in the output")
    failed(ws, "placeholder of a secret the grant does not list",
           [desc("GET", U("/hooks/{{secret:token}}"))], "https_grant_denied",
           "HTTPS request GET https://api.test:%d/hooks/{{secret:token}} is not covered by "
           "host/method/path grants (path secret `token` not granted)" % PORT)


def test_unusable_secret(ws):
    # The grant names ${secret:short}: 5 bytes is too short; no connection.
    extra = ('[[plugins.enabled.grants.https]]\nhost = "other.test"\nport = %d\n'
             'methods = ["PUT"]\nheaders = [ { name = "x-key", value = "${secret:short}" } ]\n' % PORT)
    ws.write_config(extra_grant=extra)
    p = Probe(ws, desc("PUT", U("/json", host="other.test")), env_extra={"WG_TEST_SHORT": "abcde"})
    eq(p.code, "https_grant_denied", "short secret: code")
    eq(p.message, 'the https grant for "other.test" is unusable: secret `short` is unavailable: '
       "it is shorter than 8 bytes", "short secret: message names the secret")
    eq(connections(p), 0, "short secret: no connection")
    check("abcde" not in p.text, "the short value is not shown")
    p = Probe(ws, desc("PUT", U("/json", host="other.test")))
    eq(p.message, 'the https grant for "other.test" is unusable: secret `short` is unavailable: '
       "its environment variable is not set", "unset secret: message")
    ws.write_config()


def test_redirects(ws):
    # Off by default: the 302 comes back to the guest as it is.
    p = Probe(ws, desc("GET", U("/redirect?to=/json")))
    resp = p.response()
    eq(resp["status"], 302, "redirects off: the 3xx is returned")
    eq([h["value"] for h in resp["headers"] if h["name"] == "location"], ["/json"],
       "redirects off: location visible")
    eq(connections(p), 1, "redirects off: one connection")
    ws.write_config(redirects=3)
    p = Probe(ws, desc("GET", U("/redirect?to=/json")))
    resp = p.response()
    eq(resp["status"], 200, "redirect followed on the same host")
    eq(connections(p), 2, "two connections for one hop")
    eq([dict(r["headers"]).get("authorization") for r in p.stats["requests"]],
       ["Bearer " + TOKEN] * 2, "same origin: the secret header stays")
    eq(strip_ms(p.record["https"]),
       [rec("GET", U("/redirect"), status=302, nbytes=5),
        rec("GET", U("/json"), status=200, nbytes=29, hop=1)], "history: one record per hop")
    # To another granted host: followed, the injected secret dropped.
    to = urllib.parse.quote(U("/echo", host="other.test"), safe="")
    p = Probe(ws, desc("GET", U("/redirect?to=" + to)))
    eq(p.response()["status"], 200, "cross-host redirect followed")
    eq([dict(r["headers"]).get("authorization") for r in p.stats["requests"]],
       ["Bearer " + TOKEN, None], "cross-host hop: the secret header is dropped")
    eq(p.stats["requests"][1]["sni"], "other.test", "the hop connects to the new host")
    # Each hop re-checked: a host that is not granted, http, a private address.
    to = urllib.parse.quote(U("/json", host="evil.test"), safe="")
    failed(ws, "redirect to an ungranted host", [desc("GET", U("/redirect?to=" + to))],
           "https_grant_denied",
           "HTTPS request GET https://evil.test:%d/json is not covered by host/method/path "
           "grants (host not granted)" % PORT, conns=1)
    failed(ws, "redirect to http", [desc("GET", U("/redirect?to=http://api.test/json"))],
           "https_url_rejected", 'unsupported URL scheme "http"; only https is allowed', conns=1)
    to = urllib.parse.quote("https://127.0.0.2:%d/json" % PORT, safe="")
    failed(ws, "redirect to a loopback address", [desc("GET", U("/redirect?to=" + to))],
           "https_private_address",
           'HTTPS blocked local/private address 127.0.0.2 for host "127.0.0.2" '
           '(loopback 127.0.0.0/8)', conns=1)
    # More hops than max_redirects: the last 3xx comes back as it is.
    chain = U("/json")
    for _ in range(4):
        chain = U("/redirect?to=" + urllib.parse.quote(chain, safe=""))
    p = Probe(ws, desc("GET", chain))
    eq(p.response()["status"], 302, "past max_redirects the 3xx is returned")
    eq(connections(p), 4, "1 request + 3 hops")
    # 303 turns POST into GET without the body.
    p = Probe(ws, desc("POST", U("/redirect?code=303&to=/echo"), body="payload",
                       headers=[("content-type", "text/plain")]))
    seen = p.stats["requests"][1]
    eq((seen["method"], seen["body"], dict(seen["headers"]).get("content-type")), ("GET", "", None),
       "303: the next hop is a GET without body")
    ws.write_config()


def test_bounds(ws):
    failed(ws, "17 headers", [desc("GET", U("/json"), headers=[("x-h%d" % i, "v") for i in range(17)])],
           "https_header_rejected", "HTTPS request has too many headers (max 16)")
    failed(ws, "header value over 1 KiB", [desc("GET", U("/json"), headers=[("x-a", "v" * 1025)])],
           "https_header_rejected", "HTTPS request header `x-a` exceeds 1024 bytes")
    failed(ws, "header name not a token", [desc("GET", U("/json"), headers=[("bad name", "v")])],
           "https_header_rejected", "HTTPS request header name is invalid")
    failed(ws, "CR LF in a value", [desc("GET", U("/json"), headers=[("x-a", "v\r\nx-b: 1")])],
           "https_header_rejected", "HTTPS request header `x-a` has an invalid value (a control character)")
    failed(ws, "managed header", [desc("GET", U("/json"), headers=[("host", "evil.test")])],
           "https_header_rejected", "HTTPS request header `host` is set by the host, not the guest")
    failed(ws, "body over 32 KiB", [desc("POST", U("/echo"), body="b" * 32769)],
           "https_body_too_large", "HTTPS request body exceeds 32768 bytes")
    p = Probe(ws, desc("POST", U("/echo"), body="b" * 32768, headers=[("x-h%d" % i, "v") for i in range(16)]))
    eq(p.rc, 0, "exactly 16 headers and 32 KiB of body pass " + p.text)


def test_max_requests(ws):
    ws.write_config(max_requests=2)
    p = failed(ws, "third request", [desc("GET", U("/json"))] * 3, "https_too_many_requests",
               "HTTPS request limit reached: at most 2 requests per call", conns=2)
    eq([r.get("status", r.get("error")) for r in p.record["https"]], [200, 200, "https_too_many_requests"],
       "history: two requests and the refused third")
    ws.write_config()


def test_bad_descriptors(ws):
    cases = [
        ("not JSON", "{", "https_url_rejected", "invalid HTTPS request JSON: "),
        ("an array", "[]", "https_url_rejected", "invalid HTTPS request JSON: expected an object, got array"),
        ("unknown field", desc("GET", U("/json"), timeout=5), "https_url_rejected",
         "invalid HTTPS request JSON: unknown field `timeout`"),
        ("no method", json.dumps({"url": U("/json")}), "https_method_denied",
         "invalid HTTPS request JSON: missing field `method`"),
        ("method not a string", json.dumps({"method": 1, "url": U("/json")}), "https_method_denied",
         "invalid HTTPS request JSON: `method` must be a string"),
        ("no url", json.dumps({"method": "GET"}), "https_url_rejected",
         "invalid HTTPS request JSON: missing field `url`"),
        ("headers not an array", json.dumps({"method": "GET", "url": U("/json"), "headers": {}}),
         "https_header_rejected", "invalid HTTPS request JSON: `headers` must be an array"),
        ("header unknown field", json.dumps({"method": "GET", "url": U("/json"),
                                             "headers": [{"name": "a", "value": "b", "x": 1}]}),
         "https_header_rejected", "invalid HTTPS request JSON: headers[0] has unknown field `x`"),
        ("header value not a string", json.dumps({"method": "GET", "url": U("/json"),
                                                  "headers": [{"name": "a", "value": 1}]}),
         "https_header_rejected", "invalid HTTPS request JSON: headers[0] needs string `name` and `value`"),
        ("binary body", json.dumps({"method": "POST", "url": U("/echo"), "body": [1, 2]}),
         "https_url_rejected", "invalid HTTPS request JSON: `body` must be a string or null (text only)"),
        ("duplicate key", '{"method":"GET","method":"GET","url":"%s"}' % U("/json"),
         "https_url_rejected", "invalid HTTPS request JSON: duplicate object key at byte 16"),
        ("descriptor over 48 KiB", desc("POST", U("/echo"), body="x" * 49200),
         "https_body_too_large", "guest input exceeds 49152 bytes"),
    ]
    for what, text, code, msg in cases:
        p = Probe(ws, text)
        eq(p.code, code, what + ": code")
        check(p.message is not None and p.message.startswith(msg),
              "%s: message %r starts with %r" % (what, p.message, msg))
        eq(connections(p), 0, what + ": no connection")
    # A failed request is sticky: the later valid one is not sent, and the
    # call fails although the guest wrote a valid output.
    p = failed(ws, "sticky", ["{", desc("GET", U("/json"))], "https_url_rejected", None, conns=0)


def test_no_network_without_import_and_grant(ws):
    # The import is refused at link time: nothing runs, nothing connects.
    for tool, what in (("ProbeNoGrant", "no host_api.https in the grant"),
                       ("ProbeNoManifest", "no host_api.https in the manifest"),
                       ("ProbeNoAllowlist", "no https allowlist")):
        p = failed(ws, what, [desc("GET", U("/json"))], "permission_denied",
                   "plugin host API dispatch denied: host_api.https is not granted", tool=tool)
        eq(p.record.get("https"), None, what + ": no https records")
        eq(p.record["stats"]["fuel_used"], 0, what + ": the guest never ran")
    # A plugin without the import: an ordinary call, nothing reaches the net.
    reset()
    rc, doc, text = ws.call("Echo", {"url": U("/json")})
    eq(rc, 0, "echo runs " + text)
    eq(control()["connections"], 0, "a plugin without the import opens no connection")
    check("https" not in ws.last_result(), "no https records without requests")


def test_example_plugin(ws):
    reset()
    rc, doc, text = ws.call("RepoInfo", {"owner": "octo", "repo": "demo",
                                          "api_base": "https://api.test:%d" % PORT})
    eq(rc, 0, "RepoInfo: exit 0 " + text)
    eq(doc["summary"] if doc else None, "octo/demo: 42 stars, 3 open issues", "RepoInfo summary")
    eq(json.loads(doc["content"]) if doc else None,
       {"description": "A demo repository", "html_url": "https://github.example/octo/demo"},
       "RepoInfo content")
    seen = control()["requests"][0]
    eq(seen["path"], "/repos/octo/demo", "RepoInfo path")
    eq(dict(seen["headers"]).get("accept"), "application/vnd.github+json", "RepoInfo accept header")
    rc, doc, text = ws.call("RepoInfo", {"owner": "octo", "repo": "demo"})
    eq(rc, 1, "RepoInfo against api.github.com is refused: not granted")
    eq(doc["error"]["code"] if doc else None, "https_grant_denied", "RepoInfo default host: code")


def test_ctrl_c(ws):
    """SIGINT to `wasmgate call` during a stalled transfer ends the call."""
    reset()
    env = dict(os.environ, HOME="/nonexistent-home", WG_TEST_TOKEN=TOKEN)
    args = [WASMGATE, "--workspace", ws.dir, "call", "Probe",
            json.dumps({"requests": [desc("GET", U("/stall?s=20"))]}), "--json"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for _ in range(500):
        if control()["connections"] >= 1:
            break
        time.sleep(0.01)
    time.sleep(0.2)  # the request is now waiting on the stalled server
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    took = time.monotonic() - t0
    print("ctrl-c: the call ended %.1f ms after SIGINT" % (took * 1000))
    eq(p.returncode, 1, "ctrl-c: exit 1")
    doc = json.loads(out)
    eq(doc["error"]["code"], "cancelled", "ctrl-c: code cancelled")
    check(took < 2.0, "ctrl-c ends the call within a generous 2 s (took %.3f s)" % took)
    eq(strip_ms(ws.last_result().get("https")),
       [rec("GET", U("/stall"), error="cancelled", nbytes=0)], "ctrl-c: the request is recorded")


def test_history_file(ws):
    p = Probe(ws, desc("GET", U("/json?token=querysecret")))
    check("querysecret" not in json.dumps(p.record), "no query string in the tool_result record")
    # (tool_call records hold the guest's own arguments; one test above
    # passes the token as an argument on purpose.)
    with open(ws.history) as f:
        results = [l for l in f if '"kind":"tool_result"' in l]
    check(results and not [l for l in results if TOKEN in l],
          "no secret value in any tool_result record")
    rc, out, err = run(["--workspace", ws.dir, "history", "--json"])
    eq(rc, 0, "history --json " + err)


def main():
    tmp = tempfile.mkdtemp(prefix="wg_https_cli_")
    try:
        ws = Workspace(tmp)
        for t in (test_allowed, test_default_port_and_ip_literal, test_grant_denials,
                  test_scheme_and_url, test_local_targets, test_dns_failures, test_tls,
                  test_timeout, test_truncation, test_response_headers, test_secret_redaction,
                  test_path_secret, test_unusable_secret, test_redirects, test_bounds,
                  test_max_requests, test_bad_descriptors,
                  test_no_network_without_import_and_grant, test_example_plugin, test_ctrl_c,
                  test_history_file):
            before = failures
            try:
                t(ws)
            except Exception as e:  # a crash in one case is a failure, not the end
                global_fail(t.__name__, e)
            print("%s %s" % ("ok  " if failures == before else "FAIL", t.__name__))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failures))
    return 1 if failures else 0


def global_fail(name, e):
    import traceback
    traceback.print_exc()
    check(False, "%s raised %r" % (name, e))


if __name__ == "__main__":
    sys.exit(main())
