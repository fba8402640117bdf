#!/usr/bin/env python3
"""test_cli_options.py: the one option parser of `wasmgate` and its help:
global options in either position and as --opt=VALUE (or refused with
exit 2, everywhere the same), path options relative to the current
directory in every command, `help [COMMAND]` == `COMMAND --help`, and the
man page listing every command and option. The three commands that parsed
their own arguments until they got an option table (wasm, explain-url,
serve) have their own tests here. Exact outputs and exit codes.

usage: test_cli_options.py WASMGATE WAT2WASM MAN_PAGE
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

WASMGATE, WAT2WASM, MAN_PAGE = sys.argv[1:4]
failures = 0
TMP = tempfile.mkdtemp(prefix="wg_cli_options_")
ENV = dict(os.environ, HOME="/nonexistent-home", XDG_DATA_HOME=os.path.join(TMP, "no-user"))

WAT = """(module
 (import "yoi:tool" "output_write" (func $out (param i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 16) "{\\"summary\\":\\"hi\\"}")
 (func (export "yoi_tool_call") (drop (call $out (i32.const 16) (i32.const 16)))))"""

MANIFEST = """schema_version = 1
id = "hi"
name = "hi"
version = "1.0.0"
surfaces = ["tool"]
permissions = [ { kind = "surface", surface = "tool" }, { kind = "tool", name = "Hi" } ]
[runtime]
kind = "wasm"
entry = "plugin.wasm"
abi = "yoi-plugin-wasm-1"
[[tools]]
name = "Hi"
description = "says hi"
input_schema = { type = "object" }
"""

ADD_WAT = """(module (func (export "add") (param i32 i32) (result i32)
  local.get 0 local.get 1 i32.add))"""


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + what, file=sys.stderr)


def run(args, cwd=None, stdin=None):
    p = subprocess.run([WASMGATE] + args, capture_output=True, text=True, env=ENV, cwd=cwd,
                       input=stdin, timeout=60)
    return p.returncode, p.stdout, p.stderr


def commands():
    rc, out, err = run(["--help"])
    block = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines()]


def test_help_everywhere():
    names = commands()
    check(names == ["wasm", "pack", "digest", "check", "list", "show", "lock", "tools", "call",
                    "history", "explain-url", "serve", "help"], "command list: %r" % names)
    check(run(["help"]) == run(["--help"]) and run(["help"])[0] == 0, "help == --help")
    rc, out, err = run([])
    check(rc == 2 and out == "" and err == run(["--help"])[1], "no command: help on stderr, 2")
    for name in names:
        want = run([name, "--help"])
        check(want[0] == 0 and want[1].startswith("usage: wasmgate ") and want[2] == "",
              "%s --help: %r" % (name, want))
        check(run(["help", name]) == want, "help %s == %s --help" % (name, name))
        check(run([name, "-h"]) == want, "%s -h" % name)
        check(run(["--help", name]) == want, "--help %s" % name)
    check(run(["help", "nope"]) == (2, "", "wasmgate: help: unknown command 'nope' (see "
                                           "wasmgate --help)\n"), "help of an unknown command")
    check(run(["help", "a", "b"]) == (2, "", "wasmgate: help: unexpected argument 'b' (see "
                                             "--help)\n"), "help takes one command")
    rc, out, err = run(["--version"])
    check(rc == 0 and re.fullmatch(r"wasmgate \d+\.\d+\.\d+\n", out), "--version")


def test_man_page_lists_everything():
    with open(MAN_PAGE) as f:
        man = f.read()
    check(man.startswith(".TH WASMGATE 1 "), "man page header")
    for name in commands():
        rc, help_text, err = run(["help", name])
        synopsis = help_text.splitlines()[0][len("usage: wasmgate "):]
        check('.SS "wasmgate %s"' % synopsis.replace("-", "\\-") in man,
              "man: command %s (%s)" % (name, synopsis))
        for opt in re.findall(r"^  (?:-\w, )?(--[a-z-]+)", help_text, re.M):
            check(opt.replace("-", "\\-") in man, "man: option %s of %s" % (opt, name))
    groff = shutil.which("groff")
    if groff:
        p = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", MAN_PAGE], capture_output=True,
                           text=True)
        check(p.returncode == 0 and p.stderr == "", "groff warnings: %r" % p.stderr)


def make_workspace():
    """TMP/ws with plugin `hi` in TMP/store (outside the workspace) and its
    config in TMP/cfg.toml: found only through the path options. Made once,
    by the first test that needs it."""
    if os.path.isdir(os.path.join(TMP, "ws")):
        return
    src = os.path.join(TMP, "src", "hi.yoi-plugin")
    os.makedirs(src)
    with open(os.path.join(src, "p.wat"), "w") as f:
        f.write(WAT)
    subprocess.run([WAT2WASM, os.path.join(src, "p.wat"), "-o", os.path.join(src, "plugin.wasm")],
                   check=True)
    os.unlink(os.path.join(src, "p.wat"))
    with open(os.path.join(src, "plugin.toml"), "w") as f:
        f.write(MANIFEST)
    store = os.path.join(TMP, "store")
    os.makedirs(store)
    rc, out, err = run(["pack", src, "-o", os.path.join(store, "hi.yoi-plugin")])
    assert rc == 0, err
    digest = out.strip()
    with open(os.path.join(TMP, "cfg.toml"), "w") as f:
        f.write('[feature.plugins]\nenabled = true\n[[plugins.enabled]]\nid = "project:hi"\n'
                '[plugins.enabled.grants]\nid = "project:hi"\nversion = "1.0.0"\n'
                'digest = "%s"\npermissions = [ { kind = "surface", surface = "tool" }, '
                '{ kind = "tool", name = "Hi" } ]\n[history]\nfsync = "never"\n' % digest)
    os.makedirs(os.path.join(TMP, "ws"))


def test_global_options_in_either_position():
    make_workspace()
    ws = os.path.join(TMP, "ws")
    common = ["--config", "cfg.toml", "--project-store", "store"]
    # Relative paths are relative to the current directory, in every command.
    rc, want, err = run(["--workspace", "ws"] + common + ["tools", "--json"], cwd=TMP)
    check(rc == 0 and '"name": "Hi"' in want, "tools through relative path options: %r %r"
          % (want, err))
    for args in (["tools", "--json", "--workspace", "ws"] + common,
                 ["tools", "--workspace=ws", "--config=cfg.toml", "--project-store=store",
                  "--json"],
                 ["--workspace=" + ws, "tools", "--config", os.path.join(TMP, "cfg.toml"),
                  "--project-store", os.path.join(TMP, "store"), "--json"]):
        check(run(args, cwd=TMP) == (0, want, ""), "same tools for %r" % args)
    for pos in ("before", "after", "equals"):
        if pos == "before":
            args = ["--workspace", "ws"] + common + ["call", "Hi"]
        elif pos == "after":
            args = ["call", "Hi"] + common + ["--workspace", "ws"]
        else:
            args = ["call", "Hi", "--workspace=ws", "--config=cfg.toml", "--project-store=store"]
        check(run(args, cwd=TMP) == (0, "hi\n", ""), "call with options %s" % pos)
    hist = os.path.join(ws, ".wasmgate", "history.jsonl")
    check(len(open(hist).read().splitlines()) == 6, "three calls recorded in the workspace")
    check(not os.path.exists(os.path.join(TMP, ".wasmgate")), "nothing recorded in the cwd")
    for args in (["history", "--workspace", "ws", "--config", "cfg.toml"],
                 ["--workspace", "ws", "history", "--config=cfg.toml"]):
        rc, out, err = run(args, cwd=TMP)
        check(rc == 0 and len(out.splitlines()) == 6 and err == "", "history %r: %r" % (args, err))
    for args in (["--workspace", "ws", "list", "--config", "cfg.toml", "--project-store=store"],
                 ["list", "--workspace=ws", "--config=cfg.toml", "--project-store", "store"]):
        rc, out, err = run(args, cwd=TMP)
        check(rc == 0 and "- project:hi [active]" in out, "list %r" % args)


def test_refused_everywhere_the_same():
    msg = "wasmgate: %s: --%s does not apply to this command (see --help)\n"
    for cmd, rest in (("pack", ["d", "-o", "f"]), ("digest", ["p"]), ("check", ["p"]),
                      ("help", []), ("wasm", ["run", "m.wasm", "--invoke", "f"])):
        for opt in ("workspace", "config", "project-store", "user-store"):
            before = run(["--" + opt, "x", cmd] + rest)
            check(before == (2, "", msg % (cmd, opt)), "%s refuses --%s before: %r"
                  % (cmd, opt, before))
            after = run([cmd] + rest + ["--%s=x" % opt])
            check(after == before, "%s refuses --%s after: %r" % (cmd, opt, after))
    check(run(["history", "--project-store", "x"]) == (2, "", msg % ("history", "project-store")),
          "history takes no store option")


def test_usage_errors():
    cases = [
        (["call", "Hi", "--workspace", "a", "--workspace", "b"],
         "wasmgate: call: --workspace given twice\n"),
        (["--workspace", "a", "call", "Hi", "--workspace=b"],
         "wasmgate: call: --workspace given twice\n"),
        (["call", "Hi", "--json=yes"], "wasmgate: call: --json takes no value\n"),
        (["call"], "wasmgate: call: usage: wasmgate call TOOL [JSON|-] [--json]\n"),
        (["call", "a", "b", "c"], "wasmgate: call: unexpected argument 'c' (see --help)\n"),
        (["history", "--tail"], "wasmgate: history: --tail needs a value\n"),
        (["history", "--tail="], "wasmgate: history: --tail needs an integer from 1 to "
                                 "1000000, got ''\n"),
        (["history", "--tail", "0"], "wasmgate: history: --tail needs an integer from 1 to "
                                     "1000000, got '0'\n"),
        (["history", "--tail", "-3"], "wasmgate: history: --tail needs an integer from 1 to "
                                      "1000000, got '-3'\n"),
        (["history", "--tail", "99999999999999999999999"],
         "wasmgate: history: --tail needs an integer from 1 to 1000000, got "
         "'99999999999999999999999'\n"),
        (["--workspace=", "tools"], "wasmgate: --workspace needs a non-empty value\n"),
        (["history", "--tail", "1", "--tail", "2"], "wasmgate: history: --tail given twice\n"),
        (["tools", "--bogus"], "wasmgate: tools: unknown option '--bogus' (see --help)\n"),
        (["tools", "-x"], "wasmgate: tools: unknown option '-x' (see --help)\n"),
        (["--bogus", "tools"], "wasmgate: unknown option '--bogus' (see --help)\n"),
        (["--workspace"], "wasmgate: --workspace needs a value\n"),
        (["frobnicate"], "wasmgate: unknown command 'frobnicate' (see --help)\n"),
        (["pack", "d"], "wasmgate: pack: usage: wasmgate pack DIR -o FILE\n"),
        (["--version", "tools"], "wasmgate: --version takes no command\n"),
        (["tools", "\x1b[2J"], "wasmgate: tools: unexpected argument '?[2J' (see --help)\n"),
    ]
    for args, err in cases:
        got = run(args)
        check(got == (2, "", err), "%r: %r" % (args, got))
    # `--` ends the options: "-weird" is a tool name (unknown: exit 1, not 2).
    rc, out, err = run(["--workspace", os.path.join(TMP, "ws"), "call", "--", "-weird"])
    check(rc == 1 and "no registered tool has this name" in out, "-- ends options: %r" % out)


def test_wasm_options():
    """wasm run: options in any position and as --opt=VALUE, negative
    numbers as arguments, `--`, and the parser's usage errors."""
    d = os.path.join(TMP, "wasm")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "add.wat"), "w") as f:
        f.write(ADD_WAT)
    m = os.path.join(d, "add.wasm")
    subprocess.run([WAT2WASM, os.path.join(d, "add.wat"), "-o", m], check=True)
    for args in (["wasm", "run", m, "--invoke", "add", "40", "2"],
                 ["wasm", "run", m, "--invoke=add", "40", "2"],
                 ["wasm", "run", "--invoke", "add", m, "40", "2"],
                 ["wasm", "run", m, "40", "--invoke", "add", "2", "--fuel=100"],
                 ["wasm", "run", m, "--invoke", "add", "--", "40", "2"],
                 ["wasm", "--max-memory-mb=1", "run", m, "--timeout-ms", "5000", "--invoke",
                  "add", "40", "2"]):
        check(run(args) == (0, "i32:42\n", ""), "wasm %r" % args)
    check(run(["wasm", "run", m, "--invoke", "add", "-40", "-2"]) == (0, "i32:-42\n", ""),
          "wasm: negative numbers are arguments")
    cases = [
        (["wasm", "run", m, "--invoke", "add", "--fuel", "1", "--fuel=2", "1", "2"],
         "wasmgate: wasm: --fuel given twice\n"),
        (["wasm", "run", m, "--invoke", "add", "--max-memory-mb", "4097", "1", "2"],
         "wasmgate: wasm: --max-memory-mb needs an integer from 1 to 4096, got '4097'\n"),
        (["wasm", "run", m, "--invoke=", "1", "2"],
         'wasmgate: %s: no exported function ""\n' % m),
        (["wasm", "run", m, "--timeout-ms=x", "--invoke", "add", "1", "2"],
         "wasmgate: wasm: --timeout-ms needs an integer from 1 to 18446744073709551615, "
         "got 'x'\n"),
        (["wasm", "run", m, "--invoke", "add", "--json", "1", "2"],
         "wasmgate: wasm: unknown option '--json' (see --help)\n"),
        (["wasm", "--config=c.toml", "run", m, "--invoke", "add", "1", "2"],
         "wasmgate: wasm: --config does not apply to this command (see --help)\n"),
        (["wasm", "run", m, "--invoke", "add"] + ["1"] * 1001,
         "wasmgate: wasm: unexpected argument '1' (see --help)\n"),
    ]
    for args, err in cases:
        want_rc = 1 if "no exported function" in err else 2
        check(run(args) == (want_rc, "", err), "wasm %r: %r" % (args[:8], run(args)))
    # 1000 arguments fit the parser (the engine's limit); the function takes 2.
    check(run(["wasm", "run", m, "--invoke", "add"] + ["1"] * 1000) ==
          (2, "", "wasmgate: wasm run: add takes 2 arguments, got 1000\n"), "wasm: 1000 arguments")


def test_explain_url_options():
    """explain-url: the global options in either position and as
    --opt=VALUE; --config after the command is honoured."""
    make_workspace()
    cfg = os.path.join(TMP, "explain.toml")
    with open(cfg, "w") as f:
        f.write('[https]\nallow_networks = ["127.0.0.1/32"]\n')
    ws = os.path.join(TMP, "ws")
    url = "https://127.1/x"
    deny = run(["--workspace", ws, "explain-url", "GET", url])
    check(deny[0] == 1 and "decision: deny\n" in deny[1] and deny[2] == "", "explain: deny %r"
          % (deny,))
    allowed = None
    for args in (["--workspace", ws, "--config", "explain.toml", "explain-url", "GET", url],
                 ["explain-url", "GET", url, "--workspace", ws, "--config", "explain.toml"],
                 ["explain-url", "--config=explain.toml", "GET", "--workspace=" + ws, url],
                 ["--config=explain.toml", "explain-url", "GET", url, "--workspace", ws]):
        got = run(args, cwd=TMP)
        check(got[0] == 0 and "allowed by allow_networks 127.0.0.1/32" in got[1] and
              got[2] == "", "explain %r: %r" % (args, got))
        check(allowed is None or got == allowed, "explain: same output for %r" % args)
        allowed = got
    got = run(["explain-url", "GET", url, "--json", "--config=explain.toml"], cwd=TMP)
    check(got[0] == 0 and got[1].startswith('{"decision":"allow",'), "explain --json after")
    cases = [
        (["explain-url", "GET", url, "--json=1"], "wasmgate: explain-url: --json takes no value\n"),
        (["explain-url", "--config", "a", "GET", url, "--config=b"],
         "wasmgate: explain-url: --config given twice\n"),
        (["explain-url", "GET", url, "--bogus"],
         "wasmgate: explain-url: unknown option '--bogus' (see --help)\n"),
        (["explain-url", "GET", url, "--workspace"],
         "wasmgate: explain-url: --workspace needs a value\n"),
        (["explain-url", "GET"], "wasmgate: explain-url needs METHOD and URL (see --help)\n"),
    ]
    for args, err in cases:
        got = run(args)
        check(got == (2, "", err), "explain %r: %r" % (args, got))


def serve_tools(args, cwd=None):
    """Runs `wasmgate ARGS` as a stdio MCP server: initialize, tools/list,
    EOF. Returns (exit status, the tool names listed, stderr)."""
    msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "t", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
    rc, out, err = run(args, cwd=cwd, stdin="".join(json.dumps(m) + "\n" for m in msgs))
    names = None
    for line in out.splitlines():
        reply = json.loads(line)
        if reply.get("id") == 2:
            names = [t["name"] for t in reply["result"]["tools"]]
    return rc, names, err


def test_serve_options():
    """serve: the global options in either position and as --opt=VALUE
    (all four: --config after serve was refused before it had a table),
    its own options in the = form, and the parser's usage errors."""
    make_workspace()
    common = ["--config", "cfg.toml", "--project-store", "store"]
    for args in (["--workspace", "ws"] + common + ["serve", "--quiet"],
                 ["serve", "--quiet", "--workspace", "ws"] + common,
                 ["serve", "--workspace=ws", "--config=cfg.toml", "--project-store=store",
                  "--quiet", "--workers=2", "--max-in-flight=8", "--page-size", "10"],
                 ["--workspace=ws", "serve", "--config", "cfg.toml", "--quiet",
                  "--project-store", os.path.join(TMP, "store")]):
        got = serve_tools(args, cwd=TMP)
        check(got == (0, ["Hi"], ""), "serve %r: %r" % (args, got))
    cases = [
        (["serve", "--bogus"], "wasmgate: serve: unknown option '--bogus' (see --help)\n"),
        (["serve", "extra"], "wasmgate: serve: unexpected argument 'extra' (see --help)\n"),
        (["serve", "--http"], "wasmgate: serve: --http needs a value\n"),
        (["serve", "--http=1", "--http", "2"], "wasmgate: serve: --http given twice\n"),
        (["serve", "--quiet=yes"], "wasmgate: serve: --quiet takes no value\n"),
        (["serve", "--workers=0"],
         "wasmgate: serve: --workers needs an integer from 1 to 256, got '0'\n"),
        (["serve", "--max-message", "1023"],
         "wasmgate: serve: --max-message needs an integer from 1024 to 268435456, got '1023'\n"),
        (["serve", "--http=nope"],
         "wasmgate: serve: --http wants ADDR:PORT (e.g. 127.0.0.1:8080), got 'nope'\n"),
        (["serve", "--allow-origin=http://a.example"],
         "wasmgate: serve: --auth-token-file and --allow-origin need --http\n"),
        (["serve", "--http", "0"] + ["--allow-origin=http://a%d.example" % i for i in range(17)],
         "wasmgate: serve: at most 16 --allow-origin\n"),
        (["serve", "--auth-token-file="], "wasmgate: serve: --auth-token-file needs a non-empty "
                                          "value\n"),
        (["--workspace", "a", "serve", "--workspace=b"], "wasmgate: serve: --workspace given "
                                                         "twice\n"),
    ]
    for args, err in cases:
        got = run(args, stdin="")
        check(got == (2, "", err), "serve %r: %r" % (args, got))


def main():
    try:
        for name, fn in sorted(globals().items()):
            if name.startswith("test_"):
                before = failures
                fn()
                print("%s %s" % ("ok  " if failures == before else "FAIL", name))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
