#!/usr/bin/env python3
"""test_cli_wasm.py: end-to-end tests of `wasmgate wasm run` and the main
program's --help/--version: exact stdout, stderr and exit status.

usage: test_cli_wasm.py WASMGATE MODULE_DIR VERSION

MODULE_DIR holds the wat/*.wat modules built by wat2wasm (NAME.wasm). Where
the engine chooses the wording (trap and decoder messages) only the fixed
prefix of the line is checked; everything the CLI itself writes is exact.
Prints one line per failure and ends with `N passed, M failed`."""
import os
import re
import subprocess
import sys
import tempfile
import time

WASMGATE, MODULES, VERSION = sys.argv[1], sys.argv[2], sys.argv[3]
passed = 0
failed = 0


def mod(name):
    return os.path.join(MODULES, name + ".wasm")


def run(args, timeout=20):
    start = time.monotonic()
    p = subprocess.run([WASMGATE] + args, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), time.monotonic() - start


def check(name, args, code, out=None, err=None, out_re=None, err_re=None,
          max_seconds=None):
    """Runs wasmgate ARGS; out/err are exact texts, *_re full-match regexes."""
    global passed, failed
    try:
        rc, so, se, secs = run(args)
    except subprocess.TimeoutExpired:
        print(f"FAIL {name}: timed out")
        failed += 1
        return
    problems = []
    if rc != code:
        problems.append(f"exit {rc}, expected {code}")
    if out is not None and so != out:
        problems.append(f"stdout {so!r}, expected {out!r}")
    if err is not None and se != err:
        problems.append(f"stderr {se!r}, expected {err!r}")
    if out_re is not None and not re.fullmatch(out_re, so, re.S):
        problems.append(f"stdout {so!r} does not match {out_re!r}")
    if err_re is not None and not re.fullmatch(err_re, se, re.S):
        problems.append(f"stderr {se!r} does not match {err_re!r}")
    if max_seconds is not None and secs > max_seconds:
        problems.append(f"took {secs:.2f}s, limit {max_seconds}s")
    if problems:
        print(f"FAIL {name}: " + "; ".join(problems))
        failed += 1
    else:
        passed += 1


V = mod("values")
USAGE = ("usage: wasmgate wasm run FILE --invoke NAME [ARG...] [--fuel N] "
         "[--timeout-ms N] [--max-memory-mb N]\n")
ONE_LINE = r"[^\n]*\n"  # an engine-worded message: one line

# --- main program ---------------------------------------------------------
check("version", ["--version"], 0, out=f"wasmgate {VERSION}\n", err="")
check("help", ["--help"], 0, out_re=r"usage: wasmgate .*wasm .*", err="")
check("wasm help", ["wasm", "--help"], 0, out_re=re.escape(USAGE) + ".*", err="")
check("wasm run help", ["wasm", "run", "--help"], 0,
      out_re=re.escape(USAGE) + ".*", err="")
check("wasm no subcommand", ["wasm"], 2, out="", err_re=re.escape(USAGE) + ".*")
check("wasm unknown subcommand", ["wasm", "walk"], 2, out="",
      err="wasmgate: wasm: unknown subcommand 'walk' (see wasmgate wasm --help)\n")

# --- results ----------------------------------------------------------------
check("i32 add", ["wasm", "run", V, "--invoke", "add", "2", "3"], 0,
      out="i32:5\n", err="")
check("i32 signed out", ["wasm", "run", V, "--invoke", "add", "-1", "0"], 0,
      out="i32:-1\n")
check("i32 unsigned in", ["wasm", "run", V, "--invoke", "add", "4294967295", "0"],
      0, out="i32:-1\n")
check("i32 hex wraps", ["wasm", "run", V, "--invoke", "add", "0x7fffffff", "1"],
      0, out="i32:-2147483648\n")
check("i32 min", ["wasm", "run", V, "--invoke", "add", "-2147483648", "0"], 0,
      out="i32:-2147483648\n")
check("options after args", ["wasm", "run", V, "2", "--invoke", "add", "40"], 0,
      out="i32:42\n")
check("i64 wraps", ["wasm", "run", V, "--invoke", "add64",
                    "9223372036854775807", "1"], 0,
      out="i64:-9223372036854775808\n")
check("i64 unsigned max", ["wasm", "run", V, "--invoke", "add64",
                           "18446744073709551615", "0"], 0, out="i64:-1\n")
check("f32 round-trip", ["wasm", "run", V, "--invoke", "id32", "0.1"], 0,
      out="f32:0.100000001\n")
check("f64 round-trip", ["wasm", "run", V, "--invoke", "id64", "0.1"], 0,
      out="f64:0.10000000000000001\n")
check("f64 -0", ["wasm", "run", V, "--invoke", "id64", "-0"], 0, out="f64:-0\n")
check("f64 inf", ["wasm", "run", V, "--invoke", "id64", "inf"], 0,
      out="f64:inf\n")
check("f32 -inf", ["wasm", "run", V, "--invoke", "id32", "-inf"], 0,
      out="f32:-inf\n")
check("f64 nan", ["wasm", "run", V, "--invoke", "id64", "nan"], 0,
      out="f64:nan\n")
check("f64 -nan", ["wasm", "run", V, "--invoke", "id64", "-nan"], 0,
      out="f64:-nan\n")
check("f32 nan payload", ["wasm", "run", V, "--invoke", "id32", "nan:0x1"], 0,
      out="f32:nan:0x1\n")
check("f64 bits", ["wasm", "run", V, "--invoke", "id64", "0xfff0000000000001"],
      0, out="f64:-nan:0x1\n")
check("f32 bits", ["wasm", "run", V, "--invoke", "id32", "0x3fc00000"], 0,
      out="f32:1.5\n")
check("f64 division", ["wasm", "run", V, "--invoke", "fdiv", "1", "3"], 0,
      out="f64:0.33333333333333331\n")
check("multi-value", ["wasm", "run", V, "--invoke", "multi"], 0,
      out="i32:-7\ni64:42\nf32:1.5\nf64:-2.25\n", err="")
check("no results", ["wasm", "run", V, "--invoke", "nothing"], 0, out="",
      err="")
check("externref null", ["wasm", "run", V, "--invoke", "ext", "null"], 0,
      out="externref:null\n")
check("funcref null", ["wasm", "run", V, "--invoke", "nullfunc"], 0,
      out="funcref:null\n")
check("fuel enough", ["wasm", "run", V, "--invoke", "add", "1", "2",
                      "--fuel", "1000"], 0, out="i32:3\n")

# --- traps and limits -------------------------------------------------------
check("trap div", ["wasm", "run", V, "--invoke", "div", "1", "0"], 1, out="",
      err_re=r"trap: integer_divide_by_zero: integer divide by zero\n")
check("trap overflow", ["wasm", "run", V, "--invoke", "div", "-2147483648",
                        "-1"], 1, out="",
      err_re=r"trap: integer_overflow: integer overflow\n")
check("trap unreachable", ["wasm", "run", V, "--invoke", "crash"], 1, out="",
      err_re=r"trap: unreachable: unreachable executed\n")
check("fuel exhausted", ["wasm", "run", V, "--invoke", "spin", "--fuel",
                         "100000"], 1, out="",
      err_re=r"trap: fuel_exhausted: fuel exhausted\n", max_seconds=5)
check("deadline", ["wasm", "run", V, "--invoke", "spin", "--timeout-ms", "200"],
      1, out="", err_re=r"trap: deadline: deadline exceeded\n", max_seconds=5)
check("start spins, fuel", ["wasm", "run", mod("start_spin"), "--invoke", "f",
                           "--fuel", "100000"], 1, out="",
      err_re=r"trap: fuel_exhausted: fuel exhausted\n", max_seconds=5)
check("start spins, deadline", ["wasm", "run", mod("start_spin"), "--invoke",
                                "f", "--timeout-ms", "100"], 1, out="",
      err_re=r"trap: deadline: deadline exceeded\n", max_seconds=5)
check("start traps", ["wasm", "run", mod("start_trap"), "--invoke", "f"], 1,
      out="", err_re=r"trap: unreachable: unreachable executed\n")

# --- bad modules and files ----------------------------------------------------
with tempfile.TemporaryDirectory() as tmp:
    junk = os.path.join(tmp, "junk.wasm")
    with open(junk, "wb") as f:
        f.write(b"not a wasm module at all")
    check("malformed", ["wasm", "run", junk, "--invoke", "f"], 1, out="",
          err_re=re.escape(f"wasmgate: {junk}: malformed module at byte 0: ")
          + ONE_LINE)
    empty = os.path.join(tmp, "empty.wasm")
    open(empty, "wb").close()
    check("empty file", ["wasm", "run", empty, "--invoke", "f"], 1, out="",
          err_re=re.escape(f"wasmgate: {empty}: malformed module at byte 0: ")
          + ONE_LINE)
    missing = os.path.join(tmp, "missing.wasm")
    check("missing file", ["wasm", "run", missing, "--invoke", "f"], 1, out="",
          err=f"wasmgate: cannot open {missing}: No such file or directory\n")
    big = os.path.join(tmp, "big.wasm")
    with open(big, "wb") as f:
        f.truncate(256 * 1024 * 1024 + 1)  # sparse: costs no disk
    check("file over 256 MiB", ["wasm", "run", big, "--invoke", "f"], 1,
          out="", err=f"wasmgate: {big} is larger than the limit of "
                      "268435456 bytes\n", max_seconds=5)
    check("directory", ["wasm", "run", tmp, "--invoke", "f"], 1, out="",
          err=f"wasmgate: {tmp} is not a regular file\n")
I = mod("invalid")
check("invalid", ["wasm", "run", I, "--invoke", "f"], 1, out="",
      err_re=re.escape(f"wasmgate: {I}: invalid module at byte ") + r"\d+: "
      + ONE_LINE)
M = mod("imports")
check("imports", ["wasm", "run", M, "--invoke", "f"], 1, out="",
      err=f'wasmgate: {M}: link error: unknown import "env"."host_log" '
          '(wasm run provides no imports)\n')

# --- usage errors -------------------------------------------------------------
check("missing export", ["wasm", "run", V, "--invoke", "nope"], 1, out="",
      err=f'wasmgate: {V}: no exported function "nope"\n')
check("export not a function", ["wasm", "run", V, "--invoke", "memory"], 1,
      out="", err=f'wasmgate: {V}: no exported function "memory"\n')
check("too few args", ["wasm", "run", V, "--invoke", "add", "1"], 2, out="",
      err="wasmgate: wasm run: add takes 2 arguments, got 1\n")
check("too many args", ["wasm", "run", V, "--invoke", "id64", "1", "2"], 2,
      out="", err="wasmgate: wasm run: id64 takes 1 argument, got 2\n")
check("bad i32", ["wasm", "run", V, "--invoke", "add", "1", "x"], 2, out="",
      err="wasmgate: wasm run: argument 2: 'x' is not a valid i32\n")
check("i32 too big", ["wasm", "run", V, "--invoke", "add", "4294967296", "0"],
      2, out="",
      err="wasmgate: wasm run: argument 1: '4294967296' is not a valid i32\n")
check("i32 too small", ["wasm", "run", V, "--invoke", "add", "-2147483649",
                        "0"], 2, out="",
      err="wasmgate: wasm run: argument 1: '-2147483649' is not a valid i32\n")
check("bad f64", ["wasm", "run", V, "--invoke", "id64", "1.5x"], 2, out="",
      err="wasmgate: wasm run: argument 1: '1.5x' is not a valid f64\n")
check("bad externref", ["wasm", "run", V, "--invoke", "ext", "7"], 2, out="",
      err="wasmgate: wasm run: argument 1: '7' is not a valid externref\n")
check("missing invoke", ["wasm", "run", V], 2, out="",
      err="wasmgate: wasm run: missing --invoke NAME\n")
check("missing file arg", ["wasm", "run", "--invoke", "f"], 2, out="",
      err="wasmgate: wasm run: missing FILE (see --help)\n")
check("unknown option", ["wasm", "run", V, "--invoke", "add", "--frob"], 2,
      out="", err="wasmgate: wasm: unknown option '--frob' (see --help)\n")
check("bad fuel", ["wasm", "run", V, "--invoke", "add", "--fuel", "0"], 2,
      out="", err="wasmgate: wasm: --fuel needs an integer from 1 to "
          "18446744073709551615, got '0'\n")
check("option without value", ["wasm", "run", V, "--invoke"], 2, out="",
      err="wasmgate: wasm: --invoke needs a value\n")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
