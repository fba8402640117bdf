#!/usr/bin/env python3
"""test_docs.py: the documentation's examples, run. Every fenced block of
the given Markdown files is exercised, so the docs cannot rot:

  ```sh         run; every command must succeed (bash, set -e, pipefail)
  ```console    a transcript: each `$ COMMAND` line is run and the lines
                after it, up to the next `$ ` line, must be what it prints
                (stdout and stderr together). A line `...` stands for any
                number of lines, `...` inside a line for any text;
                timestamps are normalised. A command ending in `# exit N`
                must exit N, any other must exit 0. A command shown with
                no output lines is run and its exit status checked.
  ```toml       parsed by wasmgate as a complete wasmgate.toml (`list` and
                `explain-url` with it as --config must accept it), unless
                a `file` marker writes it into the session instead
  ```json       must parse; an `mcpServers` snippet (Claude Desktop's
                format) is also started as the MCP server it describes
                and must answer initialize and tools/list over stdio
  ```c, ```text shown, not run (listed)

Markers, HTML comments invisible on GitHub, on the line before a block:

  <!-- doctest: skip REASON -->  the block is not run; every skip is listed
                                 with its reason at the end of the output
  <!-- doctest: file PATH -->    the block is written to PATH (relative to
                                 the session's current directory); in a
                                 grant, `digest = "sha256:..."` becomes the
                                 digest of the package the grant names, as
                                 the text tells the reader to do. A file
                                 named wasmgate.toml must then be accepted
                                 by `wasmgate list` in its directory.
  <!-- doctest: excerpt PATH --> the block (a c block, shown only) is an
                                 excerpt of PATH in the repository: its
                                 lines, but for `...` lines, appear there
                                 in this order
and on a line of its own:
  <!-- doctest: run COMMAND -->  a command the reader does not need but
                                 this machine does (listed too)

Each document is one session: one bash process running its blocks in
order, starting in a scratch copy of a checkout (pdk/, examples/ and
build/demo/, where the wasmgate under test and the example packages are),
with an empty HOME and TMPDIR. The documents tell the reader to put
build/demo/src/cli on PATH; no other wasmgate is on it. This script must
run inside run_in_netns.py (a network namespace with only loopback): there
127.0.0.1:8443 is forwarded to the test HTTPS server, whose CA is in
$WG_TESTNET_CA, and nothing can leave the machine.

usage: test_docs.py --wasmgate BIN --examples DIR --source ROOT DOC...
       test_docs.py helper write PATH | helper mcp   (used by the sessions)
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

FORWARD_PORT = 8443
SESSION_TIMEOUT = 600
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
FENCE = re.compile(r"^(```+)\s*([A-Za-z0-9_+-]*)\s*$")
MARKER = re.compile(r"^<!--\s*doctest:\s*(skip|file|excerpt|run)\b\s*(.*?)\s*-->\s*$")
EXIT = re.compile(r"\s#\s*exit\s+(\d+)\s*$")
SHOWN = ("c", "text")
failures = []


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))
    print("FAIL %s: %s" % (where, msg), file=sys.stderr)


# ---- Markdown ---------------------------------------------------------------

class Block:
    def __init__(self, doc, line, lang, text, marker):
        self.doc, self.line, self.lang, self.text, self.marker = doc, line, lang, text, marker

    @property
    def where(self):
        return "%s:%d" % (self.doc, self.line)


def parse_doc(path, name):
    """The fenced blocks and `run` markers of one document, in order."""
    items = []
    lines = open(path, encoding="utf-8").read().split("\n")
    pending = None  # a skip/file marker waiting for its block
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line)
        if m:
            kind, arg = m.group(1), m.group(2)
            if kind == "run":
                items.append(Block(name, i + 1, "run", arg, None))
            else:
                pending = (kind, arg, i + 1)
            i += 1
            continue
        f = FENCE.match(line)
        if f:
            fence, lang = f.group(1), f.group(2)
            body = []
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != fence:
                body.append(lines[j])
                j += 1
            if j >= len(lines):
                fail("%s:%d" % (name, i + 1), "unclosed code fence")
                break
            marker = None
            if pending:
                if pending[2] != i:
                    fail("%s:%d" % (name, pending[2]), "a doctest marker must be on the line "
                         "right before its block")
                marker = pending[:2]
                pending = None
            items.append(Block(name, i + 1, lang, "\n".join(body) + "\n", marker))
            i = j + 1
            continue
        if pending and line.strip():
            fail("%s:%d" % (name, pending[2]), "a doctest marker is not followed by a block")
            pending = None
        if re.match(r"^ {4,}(\$ |wasmgate )", line):
            fail("%s:%d" % (name, i + 1), "a command outside a fenced block (use ```sh or "
                 "```console so the doc-test runs it)")
        i += 1
    return items


def transcript(block):
    """[(command, expected exit status, [expected lines], line)] of a
    console block."""
    cmds = []
    lines = block.text.rstrip("\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            fail("%s+%d" % (block.where, i + 1), "a console block must start with `$ COMMAND`")
            return []
        cmd = [line[2:]]
        start = i
        while cmd[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        i += 1
        out = []
        while i < len(lines) and not lines[i].startswith("$ "):
            out.append(lines[i])
            i += 1
        text = "\n".join(cmd)
        m = EXIT.search(cmd[-1])
        cmds.append((text, int(m.group(1)) if m else 0, out, block.line + 1 + start))
    return cmds


# ---- Output matching --------------------------------------------------------

def normalise(line):
    return TIMESTAMP.sub("<timestamp>", line.rstrip())


def line_pattern(expected):
    parts = [re.escape(p) for p in normalise(expected).split("...")]
    return re.compile(".*".join(parts) + r"\Z", re.S)


def matches(expected, actual):
    """expected lines (with `...` wildcards) against actual lines."""
    pats = [None if e.strip() == "..." else line_pattern(e) for e in expected]
    acts = [normalise(a) for a in actual]
    memo = {}

    def m(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(pats):
            r = j == len(acts)
        elif pats[i] is None:
            r = any(m(i + 1, k) for k in range(j, len(acts) + 1))
        else:
            r = j < len(acts) and pats[i].match(acts[j]) is not None and m(i + 1, j + 1)
        memo[(i, j)] = r
        return r

    return m(0, 0)


# ---- Checks outside a session -----------------------------------------------

def run_wasmgate(wasmgate, args, cwd, env):
    p = subprocess.run([wasmgate] + args, cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout, p.stderr


def check_config(block, wasmgate, scratch, env):
    """A toml block must be a complete config wasmgate accepts."""
    d = tempfile.mkdtemp(dir=scratch, prefix="config-")
    ws = os.path.join(d, "ws")
    os.makedirs(ws)
    cfg = os.path.join(d, "snippet.toml")
    with open(cfg, "w") as f:
        f.write(block.text)
    rc, out, err = run_wasmgate(wasmgate, ["--workspace", ws, "--config", cfg, "list"], d, env)
    if rc != 0 or err:
        fail(block.where, "wasmgate list refuses this config: %s" % (err or out).strip())
        return
    rc, out, err = run_wasmgate(wasmgate, ["--workspace", ws, "--config", cfg, "explain-url",
                                           "GET", "https://example.com/"], d, env)
    if rc not in (0, 1) or err or "decision: " not in out:
        fail(block.where, "wasmgate explain-url refuses this config: %s" % (err or out).strip())


def check_excerpt(block, source):
    path = os.path.join(source, block.marker[1])
    try:
        have = [l.strip() for l in open(path, encoding="utf-8")]
    except OSError as e:
        fail(block.where, "excerpt of %s: %s" % (block.marker[1], e))
        return
    at = 0
    for line in block.text.split("\n"):
        want = line.strip()
        if not want or want == "...":
            continue
        while at < len(have) and have[at] != want:
            at += 1
        if at == len(have):
            fail(block.where, "not an excerpt of %s (from `%s` on)" % (block.marker[1], want))
            return
        at += 1


def check_json(block):
    try:
        json.loads(block.text)
    except ValueError as e:
        fail(block.where, "not valid JSON: %s" % e)
        return False
    return True


# ---- The session ------------------------------------------------------------

def build_session(items, steps_dir, helper):
    """The bash script of one document and, per step, what to check."""
    script = ["cd \"$WG_DOCTEST_ROOT\""]
    checks = []
    n = 0

    def step(code, kind, where, **kw):
        nonlocal n
        n += 1
        path = os.path.join(steps_dir, "%d.sh" % n)
        with open(path, "w") as f:
            f.write(code)
        out = os.path.join(steps_dir, "%d.out" % n)
        rc = os.path.join(steps_dir, "%d.rc" % n)
        # A transcript's command runs as the reader's shell runs it (no
        # errexit, no pipefail: `a | grep x` has grep's status); the other
        # steps stop at the first failure, in a pipeline too.
        strict = "set -e -o pipefail" if kind != "console" else "set +e +o pipefail"
        script.append("%s\nsource %s > %s 2>&1 < /dev/null\necho $? > %s\nset +e"
                      % (strict, shq(path), shq(out), shq(rc)))
        checks.append(dict(kind=kind, where=where, out=out, rc=rc, code=code, **kw))

    for b in items:
        if b.lang == "run":
            step(b.text + "\n", "run", b.where)
            continue
        if b.marker and b.marker[0] in ("skip", "excerpt"):
            continue
        if b.marker and b.marker[0] == "file":
            body = os.path.join(steps_dir, "file-%d" % (len(checks) + 1))
            with open(body, "w") as f:
                f.write(b.text)
            step("%s write %s < %s\n" % (helper, shq(b.marker[1]), shq(body)), "file", b.where)
            continue
        if b.lang in ("sh", "bash", "shell"):
            step(b.text, "sh", b.where)
        elif b.lang == "console":
            for cmd, want_rc, want, line in transcript(b):
                step(cmd + "\n", "console", "%s:%d" % (b.doc, line), want_rc=want_rc, want=want)
        elif b.lang == "json" and "mcpServers" in b.text:
            body = os.path.join(steps_dir, "mcp-%d.json" % (len(checks) + 1))
            with open(body, "w") as f:
                f.write(b.text)
            step("%s mcp < %s\n" % (helper, shq(body)), "mcp", b.where)
    return "\n".join(script) + "\n", checks


def shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def evaluate(checks):
    ran = 0
    for c in checks:
        out = open(c["out"], errors="replace").read() if os.path.exists(c["out"]) else ""
        if not os.path.exists(c["rc"]):
            fail(c["where"], "the session stopped here (a command failed):\n%s\n%s"
                 % (c["code"].rstrip(), out.rstrip()))
            return ran
        rc = int(open(c["rc"]).read())
        ran += 1
        if c["kind"] != "console":
            if rc != 0:
                fail(c["where"], "exit %d:\n%s\n%s" % (rc, c["code"].rstrip(), out.rstrip()))
            continue
        if rc != c["want_rc"]:
            fail(c["where"], "`%s` exited %d, the doc says %d:\n%s"
                 % (c["code"].strip(), rc, c["want_rc"], out.rstrip()))
        if c["want"] and not matches(c["want"], out.rstrip("\n").split("\n") if out else []):
            fail(c["where"], "`%s` printed:\n%s\nthe doc shows:\n%s"
                 % (c["code"].strip(), out.rstrip(), "\n".join(c["want"])))
    return ran


def run_session(doc, items, scratch, env, helper):
    d = tempfile.mkdtemp(dir=scratch, prefix="session-")
    steps = os.path.join(d, "steps")
    os.makedirs(steps)
    script, checks = build_session(items, steps, helper)
    with open(os.path.join(d, "session.sh"), "w") as f:
        f.write(script)
    p = subprocess.Popen(["bash", os.path.join(d, "session.sh")], env=env, cwd=env["WG_DOCTEST_ROOT"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=SESSION_TIMEOUT)
    except subprocess.TimeoutExpired:
        fail(doc, "the session took more than %d s" % SESSION_TIMEOUT)
        out = b""
    finally:
        try:
            os.killpg(p.pid, 9)  # anything the doc left running in the background
        except ProcessLookupError:
            pass
        p.wait()
    if out.strip():
        fail(doc, "the session printed outside its steps: %s" % out.decode(errors="replace"))
    return evaluate(checks), len(checks)


# ---- Helpers the sessions call ----------------------------------------------

def fill_digests(text, base, wasmgate):
    """`digest = "sha256:..."` in a grant: the digest of the package named
    by the closest `id = "project:NAME"` above it, in the project store."""
    out = []
    ident = None
    for line in text.split("\n"):
        m = re.match(r'\s*id\s*=\s*"(project|user):([^"]+)"', line)
        if m:
            ident = m.group(2)
        if re.match(r'\s*digest\s*=\s*"sha256:\.\.\."', line):
            if not ident:
                raise SystemExit("doctest: digest placeholder without a plugin id above it")
            pkg = os.path.join(base, ".yoi", "plugins", ident + ".yoi-plugin")
            p = subprocess.run([wasmgate, "digest", pkg], capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit("doctest: cannot fill the digest of %s: %s" % (pkg, p.stderr))
            line = line.replace("sha256:...", p.stdout.strip().split()[0], 1)
        out.append(line)
    return "\n".join(out)


def helper_write(path):
    wasmgate = os.environ["WG_DOCTEST_WASMGATE"]
    base = os.path.dirname(os.path.abspath(path))
    text = fill_digests(sys.stdin.read(), base, wasmgate)
    os.makedirs(base, exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if os.path.basename(path) == "wasmgate.toml":
        p = subprocess.run([wasmgate, "--workspace", base, "list"], capture_output=True, text=True)
        if p.returncode != 0 or p.stderr:
            raise SystemExit("doctest: wasmgate list refuses %s: %s" % (path, p.stderr or p.stdout))
    return 0


def helper_mcp():
    """An mcpServers snippet: its command line, run as an MCP server over
    stdio. /path/to/... placeholders become the current directory, the
    command the wasmgate under test."""
    conf = json.loads(sys.stdin.read())
    servers = conf["mcpServers"]
    for name, s in servers.items():
        cmd = s["command"]
        if os.path.basename(cmd) != "wasmgate":
            raise SystemExit("doctest: mcpServers.%s: the command is not wasmgate" % name)
        args = [os.getcwd() if a.startswith("/path/to/") else a for a in s.get("args", [])]
        msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                            "clientInfo": {"name": "doctest", "version": "1"}}},
                {"jsonrpc": "2.0", "method": "notifications/initialized"},
                {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
        p = subprocess.run([os.environ["WG_DOCTEST_WASMGATE"]] + args, capture_output=True,
                           text=True, timeout=60,
                           input="".join(json.dumps(m) + "\n" for m in msgs))
        replies = [json.loads(l) for l in p.stdout.splitlines()]
        tools = [r for r in replies if r.get("id") == 2 and r.get("result", {}).get("tools")]
        if p.returncode != 0 or len(replies) != 2 or not tools:
            raise SystemExit("doctest: mcpServers.%s (wasmgate %s) did not serve tools: "
                             "exit %d, %r %r" % (name, " ".join(args), p.returncode,
                                                 p.stdout, p.stderr))
        print("mcpServers.%s: %d tool(s)" % (name, len(tools[0]["result"]["tools"])))
    return 0


# ---- Set-up -----------------------------------------------------------------

def forward(listen_port, target_port):
    """127.0.0.1:listen_port -> 127.0.0.1:target_port, byte for byte (TLS
    passes through), for as long as this process runs."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(16)

    def pump(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def accept():
        while True:
            c, _ = srv.accept()
            try:
                u = socket.create_connection(("127.0.0.1", target_port))
            except OSError:
                c.close()
                continue
            threading.Thread(target=pump, args=(c, u), daemon=True).start()
            threading.Thread(target=pump, args=(u, c), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()


def base_path():
    """PATH without any directory holding another wasmgate."""
    dirs = [d for d in os.environ.get("PATH", "/usr/bin:/bin").split(":") if d]
    return ":".join(d for d in dirs if not os.path.exists(os.path.join(d, "wasmgate")))


def make_root(scratch, source, wasmgate, examples):
    root = os.path.join(scratch, "checkout")
    os.makedirs(os.path.join(root, "build", "demo", "src", "cli"))
    for name in ("pdk", "examples", "scripts", "include"):
        os.symlink(os.path.join(source, name), os.path.join(root, name))
    os.symlink(wasmgate, os.path.join(root, "build", "demo", "src", "cli", "wasmgate"))
    os.symlink(examples, os.path.join(root, "build", "demo", "examples"))
    return root


def main(argv):
    if argv[:1] == ["helper"]:
        return helper_write(argv[2]) if argv[1] == "write" else helper_mcp()
    opts = {}
    docs = []
    while argv:
        a = argv.pop(0)
        if a in ("--wasmgate", "--examples", "--source"):
            opts[a[2:]] = os.path.abspath(argv.pop(0))
        else:
            docs.append(a)
    if "WG_TESTNET_HTTPS" not in os.environ:
        print("FAIL: run this inside tests/host/netns/run_in_netns.py: the examples may only "
              "reach servers on loopback", file=sys.stderr)
        return 1
    forward(FORWARD_PORT, int(os.environ["WG_TESTNET_HTTPS"]))
    scratch = tempfile.mkdtemp(prefix="wg-doctest-")
    try:
        root = make_root(scratch, opts["source"], opts["wasmgate"], opts["examples"])
        for d in ("home", "tmp"):
            os.makedirs(os.path.join(scratch, d))
        env = {k: v for k, v in os.environ.items()
               if k.startswith(("ASAN_", "UBSAN_", "LSAN_", "WG_TESTNET_"))}
        env.update(PATH=base_path(), HOME=os.path.join(scratch, "home"),
                   TMPDIR=os.path.join(scratch, "tmp"), LANG="C.UTF-8", LC_ALL="C.UTF-8",
                   WG_DOCTEST_ROOT=root, WG_DOCTEST_WASMGATE=opts["wasmgate"])
        helper = "%s %s helper" % (shq(sys.executable), shq(os.path.abspath(__file__)))
        skipped, shown = [], []
        for doc in docs:
            items = parse_doc(os.path.join(opts["source"], doc), doc)
            for b in items:
                if b.marker and b.marker[0] == "skip":
                    if not b.marker[1]:
                        fail(b.where, "a skip marker needs a reason")
                    skipped.append("%s (%s): %s" % (b.where, b.lang, b.marker[1]))
                elif b.marker and b.marker[0] == "excerpt":
                    check_excerpt(b, opts["source"])
                    shown.append("%s: an excerpt of %s, checked against it" % (b.where, b.marker[1]))
                elif b.lang == "run":
                    shown.append("%s: run `%s`" % (b.where, b.text))
                elif b.lang == "toml" and not b.marker:
                    check_config(b, opts["wasmgate"], scratch, env)
                elif b.lang == "json" and not check_json(b):
                    pass
                elif b.lang in SHOWN:
                    shown.append("%s: a %s block, shown only" % (b.where, b.lang))
                elif b.lang not in ("sh", "bash", "shell", "console", "toml", "json"):
                    fail(b.where, "a block needs a language the doc-test knows (sh, console, "
                         "toml, json, c, text), got %r" % b.lang)
            ran, total = run_session(doc, items, scratch, env, helper)
            print("%s: %d of %d steps ran" % (doc, ran, total))
        for s in skipped:
            print("skipped " + s)
        for s in shown:
            print("not run " + s)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
