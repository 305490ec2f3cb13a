#!/usr/bin/env python3
"""difftest.py — differential testing of tensorc against PyTorch.

usage: test/cli/difftest.py TENSORC [COUNT] [SEED]

Generates COUNT random scripts (tensor expressions over several dtypes, and
indexing reads and writes with ints, slices, None, ..., lists, index
tensors and masks), runs each with python3 + PyTorch and with `tensorc run`
(fused and --eager), and prints every statement whose output differs,
grouped by kind. Each statement prints its result or the exception type and
message, so error classes and messages are compared too. Needs PyTorch;
not part of ctest. Known differences: integer division by a zero tensor
element (the library gives 0), signed zeros, and messages of a few rare
PyTorch paths.
"""
import os
import random
import re
import subprocess
import sys
import tempfile

TENSORS = {
    "f": "torch.tensor([[1.5, -2.0, 0.25], [3.0, 0.0, -0.5]])",
    "g": "torch.tensor([2.0, -1.0, 4.0])",
    "i": "torch.tensor([[3, -4, 5], [0, 7, -1]])",
    "j": "torch.tensor([2, 3, -2])",
    "b": "torch.tensor([[True, False, True], [False, False, True]])",
    "h": "torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)",
    "s": "torch.tensor(2.5)",
    "k": "torch.tensor([1, 2, 3], dtype=torch.int32)",
    "T": "torch.arange(24).reshape(2, 3, 4)",
    "m0": "torch.tensor([True, False])",
    "m1": "torch.arange(24).reshape(2, 3, 4) % 3 == 0",
}
BINOPS = ["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<", "<=", "==", "!=", ">", ">="]
UNARY = ["abs", "neg", "exp", "sqrt", "floor", "ceil", "round", "sign", "square", "relu", "sigmoid", "tanh",
         "float", "long", "int", "bool", "double", "logical_not", "isnan", "trunc", "reciprocal"]
TAILS = ["sum()", "sum(0)", "sum(dim=-1, keepdim=True)", "mean()", "amax(0)", "amin(-1)", "prod()", "max()",
         "min()", "argmax()", "argmin(0)", "all()", "any()", "max(dim=0)", "std()", "var(0)", "t()", "T",
         "flatten()", "unsqueeze(0)", "clone()", "contiguous()", "tolist()", "shape", "dtype"]
SCALARS = ["2", "-3", "0.5", "True", "1.5", "0"]
VALUES = ["-1", "torch.tensor(-7)", "torch.tensor([100, 200, 300, 400])", "0.5"]
OPERANDS = ["f", "g", "i", "j", "b", "h", "s", "k"]


def expr(r, d=0):
    def atom():
        x = r.random()
        if d > 2 or x < 0.4:
            return r.choice(OPERANDS)
        if x < 0.55:
            return r.choice(SCALARS)
        if x < 0.75:
            return f"({expr(r, d + 1)}).{r.choice(UNARY)}()"
        return f"({expr(r, d + 1)})"
    return atom() if r.random() < 0.5 else f"{atom()} {r.choice(BINOPS)} {atom()}"


def index_item(r):
    x = r.random()
    if x < 0.25:
        return str(r.randint(-3, 3))
    if x < 0.5:
        a = r.choice(["", str(r.randint(-3, 3))])
        b = r.choice(["", str(r.randint(-3, 4))])
        c = r.choice(["", "", "2", "3"])
        return f"{a}:{b}" + (f":{c}" if c else "")
    if x < 0.6:
        return "None"
    if x < 0.68:
        return "..."
    if x < 0.8:
        return "[" + ", ".join(str(r.randint(-2, 2)) for _ in range(r.randint(1, 3))) + "]"
    if x < 0.9:
        return "torch.tensor([" + ", ".join(str(r.randint(0, 1)) for _ in range(r.randint(1, 3))) + "])"
    return r.choice(["m0", "m1"])


def script(r):
    lines = ["import torch"] + [f"{n} = {v}" for n, v in TENSORS.items()]
    for k in range(40):
        kind = r.random()
        if kind < 0.5:
            e = expr(r)
            if r.random() < 0.5:
                e = f"({e}).{r.choice(TAILS)}"
            body = [f"print({k}, {e})"]
        elif kind < 0.8:
            items = ", ".join(index_item(r) for _ in range(r.randint(1, 3)))
            body = [f"r = T[{items}]", f"print({k}, r.shape, r.tolist())"]
        else:
            items = ", ".join(index_item(r) for _ in range(r.randint(1, 3)))
            body = ["X = T.clone()", f"X[{items}] = {r.choice(VALUES)}", f"print({k}, X.tolist())"]
        lines += ["try:"] + ["    " + b for b in body] + ["except Exception as e:", f"    print({k}, type(e).__name__, e)"]
    return "\n".join(lines) + "\n"


def results(text):
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^(\d+) ", line)
        if m and int(m.group(1)) not in out:
            cur = int(m.group(1))
            out[cur] = line[len(m.group(0)):]
        elif cur is not None:
            out[cur] += "\n" + line
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    tensorc = os.path.abspath(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    groups = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(count):
            src = script(random.Random(seed + n))
            path = os.path.join(tmp, "t.py")
            open(path, "w").write(src)
            want = results(subprocess.run([sys.executable, path], capture_output=True, text=True).stdout)
            for mode in ([], ["--eager"]):
                got = results(subprocess.run([tensorc, "run", path] + mode, capture_output=True, text=True).stdout)
                for k in sorted(set(want) | set(got)):
                    if want.get(k) != got.get(k):
                        key = ((want.get(k) or "").split(" ")[0][:24], (got.get(k) or "").split(" ")[0][:24])
                        lines = src.splitlines()
                        at = next((i for i, l in enumerate(lines) if re.search(rf"print\({k},", l)), 0)
                        prev = lines[at - 1].strip() if at else ""
                        stmt = lines[at].strip() if prev == "try:" else prev
                        groups.setdefault(key, []).append((" ".join(mode) or "fused", stmt,
                                                           (want.get(k) or "")[:120], (got.get(k) or "")[:120]))
    total = sum(len(v) for v in groups.values())
    for key, items in sorted(groups.items(), key=lambda x: -len(x[1])):
        print(f"== PyTorch {key[0]} | tensorc {key[1]}: {len(items)}")
        for mode, stmt, w, g in items[:3]:
            print(f"   [{mode}] {stmt}\n     torch:   {w}\n     tensorc: {g}")
    print(f"{count} scripts, {total} differing statements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
