#!/usr/bin/env bash
# fuzz_interp.sh BUILDDIR [SECONDS] — builds the interpreter fuzzer
# (test/cli/fuzz_interp.c with every CLI file but the command-line ones,
# against BUILDDIR/libtensorc.so) and runs it, seeded with the example and
# test scripts. Kernels run through the reference interpreter
# (TC_BACKEND=interp) to keep the rate up. Crash inputs land in the corpus
# copy, whose path is printed.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
secs=${2:-300}
work=$(mktemp -d)
files=$(ls "$src"/tools/tensorc/*.c | grep -v -e /main.c -e /dump.c -e /bench.c)
clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$src/include" -I"$src/tools/tensorc" \
  "$src/test/cli/fuzz_interp.c" $files -L"$build" -ltensorc -Wl,-rpath,"$build" -lm -o "$work/fuzz_interp"
mkdir "$work/corpus"
cp "$src"/examples/seed/*.py "$src"/test/cli/scripts/*.py "$work/corpus/"
echo "corpus and artifacts: $work"
TC_BACKEND=interp "$work/fuzz_interp" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=2048 \
  -artifact_prefix="$work/" "$work/corpus"
