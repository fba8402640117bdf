"""wb.py: a tiny WebAssembly binary builder for the hostile generators
(gen.py). Only what the generators need: LEB128, vectors, sections, value
and function types, and a module assembled from its sections in order."""

I32, I64, F32, F64, FUNCREF, EXTERNREF = 0x7F, 0x7E, 0x7D, 0x7C, 0x70, 0x6F


def uleb(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        if (n == 0 and not b & 0x40) or (n == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    items = list(items)
    return uleb(len(items)) + b"".join(items)


def name(s):
    s = s.encode()
    return uleb(len(s)) + s


def functype(params, results):
    return b"\x60" + vec(bytes([p]) for p in params) + vec(bytes([r]) for r in results)


def limits(mn, mx=None):
    return b"\x00" + uleb(mn) if mx is None else b"\x01" + uleb(mn) + uleb(mx)


def body(code, local_groups=()):
    """A code entry: local groups [(count, type)], then code, then end."""
    b = vec(uleb(n) + bytes([t]) for n, t in local_groups) + code + b"\x0b"
    return uleb(len(b)) + b


def export(nm, kind, idx):
    return name(nm) + bytes([kind]) + uleb(idx)


def i32_const(v):
    return b"\x41" + sleb(v)


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


# Section ids in the order a module must carry them (data count, 12,
# comes before code, 10).
ORDER = (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11)


def module(sections):
    """sections: {id: payload bytes}; emitted in the required order."""
    out = b"\0asm\1\0\0\0"
    for sid in ORDER:
        if sid in sections:
            out += section(sid, sections[sid])
    return out


def plugin(types, funcs, codes, entry=0, memory=limits(1), tables=None,
           globals_=None, elems=None, datas=None, datacount=None, start=None,
           imports=None, extra_exports=()):
    """A module shaped like a yoi plugin: exports `memory` and, for function
    `entry`, both `yoi_tool_call` (for `wasmgate call`) and `f` (for
    `wasmgate wasm run --invoke f`). Lists are of encoded entries."""
    s = {1: vec(types), 3: vec(uleb(t) for t in funcs), 10: vec(codes)}
    if imports is not None:
        s[2] = vec(imports)
    if tables is not None:
        s[4] = vec(tables)
    if memory is not None:
        s[5] = vec([memory])
    if globals_ is not None:
        s[6] = vec(globals_)
    exports = [export("yoi_tool_call", 0, entry), export("f", 0, entry)]
    if memory is not None:
        exports.append(export("memory", 2, 0))
    s[7] = vec(exports + list(extra_exports))
    if start is not None:
        s[8] = uleb(start)
    if elems is not None:
        s[9] = vec(elems)
    if datacount is not None:
        s[12] = uleb(datacount)
    if datas is not None:
        s[11] = vec(datas)
    return module(s)
