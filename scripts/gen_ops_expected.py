#!/usr/bin/env python3
"""Generates test/ops_expected.inc: expected results of tensorc's elementwise
ops, produced by PyTorch on the same inputs. The C tests embed the output, so
running them needs neither Python nor PyTorch. Regenerate with
    python3 scripts/gen_ops_expected.py > test/ops_expected.inc
"""
import math
import sys

import torch

DT = [  # tensorc enum, torch dtype
    ("TC_BOOL", torch.bool), ("TC_U8", torch.uint8), ("TC_I8", torch.int8),
    ("TC_I16", torch.int16), ("TC_I32", torch.int32), ("TC_I64", torch.int64),
    ("TC_F16", torch.float16), ("TC_BF16", torch.bfloat16),
    ("TC_F32", torch.float32), ("TC_F64", torch.float64)]
TC_NAME = {d: n for n, d in DT}

nan, inf = math.nan, math.inf
# inputs per category: a (unary operand / left), b (right operand)
A = {
    "f": [-2.5, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5, 1.0, 1.5, 2.5, 3.7, 10.0,
          nan, inf, -inf, -7.0, 7.0, 1.0],
    "i": [-100, -7, -7, 7, 7, 0, 1, 2, 5, 100, 3, -1, 127, -128],
    "u": [0, 1, 2, 3, 5, 7, 100, 200, 255, 128, 17, 64, 9, 250],
    "b": [False, True, False, True],
}
B = {
    "f": [2.0, -3.0, 0.0, -0.0, 0.0, inf, -2.0, nan, 0.5, 2.5, -1.25, 3.0,
          1.0, -inf, inf, 2.0, -2.0, 0.1],
    "i": [3, 2, -2, 2, -2, 5, 7, 8, 1, 3, 9, -1, 1, -1],
    "u": [3, 2, 1, 5, 7, 8, 9, 3, 1, 2, 4, 3, 250, 6],
    "b": [False, False, True, True],
}
# shorter inputs for the Python-scalar sweep (no zeros: `s // t` would raise)
S = {
    "f": [-2.5, -1.0, -0.0, 0.0, 0.5, 3.0, nan, inf],
    "i": [-7, -3, -1, 1, 2, 5, 100, 7],
    "u": [1, 2, 3, 5, 7, 100, 255, 128],
    "b": [False, True],
}
# (value, is_float, scalar_first)
SCALARS = [(2, False, False), (-3, False, True), (2.5, True, False),
           (-0.5, True, True)]


def cat(dt):
    if dt == torch.bool: return "b"
    if dt == torch.uint8: return "u"
    if dt.is_floating_point: return "f"
    return "i"


def lit(x):
    if isinstance(x, bool): return "1" if x else "0"
    if isinstance(x, int): return str(x)
    if math.isnan(x): return "NAN"
    if math.isinf(x): return "INFINITY" if x > 0 else "-INFINITY"
    r = repr(float(x))
    return r


def vals(t):
    return "(const double[]){" + ", ".join(lit(v) for v in t.flatten().tolist()) + "}"


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def first_line(e):
    return str(e).split("\n")[0]


UNARY = [
    ("neg", torch.neg), ("abs", torch.abs), ("sign", torch.sign),
    ("exp", torch.exp), ("exp2", torch.exp2), ("log", torch.log),
    ("log2", torch.log2), ("log1p", torch.log1p), ("expm1", torch.expm1),
    ("sqrt", torch.sqrt), ("rsqrt", torch.rsqrt), ("sin", torch.sin),
    ("cos", torch.cos), ("tan", torch.tan), ("tanh", torch.tanh),
    ("sigmoid", torch.sigmoid), ("relu", torch.relu),
    ("gelu", torch.nn.functional.gelu), ("floor", torch.floor),
    ("ceil", torch.ceil), ("round", torch.round), ("trunc", torch.trunc),
    ("reciprocal", torch.reciprocal), ("square", torch.square),
    ("logical_not", torch.logical_not), ("bitwise_not", torch.bitwise_not),
    ("isnan", torch.isnan), ("isinf", torch.isinf), ("isfinite", torch.isfinite),
]

# tc_binop order; python: the operator form (scalar operands act as Python
# scalars), or None for ops without one (emulated through result_type).
BINARY = [
    ("ADD", torch.add, lambda a, b: a + b),
    ("SUB", torch.sub, lambda a, b: a - b),
    ("MUL", torch.mul, lambda a, b: a * b),
    ("DIV", torch.div, lambda a, b: a / b),
    ("FLOOR_DIVIDE", torch.floor_divide, lambda a, b: a // b),
    ("REMAINDER", torch.remainder, lambda a, b: a % b),
    ("POW", torch.pow, lambda a, b: a ** b),
    ("MAXIMUM", torch.maximum, None),
    ("MINIMUM", torch.minimum, None),
    ("LOGICAL_AND", torch.logical_and, None),
    ("LOGICAL_OR", torch.logical_or, None),
    ("LOGICAL_XOR", torch.logical_xor, None),
    ("BITWISE_AND", torch.bitwise_and, lambda a, b: a & b),
    ("BITWISE_OR", torch.bitwise_or, lambda a, b: a | b),
    ("BITWISE_XOR", torch.bitwise_xor, lambda a, b: a ^ b),
    ("LSHIFT", torch.bitwise_left_shift, lambda a, b: a << b),
    ("RSHIFT", torch.bitwise_right_shift, lambda a, b: a >> b),
    ("EQ", torch.eq, lambda a, b: a == b),
    ("NE", torch.ne, lambda a, b: a != b),
    ("LT", torch.lt, lambda a, b: a < b),
    ("LE", torch.le, lambda a, b: a <= b),
    ("GT", torch.gt, lambda a, b: a > b),
    ("GE", torch.ge, lambda a, b: a >= b),
]


def scalar_op(fn, pyop, t, s, is_float, first):
    s = float(s) if is_float else int(s)
    if pyop is not None:
        return pyop(s, t) if first else pyop(t, s)
    rt = torch.result_type(t, s)
    st = torch.tensor(s, dtype=torch.float64 if is_float else torch.int64).to(rt)
    tt = t.to(rt) if fn not in (torch.logical_and, torch.logical_or, torch.logical_xor) else t
    return fn(st, tt) if first else fn(tt, st)


def entry(fields, fn):
    try:
        r = fn()
        return "{%s, %s, %s, NULL}" % (fields, TC_NAME[r.dtype], vals(r))
    except Exception as e:  # noqa: BLE001
        msg = first_line(e)
        if "ZeroDivisionError" in msg:
            return None
        return "{%s, TC_BOOL, NULL, %s}" % (fields, cstr(msg))


def main():
    out = sys.stdout
    out.write("/* Generated by scripts/gen_ops_expected.py from PyTorch %s: "
              "do not edit. */\n" % torch.__version__)
    for name, src in (("in_a", A), ("in_b", B), ("in_s", S)):
        for c in "fiub":
            out.write("static const double %s_%s[] = {%s};\n" %
                      (name, c, ", ".join(lit(v) for v in src[c])))
    out.write("\n/* {op, input dtype, variant (0), result dtype, values, error} */\n")
    out.write("static const ew_case unary_cases[] = {\n")
    for k, (name, fn) in enumerate(UNARY):
        for tcn, dt in DT:
            t = torch.tensor(A[cat(dt)], dtype=dt)
            e = entry("%d, %s, 0" % (k, tcn), lambda: fn(t))
            if e: out.write("  %s,\n" % e)
    out.write("};\n\nstatic const ew_case binary_cases[] = {\n")
    for k, (name, fn, _) in enumerate(BINARY):
        for tcn, dt in DT:
            a = torch.tensor(A[cat(dt)], dtype=dt)
            b = torch.tensor(B[cat(dt)], dtype=dt)
            e = entry("TC_OP_%s, %s, 0" % (name, tcn), lambda: fn(a, b))
            if e: out.write("  %s,\n" % e)
    out.write("};\n\n/* {op, input dtype, scalar variant, result dtype, values, "
              "error}; variants: */\n")
    out.write("static const ew_scalar ew_scalars[] = {%s};\n" % ", ".join(
        "{%s, %s, %s}" % (lit(float(s)), "true" if f else "false",
                          "true" if first else "false")
        for s, f, first in SCALARS))
    out.write("static const ew_case scalar_cases[] = {\n")
    for k, (name, fn, pyop) in enumerate(BINARY):
        for tcn, dt in DT:
            t = torch.tensor(S[cat(dt)], dtype=dt)
            for v, (s, f, first) in enumerate(SCALARS):
                e = entry("TC_OP_%s, %s, %d" % (name, tcn, v),
                          lambda: scalar_op(fn, pyop, t, s, f, first))
                if e: out.write("  %s,\n" % e)
    out.write("};\n\n/* type promotion of two tensors: {a dtype, b dtype, "
              "promote_types, add, div, where(c, a, b)} on PROMO_X and PROMO_Y */\n")
    out.write("static const double promo_x[] = {%s};\n" % ", ".join(map(lit, PROMO_X)))
    out.write("static const double promo_y[] = {%s};\n" % ", ".join(map(lit, PROMO_Y)))
    out.write("static const double promo_c[] = {%s};\n" % ", ".join(map(lit, PROMO_C)))
    out.write("static const promo_case promo_cases[] = {\n")
    for an, adt in DT:
        for bn, bdt in DT:
            x = torch.tensor(PROMO_X, dtype=torch.float64).to(adt)
            y = torch.tensor(PROMO_Y, dtype=torch.float64).to(bdt)
            c = torch.tensor(PROMO_C, dtype=torch.bool)
            add, div, whr = x + y if (adt, bdt) != (torch.bool, torch.bool) else x + y, x / y, torch.where(c, x, y)
            out.write("  {%s, %s, %s, %s, %s, %s, %s},\n" % (
                an, bn, TC_NAME[torch.promote_types(adt, bdt)], TC_NAME[add.dtype],
                vals(add), vals(div), vals(whr)))
    out.write("};\n")


PROMO_X = [1, 0, 3, 100]
PROMO_Y = [2, 1, 1, 3]
PROMO_C = [True, False, True, False]

main()
