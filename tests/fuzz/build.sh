#!/usr/bin/env bash
# tests/fuzz/build.sh — owns: configuring and building the libFuzzer targets with clang into
# <build-dir> (a CMake project of its own, tests/fuzz/CMakeLists.txt). Exit 77 (CTest: skipped)
# when clang++ or its libFuzzer runtime (libclang-rt-*-dev) is missing.
# Usage: tests/fuzz/build.sh <build-dir>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: build.sh <build-dir>}"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "SKIPPED: clang++ is not installed (apt-get install clang libclang-rt-14-dev)"
  exit 77
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  >"$probe/probe.cpp"
if ! clang++ -fsanitize=fuzzer "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1; then
  echo "SKIPPED: clang++ cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev)"
  exit 77
fi

cmake -S "$here" -B "$out" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None >/dev/null
nice cmake --build "$out" -j"$(nproc)"
