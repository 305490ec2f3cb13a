#!/usr/bin/env bash
# commands.sh TENSORC SRCDIR — checks every subcommand of the tensorc CLI:
# help texts and exit codes (0 ok, 1 script error, 2 usage error), the
# structure of the ir/kernels/codegen/dot dumps (headers, realization
# markers, pass filters; the exact IR is the library's business and is
# tested there), that dot output renders when Graphviz is installed, the
# bench table and its JSON fields, and reading a script from stdin.
set -u
tensorc=$1
src=$2
cd "$src" || exit 1
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
two=test/cli/cmd/two_realizations.py
fusion=examples/fusion.py

# expect NAME WANT_RC [--contains TEXT]... [--lacks TEXT]... -- ARGS...
expect() {
  local name=$1 want=$2
  shift 2
  local contains=() lacks=()
  while [ "$1" != "--" ]; do
    if [ "$1" = --contains ]; then contains+=("$2"); else lacks+=("$2"); fi
    shift 2
  done
  shift
  "$tensorc" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$? why=""
  cat "$tmp/out" "$tmp/err" >"$tmp/all"
  if grep -q -e "ERROR: .*Sanitizer" -e "runtime error:" "$tmp/err"; then why="sanitizer report"
  elif [ "$rc" != "$want" ]; then why="exit status $rc, expected $want"; fi
  for c in "${contains[@]+"${contains[@]}"}"; do
    [ -z "$why" ] && ! grep -qF -- "$c" "$tmp/all" && why="output lacks '$c'"
  done
  for c in "${lacks[@]+"${lacks[@]}"}"; do
    [ -z "$why" ] && grep -qF -- "$c" "$tmp/all" && why="output has '$c'"
  done
  if [ -n "$why" ]; then
    echo "FAIL $name: $why"
    head -30 "$tmp/all"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

# help and usage errors
expect "help" 0 --contains "usage: tensorc COMMAND FILE" --contains "bench FILE" -- --help
expect "no arguments" 2 --contains "usage: tensorc" --
expect "unknown command" 2 --contains "unknown command 'frob'" -- frob x.py
for c in run ir kernels codegen dot bench; do
  expect "$c --help" 0 --contains "usage: tensorc $c" -- $c --help
done
expect "help run" 0 --contains "usage: tensorc run" -- help run
expect "missing file" 2 --contains "missing FILE" -- run
expect "unreadable file" 2 --contains "can't open file 'no/such.py'" -- run no/such.py
expect "unknown option" 2 --contains "unknown option '--bogus'" -- run $two --bogus
expect "option of another command" 2 --contains "unknown option '--json'" -- run $two --json
expect "two files" 2 --contains "one FILE only" -- run $two $two
expect "bad --repeat" 2 --contains "needs a count" -- bench $two --repeat x

# run
expect "run" 0 --contains "tensor([27., 33., 39., 45.])" --contains "tensor(0.)" -- run $two
expect "run --eager" 0 --contains "tensor([27., 33., 39., 45.])" --contains "tensor(0.)" -- run $two --eager
printf 'import torch\nprint(torch.tensor([1, 2]) * 2)\n' >"$tmp/in.py"
"$tensorc" run - <"$tmp/in.py" >"$tmp/stdin_out" 2>&1
if grep -qF "tensor([2, 4])" "$tmp/stdin_out"; then pass=$((pass + 1)); else echo "FAIL run from stdin"; fail=$((fail + 1)); fi
expect "script error exit status" 1 --contains "RuntimeError: The size of tensor a (3)" -- run test/cli/scripts/err_broadcast.py
expect "syntax error location" 1 --contains "err_syntax.py\", line 4" --contains "SyntaxError: invalid syntax" -- run test/cli/scripts/err_syntax.py
expect "name error traceback" 1 --contains "Traceback (most recent call last):" \
  --contains "$(pwd -P)/test/cli/scripts/err_name.py\", line 5, in <module>" --contains "^^^^^^^^^^^^^^^" -- run test/cli/scripts/err_name.py
# CPython's ways: sys.argv (after --), __name__, SystemExit codes, real modules
printf 'import sys, torch\nif __name__ == "__main__":\n    print(sys.argv, torch.__name__)\n    sys.exit(int(sys.argv[2]))\n' >"$tmp/argv.py"
expect "script arguments and sys.exit" 3 --contains "['$tmp/argv.py', 'a', '3'] tensorc.torch" -- run "$tmp/argv.py" -- a 3
printf 'import sys\nsys.exit("bye")\n' >"$tmp/exit.py"
expect "sys.exit(message)" 1 --contains "bye" --lacks "Traceback" -- run "$tmp/exit.py"
printf 'import sys\nsys.exit()\n' >"$tmp/exit0.py"
expect "sys.exit()" 0 -- run "$tmp/exit0.py"
printf 'import torch\ndef f(rows, col):\n    return sorted(rows, key=lambda r: r[col])\nprint(f([[2, 1], [1, 2]], 0), "%%d-%%s" %% (1, "x"), "{:>4}".format(7))\n' >"$tmp/py.py"
expect "closures and formatting" 0 --contains "[[1, 2], [2, 1]] 1-x    7" -- run "$tmp/py.py"
# the Python: TENSORC_PYTHON chooses it, and a missing one is said clearly
TENSORC_PYTHON=/no/such/python3 "$tensorc" run "$two" >"$tmp/out" 2>&1
if [ $? = 2 ] && grep -qF "needs CPython 3.9 or later with its shared library" "$tmp/out" &&
   grep -qF "/no/such/python3: not found" "$tmp/out"; then pass=$((pass + 1)); else echo "FAIL no usable Python"; cat "$tmp/out"; fail=$((fail + 1)); fi
printf 'import sys\nprint(sys.executable)\n' >"$tmp/exe.py"
py3=$(command -v python3 || true)
if [ -n "$py3" ] && real=$("$py3" -c 'import sys; print(sys.executable)' 2>/dev/null) &&
   [ "$(TENSORC_PYTHON=$py3 "$tensorc" run "$tmp/exe.py" 2>/dev/null)" = "$real" ]; then
  pass=$((pass + 1))
elif [ -n "$py3" ] && TENSORC_PYTHON=$py3 "$tensorc" run "$tmp/exe.py" 2>&1 | grep -q "none could be used"; then
  echo "note: python3 ($py3) has no shared library; TENSORC_PYTHON not checked"
else
  echo "FAIL TENSORC_PYTHON=$py3 runs on that Python"; fail=$((fail + 1))
fi
if printf 'import numpy\n' | "$tensorc" run - >/dev/null 2>&1; then
  printf 'import numpy as np, torch\na = np.zeros(3)\nt = torch.from_numpy(a)\nt += 1\nprint(type(a).__module__, a, np.sum(a))\n' >"$tmp/np.py"
  expect "real numpy" 0 --contains "numpy [1. 1. 1.] 3.0" -- run "$tmp/np.py"
  expect "sys.exit in a dump" 0 --contains "=== realization 1 at $tmp/np.py:4 ===" -- ir "$tmp/np.py"
fi

# ir
expect "ir" 0 --contains "=== realization 1 at $two:4 ===" --contains "=== realization 2 at $two:6 ===" \
  --contains "--- graph IR after build ---" --contains "--- graph IR after fuse ---" --lacks "tensor([" -- ir $two
expect "ir --after fuse" 0 --contains "--- graph IR after fuse ---" --lacks "after build" -- ir $two --after fuse
expect "ir --after build" 0 --contains "--- graph IR after build ---" --lacks "after fuse" -- ir $two --after build
expect "ir --after unknown" 2 --contains "no pass of that name" -- ir $two --after nosuchpass
expect "ir --show-output" 0 --contains "tensor([27., 33., 39., 45.])" --contains "after fuse" -- ir $two --show-output
expect "ir --eager" 0 --contains "=== realization 3" -- ir $two --eager
expect "ir script error" 1 --contains "RuntimeError" -- ir test/cli/scripts/err_broadcast.py

# kernels
expect "kernels" 0 --contains "=== realization 1 at $fusion:12 ===" --contains "fuse: kernel boundary at" \
  --contains "realized result" --contains "--- kernel ---" --contains "kernel outer=" --lacks "graph IR" -- kernels $fusion

# codegen
expect "codegen" 0 --contains "; === realization 1" --contains "; --- optimized LLVM IR of tc_kernel" \
  --contains "define void @tc_kernel" -- codegen $two
expect "codegen --target cpu" 0 --contains "define void @tc_kernel" -- codegen $two --target cpu
expect "codegen --asm" 0 --contains "# --- assembly of tc_kernel" --contains "ret" --lacks "define void" -- codegen $two --asm
expect "codegen bad target" 2 --contains "unknown target 'tpu'" -- codegen $two --target tpu
expect "codegen --ptx on cpu" 2 --contains "--ptx needs --target cuda" -- codegen $two --ptx
expect "codegen --target cuda" 0 --contains "// === realization 1" --contains "// --- CUDA C" \
  --contains "__global__ void" --lacks "define void" -- codegen $two --target cuda
if [ -n "$(ls /usr/local/cuda*/lib64/libnvrtc.so.13 /usr/lib/*/libnvrtc.so.13 2>/dev/null)" ]; then
  expect "codegen --ptx" 0 --contains "// --- PTX (sm_90) ---" --contains ".entry tc_kernel" -- codegen $two --target cuda --ptx
else
  expect "codegen --ptx without NVRTC" 0 --contains "// --- PTX" -- codegen $two --target cuda --ptx
fi

# dot
expect "dot" 0 --contains "digraph tensorc {" --contains "subgraph cluster_r1 {" --contains "subgraph cluster_r2 {" \
  --contains "label=\"kernel 0\"" --contains "realization 2 ($two:6)" -- dot $two
expect "dot --realization 2" 0 --contains "digraph tensorc {" --lacks "cluster_r" -- dot $two --realization 2
expect "dot --realization too big" 2 --contains "made 2 realizations" -- dot $two --realization 3
if command -v dot >/dev/null 2>&1; then
  for args in "$two" "$fusion" "$two --realization 1"; do
    "$tensorc" dot $args >"$tmp/g.dot" 2>/dev/null
    if dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg" 2>"$tmp/dot.err" && grep -q "<svg" "$tmp/g.svg"; then
      pass=$((pass + 1))
    else
      echo "FAIL dot -Tsvg of tensorc dot $args"
      cat "$tmp/dot.err"
      fail=$((fail + 1))
    fi
  done
fi

# bench
expect "bench table" 0 --contains "fused" --contains "eager" --contains "time per realization" \
  --contains "kernels launched" --contains "compile time" --contains "bytes moved" --contains "fused/eager time:" \
  -- bench $two --repeat 2 --warmup 1
expect "bench --json" 0 --contains "\"file\": \"$two\"" --contains "\"runs\": 3" --contains "\"warmup\": 0" \
  --contains "\"fused\": {" --contains "\"eager\": {" --contains "\"median_seconds\":" \
  --contains "\"per_realization_seconds\":" --contains "\"realizations\": 2" --contains "\"kernels_launched\":" \
  --contains "\"kernels_compiled\":" --contains "\"compile_seconds\":" --contains "\"kernel_seconds\":" \
  --contains "\"bytes_moved\":" --contains "\"fused_over_eager\":" -- bench $two --json --repeat 3 --warmup 0
if command -v python3 >/dev/null 2>&1; then
  "$tensorc" bench $two --json --repeat 1 >"$tmp/b.json" 2>/dev/null
  if python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
f, e = b["fused"], b["eager"]
assert f["realizations"] == 2 and e["kernels_launched"] > f["kernels_launched"] >= 2, b
assert f["bytes_moved"] > 0 and b["fused_over_eager"] > 0, b
' "$tmp/b.json"; then pass=$((pass + 1)); else echo "FAIL bench JSON contents"; fail=$((fail + 1)); fi
fi
expect "bench script error" 1 --contains "RuntimeError" -- bench test/cli/scripts/err_broadcast.py

echo "cli commands: $pass passed, $fail failed"
[ "$fail" = 0 ]
