#!/usr/bin/env bash
# scripts/build.sh — owns: configuring (CMake, into build/) and compiling basalt
# and its tests. Usage: scripts/build.sh [Release|Debug|asan]   (default: Release; asan:
# the sanitized build in build-asan/, see CMakeLists.txt BASALT_SANITIZE)
# ccache is used automatically when installed (CMakeLists.txt picks it up).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_TYPE="${1:-Release}"
case "$BUILD_TYPE" in
  Release|Debug|RelWithDebInfo|MinSizeRel) ;;
  asan)
    # AddressSanitizer + UBSan (-DBASALT_SANITIZE=ON) into build-asan/: only basalt and the
    # unit tests (what scripts/test.sh runs sanitized; its integration tests start this basalt),
    # at -Og: ASan wants some optimisation (-O1 is what it recommends), and -Og compiles a
    # quarter faster than -O1 (write_pipeline.cpp: 28 s -> 21 s), which is most of this build's
    # share of a CI run; -O3 with instrumentation compiles far slower for no better reports.
    cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-Og \
      -DBASALT_SANITIZE=ON
    cmake --build build-asan -j"$(nproc)" --target basalt basalt_unit_tests
    exit 0 ;;
  *) echo "usage: $0 [Release|Debug|asan]" >&2; exit 2 ;;
esac

cmake -S . -B build -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
cmake --build build -j"$(nproc)"
