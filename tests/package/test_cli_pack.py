#!/usr/bin/env python3
"""test_cli_pack.py: end-to-end tests of `wasmgate pack` and `wasmgate
digest`: exact stdout, stderr and exit status; `digest DIR` equals `digest`
of `pack DIR`; pack is byte-for-byte deterministic, refuses outputs inside
its input or that are symlinks, and leaves nothing behind on failure; no
diagnostic contains a path.

usage: test_cli_pack.py WASMGATE
Prints one line per failure and ends with `N passed, M failed`."""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

WASMGATE = sys.argv[1]
passed = 0
failed = 0

MANIFEST = (b'schema_version = 1\nid = "demo"\nname = "Demo"\n'
            b'version = "1.0.0"\n')


def run(args):
    p = subprocess.run([WASMGATE] + args, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def expect(name, args, code, out=None, err=None, err_prefix=None):
    rc, so, se = run(args)
    ok = rc == code
    ok = ok and (out is None or so == out)
    ok = ok and (err is None or se == err)
    ok = ok and (err_prefix is None or se.startswith(err_prefix))
    check(name, ok, f"rc={rc} stdout={so!r} stderr={se!r}")
    return so


def digest(files):
    h = hashlib.sha256(b"yoi-plugin-package-digest-v1\0")
    for path in sorted(files, key=lambda p: p.encode()):
        data = files[path]
        h.update(path.encode() + b"\0" + struct.pack(">Q", len(data)))
        h.update(hashlib.sha256(data).digest())
    return "sha256:" + h.hexdigest()


def write_tree(root, files):
    for path, data in files.items():
        full = os.path.join(root, *path.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)


def main():
    tmp = tempfile.mkdtemp(prefix="wg-cli-pack-")
    files = {"plugin.toml": MANIFEST, "hooks/a.md": b"hello",
             "plugin.wasm": b"\0asm\1\0\0\0"}
    src = os.path.join(tmp, "demo.yoi-plugin")
    write_tree(src, files)
    os.makedirs(os.path.join(src, "empty"))
    want = digest(files)
    out_a = os.path.join(tmp, "a.yoi-plugin")
    out_b = os.path.join(tmp, "b.yoi-plugin")

    # help and usage
    for cmd in ("pack", "digest"):
        rc, so, se = run([cmd, "--help"])
        check(f"{cmd} --help", rc == 0 and so.startswith(f"usage: wasmgate {cmd}")
              and se == "", f"rc={rc}")
    expect("pack no args", ["pack"], 2,
           err="wasmgate: pack: usage: wasmgate pack DIR -o FILE\n")
    expect("pack no -o", ["pack", src], 2,
           err="wasmgate: pack: usage: wasmgate pack DIR -o FILE\n")
    expect("pack -o no value", ["pack", src, "-o"], 2,
           err="wasmgate: pack: -o needs a value\n")
    expect("pack bad option", ["pack", "--zip", src], 2,
           err="wasmgate: pack: unknown option '--zip' (see --help)\n")
    expect("digest no args", ["digest"], 2,
           err="wasmgate: digest: usage: wasmgate digest PATH\n")
    expect("digest two args", ["digest", src, src], 2)

    # digest of the directory, pack, digest of the file: all equal
    expect("digest dir", ["digest", src], 0, out=want + "\n", err="")
    expect("pack", ["pack", src, "-o", out_a], 0, out=want + "\n", err="")
    expect("digest packed", ["digest", out_a], 0, out=want + "\n", err="")
    os.utime(os.path.join(src, "hooks", "a.md"), (1, 1))
    expect("pack again", ["pack", "--output", out_b, src], 0, out=want + "\n")
    a = open(out_a, "rb").read()
    b = open(out_b, "rb").read()
    check("deterministic bytes", a == b)
    with zipfile.ZipFile(out_a) as z:
        infos = z.infolist()
        check("zip names sorted, no dirs",
              [i.filename for i in infos] == ["hooks/a.md", "plugin.toml",
                                              "plugin.wasm"])
        check("stored, 1980 timestamps",
              all(i.compress_type == 0 and i.date_time == (1980, 1, 1, 0, 0, 0)
                  for i in infos))
        check("zipfile verifies CRCs", z.testzip() is None)

    # a one-byte change changes the digest
    with open(os.path.join(src, "plugin.wasm"), "r+b") as f:
        f.seek(7)
        f.write(b"\1")
    changed = dict(files, **{"plugin.wasm": b"\0asm\1\0\0\1"})
    expect("changed digest", ["digest", src], 0, out=digest(changed) + "\n")
    check("changed differs", digest(changed) != want)

    # refusals: inside the input, a symlink, a directory
    inside = os.path.join(src, "self.yoi-plugin")
    expect("pack into input", ["pack", src, "-o", inside], 2,
           err="wasmgate: pack: output path is inside the input package\n")
    check("nothing written inside", not os.path.exists(inside))
    victim = os.path.join(tmp, "victim")
    open(victim, "wb").write(b"keep")
    link = os.path.join(tmp, "link.yoi-plugin")
    os.symlink(victim, link)
    expect("pack onto symlink", ["pack", src, "-o", link], 2,
           err="wasmgate: pack: output path exists and is not a regular file\n")
    check("symlink target untouched", open(victim, "rb").read() == b"keep")
    expect("pack onto input", ["pack", src, "-o", src], 2)

    # bad packages: kind: message, exit 1, no path, nothing written
    os.symlink("/etc/passwd", os.path.join(src, "hooks", "evil"))
    out_c = os.path.join(tmp, "c.yoi-plugin")
    expect("pack symlink entry", ["pack", src, "-o", out_c], 1,
           err="traversal: plugin package contains a symlink entry\n")
    expect("digest symlink entry", ["digest", src], 1,
           err="traversal: plugin package contains a symlink entry\n")
    check("no output on failure", not os.path.exists(out_c))
    check("no temp files",
          sorted(os.listdir(tmp)) == ["a.yoi-plugin", "b.yoi-plugin",
                                      "demo.yoi-plugin", "link.yoi-plugin",
                                      "victim"], str(os.listdir(tmp)))
    expect("digest missing", ["digest", os.path.join(tmp, "nope")], 1,
           err="io: plugin package metadata could not be read: not found\n")
    expect("digest symlink package", ["digest", link], 1,
           err="malformed: plugin package candidate is not a regular file\n")
    fifo = os.path.join(tmp, "fifo.yoi-plugin")
    os.mkfifo(fifo)
    expect("digest fifo", ["digest", fifo], 1,
           err="malformed: plugin package candidate is not a regular file\n")
    deflated = os.path.join(tmp, "deflated.yoi-plugin")
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("plugin.toml", MANIFEST)
    expect("digest deflated", ["digest", deflated], 1,
           err="api: plugin package uses an unsupported zip compression method\n")
    with zipfile.ZipFile(deflated, "w") as z:
        z.writestr("README", b"x")
    expect("digest no manifest", ["digest", deflated], 1,
           err="missing: plugin package is missing root plugin.toml\n")

    subprocess.run(["rm", "-rf", tmp])
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
