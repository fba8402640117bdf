#!/usr/bin/env python3
"""diff_interp.py: differential test of the engine against wabt's wasm-interp.

Generates random, valid, terminating i32 programs (locals, constants, integer
operators, select, nested blocks and if/else with results, br/br_if/br_table,
bounded loops, calls, masked loads and stores, i64 and f64 expression
islands brought back to i32 by wrap/compare/saturating truncation), compiles them with wat2wasm,
runs every function with wasm-interp and with wasm_unit_run (our engine), and
compares the results. The generator targets the compiler's tricky parts:
lazy local.get/constant operands, local.set/tee retargeting, fused
compare-and-branch, folded address arithmetic, fuel blocks.

usage: diff_interp.py RUNNER WORKDIR FIRST_SEED LAST_SEED
Exits 1 on any mismatch (printing the seed and function). wasm-interp 1.0.32
is not always right (e.g. seeds 204, 2939, 3466: V8 agrees with us); when
`node` is installed, a mismatch where V8 (same functions, same order, one
instance) agrees with the engine is reported as a reference disagreement,
not a failure."""
import os
import random
import re
import shutil
import subprocess
import sys

NODE_RUN = """
const fs = require('fs');
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), {}).then(({instance}) => {
  for (const n of process.argv.slice(3)) console.log(n + ' i32:' + (instance.exports[n]() >>> 0));
});
"""

BINOPS = ['i32.add', 'i32.sub', 'i32.mul', 'i32.and', 'i32.or', 'i32.xor',
          'i32.shl', 'i32.shr_u', 'i32.shr_s', 'i32.rotl', 'i32.rotr',
          'i32.lt_s', 'i32.lt_u', 'i32.gt_s', 'i32.gt_u', 'i32.le_s',
          'i32.le_u', 'i32.ge_s', 'i32.ge_u', 'i32.eq', 'i32.ne']
CONSTS = [0, 1, 2, 3, -1, 7, 8, 31, 32, 100, -100, 0x7fffffff, -0x80000000]
NLOC = 6          # general locals 0..5
LOOP_LOC = 6      # loop counters 6..9 (by depth)
TMP = 10          # scratch for stores
FUNCS = 24
I64_BIN = ['i64.add', 'i64.sub', 'i64.mul', 'i64.and', 'i64.or', 'i64.xor',
           'i64.shl', 'i64.shr_u', 'i64.shr_s', 'i64.rotl', 'i64.rotr']
I64_CMP = ['i64.lt_s', 'i64.lt_u', 'i64.gt_s', 'i64.gt_u', 'i64.le_s',
           'i64.le_u', 'i64.ge_s', 'i64.ge_u', 'i64.eq', 'i64.ne']
F64_BIN = ['f64.add', 'f64.sub', 'f64.mul', 'f64.min', 'f64.max',
           'f64.copysign']
F64_UN = ['f64.neg', 'f64.abs', 'f64.floor', 'f64.ceil', 'f64.trunc',
          'f64.nearest', 'f64.sqrt']


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.out = []
        self.labels = []  # (is_loop, has_result)

    def emit(self, s):
        self.out.append(s)

    def i64_expr(self, depth):
        """Emits code pushing one i64 (an expression tree over locals)."""
        r_ = self.rng
        r = r_.random()
        if depth > 3 or r < 0.3:
            if r_.random() < 0.5:
                self.emit(f'local.get {r_.randrange(NLOC)}')
                self.emit(r_.choice(['i64.extend_i32_s', 'i64.extend_i32_u']))
            else:
                self.emit(f'i64.const {r_.choice([0, 1, 5, -1, 63, 64, 1 << 40, -(1 << 63)])}')
        elif r < 0.85:
            self.i64_expr(depth + 1)
            self.i64_expr(depth + 1)
            self.emit(r_.choice(I64_BIN))
        else:
            self.i64_expr(depth + 1)
            self.emit(r_.choice(['i64.extend8_s', 'i64.extend16_s', 'i64.extend32_s', 'i64.eqz',
                                 'i64.clz', 'i64.ctz', 'i64.popcnt']))
            if self.out[-1] == 'i64.eqz':
                self.emit('i64.extend_i32_u')

    def f64_expr(self, depth):
        """Emits code pushing one f64."""
        r_ = self.rng
        r = r_.random()
        if depth > 3 or r < 0.3:
            if r_.random() < 0.5:
                self.emit(f'local.get {r_.randrange(NLOC)}')
                self.emit('f64.convert_i32_s')
            else:
                self.emit(f'f64.const {r_.choice(["0.5", "-2.5", "1e10", "-0", "3.75", "1e300"])}')
        elif r < 0.8:
            self.f64_expr(depth + 1)
            self.f64_expr(depth + 1)
            self.emit(r_.choice(F64_BIN))
        else:
            self.f64_expr(depth + 1)
            self.emit(r_.choice(F64_UN))

    def typed_island(self):
        """An i64 or f64 expression brought back to one i32."""
        r_ = self.rng
        k = r_.random()
        if k < 0.4:
            self.i64_expr(0)
            self.emit('i32.wrap_i64')
        elif k < 0.6:
            self.i64_expr(0)
            self.i64_expr(0)
            self.emit(r_.choice(I64_CMP))
        else:
            self.f64_expr(0)
            self.emit(r_.choice(['i32.trunc_sat_f64_s', 'i32.trunc_sat_f64_u']))

    def branch_targets(self, has_result=None):
        ks = []
        for k, (is_loop, res) in enumerate(reversed(self.labels)):
            if not is_loop and (has_result is None or res == has_result):
                ks.append(k)
        return ks

    def body(self, n, depth, want):
        r_ = self.rng
        stack = 0
        for _ in range(n):
            r = r_.random()
            if r < 0.16:
                self.emit(f'local.get {r_.randrange(NLOC)}'); stack += 1
            elif r < 0.25:
                self.emit(f'i32.const {r_.choice(CONSTS)}'); stack += 1
            elif r < 0.40 and stack >= 2:
                self.emit(r_.choice(BINOPS)); stack -= 1
            elif r < 0.43 and stack >= 1:
                self.emit('i32.eqz')
            elif r < 0.49 and stack >= 1:
                self.emit(f'local.set {r_.randrange(NLOC)}'); stack -= 1
            elif r < 0.54 and stack >= 1:
                self.emit(f'local.tee {r_.randrange(NLOC)}')
            elif r < 0.56 and stack >= 1:
                self.emit('drop'); stack -= 1
            elif r < 0.58 and stack >= 3:
                self.emit('select'); stack -= 2
            elif r < 0.61 and stack >= 2:
                self.emit('call $h'); stack -= 1
            elif r < 0.64 and stack >= 1:
                off = r_.choice([0, 4, 8])
                self.emit('i32.const 0xffc'); self.emit('i32.and')
                if r_.random() < 0.5:
                    self.emit(f'i32.const {r_.choice([0, 4, 16])}'); self.emit('i32.add')
                self.emit(r_.choice([f'i32.load offset={off}', 'i32.load8_s', 'i32.load16_u']))
            elif r < 0.66 and stack >= 2:
                self.emit(f'local.set {TMP}')
                self.emit('i32.const 0xffc'); self.emit('i32.and')
                self.emit(f'local.get {TMP}')
                self.emit(r_.choice(['i32.store', 'i32.store8 offset=1', 'i32.store16']))
                stack -= 2
            elif r < 0.73 and depth < 4:
                res = r_.random() < 0.5
                self.emit('block (result i32)' if res else 'block')
                self.labels.append((False, res))
                self.body(r_.randint(1, 10), depth + 1, 1 if res else 0)
                self.labels.pop()
                self.emit('end')
                stack += 1 if res else 0
            elif r < 0.78 and depth < 4 and stack >= 1:
                self.emit('if (result i32)'); stack -= 1
                self.labels.append((False, True))
                self.body(r_.randint(1, 7), depth + 1, 1)
                self.emit('else')
                self.body(r_.randint(1, 7), depth + 1, 1)
                self.labels.pop()
                self.emit('end'); stack += 1
            elif r < 0.81 and depth < 4:
                c = LOOP_LOC + depth
                self.emit(f'i32.const {r_.randint(1, 4)}'); self.emit(f'local.set {c}')
                self.emit('loop')
                self.labels.append((True, False))
                self.body(r_.randint(1, 8), depth + 1, 0)
                self.labels.pop()
                self.emit(f'local.get {c}'); self.emit('i32.const 1'); self.emit('i32.sub')
                self.emit(f'local.tee {c}'); self.emit('br_if 0'); self.emit('end')
            elif r < 0.90 and stack >= 1:
                ks = self.branch_targets()
                if not ks:
                    continue
                k = r_.choice(ks)
                res = list(reversed(self.labels))[k][1]
                if res and stack < 2:
                    continue
                self.emit(f'br_if {k}'); stack -= 1
            elif r < 0.93 and stack >= 1:
                res = r_.random() < 0.5
                ks = self.branch_targets(res)
                if not ks or (res and stack < 2):
                    continue
                targets = [r_.choice(ks) for _ in range(r_.randint(1, 4))]
                self.emit('br_table ' + ' '.join(map(str, targets)))
                stack = 0  # unreachable from here: polymorphic
            elif r < 0.935:
                self.typed_island(); stack += 1
            elif r < 0.95:
                ks = self.branch_targets()
                if not ks:
                    continue
                k = r_.choice(ks)
                res = list(reversed(self.labels))[k][1]
                if res and stack < 1:
                    continue
                self.emit(f'br {k}')
                stack = 0
            else:
                self.emit(f'local.get {r_.randrange(NLOC)}'); stack += 1
        while stack > want:
            self.emit('drop'); stack -= 1
        while stack < want:
            self.emit(f'local.get {r_.randrange(NLOC)}'); stack += 1


def module(seed):
    rng = random.Random(seed)
    funcs = []
    for i in range(FUNCS):
        g = Gen(rng)
        for l in range(NLOC):
            g.emit(f'i32.const {rng.randint(-60, 60)}'); g.emit(f'local.set {l}')
        g.labels.append((False, True))  # the function body
        g.body(rng.randint(10, 60), 0, 1)
        code = '\n    '.join(g.out)
        funcs.append(f'  (func (export "f{i}") (result i32) (local {"i32 " * 11})\n    {code})')
    return ('(module\n  (memory 1)\n  (data (i32.const 0) "\\01\\02\\03\\04\\fe\\ff\\80\\7f")\n'
            '  (func $h (param i32 i32) (result i32)\n'
            '    (i32.add (i32.mul (local.get 0) (i32.const 3)) (local.get 1)))\n'
            + '\n'.join(funcs) + '\n)\n')


def node_results(wasm, work, names):
    """What V8 computes for the functions run in order in one instance (they
    share memory, like in the other two runs); {} without node."""
    node = shutil.which('node')
    if not node:
        return {}
    script = os.path.join(work, 'node_run.js')
    with open(script, 'w') as f:
        f.write(NODE_RUN)
    r = subprocess.run([node, script, wasm] + names, capture_output=True, text=True)
    return dict(re.findall(r'^(f\d+) i32:(\d+)$', r.stdout, re.M))


def main():
    runner, work, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    wat, wasm = f'{work}/diff.wat', f'{work}/diff.wasm'
    bad = checked = disagree = 0
    names = [f'f{i}' for i in range(FUNCS)]
    for seed in range(first, last):
        with open(wat, 'w') as f:
            f.write(module(seed))
        r = subprocess.run(['wat2wasm', wat, '-o', wasm], capture_output=True, text=True)
        if r.returncode:
            print(f'seed {seed}: generator bug, wat2wasm: {r.stderr[:400]}')
            bad += 1
            continue
        ref = subprocess.run(['wasm-interp', wasm, '--run-all-exports'],
                             capture_output=True, text=True).stdout
        want = dict(re.findall(r'^(f\d+)\(\) => i32:(\d+)$', ref, re.M))
        out = subprocess.run([runner, wasm] + names, capture_output=True, text=True).stdout
        got = dict(re.findall(r'^(f\d+) i32:(\d+)$', out, re.M))
        v8 = None
        for n in names:
            checked += 1
            if want.get(n) is not None and got.get(n) == want[n]:
                continue
            if v8 is None:
                v8 = node_results(wasm, work, names)
            if got.get(n) is not None and v8.get(n) == got[n]:
                print(f'seed {seed} {n}: wasm-interp {want.get(n)}, engine and V8 {got[n]}')
                disagree += 1
                continue
            print(f'seed {seed} {n}: engine {got.get(n)}, wasm-interp {want.get(n)}')
            bad += 1
    print(f'{checked} functions compared, {bad} mismatches, '
          f'{disagree} where wasm-interp alone differs')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
