#!/usr/bin/env bash
# scripts/test.sh — owns: the full test run (unit + integration via CTest).
# Installs what is missing, builds (Release unless BUILD_TYPE is set), runs ctest;
# ctest's exit code is this script's exit code.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
scripts/build.sh "${BUILD_TYPE:-Release}"
exec ctest --test-dir build --output-on-failure -j2 --timeout 600
