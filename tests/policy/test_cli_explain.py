#!/usr/bin/env python3
"""End-to-end tests of `wasmgate explain-url [REF] METHOD URL [--json]`.

Usage: test_cli_explain.py WASMGATE
A workspace with one directory package in its project store that requests
host_api.https, granted one host (plus a port-specific grant and a pinned
test name); then the exact human output, the JSON object and the exit code
of allowed and refused requests, with and without REF, and usage errors.
explain-url never touches the network: it has no client at all, and every
name below is in .test / .example (reserved, never resolved here)."""
import json
import os
import subprocess
import sys
import tempfile

WG = sys.argv[1]
failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL:", what, file=sys.stderr)


def run(args, ws):
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(ws, "xdg"))
    p = subprocess.run([WG, "--workspace", ws] + args, env=env, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


MANIFEST = '''schema_version = 1
id = "net"
name = "Net"
version = "1.0.0"
permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "Fetch" },
                { kind = "host_api", api = "https" } ]
[runtime]
kind = "wasm"
entry = "plugin.wasm"
abi = "yoi-plugin-wasm-1"
[[tools]]
name = "Fetch"
description = "d"
input_schema = { type = "object" }
'''

NOHTTPS = MANIFEST.replace('id = "net"', 'id = "plain"').replace(
    ',\n                { kind = "host_api", api = "https" } ]', ' ]')


def make_pkg(store, name, text):
    d = os.path.join(store, name + ".yoi-plugin")
    os.makedirs(d)
    with open(os.path.join(d, "plugin.toml"), "w") as f:
        f.write(text)
    with open(os.path.join(d, "plugin.wasm"), "wb") as f:
        f.write(b"\0asm\1\0\0\0")


def digest(path):
    p = subprocess.run([WG, "digest", path], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()[0]


def expect(ws, args, code, stdout=None, contains=None, stderr=None):
    rc, out, err = run(args, ws)
    what = " ".join(args)
    check(rc == code, "%s: exit %d, expected %d (%s%s)" % (what, rc, code, out, err))
    if stdout is not None:
        check(out == stdout, "%s: stdout\n%s\nexpected\n%s" % (what, out, stdout))
    for c in contains or []:
        check(c in out, "%s: %r not in %r" % (what, c, out))
    if stderr is not None:
        check(err == stderr, "%s: stderr %r, expected %r" % (what, err, stderr))
    return out


def main():
    with tempfile.TemporaryDirectory() as ws:
        store = os.path.join(ws, ".yoi", "plugins")
        make_pkg(store, "net", MANIFEST)
        make_pkg(store, "plain", NOHTTPS)
        dg = digest(os.path.join(store, "net.yoi-plugin"))
        dp = digest(os.path.join(store, "plain.yoi-plugin"))
        with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
            f.write('''[feature.plugins]
enabled = true
[https]
allow_networks = ["127.0.0.1/32"]
resolve = ["pinned.test:8443:127.0.0.1", "bad.test:443:10.0.0.1,8.8.8.8"]
[[plugins.enabled]]
id = "project:net"
[plugins.enabled.grants]
id = "project:net"
version = "1.0.0"
digest = "%s"
permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "Fetch" },
                { kind = "host_api", api = "https" } ]
https = [ { host = "api.example.com", methods = ["GET", "POST"], path_prefixes = ["/v1"] },
          { host = "pinned.test", port = 8443, methods = ["GET"] } ]
[[plugins.enabled]]
id = "project:plain"
[plugins.enabled.grants]
id = "project:plain"
version = "1.0.0"
digest = "%s"
permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "Fetch" } ]
''' % (dg, dp))
        rc, out, err = run(["lock"], ws)
        assert rc == 0, out + err

        # Without REF: the static verdict.
        expect(ws, ["explain-url", "GET", "https://API.Example.com./v1/../v1/x?token=abc#f"], 0,
               "method: GET\n"
               "url: https://api.example.com/v1/x\n"
               "host: api.example.com (name)\n"
               "port: 443\n"
               "addresses: resolved at request time; every address must be public or in "
               "allow_networks\n"
               "decision: allow\n"
               "reason: no plugin given: the URL, host and addresses pass the static policy "
               "(grants not checked)\n")
        expect(ws, ["explain-url", "GET", "http://api.example.com/"], 1,
               "method: GET\n"
               "decision: deny\n"
               "code: https_url_rejected\n"
               "rule: scheme\n"
               "reason: unsupported URL scheme \"http\"; only https is allowed\n")
        expect(ws, ["explain-url", "GET", "https://0x7f.1:8443/x"], 0,
               "method: GET\n"
               "url: https://127.0.0.1:8443/x\n"
               "host: 127.0.0.1 (IPv4 address)\n"
               "port: 8443\n"
               "addresses: IP literal: no lookup\n"
               "  127.0.0.1: allowed by allow_networks 127.0.0.1/32\n"
               "decision: allow\n"
               "reason: no plugin given: the URL, host and addresses pass the static policy "
               "(grants not checked)\n")
        expect(ws, ["explain-url", "GET", "https://127.0.0.2/"], 1, None,
               ["  127.0.0.2: refused by loopback 127.0.0.0/8\n",
                "reason: HTTPS blocked local/private address 127.0.0.2 for host \"127.0.0.2\" "
                "(loopback 127.0.0.0/8)\n"])
        expect(ws, ["explain-url", "GET", "https://pinned.test:8443/"], 0, None,
               ["addresses: pinned by [https] resolve: not looked up; every address is judged\n",
                "  127.0.0.1: allowed by allow_networks 127.0.0.1/32\n", "decision: allow\n"])
        expect(ws, ["explain-url", "GET", "https://bad.test/"], 1, None,
               ["  10.0.0.1: refused by private 10.0.0.0/8\n", "  8.8.8.8: allowed (public)\n",
                "code: https_private_address\n"])
        expect(ws, ["explain-url", "GET", "https://a.localhost/"], 1, None,
               ["rule: local_name\n"])
        expect(ws, ["explain-url", "HEAD", "https://api.example.com/"], 1,
               "method: HEAD\n"
               "decision: deny\n"
               "code: https_method_denied\n"
               "rule: method\n"
               "reason: HTTPS method `HEAD` is not allowed\n")

        # With REF: authorization and grants.
        expect(ws, ["explain-url", "project:net", "GET", "https://api.example.com/v1/items?q=1"], 0,
               "method: GET\n"
               "url: https://api.example.com/v1/items\n"
               "host: api.example.com (name)\n"
               "port: 443\n"
               "addresses: resolved at request time; every address must be public or in "
               "allow_networks\n"
               "plugin: project:net\n"
               "grant: 0 (api.example.com GET,POST /v1)\n"
               "decision: allow\n"
               "reason: covered by a grant of this plugin\n")
        expect(ws, ["explain-url", "net", "GET", "https://api.example.com/v1admin"], 1, None,
               ["grant: 0 (api.example.com GET,POST /v1) came closest\n",
                "code: https_grant_denied\nrule: path_not_granted\n",
                "reason: HTTPS request GET https://api.example.com/v1admin is not covered by "
                "host/method/path grants (path not granted)\n"])
        expect(ws, ["explain-url", "net", "DELETE", "https://api.example.com/v1"], 1, None,
               ["code: https_method_denied\nrule: method_not_granted\n"])
        expect(ws, ["explain-url", "net", "GET", "https://other.example.com/v1"], 1, None,
               ["code: https_grant_denied\nrule: host_not_granted\n"])
        expect(ws, ["explain-url", "net", "GET", "https://api.example.com:8443/v1"], 1, None,
               ["rule: port_not_granted\n"])
        expect(ws, ["explain-url", "net", "GET", "https://pinned.test:8443/x"], 0, None,
               ["grant: 1 (pinned.test:8443 GET *)\n", "decision: allow\n"])
        expect(ws, ["explain-url", "project:plain", "GET", "https://api.example.com/v1"], 1, None,
               ["code: https_grant_denied\n",
                "reason: plugin host API dispatch denied: requested host_api.https permission "
                "is missing\n"])
        # The static verdict comes first even with REF.
        expect(ws, ["explain-url", "net", "GET", "https://10.0.0.1/v1"], 1, None,
               ["code: https_private_address\n"])

        # --json
        out = expect(ws, ["explain-url", "net", "GET", "https://api.example.com/v1?token=x",
                          "--json"], 0)
        j = json.loads(out)
        check(j == {"decision": "allow", "code": None, "rule": None,
                    "reason": "covered by a grant of this plugin", "method": "GET",
                    "url": "https://api.example.com/v1", "host": "api.example.com", "port": 443,
                    "addresses": [], "plugin": "project:net", "grant": 0}, "json allow: %r" % j)
        out = expect(ws, ["explain-url", "--json", "GET", "https://[fe80::1%25eth0]/"], 1)
        j = json.loads(out)
        check(j["decision"] == "deny" and j["code"] == "https_url_rejected" and
              j["rule"] == "zone_id" and j["url"] is None, "json zone id: %r" % j)
        out = expect(ws, ["explain-url", "--json", "GET", "https://127.1/"], 0)
        j = json.loads(out)
        check(j["addresses"] == [{"address": "127.0.0.1", "allowed": True,
                                  "range": "allow_networks 127.0.0.1/32"}] and
              j["decision"] == "allow", "json literal: %r" % j)
        check("token" not in out, "query never printed")

        # Usage.
        expect(ws, ["explain-url"], 2, "", None,
               "wasmgate: explain-url needs METHOD and URL (see --help)\n")
        expect(ws, ["explain-url", "a", "b", "c", "d"], 2, "", None,
               "wasmgate: unexpected argument (see --help)\n")
        expect(ws, ["explain-url", "--bogus", "GET", "https://a.example/"], 2)
        expect(ws, ["explain-url", "nope", "GET", "https://a.example/"], 2, "", None,
               "wasmgate: plugin package `nope` was not found\n")
        out = expect(ws, ["explain-url", "--help"], 0)
        check(out.startswith("usage: wasmgate") and "Exit status: 0 allow, 1 deny" in out,
              "help text")
        rc, out, _ = run(["--help"], ws)
        check("explain-url" in out, "listed in wasmgate --help")

    print("%d checks, %d failed" % (checks, failures))
    sys.exit(1 if failures else 0)


main()
