#!/usr/bin/env python3
"""summarize.py: per-workload table for bench/RESULTS.md from run_bench.py's
--json output: median wall time per engine, and wasmgate's ratio to native
gcc and to wabt's wasm-interp, on times net of each engine's start-up
(median nop.wasm process), plus geometric means.

usage: summarize.py RESULTS.json [ENGINE]   (ENGINE default: wasmgate)"""
import json
import statistics
import sys


def main():
    data = json.load(open(sys.argv[1]))
    ours = sys.argv[2] if len(sys.argv) > 2 else "wasmgate"
    startup = {k: statistics.median(v) for k, v in data["startup"].items()}
    engines = data["engines"]

    def net(bench, eng):
        xs = data["bench"][bench]["wall"].get(eng) or []
        if not xs:
            return None
        return max(statistics.median(xs) - startup.get(eng, 0.0), 1e-9)

    cols = [e for e in ("native-gcc", "native-clang", ours, "wasm-interp")
            if e in engines]
    print("| workload | " + " | ".join(f"{c} s" for c in cols)
          + f" | {ours} × native-gcc | {ours} × wasm-interp |")
    print("|---|" + "---:|" * (len(cols) + 2))
    r_nat, r_wi = [], []
    for b in data["bench"]:
        times = {c: net(b, c) for c in cols}
        o, n, w = times.get(ours), times.get("native-gcc"), times.get("wasm-interp")
        rn = o / n if o and n else None
        rw = o / w if o and w else None
        if rn: r_nat.append(rn)
        if rw: r_wi.append(rw)
        cells = [f"{times[c]:.3f}" if times[c] else "-" for c in cols]
        cells.append(f"{rn:.1f}×" if rn else "-")
        cells.append(f"{rw:.3f}×" if rw else "-")
        print(f"| {b} | " + " | ".join(cells) + " |")
    gm = statistics.geometric_mean
    cells = [""] * len(cols)
    cells.append(f"**{gm(r_nat):.1f}×**" if r_nat else "-")
    cells.append(f"**{gm(r_wi):.3f}×**" if r_wi else "-")
    print("| **geometric mean** | " + " | ".join(cells) + " |")
    print()
    print("Start-up, whole process (nop.wasm), median ms: "
          + ", ".join(f"{k} {v * 1e3:.2f}" for k, v in startup.items()))


if __name__ == "__main__":
    main()
