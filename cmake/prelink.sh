#!/usr/bin/env bash
# prelink.sh OUT LD OBJCOPY NM OBJECTS... -- ARCHIVES...
# One relocatable object (ld -r) of tensorc's objects and the members of the
# static LLVM archives they need (sections nothing reachable from a tc_*
# function uses are dropped), in which every symbol but the tc_* functions
# is made local: libtensorc.a's one member (cmake/static_lib.cmake). LLVM's
# symbols cannot clash with a consumer's own LLVM or its C++ code.
set -euo pipefail
out=$1 ld=$2 objcopy=$3 nm=$4
shift 4
objs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do objs+=("$1"); shift; done
shift
roots=$("$nm" -g --defined-only "${objs[@]}" | awk '$3 ~ /^tc_/ { print "-u" $3 }' | sort -u)
# shellcheck disable=SC2086
"$ld" -r --gc-sections $roots -o "$out.tmp" "${objs[@]}" --start-group "$@" --end-group
"$objcopy" --wildcard -G 'tc_*' "$out.tmp" "$out"
rm -f "$out.tmp"
