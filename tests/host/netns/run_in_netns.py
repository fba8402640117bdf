#!/usr/bin/env python3
"""run_in_netns.py: runs one test command inside a fresh network namespace
with only loopback up, next to the test servers of testnet.py.

    run_in_netns.py [--keep DIR] -- COMMAND [ARGS...]

Steps: re-execute under `unshare -n` (needs root: CI runs as root; anything
else fails loudly, never skips), `ip link set lo up`, make a CA, a server
certificate and an untrusted one with the `openssl` command in a temporary
directory, start testnet.py, then run COMMAND with these variables set:

    WG_TESTNET_DIR      the directory (ca.pem, ports.json, ...)
    WG_TESTNET_CA       the test CA bundle (for [https] ca_file)
    WG_TESTNET_HTTPS    port of the HTTPS server (127.0.0.1, 127.0.0.2, ::1)
    WG_TESTNET_UNTRUSTED  port of the server with an untrusted certificate
    WG_TESTNET_CONTROL  port of the plain-HTTP control server
    WG_TESTNET_DNS      port of the DNS responder (UDP 127.0.0.1)

Its exit status is COMMAND's. The servers are stopped at the end. Nothing
here can reach another machine: the namespace has no other interface.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "WG_TESTNET_INSIDE"


def fail(msg):
    print("run_in_netns: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    if r.returncode != 0:
        fail("%s failed: %s" % (" ".join(cmd), r.stdout.decode(errors="replace")))


def make_certs(d):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509"] + ec + ["-keyout", d + "/ca.key", "-out", d + "/ca.pem",
         "-days", "2", "-subj", "/CN=wasmgate test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    run(["openssl", "req"] + ec + ["-keyout", d + "/server.key", "-out", d + "/server.csr",
         "-subj", "/CN=api.test"])
    names = ["api.test", "other.test", "v4v6.test", "mixed.test", "mixed6.test",
             "blocked.test", "private.test", "linklocal.test", "loop6.test",
             "nx.test", "fail.test", "silent.test", "empty.test", "localhost"]
    san = ",".join(["DNS:" + n for n in names] +
                   ["IP:127.0.0.1", "IP:127.0.0.2", "IP:::1"])
    with open(d + "/server.ext", "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" % san)
    run(["openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem",
         "-CAkey", d + "/ca.key", "-CAcreateserial", "-out", d + "/server.pem",
         "-days", "2", "-extfile", d + "/server.ext"])
    run(["openssl", "req", "-x509"] + ec + ["-keyout", d + "/untrusted.key",
         "-out", d + "/untrusted.pem", "-days", "2", "-subj", "/CN=api.test",
         "-addext", "subjectAltName=DNS:api.test,IP:127.0.0.1"])


def outside(argv):
    if os.geteuid() != 0:
        fail("the https network tests need root to create a network namespace "
             "(unshare -n); CI runs as root. Run the test suite as root.")
    if not shutil.which("unshare") or not shutil.which("ip"):
        fail("`unshare` and `ip` are required (util-linux, iproute2: scripts/deps.sh)")
    env = dict(os.environ)
    env[MARK] = "1"
    try:
        r = subprocess.run(["unshare", "-n", "--", sys.executable, os.path.abspath(__file__)] + argv,
                           env=env)
    except OSError as e:
        fail("cannot run unshare: %s" % e)
    sys.exit(r.returncode)


def inside(argv):
    keep = None
    if argv[:1] == ["--keep"]:
        keep, argv = argv[1], argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        fail("usage: run_in_netns.py [--keep DIR] -- COMMAND [ARGS...]")
    cmd = argv[1:]
    r = subprocess.run(["ip", "link", "set", "lo", "up"], stderr=subprocess.PIPE)
    if r.returncode != 0:
        fail("ip link set lo up: " + r.stderr.decode(errors="replace"))
    links = subprocess.run(["ip", "-o", "link", "show", "up"], stdout=subprocess.PIPE).stdout.decode()
    if [l for l in links.splitlines() if " lo:" not in l]:
        fail("the namespace has an interface other than lo up: " + links)
    d = keep or tempfile.mkdtemp(prefix="wg-testnet-")
    os.makedirs(d, exist_ok=True)
    make_certs(d)
    srv = subprocess.Popen([sys.executable, os.path.join(HERE, "testnet.py"), "--dir", d])
    try:
        ports = None
        for _ in range(500):
            if os.path.exists(d + "/ports.json"):
                with open(d + "/ports.json") as f:
                    ports = json.load(f)
                break
            if srv.poll() is not None:
                fail("testnet.py exited with %d" % srv.returncode)
            time.sleep(0.02)
        if not ports:
            fail("testnet.py did not start")
        env = dict(os.environ)
        env.pop(MARK, None)
        env.update({"WG_TESTNET_DIR": d, "WG_TESTNET_CA": d + "/ca.pem",
                    "WG_TESTNET_HTTPS": str(ports["https"]),
                    "WG_TESTNET_UNTRUSTED": str(ports["untrusted"]),
                    "WG_TESTNET_CONTROL": str(ports["control"]),
                    "WG_TESTNET_DNS": str(ports["dns"]),
                    "WG_TESTNET_IPV6": "1" if ports["ipv6"] else "0"})
        rc = subprocess.run(cmd, env=env).returncode
    finally:
        srv.terminate()
        try:
            srv.wait(5)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
        if not keep:
            shutil.rmtree(d, ignore_errors=True)
    sys.exit(rc)


if __name__ == "__main__":
    if os.environ.get(MARK) == "1":
        inside(sys.argv[1:])
    else:
        outside(sys.argv[1:])
