#!/usr/bin/env python3
"""check_links.py: every internal link of README.md and docs/*.md
resolves: a relative path names a file or directory of the repository, and
a `#fragment` names a heading of its target (GitHub's anchors: lowercase,
punctuation dropped, spaces as hyphens, repeats numbered -1, -2...).
Links inside code are not links. External links (a scheme, or //) are not
followed: no test leaves the machine.

usage: check_links.py ROOT
"""
import glob
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1])
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
failures = 0


def prose(text, keep_code=False):
    """text without fenced blocks and (unless keep_code) inline code, line
    numbers kept."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append("")
            continue
        if m:
            fence = m.group(1)
            out.append("")
            continue
        out.append(line if keep_code else re.sub(r"(`+)(?:(?!\1).)+\1", "", line))
    return out


def slug(heading, seen):
    s = re.sub(r"<[^>]+>", "", heading)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s).replace("`", "").strip().lower()
    s = re.sub(r"[^\w\- ]", "", s).replace(" ", "-")
    n = seen.get(s, 0)
    seen[s] = n + 1
    return s if n == 0 else "%s-%d" % (s, n)


def anchors(path, cache={}):
    if path not in cache:
        seen, found = {}, set()
        for line in prose(open(path, encoding="utf-8").read(), keep_code=True):
            m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if m:
                found.add(slug(m.group(1), seen))
        cache[path] = found
    return cache[path]


def check(doc):
    global failures
    rel = os.path.relpath(doc, ROOT)
    lines = prose(open(doc, encoding="utf-8").read())
    checked = 0
    for n, line in enumerate(lines, 1):
        targets = INLINE.findall(line) + [m.group(1) for m in [REFDEF.match(line)] if m]
        for t in targets:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", t):
                continue
            checked += 1
            path, _, frag = t.partition("#")
            target = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
            if not target.startswith(ROOT + os.sep) and target != ROOT:
                print("FAIL %s:%d: %s leaves the repository" % (rel, n, t))
                failures += 1
            elif not os.path.exists(target):
                print("FAIL %s:%d: %s: no such file" % (rel, n, t))
                failures += 1
            elif frag and (not target.endswith(".md") or frag not in anchors(target)):
                print("FAIL %s:%d: %s: no heading with this anchor in %s"
                      % (rel, n, t, os.path.relpath(target, ROOT)))
                failures += 1
    return checked


def main():
    docs = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    total = sum(check(d) for d in docs)
    print("%d internal links in %d files, %d broken" % (total, len(docs), failures))
    return 1 if failures or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
