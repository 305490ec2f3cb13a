#!/usr/bin/env bash
# fuzz.sh FUZZER SRCDIR SECONDS — runs the libFuzzer build of the script
# parser for a bounded time, seeded with every example and test script (in
# a scratch copy: libFuzzer adds its finds to the corpus directory). A
# crash, a leak, a timeout (-timeout) or running out of memory fails it.
set -eu
fuzzer=$1 src=$2 secs=$3
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$src"/examples/*.py "$src"/examples/seed/*.py "$src"/test/cli/scripts/*.py "$src"/test/cli/cmd/*.py "$corpus"/
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$corpus/" "$corpus" 2>&1 | tail -15
exit "${PIPESTATUS[0]}"
