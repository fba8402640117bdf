#!/usr/bin/env python3
"""End-to-end tests of `wasmgate list`, `show` and `lock` on a workspace
with a project store and a user store (XDG_DATA_HOME set to a temp dir).

Usage: test_cli_plugins.py WASMGATE
Covers every status (active, disabled, missing, rejected, partial), the JSON
item shape, human output, ref lookup errors, config errors with line and
column, the lock round trip and digest-change refusal, and that list/show
write nothing."""
import json
import os
import shutil
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


def run(args, env, cwd=None):
    p = subprocess.run([WG] + args, env=env, cwd=cwd, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


ECHO_PERMS = ('permissions = [ { kind = "surface", surface = "tool" }, '
              '{ kind = "tool", name = "Echo" } ]\n')
RUNTIME = ('[runtime]\nkind = "wasm"\nentry = "plugin.wasm"\n'
           'abi = "yoi-plugin-wasm-1"\n')


def tool(name):
    return ('[[tools]]\nname = "%s"\ndescription = "d"\n'
            'input_schema = { type = "object" }\n' % name)


def manifest(pid, version="1.0.0", extra=ECHO_PERMS + RUNTIME + tool("Echo")):
    return ('schema_version = 1\nid = "%s"\nname = "P %s"\nversion = "%s"\n%s'
            % (pid, pid, version, extra))


def make_dir_pkg(path, text):
    os.makedirs(path)
    if text is not None:
        with open(os.path.join(path, "plugin.toml"), "w") as f:
            f.write(text)
    with open(os.path.join(path, "plugin.wasm"), "wb") as f:
        f.write(b"not wasm")  # inspection never compiles or runs it


def make_zip_pkg(store, name, text, tmp):
    src = os.path.join(tmp, "src-" + name)
    make_dir_pkg(src, text)
    out = os.path.join(store, name + ".yoi-plugin")
    rc, _, err = run(["pack", src, "-o", out], os.environ.copy())
    assert rc == 0, err
    shutil.rmtree(src)
    return out


def digest(path):
    rc, out, err = run(["digest", path], os.environ.copy())
    assert rc == 0, err
    return out.strip().split()[0]


def snapshot(root):
    """Every path and mtime under root: list/show must change nothing."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            out[p] = os.lstat(p).st_mtime_ns
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="wg-cli-plugins-")
    try:
        ws = os.path.join(tmp, "ws")
        project = os.path.join(ws, ".yoi", "plugins")
        xdg = os.path.join(tmp, "xdg")
        user = os.path.join(xdg, "yoi", "plugins")
        os.makedirs(project)
        os.makedirs(user)
        env = os.environ.copy()
        env["XDG_DATA_HOME"] = xdg
        env["HOME"] = os.path.join(tmp, "home")  # must not be used

        echo = make_zip_pkg(project, "echo", manifest("echo"), tmp)
        make_dir_pkg(os.path.join(project, "spare.yoi-plugin"), manifest("spare"))
        make_zip_pkg(project, "pinned", manifest("pinned"), tmp)
        make_zip_pkg(project, "bad", "id = [", tmp)  # invalid TOML
        make_dir_pkg(os.path.join(project, "nomanifest.yoi-plugin"), None)
        mixed = make_zip_pkg(project, "mixed", manifest(
            "mixed", "2", ECHO_PERMS.replace(" ]", ', { kind = "tool", name = "Other" } ]')
            + RUNTIME + tool("Echo") + tool("Other")), tmp)
        uecho = make_zip_pkg(user, "echo", manifest("echo", "0.9"), tmp)
        d_echo, d_mixed, d_uecho = digest(echo), digest(mixed), digest(uecho)

        def grants(pid, version, dg, perms='{ kind = "surface", surface = "tool" }, '
                   '{ kind = "tool", name = "Echo" }'):
            return ('[plugins.enabled.grants]\nid = "%s"\nversion = "%s"\n'
                    'digest = "%s"\npermissions = [ %s ]\n' % (pid, version, dg, perms))

        config = ("[feature.plugins]\nenabled = true\n"
                  '[[plugins.enabled]]\nid = "project:echo"\n'
                  + grants("project:echo", "1.0.0", d_echo) +
                  '[[plugins.enabled]]\nid = "project:mixed"\n'
                  + grants("project:mixed", "2", d_mixed) +
                  '[[plugins.enabled]]\nid = "project:pinned"\ndigest = "sha256:0000"\n'
                  '[[plugins.enabled]]\nid = "project:gone"\n'
                  '[[plugins.enabled]]\nid = "project:bad"\n'
                  '[[plugins.enabled]]\nid = "user:echo"\n'
                  + grants("user:echo", "0.9", d_uecho))
        with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
            f.write(config)

        before = snapshot(tmp)
        rc, out, err = run(["--workspace", ws, "list", "--json"], env)
        check(rc == 0, "list --json exits 0: %s" % err)
        doc = json.loads(out)
        check(doc["workspace"] == os.path.realpath(ws), "workspace is canonical")
        items = {i["reference"]: i for i in doc["items"]}
        check(list(items) == sorted(items), "items sorted by reference")
        expect = {
            "project:echo": "active", "project:spare": "disabled",
            "project:pinned": "rejected", "project:gone": "missing",
            "project:bad": "rejected", "project:mixed": "partial",
            "project:nomanifest": "rejected" if False else "disabled",
            "user:echo": "active",
        }
        # nomanifest is not configured: its diagnostic-only item is rejected.
        expect["project:nomanifest"] = "rejected"
        for ref, status in expect.items():
            check(ref in items and items[ref]["status"] == status,
                  "%s is %s (got %s)" % (ref, status, items.get(ref, {}).get("status")))
        e = items["project:echo"]
        keys = ["reference", "local_ref", "status", "source", "package",
                "package_path", "version", "schema_version", "api_version",
                "digest", "configured", "discovered", "resolved",
                "static_eligible", "declared_surfaces", "enabled_surfaces",
                "requested_permissions", "configured_grants",
                "configured_https_grants", "tools", "static_runtime",
                "diagnostics"]
        check(list(e.keys()) == keys, "item fields in yoi's order: %s" % list(e.keys()))
        check(e["local_ref"] == "echo" and e["source"] == "project", "echo identity")
        check(e["package"] == "echo.yoi-plugin", "package label")
        check(e["package_path"] == os.path.realpath(echo), "package_path")
        check(e["schema_version"] == 1 and e["api_version"] == 1, "schema/api version")
        check(e["digest"] == d_echo, "digest matches `wasmgate digest`")
        check(e["configured_grants"] == ["surfaces.tool", "tool.Echo"], "grants")
        check(e["enabled_surfaces"] == ["tool", "wasm"], "enabled surfaces")
        check(e["declared_surfaces"] == [], "declared_surfaces: explicit list only")
        check(e["tools"] == [{"name": "Echo", "permission": "tool.Echo",
                              "requested": True, "granted": True, "eligible": True,
                              "external_write": False, "diagnostic": None}],
              "tools entry")
        check(e["static_runtime"]["runtime"] == {
            "eligible": True, "status": "wasm/yoi-plugin-wasm-1", "diagnostic": None},
            "static runtime")
        check(e["diagnostics"] == [], "no diagnostics")
        sp = items["project:spare"]
        check(sp["tools"][0]["diagnostic"] == "plugin is discovered but not enabled",
              "disabled tool diagnostic")
        check(sp["static_runtime"] is None, "no static runtime when not resolved")
        pin = items["project:pinned"]
        check(pin["diagnostics"] == [{"kind": "digest", "message":
              "plugin package digest does not match the enabled digest pin"}], "pin diag")
        bad = items["project:bad"]
        kinds = [d["kind"] for d in bad["diagnostics"]]
        check(kinds == ["malformed", "missing"], "bad package diags: %s" % kinds)
        nm = items["project:nomanifest"]
        check(nm["diagnostics"] == [{"kind": "missing", "message":
              "plugin package is missing root plugin.toml"}], "nomanifest diag")
        mx = items["project:mixed"]
        check([t["eligible"] for t in mx["tools"]] == [True, False], "mixed tools")
        for it in doc["items"]:
            for d in it["diagnostics"]:
                check(tmp not in d["message"], "no path in diagnostics")

        rc, out, err = run(["--workspace", ws, "list"], env)
        check(rc == 0, "human list exits 0")
        lines = out.splitlines()
        check(lines[0] == "plugin packages (workspace: %s)" % os.path.realpath(ws), "header")
        check(("- project:echo [active] version=1.0.0 schema_version=1 api_version=1 "
               "package_path=%s digest=%s source=project enabled_surfaces=tool, wasm "
               "tools=1 diagnostics=0" % (os.path.realpath(echo), d_echo)) in lines,
              "echo line")
        check(any(l.startswith("- project:gone [missing] version=<unknown>") for l in lines),
              "missing line")
        check("    diagnostic: enabled plugin package was not discovered" in lines,
              "diagnostic line")
        for s in ["active", "disabled", "missing", "rejected", "partial"]:
            check(("[%s]" % s) in out, "human list shows %s" % s)

        rc, out, err = run(["--workspace", ws, "show", "mixed"], env)
        check(rc == 0, "show mixed exits 0")
        check(out.startswith("plugin project:mixed\n  status: partial\n  source: project\n"),
              "show title and status")
        check("    - Other permission=tool.Other requested=true granted=false "
              "eligible=false external_write=false\n"
              "      diagnostic: granted tool permission for `Other` is missing\n" in out,
              "show tool lines")
        check("  runtime: wasm/yoi-plugin-wasm-1 eligible=true\n" in out, "show runtime")
        check("    - [static_eligibility] tools[1]: granted tool permission for "
              "`Other` is missing\n" in out, "show diagnostics")
        rc, out, err = run(["--workspace", ws, "show", "project:echo", "--json"], env)
        check(rc == 0 and json.loads(out)["reference"] == "project:echo", "show --json")
        rc, out, err = run(["--workspace", ws, "show", "echo"], env)
        check(rc == 1 and err == "wasmgate: plugin package reference `echo` is ambiguous; "
              "use a source-qualified ref\n" and len(err) < 160, "ambiguous ref: %r" % err)
        rc, out, err = run(["--workspace", ws, "show", "nope"], env)
        check(rc == 1 and err == "wasmgate: plugin package `nope` was not found\n"
              and len(err) < 120, "missing ref")
        rc, out, err = run(["--workspace", ws, "show"], env)
        check(rc == 2, "show without ref is a usage error")
        rc, out, err = run(["--workspace", ws, "show", "a", "b"], env)
        check(rc == 2, "extra positional is a usage error")
        rc, out, err = run(["--workspace", ws, "list", "--bogus"], env)
        check(rc == 2 and "unknown option" in err, "unknown option")
        rc, out2, err = run(["list", "--json", "--workspace=" + ws], env)
        check(rc == 0 and json.loads(out2) == doc, "--workspace= after the command")
        rc, out, err = run(["list", "--help"], env)
        check(rc == 0 and out.startswith("usage: wasmgate"), "list --help")
        check(snapshot(tmp) == before, "list/show wrote nothing")

        # Hostile manifest text: JSON stays valid, the terminal sees no
        # control characters.
        weird_ws = os.path.join(tmp, "weird")
        weird_store = os.path.join(weird_ws, ".yoi", "plugins")
        os.makedirs(weird_store)
        weird_tool = 'a\\"b\\\\c\\u001b[2Jd\\u0085e\\u00e9{}[],:'
        make_dir_pkg(os.path.join(weird_store, "weird.yoi-plugin"), manifest(
            "weird", 'v\\u001b]0;x\\u0007', ECHO_PERMS + RUNTIME + tool(weird_tool)))
        rc, out, err = run(["--workspace", weird_ws, "list", "--json", "--user-store",
                            os.path.join(tmp, "none")], env)
        check(rc == 0, "weird list exits 0: %s" % err)
        w_items = json.loads(out)["items"]
        check(w_items[0]["tools"][0]["name"] == 'a"b\\c\x1b[2Jd\x85e\xe9{}[],:',
              "weird tool name round-trips through JSON: %r" % w_items[0]["tools"][0]["name"])
        check(w_items[0]["version"] == "v\x1b]0;x\x07", "weird version in JSON")
        rc, out, err = run(["--workspace", weird_ws, "show", "weird", "--user-store",
                            os.path.join(tmp, "none")], env)
        check(rc == 0 and "\x1b" not in out and "\x07" not in out and "\x85" not in out,
              "human show has no control characters")
        check("  version: v?]0;x?\n" in out, "control characters shown as ?")

        # Store overrides.
        rc, out, err = run(["--workspace", ws, "list", "--json", "--user-store",
                            os.path.join(tmp, "none")], env)
        check(rc == 0 and "user:echo" not in
              [i["reference"] for i in json.loads(out)["items"] if i["discovered"]],
              "--user-store overrides the XDG store")

        # Config errors: located, exit 1, nothing crashes.
        badcfg = os.path.join(tmp, "bad.toml")
        with open(badcfg, "w") as f:
            f.write("[limits]\nfuel = \"x\"\n")
        rc, out, err = run(["--workspace", ws, "--config", badcfg, "list"], env)
        check(rc == 1 and err == "wasmgate: %s:2:8: `limits.fuel` must be an integer, "
              "not a string\n" % badcfg, "wrong type error: %r" % err)
        with open(badcfg, "w") as f:
            f.write("[[plugins.enabled]]\nid = \"project:echo\"\nsurface = [\"tool\"]\n")
        rc, out, err = run(["--workspace", ws, "--config", badcfg, "list"], env)
        check(rc == 1 and err == "wasmgate: %s:3:1: unknown key `surface` in "
              "`plugins.enabled[0]`\n" % badcfg, "unknown key error: %r" % err)
        rc, out, err = run(["--workspace", ws, "--config", os.path.join(tmp, "no.toml"),
                            "list"], env)
        check(rc == 1 and "cannot read config" in err, "--config that does not exist")
        rc, out, err = run(["--workspace", os.path.join(tmp, "nows"), "list"], env)
        check(rc == 1 and "workspace" in err, "missing workspace")
        # No config at all: fine, nothing enabled.
        empty_ws = os.path.join(tmp, "empty")
        os.makedirs(empty_ws)
        rc, out, err = run(["--workspace", empty_ws, "list", "--user-store",
                            os.path.join(tmp, "none")], env)
        check(rc == 0 and out.endswith("  (none)\n"), "empty workspace lists (none)")

        # lock refuses while an enabled entry fails, writes nothing.
        lock_path = os.path.join(ws, "wasmgate.lock")
        rc, out, err = run(["--workspace", ws, "lock"], env)
        check(rc == 1 and not os.path.exists(lock_path), "lock refuses unresolved entries")
        check("[missing/resolution] project:gone: enabled plugin package was not discovered"
              in err, "lock prints diagnostics: %r" % err)
        good = ("[feature.plugins]\nenabled = true\n"
                '[[plugins.enabled]]\nid = "project:echo"\n'
                + grants("project:echo", "1.0.0", d_echo) +
                '[[plugins.enabled]]\nid = "user:echo"\n')
        with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
            f.write(good)
        rc, out, err = run(["--workspace", ws, "lock"], env)
        check(rc == 0 and out == "wrote wasmgate.lock (2 plugin(s))\n", "lock writes")
        with open(lock_path) as f:
            text = f.read()
        check(('[[plugin]]\nid = "project:echo"\nversion = "1.0.0"\ndigest = "%s"\n'
               'tools = ["Echo"]\n' % d_echo) in text, "lock content")
        check(text.index("project:echo") < text.index("user:echo"), "lock order")
        rc, out, err = run(["--workspace", ws, "lock", "--check"], env)
        check(rc == 0, "lock --check is clean right after lock")
        rc, out, err = run(["--workspace", ws, "list", "--json"], env)
        items = {i["reference"]: i for i in json.loads(out)["items"]}
        check(items["project:echo"]["status"] == "active", "locked echo still active")

        # The package changes: refused with the lock, until re-locked.
        os.unlink(echo)
        make_zip_pkg(project, "echo", manifest("echo", "1.0.1"), tmp)
        rc, out, err = run(["--workspace", ws, "list", "--json"], env)
        items = {i["reference"]: i for i in json.loads(out)["items"]}
        e = items["project:echo"]
        check(e["status"] == "rejected" and {"kind": "digest", "message":
              "plugin package digest does not match wasmgate.lock"} in e["diagnostics"],
              "digest change refused: %s" % e["diagnostics"])
        rc, out, err = run(["--workspace", ws, "lock", "--check"], env)
        check(rc == 1 and "[grant/resolution] project:echo: plugin grant digest binding "
              "does not match enabled package digest" in err,
              "the grant is bound to the old digest too: %r" % err)
        with open(lock_path, "a") as f:
            f.write("# edited\n")
        with open(os.path.join(ws, "wasmgate.toml"), "w") as f:
            f.write('[[plugins.enabled]]\nid = "user:echo"\n')
        rc, out, err = run(["--workspace", ws, "lock", "--check"], env)
        check(rc == 1 and "out of date" in err, "lock --check notices a stale file")
        os.unlink(lock_path)
        os.mkfifo(lock_path)
        rc, out, err = run(["--workspace", ws, "lock", "--check"], env)
        check(rc == 1 and "out of date" in err, "a FIFO lock never blocks --check")
        rc, out, err = run(["--workspace", ws, "list"], env)
        check(rc == 1 and err == "wasmgate: wasmgate.lock: cannot read lock file: "
              "not a regular file\n",
              "a FIFO lock is an error for list: %r" % err)
        os.unlink(lock_path)
        with open(lock_path, "w") as f:
            f.write("version = 1\n[[plugin]]\nid = \"project:echo\"\nbogus = 1\n")
        rc, out, err = run(["--workspace", ws, "list"], env)
        check(rc == 1 and err.startswith("wasmgate: wasmgate.lock:4:1: unknown key `bogus`"),
              "bad lock file is a located error: %r" % err)
        os.unlink(lock_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d checks, %d failed" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
