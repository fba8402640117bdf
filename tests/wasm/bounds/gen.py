"""gen.py: hostile module generators, one per cost an attacker controls
(docs/engine.md, "Limits"). Each case builds a plugin-shaped module (wb.py)
of at most 8 MiB and says exactly what `wasmgate wasm run` and `wasmgate
call` must answer under a 500 ms deadline (test_bounds.py runs them).

The reproducers of issue 10 (tables without a total budget, br_table and
call-arity validation blow-ups, fuel charged before bounds checks, branch
moves of 1,000 values for one unit of fuel) are rewritten here as cases;
host re-entry (no CLI path reaches it) is tests/wasm/unit/test_bounds.c.

Expectations: `run` is (exit code, stderr regex) with the module given as
m.wasm; `call` is (error code or None, error message regex)."""
import re

from wb import (FUNCREF, I32, body, export, functype, i32_const, limits,
                plugin, uleb, vec)

MIB = 1 << 20
MAX_MODULE = 8 * MIB  # yoi's entry limit, and the goal's module size

# Engine limits the expectations name (src/wasm/vm_module.h).
MAX_TABLES, MAX_FUNCS, MAX_TYPES = 1000, 1000000, 100000
MAX_IMPORTS = MAX_EXPORTS = MAX_GLOBALS = 100000
MAX_ELEM_SEGMENTS = MAX_DATA_SEGMENTS = 100000
MAX_ELEM_ITEMS, MAX_BR_TABLE, MAX_NESTING, MAX_LOCALS = 1000000, 65520, 100000, 50000
WORK_PER_BYTE, WORK_BASE = 16, 1000000
COMPILE_FACTOR, COMPILE_BASE = 16, 16 * MIB

VOID = functype([], [])
UNREACHABLE, END, DROP = b"\x00", b"\x0b", b"\x1a"


def limit(msg):
    """Refused while compiling: an engine limit."""
    m = re.escape(msg)
    return ((1, r"wasmgate: m\.wasm: module exceeds an engine limit at byte \d+: %s\n" % m),
            ("module_invalid", r"module exceeds an engine limit at byte \d+: %s" % m))


def store_limit(what):
    """Refused at instantiation: over the store's memory/table budget."""
    m = re.escape(what)
    return ((1, r"wasmgate: m\.wasm: cannot instantiate: limit: %s\n" % m),
            ("memory_limit",
             r"the module needs more memory or table than the limit: %s" % m))


def deadline(while_compiling_too=False):
    """Stopped by the deadline; for a module whose compilation itself takes
    a good part of the 500 ms on a loaded machine, either in compilation or
    while running (the trap is the same, the message says which)."""
    phase = "(compilation stopped: )?" if while_compiling_too else ""
    return ((1, r"trap: deadline: %sdeadline exceeded\n" % phase),
            ("timeout", r"wall-clock deadline reached"))


def trap(name, msg):
    return ((1, r"trap: %s: %s\n" % (name, re.escape(msg))),
            ("trap", r"wasm trap: %s" % name))


def ok():
    """Runs to the end; the guest writes no output, which `call` reports."""
    return ((0, r""), ("output_invalid", r"guest did not call output_write"))


class Case:
    def __init__(self, name, build, expect, run_args=(), run_stdout=None):
        self.name, self.build = name, build
        self.run, self.call = expect if expect else (None, None)
        self.run_args = list(run_args)
        self.run_stdout = run_stdout


def one_func(code, local_groups=(), **kw):
    return plugin([VOID], [0], [body(code, local_groups)], **kw)


def loop_forever(code):
    """loop { code; br 0 }"""
    return b"\x03\x40" + code + b"\x0c\x00" + END


# ---- tables ----------------------------------------------------------------

def tables(n, mn, fill):
    """n tables of mn funcref elements (issue 10's F1); with fill, the entry
    function table.fill-s every one of them."""
    code = b""
    if fill:
        for t in range(n):
            code += i32_const(0) + b"\xd0\x70" + i32_const(mn) + b"\xfc\x11" + uleb(t)
    tabs = [bytes([FUNCREF]) + limits(mn)] * n
    return one_func(code, tables=tabs)


def table_grow_then_fill():
    """Grows table 0 by 65,536 until that fails, then fills all of it
    forever: the store's budget stops the growth, the deadline the fill."""
    grow = (b"\x03\x40" + b"\xd0\x70" + i32_const(65536) + b"\xfc\x0f\x00" +
            i32_const(-1) + b"\x47" + b"\x0d\x00" + END)  # loop: br_if grow != -1
    fill = loop_forever(i32_const(0) + b"\xd0\x70" + b"\xfc\x10\x00" + b"\xfc\x11\x00")
    return one_func(grow + fill, tables=[bytes([FUNCREF]) + limits(0)])


def table_minus_one():
    """Issue 10's F4: f returns table.grow(null, -1); yoi_tool_call drops it."""
    grow = b"\xd0\x70" + i32_const(-1) + b"\xfc\x0f\x00"
    types = [VOID, functype([], [I32])]
    codes = [body(grow + DROP), body(grow)]
    return plugin(types, [0, 1], codes, tables=[bytes([FUNCREF]) + limits(1)],
                  extra_exports=[export("grow", 0, 1)])


def table_fill_huge():
    """Issue 10's F4: table.fill of 2^32-1 elements: out of bounds."""
    return one_func(i32_const(0) + b"\xd0\x70" + i32_const(-1) + b"\xfc\x11\x00",
                    tables=[bytes([FUNCREF]) + limits(1)])


def memory_fill_huge():
    return one_func(i32_const(0) + i32_const(0) + i32_const(-1) + b"\xfc\x0b\x00")


# ---- validation and compilation -------------------------------------------

def br_table_targets(n, arity):
    """Issue 10's F2: block (result i32 x arity) { unreachable; br_table
    with n targets, all label 0 } then drop the results."""
    types = [functype([], [I32] * arity), VOID]
    code = (b"\x02\x00" + UNREACHABLE + b"\x0e" + uleb(n) + b"\x00" * (n + 1) +
            END + DROP * arity)
    return plugin(types, [1], [body(code)])


def br_tables_at_cap(count, arity=1000):
    """count br_tables of 65,520 targets each to one label of `arity`
    values: validation compares that label's types once per br_table."""
    n = MAX_BR_TABLE
    types = [functype([], [I32] * arity), VOID]
    one = i32_const(0) + b"\x0e" + uleb(n) + b"\x00" * (n + 1)
    code = b"\x02\x00" + UNREACHABLE + one * count + END + DROP * arity
    return plugin(types, [1], [body(code)])


def br_table_heavy(size):
    """Jump tables of 64-bit words cost ~32 bytes per 1-byte target: past
    the compile memory budget (16 x the module + 16 MiB)."""
    n = MAX_BR_TABLE
    one = i32_const(0) + b"\x0e" + uleb(n) + b"\x00" * (n + 1)
    code = b"\x02\x40" + one * (size // len(one)) + END
    return one_func(code)


def call_arity(calls):
    """Issue 10's F2: `unreachable` then calls of [i32 x 1000] -> [i32 x
    1000]: 2,000 operand types per 2-byte call."""
    types = [functype([I32] * 1000, [I32] * 1000), VOID]
    code = UNREACHABLE + b"\x10\x01" * calls
    return plugin(types, [1, 0], [body(UNREACHABLE), body(code)])


def block_params(blocks):
    """block (type [i32 x 1000] -> [i32 x 1000]) end, over and over."""
    types = [VOID, functype([I32] * 1000, [I32] * 1000)]
    code = UNREACHABLE + b"\x02\x01\x0b" * blocks
    return plugin(types, [0], [body(code)])


def br_if_run(count):
    """One block of 1,000 results, then `count` untaken br_if to it: the
    label's types are compared once, not 1,000 times per br_if."""
    types = [VOID, functype([], [I32] * 1000)]
    code = (b"\x02\x01" + i32_const(0) * 1000 + (i32_const(0) + b"\x0d\x00") * count +
            END + DROP * 1000)
    return plugin(types, [0], [body(code)])


def work_limit_message(body_size):
    return ("function needs more than %d units of validation work (%d per byte "
            "of its body)" % (WORK_PER_BYTE * body_size + WORK_BASE, WORK_PER_BYTE))


def call_arity_body_size(calls):
    return 1 + 1 + 2 * calls + 1  # no locals, unreachable, calls, end


def block_params_body_size(blocks):
    return 1 + 1 + 3 * blocks + 1


def nesting(depth):
    code = b"\x02\x40" * depth + END * depth
    return one_func(code)


def locals_count(n):
    return one_func(b"", [(n, I32)])


def locals_heavy_calls():
    """A loop calling a function of 50,000 locals (400 KiB zeroed per call)."""
    types = [VOID]
    spin = loop_forever(b"\x10\x01")
    return plugin(types, [0, 0], [body(spin), body(b"", [(MAX_LOCALS, I32)])])


def recursion():
    return one_func(b"\x10\x00")


def branch_moves():
    """Issue 10's F5: a loop with 1,000 i32 params whose body is
    `i32.const 0; br 0`: every iteration moves 1,000 values."""
    types = [VOID, functype([I32] * 1000, [])]
    code = i32_const(0) * 1000 + b"\x03\x01" + i32_const(0) + b"\x0c\x00" + END
    return plugin(types, [0], [body(code)])


# ---- counts of module entries ---------------------------------------------

def many_functions(n):
    return plugin([VOID], [0] * n, [body(b"")] * n)


def many_types(n):
    types = [VOID] + [functype([I32], [])] * (n - 1)
    return plugin(types, [0], [body(b"")])


def many_imports(n):
    imps = [b"\x00\x00\x03" + bytes([I32, 0])] * n  # "" "" immutable i32 global
    return plugin([VOID], [0], [body(b"")], imports=imps)


def many_exports(total, name_len=1):
    """`total` exports: the plugin's three (yoi_tool_call, f, memory) and
    total - 3 more functions with distinct names of name_len bytes."""
    ex = []
    for i in range(total - 3):
        nm = ("e%d" % i).rjust(name_len, "x").encode()
        ex.append(uleb(len(nm)) + nm + b"\x00\x00")
    return plugin([VOID], [0], [body(b"")], extra_exports=ex)


def many_globals(n):
    g = [bytes([I32, 1]) + i32_const(0) + END] * n
    return plugin([VOID], [0], [body(b"")], globals_=g)


def elem_segments(n, items):
    """n active segments of `items` function references into table 0."""
    seg = b"\x00" + i32_const(0) + END + vec([uleb(0)] * items)
    return plugin([VOID], [0], [body(b"")], tables=[bytes([FUNCREF]) + limits(items)],
                  elems=[seg] * n)


def data_segments(n, size):
    seg = b"\x00" + i32_const(0) + END + uleb(size) + b"\xab" * size
    return plugin([VOID], [0], [body(b"")], datas=[seg] * n)


def huge_data(size, pages):
    seg = b"\x00" + i32_const(0) + END + uleb(size) + b"\x5a" * size
    return plugin([VOID], [0], [body(b"")], memory=limits(pages), datas=[seg])


def memory_init_loop(size):
    """A passive segment of `size` bytes copied into memory forever."""
    seg = b"\x01" + uleb(size) + b"\x11" * size
    init = i32_const(0) + i32_const(0) + i32_const(size) + b"\xfc\x08\x00\x00"
    pages = (size + 65535) // 65536
    return plugin([VOID], [0], [body(loop_forever(init))], memory=limits(pages),
                  datas=[seg], datacount=1)


def memory_hog_code():
    """Grows memory a page at a time until it fails, then fills all of it
    forever."""
    grow = (b"\x03\x40" + i32_const(1) + b"\x40\x00" + i32_const(-1) + b"\x47" +
            b"\x0d\x00" + END)
    fill = loop_forever(i32_const(0) + i32_const(0x55) + b"\x3f\x00" + i32_const(16) +
                        b"\x74" + b"\xfc\x0b\x00")  # n = pages << 16
    return grow + fill


def memory_hog():
    return one_func(memory_hog_code())


def near_budget_then_hog(functions=120):
    """Near the most host memory one module can make us hold: 64 KiB
    functions compiling to ~23 x their size (dense `local.get 0; br_if 0`)
    and ~10 x (`i32.const; i32.const; i32.add; drop`), mixed to ~15.6 x,
    inside the compile budget (16 x + 16 MiB); then memory_hog's loop as the
    entry function, filling all the memory the store allows."""
    brif = b"\x02\x40" + b"\x20\x00\x0d\x00" * 16384 + END
    adds = b"\x02\x40" + (i32_const(1) + i32_const(2) + b"\x6a\x1a") * 10922 + END
    codes = [body(memory_hog_code())]
    codes += [body(brif if i % 20 < 9 else adds, [(1, I32)]) for i in range(functions)]
    return plugin([VOID], [0] * (functions + 1), codes)


def start_spin():
    types = [VOID]
    return plugin(types, [0, 0], [body(b""), body(loop_forever(b""))], start=1)


def cases():
    c = []
    add = lambda *a, **k: c.append(Case(*a, **k))
    # tables (F1)
    add("tables_30000x10000", lambda: tables(30000, 10000, False),
        limit("30000 tables (limit %d)" % MAX_TABLES))
    add("tables_1000x10000_fill", lambda: tables(1000, 10000, True),
        store_limit("tables larger than the store allows (table elements or memory budget)"))
    add("tables_20x10M_fill", lambda: tables(20, 10000000, True),
        store_limit("tables larger than the store allows (table elements or memory budget)"))
    add("tables_1000x8_fill", lambda: tables(1000, 8, True), ok())
    add("table_grow_then_fill", table_grow_then_fill, deadline())
    # fuel after the bounds check (F4)
    add("table_grow_minus1", table_minus_one, ok(), run_args=["--invoke", "grow",
        "--fuel", "100000000"], run_stdout="i32:-1\n")
    add("table_fill_2^32-1", table_fill_huge,
        trap("table_out_of_bounds", "out of bounds table access"),
        run_args=["--fuel", "100000000"])
    add("memory_fill_2^32-1", memory_fill_huge,
        trap("memory_out_of_bounds", "out of bounds memory access"),
        run_args=["--fuel", "100000000"])
    # validation and compilation (F2)
    add("br_table_8M_targets", lambda: br_table_targets(8000000, 1000),
        limit("br_table with 8000000 targets (limit %d)" % MAX_BR_TABLE))
    add("br_table_65521_targets", lambda: br_table_targets(MAX_BR_TABLE + 1, 1),
        limit("br_table with %d targets (limit %d)" % (MAX_BR_TABLE + 1, MAX_BR_TABLE)))
    add("br_tables_at_cap_arity1000", lambda: br_tables_at_cap(4),
        trap("unreachable", "unreachable executed"))
    add("br_table_heavy_2MiB", lambda: br_table_heavy(2 * MIB),
        None)  # expectation filled in by test_bounds.py (depends on the size)
    add("call_arity_1000", lambda: call_arity(100000),
        limit(work_limit_message(call_arity_body_size(100000))))
    add("block_params_1000", lambda: block_params(100000),
        limit(work_limit_message(block_params_body_size(100000))))
    add("br_if_1000_values_x50k", lambda: br_if_run(50000), ok())
    # the function's own block counts: 99,999 blocks inside it is the most
    add("nesting_100000", lambda: nesting(MAX_NESTING),
        limit("blocks nested deeper than %d" % MAX_NESTING))
    add("nesting_99999", lambda: nesting(MAX_NESTING - 1), ok())
    add("locals_50001", lambda: locals_count(MAX_LOCALS + 1),
        limit("too many locals (%d, limit %d)" % (MAX_LOCALS + 1, MAX_LOCALS)))
    add("locals_50000_called_forever", locals_heavy_calls, deadline())
    add("recursion", recursion, trap("call_stack_exhausted", "call stack exhausted"))
    add("branch_moves_1000", branch_moves, deadline())
    # 2e6 fuel charged by size is ~2,000 iterations (2e6 moves: ~60 ms
    # under ASan); charged one unit per branch it would be 2e6 iterations
    # of 1,000 moves, seconds past the deadline even in Release. Fuel is
    # kept small so a loaded machine never turns the pass into a deadline.
    add("branch_moves_1000_fuel", branch_moves,
        ((1, r"trap: fuel_exhausted: fuel exhausted\n"), deadline()[1]),
        run_args=["--fuel", "2000000"])
    # counts of module entries
    add("functions_1000001", lambda: many_functions(MAX_FUNCS + 1),
        limit("%d functions (limit %d)" % (MAX_FUNCS + 1, MAX_FUNCS)))
    add("functions_200000", lambda: many_functions(200000), ok())
    add("types_100001", lambda: many_types(MAX_TYPES + 1),
        limit("%d types (limit %d)" % (MAX_TYPES + 1, MAX_TYPES)))
    add("imports_100001", lambda: many_imports(MAX_IMPORTS + 1),
        limit("%d imports (limit %d)" % (MAX_IMPORTS + 1, MAX_IMPORTS)))
    add("exports_100001", lambda: many_exports(MAX_EXPORTS + 1),
        limit("%d exports (limit %d)" % (MAX_EXPORTS + 1, MAX_EXPORTS)))
    add("exports_100000_long_names", lambda: many_exports(MAX_EXPORTS, 70), ok())
    add("globals_100001", lambda: many_globals(MAX_GLOBALS + 1),
        limit("%d globals (limit %d)" % (MAX_GLOBALS + 1, MAX_GLOBALS)))
    add("globals_100000", lambda: many_globals(MAX_GLOBALS), ok())
    add("elem_segments_100001", lambda: elem_segments(MAX_ELEM_SEGMENTS + 1, 1),
        limit("%d element segments (limit %d)" % (MAX_ELEM_SEGMENTS + 1,
                                                   MAX_ELEM_SEGMENTS)))
    add("elem_items_1000001", lambda: elem_segments(11, 90910),
        limit("%d element segment items (limit %d)" % (11 * 90910, MAX_ELEM_ITEMS)))
    add("data_segments_100001", lambda: data_segments(MAX_DATA_SEGMENTS + 1, 1),
        limit("%d data segments (limit %d)" % (MAX_DATA_SEGMENTS + 1,
                                                MAX_DATA_SEGMENTS)))
    add("data_segments_100000", lambda: data_segments(MAX_DATA_SEGMENTS, 64), ok())
    add("data_8MiB", lambda: huge_data(MAX_MODULE - 4096, 128), ok())
    add("memory_init_4MiB_forever", lambda: memory_init_loop(4 * MIB), deadline())
    add("memory_grow_and_fill", memory_hog, deadline())
    add("start_function_spins", start_spin, deadline())
    add("near_budget_then_memory_hog", near_budget_then_hog, deadline(True))
    return c
