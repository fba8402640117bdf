#!/usr/bin/env python3
"""baseline.py: Python's json module on the same document, same metrics as
bench_json.c (MB = 10^6 input bytes, best of 7 runs of ~0.3 s):
parse = json.loads(bytes), canonical write = json.dumps(sort_keys=True,
separators=(',', ':'), ensure_ascii=False).encode() of the parsed object,
parse+canonical = both. Usage: baseline.py DOC.json"""
import json
import sys
import time


def measure(fn, nbytes):
    rates = []
    for _ in range(7):
        iters, t0 = 0, time.perf_counter()
        while True:
            for _ in range(16):
                fn()
            iters += 16
            t = time.perf_counter() - t0
            if t >= 0.3:
                break
        rates.append(nbytes * iters / t / 1e6)
    return max(rates)


def main():
    data = open(sys.argv[1], "rb").read()
    obj = json.loads(data)

    def canon(o):
        return json.dumps(o, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()

    n = len(data)
    print("python json.loads:         %8.1f MB/s" % measure(lambda: json.loads(data), n))
    print("python dumps(sort_keys):   %8.1f MB/s" % measure(lambda: canon(obj), n))
    print("python loads+dumps:        %8.1f MB/s" % measure(lambda: canon(json.loads(data)), n))


if __name__ == "__main__":
    main()
