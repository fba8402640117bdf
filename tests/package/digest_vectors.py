#!/usr/bin/env python3
"""digest_vectors.py: an independent implementation of yoi's package digest
(docs/design.md, "Digest") with python3 hashlib, and an independent ZIP writer
(python's zipfile), used two ways:

  digest_vectors.py --print
      prints `name digest` for each known-answer vector; these values are
      checked in to test_digest.c (regenerate them with this command).

  digest_vectors.py TOOL WORKDIR
      run at test time by ctest: writes every vector as a directory package
      and as a zipfile-made stored ZIP under WORKDIR, runs TOOL PATH on each
      and requires TOOL to print exactly the hashlib digest. Then it writes a
      few archives zipfile makes that yoi rejects (deflate, directory
      entries, no plugin.toml) and requires TOOL to fail with yoi's kind;
      if Info-ZIP `zip` is installed, the same with its archives.
"""
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import zipfile

MANIFEST = (b'schema_version = 1\nid = "example"\nname = "Example"\n'
            b'version = "0.1.0"\n')

VECTORS = {
    "minimal": {"plugin.toml": MANIFEST},
    "empty-file": {"plugin.toml": MANIFEST, "empty": b""},
    "ordering": {"plugin.toml": MANIFEST, "a-b": b"1", "a/b": b"2", "A": b"3",
                 "a/b0": b"4"},
    "binary": {"plugin.toml": MANIFEST, "plugin.wasm": bytes(range(256)) * 3},
    "utf8": {"plugin.toml": MANIFEST,
             "docs/\u6a5f\u5bc6.md": "\u79d8\u5bc6\n".encode("utf-8")},
    "nested": {"plugin.toml": MANIFEST, "hooks/a/b/c.md": b"deep",
               "hooks/a.md": b"shallow"},
}


def digest(files):
    """yoi's deterministic_digest over {path: bytes}."""
    outer = hashlib.sha256()
    outer.update(b"yoi-plugin-package-digest-v1\0")
    for path in sorted(files, key=lambda p: p.encode("utf-8")):
        data = files[path]
        outer.update(path.encode("utf-8"))
        outer.update(b"\0")
        outer.update(struct.pack(">Q", len(data)))
        outer.update(hashlib.sha256(data).digest())
    return "sha256:" + outer.hexdigest()


def write_dir(root, files):
    for path, data in files.items():
        full = os.path.join(root, *path.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)


def write_zip(path, files, method=zipfile.ZIP_STORED, dirs=()):
    with zipfile.ZipFile(path, "w", compression=method) as z:
        for d in dirs:
            z.writestr(zipfile.ZipInfo(d), b"")
        # reverse order: the digest must not depend on entry order
        for name in sorted(files, reverse=True):
            z.writestr(zipfile.ZipInfo(name), files[name], compress_type=method)


def run(tool, path):
    p = subprocess.run([tool, path], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def check(tool, work):
    failures = 0
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    for name, files in VECTORS.items():
        want = digest(files)
        d = os.path.join(work, name + ".yoi-plugin.d")
        z = os.path.join(work, name + ".yoi-plugin")
        write_dir(d, files)
        write_zip(z, files)
        for path in (d, z):
            rc, out, err = run(tool, path)
            if rc != 0 or out != want:
                print(f"FAIL {name} {os.path.basename(path)}: rc={rc} "
                      f"got {out or err!r} want {want}")
                failures += 1
    rejects = [
        ("deflated", dict(files=VECTORS["binary"], method=zipfile.ZIP_DEFLATED),
         "api"),
        ("dir-entries", dict(files=VECTORS["nested"], dirs=("hooks/",)),
         "traversal"),
        ("no-manifest", dict(files={"README": b"x"}), "missing"),
    ]
    for name, kw, kind in rejects:
        z = os.path.join(work, name + ".yoi-plugin")
        write_zip(z, **kw)
        rc, out, err = run(tool, z)
        if rc != 1 or not err.startswith(kind + ": "):
            print(f"FAIL reject {name}: rc={rc} stderr {err!r}, want {kind}")
            failures += 1
    checks = len(VECTORS) * 2 + len(rejects)
    if shutil.which("zip"):
        checks, failures = checks + 4, failures + check_info_zip(tool, work)
    else:
        print("note: Info-ZIP `zip` not installed; its interop checks skipped")
    shutil.rmtree(work)
    print(f"{checks} checks, {failures} failed")
    return 1 if failures else 0


def check_info_zip(tool, work):
    """Packages made by Info-ZIP, as yoi's authoring guide suggests."""
    files = VECTORS["nested"]
    src = os.path.join(work, "infozip.src")
    write_dir(src, files)
    cases = [
        (["-0", "-r", "-D"], digest(files)),  # no directory entries: accepted
        (["-0", "-r"], "traversal"),           # "hooks/" entries
        (["-9", "-r", "-D"], "api"),           # deflate
    ]
    failures = 0
    for i, (flags, want) in enumerate(cases):
        out = os.path.join(work, f"infozip{i}.yoi-plugin")
        subprocess.run(["zip", "-q", "-X"] + flags + [out, "."], cwd=src,
                       check=True)
        rc, got, err = run(tool, out)
        ok = (rc == 0 and got == want) if want.startswith("sha256:") else \
            (rc == 1 and err.startswith(want + ": "))
        if not ok:
            print(f"FAIL zip {' '.join(flags)}: rc={rc} {got or err!r}, want {want}")
            failures += 1
    os.symlink("plugin.toml", os.path.join(src, "link"))
    out = os.path.join(work, "infozip-symlink.yoi-plugin")
    subprocess.run(["zip", "-q", "-X", "-0", "-r", "-D", "-y", out, "."],
                   cwd=src, check=True)
    rc, got, err = run(tool, out)
    if rc != 1 or err != "traversal: plugin package contains a symlink entry":
        print(f"FAIL zip -y: rc={rc} {got or err!r}")
        failures += 1
    return failures


def main(argv):
    if len(argv) == 2 and argv[1] == "--print":
        for name, files in VECTORS.items():
            print(name, digest(files))
        return 0
    if len(argv) == 3:
        return check(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
