#!/usr/bin/env bash
# run_scripts.sh TENSORC SRCDIR — runs every script of the CLI suite and
# compares it with its checked-in expectations:
#   examples/seed/*.py     the seed document's code, one file per section
#   test/cli/scripts/*.py  more conformance scripts
# NAME.out is the expected stdout (made with python3 + PyTorch, see
# test/cli/regen.py); NAME.err, when present, is the expected stderr and
# means the script must fail with exit status 1. The stderr is CPython's
# traceback, whose File "..." names are absolute: the script's folder is
# taken out of them before comparing (File "err_name.py", line 5). A
# script that succeeds must write nothing to stderr but its NAME.warn (the
# warnings python3 prints for it: a SyntaxWarning, NumPy's RuntimeWarning).
# Every script runs twice, fused and --eager, and both runs must match. A line "# tensorc: requires
# cuda" (or numpy) skips the script, with the reason, until tensorc has the
# feature (probed through tensorc itself), and "# tensorc: expected from
# numpy<2" when the NumPy tensorc's CPython imports is 2 or later (the
# expected output is NumPy 1.x's); without a GPU, CUDA scripts run on the
# emulated device (TC_CUDA_EMULATE=1) when it works: the emulator is
# test-only, preloaded from $TC_TEST_CUDA_EMU_PRELOAD (ctest sets it).
# Sanitizer reports fail the test.
set -u
tensorc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

probe='import torch\nprint(torch.cuda.is_available())\n'
have_cuda=$(printf "$probe" | "$tensorc" run - 2>/dev/null)
cuda_env=""
# (the emulator's compiler inherits the preload: under ASan its own leaks at exit
# are not ours, so leak detection is off for these scripts)
emu_env="TC_CUDA_EMULATE=1${TC_TEST_CUDA_EMU_PRELOAD:+ LD_PRELOAD=$TC_TEST_CUDA_EMU_PRELOAD ASAN_OPTIONS=detect_leaks=0}"
if [ "$have_cuda" != True ] && [ "$(printf "$probe" | env $emu_env "$tensorc" run - 2>/dev/null)" = True ]; then
  have_cuda=True
  cuda_env=$emu_env
fi
have_numpy=no
printf 'import numpy as np\nx = np.arange(2)\n' | "$tensorc" run - >/dev/null 2>&1 && have_numpy=yes
numpy_major=$(printf 'import numpy\nprint(numpy.__version__.split(".")[0])\n' | "$tensorc" run - 2>/dev/null)

check() { # check SCRIPT MODE [ENV]
  local py=$1 mode=$2 env=${3:-} base=${1%.py} rc want_rc=0 warn=/dev/null
  [ -f "$base.err" ] && want_rc=1
  [ -f "$base.warn" ] && warn=$base.warn
  local dir
  dir=$(cd "$(dirname "$py")" && pwd -P)
  (cd "$dir" && env $env "$tensorc" run "$(basename "$py")" $mode >"$tmp/out" 2>"$tmp/err")
  rc=$?
  # ASan's note about the emulated device's makecontext is not an error
  grep -v "WARNING: ASan doesn't fully support makecontext" "$tmp/err" | sed "s|$dir/||g" >"$tmp/err2"
  mv "$tmp/err2" "$tmp/err"
  local why=""
  if grep -q -e "ERROR: .*Sanitizer" -e "runtime error:" "$tmp/err"; then why="sanitizer report"
  elif [ "$rc" != "$want_rc" ]; then why="exit status $rc, expected $want_rc"
  elif ! cmp -s "$tmp/out" "$base.out"; then why="stdout differs"
  elif [ -f "$base.err" ] && ! cmp -s "$tmp/err" "$base.err"; then why="stderr differs"
  elif [ ! -f "$base.err" ] && ! cmp -s "$tmp/err" "$warn"; then why="unexpected stderr"
  fi
  if [ -n "$why" ]; then
    echo "FAIL ${py#$src/} ${mode:-(fused)}: $why"
    diff "$base.out" "$tmp/out" | head -20
    [ -f "$base.err" ] && diff "$base.err" "$tmp/err" | head -10
    [ -f "$base.err" ] || head -20 "$tmp/err"
    return 1
  fi
  return 0
}

for py in "$src"/examples/seed/*.py "$src"/test/cli/scripts/*.py; do
  [ -f "$py" ] || continue
  name=${py#$src/}
  req=$(sed -n 's/^# tensorc: requires \([a-z]*\).*/\1/p' "$py" | head -1)
  if [ "$req" = cuda ] && [ "$have_cuda" != True ]; then
    echo "SKIP $name: needs CUDA (torch.cuda.is_available() is False here)"
    skip=$((skip + 1))
    continue
  fi
  if [ "$req" = numpy ] && [ "$have_numpy" != yes ]; then
    echo "SKIP $name: needs NumPy arrays (not supported by tensorc yet)"
    skip=$((skip + 1))
    continue
  fi
  if grep -q "^# tensorc: expected from numpy<2" "$py" && [ "${numpy_major:-0}" -ge 2 ] 2>/dev/null; then
    echo "SKIP $name: its expected output is NumPy 1.x's, and tensorc's CPython has NumPy $numpy_major"
    skip=$((skip + 1))
    continue
  fi
  if [ ! -f "${py%.py}.out" ]; then
    echo "FAIL $name: no ${name%.py}.out"
    fail=$((fail + 1))
    continue
  fi
  env=""
  if [ "$req" = cuda ] && [ -n "$cuda_env" ]; then
    env=$cuda_env
    echo "note $name: on the emulated CUDA device ($cuda_env)"
  fi
  if check "$py" "" "$env" && check "$py" --eager "$env"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
  fi
done
echo "cli scripts: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
