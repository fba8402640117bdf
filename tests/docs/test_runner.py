#!/usr/bin/env python3
"""test_runner.py: the doc-test runner can fail. Runs test_docs.py on
fixtures/broken.md and broken-file.md (examples wrong on purpose, next to
right ones) and checks that it reports exactly the expected failures, in
document order, and runs nothing after the step that stops a session.

usage: test_runner.py WASMGATE EXAMPLES_DIR SOURCE_ROOT   (inside run_in_netns.py)
"""
import os
import re
import subprocess
import sys

WASMGATE, EXAMPLES, SOURCE = sys.argv[1:4]
HERE = os.path.dirname(os.path.abspath(__file__))
DOC = "tests/docs/fixtures/broken.md"

# Per document, in document order: the failures it must report, and how
# many of its steps run.
EXPECTED = {
    "tests/docs/fixtures/broken.md": ([
        r"`printf 'one\\ntwo\\n'` printed:\none\ntwo\nthe doc shows:\none\nthree$",
        r"`wasmgate call Nothing` exited 1, the doc says 0:",
        r"wasmgate list refuses this config: wasmgate: .*:2:8: `limits\.fuel` must be between 1 "
        r"and 1125899906842624$",
        r"not valid JSON: ",
        r"a block needs a language the doc-test knows .* got 'cobol'$",
        r"a skip marker needs a reason$",
        r"not an excerpt of pdk/c/wasmgate_plugin\.h \(from `int "
        r"no_such_line_in_the_header\(void\);` on\)$",
        r"a command outside a fenced block",
        r"the session stopped here \(a command failed\):\ntrue\nfalse\necho never\n$",
    ], "7 of 9"),
    "tests/docs/fixtures/broken-file.md": ([
        r"the session stopped here \(a command failed\):\n.* helper write 'wasmgate.toml' .*\n"
        r"doctest: wasmgate list refuses wasmgate.toml: wasmgate: wasmgate.toml:2:11: "
        r"`feature.plugins.enabled` must be a boolean, not a string\n$",
    ], "1 of 3"),
}


def failures(stderr):
    """{document: [(line, message)]} from the runner's FAIL reports (a
    report may span lines)."""
    out, cur = {}, None
    for line in stderr.splitlines():
        m = re.match(r"FAIL ([^:]+):(\d+): (.*)", line)
        if m:
            cur = [int(m.group(2)), m.group(3)]
            out.setdefault(m.group(1), []).append(cur)
        elif cur:
            cur[1] += "\n" + line
    for v in out.values():
        v.sort(key=lambda f: f[0])
    return out


def main():
    p = subprocess.run([sys.executable, os.path.join(HERE, "test_docs.py"), "--wasmgate", WASMGATE,
                        "--examples", EXAMPLES, "--source", SOURCE] + list(EXPECTED),
                       capture_output=True, text=True, timeout=300)
    got = failures(p.stderr)
    problems = []
    if p.returncode != 1:
        problems.append("exit %d, expected 1" % p.returncode)
    total = 0
    for doc, (want, steps) in EXPECTED.items():
        have = got.get(doc, [])
        total += len(want)
        if len(have) != len(want):
            problems.append("%s: %d failures, expected %d" % (doc, len(have), len(want)))
        for (line, msg), pat in zip(have, want):
            if not re.match(pat, msg + "\n" if pat.endswith("\\n$") else msg, re.S):
                problems.append("%s:%d: %r does not match %r" % (doc, line, msg, pat))
        if "%s: %s steps ran" % (doc, steps) not in p.stdout:
            problems.append("%s: not '%s steps ran'" % (doc, steps))
    if "\n%d failed\n" % total not in "\n" + p.stdout:
        problems.append("no '%d failed' line" % total)
    for line in problems:
        print("FAIL " + line)
    if problems:
        print(p.stdout + p.stderr)
    print("%d failures reported as expected, %d problems" % (total, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
