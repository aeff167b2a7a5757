#!/usr/bin/env bash
# scripts/build.sh — owns: configuring (CMake, into build/) and compiling basalt
# and its tests. Usage: scripts/build.sh [Release|Debug]   (default: Release)
# ccache is used automatically when installed (CMakeLists.txt picks it up).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_TYPE="${1:-Release}"
case "$BUILD_TYPE" in
  Release|Debug|RelWithDebInfo|MinSizeRel) ;;
  *) echo "usage: $0 [Release|Debug]" >&2; exit 2 ;;
esac

cmake -S . -B build -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
cmake --build build -j"$(nproc)"
