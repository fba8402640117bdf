#!/usr/bin/env python3
"""test_demo.py: runs scripts/demo_tour.sh (the tour scripts/demo.sh shows
after building) on the test build's wasmgate and example plugins, and
checks what it prints: each step's exact lines, the exit status of the
calls that fail on purpose, and that the history holds every call.

Run inside tests/host/netns/run_in_netns.py (the tour's RepoInfo call is
refused before any lookup; the namespace makes sure nothing could leave).
Usage: test_demo.py WASMGATE EXAMPLES_DIR SOURCE_DIR
"""
import os
import re
import subprocess
import sys

WG, EXAMPLES, SOURCE = sys.argv[1:4]
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def main():
    tour = os.path.join(SOURCE, "scripts", "demo_tour.sh")
    p = subprocess.run(["bash", tour, WG, EXAMPLES], capture_output=True,
                       text=True, timeout=300)
    out = p.stdout
    check(p.returncode == 0, "tour exit %d, stderr %r" % (p.returncode, p.stderr[-2000:]))
    lines = out.splitlines()

    def has(line):
        check(line in lines, "missing line %r" % line)

    for tool in ("Echo (project:echo)", "TextStats (project:text-stats)",
                 "JsonSum (project:json-sum)", "RepoInfo (project:repo-info)"):
        has(tool)
    has("words: 5, lines: 2, chars: 39, bytes: 39")
    check(re.search(r'^\{"is_error":false,"summary":"sum: 1003\.5 \(3 numbers\)",'
                    r'"content":"\{\\"count\\":3,\\"sum\\":1003\.5\}"', out, re.M),
          "JsonSum --json line")
    has("Invalid argument: plugin tool `JsonSum` input does not match input_schema "
        "at /numbers/0: type: expected number, got string")
    has("initialize -> 2025-06-18 wasmgate")
    has('tools/call Echo -> echo | {"message":"hello over MCP"}')
    # the policy: one allow, then three refusals with their codes
    check(out.count("decision: allow") == 1, "one allow")
    check(out.count("decision: deny") == 2, "two explain-url denials")
    has("rule: path_not_granted")
    has("url: https://127.0.0.1/repos/octo/demo")
    has("code: https_private_address")
    check(re.search(r"failed closed: WASM output error: HTTPS request GET "
                    r"https://api\.evil\.example/repos/octo/demo is not covered by "
                    r"host/method/path grants \(host not granted\)$", out, re.M),
          "RepoInfo refused")
    check(out.count("(exit 1)") == 4, "four commands fail on purpose, got %d"
          % out.count("(exit 1)"))
    # history: five calls, a tool_call and a tool_result each, in order
    hist = [l for l in lines if re.match(r"^\d{4}-\d\d-\d\dT.* call_[0-9a-f]{24} tool_", l)]
    kinds = [l.split()[2] for l in hist]
    check(kinds == ["tool_call", "tool_result"] * 5, "history kinds %r" % kinds)
    codes = re.findall(r" tool_result \[([a-z_]+)\]", "\n".join(hist))
    check(codes == ["ok", "ok", "schema_mismatch", "ok", "https_grant_denied"],
          "history codes %r" % codes)
    tail = [l for l in lines if l.startswith('{"kind":"tool_')]
    check(len(tail) == 2 and tail[0].startswith('{"kind":"tool_call"')
          and tail[1].startswith('{"kind":"tool_result"'), "history.jsonl tail")
    print("demo tour: %d failures" % failures)
    return 1 if failures else 0


sys.exit(main())
