#!/usr/bin/env bash
# scripts/test.sh — owns: the full test run (unit + integration via CTest).
# Installs what is missing, builds (Release unless BUILD_TYPE is set), runs ctest (unit,
# integration, and the bounded libFuzzer runs of tests/fuzz/); then builds basalt and the tests
# with AddressSanitizer + UBSan (build-asan/) and runs the unit tests and a fast integration
# subset there (SANITIZED=0 skips that part). Fails if any part failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
scripts/build.sh "${BUILD_TYPE:-Release}"
status=0
ctest --test-dir build --output-on-failure -j2 --timeout 600 || status=$?

if [[ "${SANITIZED:-1}" == 1 ]]; then
  started=$(date +%s)
  scripts/build.sh asan
  # Integration suites that run in seconds and cover the protocol, every data type, pub/sub,
  # transactions, expiry and one replication path.
  fast_integration='^(StringsKeys|HashesSets|Lists|Zsets|Bitmaps|Transactions|PubSub|Connection|'
  fast_integration+='ConnectionAuth|PreauthLimits|HostileGlob|Protocol|FuzzFindings|Replication)\.'
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -L unit || status=$?
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -L integration \
    -R "$fast_integration" || status=$?
  echo "test.sh: sanitized build and tests took $(( $(date +%s) - started )) s"
fi
exit "$status"
