#!/usr/bin/env bash
# scripts/test.sh — owns: the full test run (unit + integration via CTest).
# Installs what is missing, builds (Release unless BUILD_TYPE is set), runs ctest (unit,
# integration, and the bounded libFuzzer runs of tests/fuzz/); then builds basalt and the unit
# tests with AddressSanitizer + UBSan (build-asan/), runs the unit tests there and a fast
# integration subset against the sanitized basalt (SANITIZED=0 skips that part). Fails if any
# part failed or a sanitized basalt process reported an error.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
scripts/build.sh "${BUILD_TYPE:-Release}"
status=0
ctest --test-dir build --output-on-failure -j2 --timeout 600 || status=$?

if [[ "${SANITIZED:-1}" == 1 ]]; then
  started=$(date +%s)
  scripts/build.sh asan
  reports="$PWD/build-asan/sanitizer-reports"
  rm -rf "$reports"
  mkdir -p "$reports"
  # A report aborts the process and is also written to $reports/<name>.<pid>, so a sanitized
  # basalt that dies inside an integration test (its log lives in a deleted temp dir) still
  # leaves the report behind.
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$reports/asan"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
  ctest --test-dir build-asan --output-on-failure -j2 --timeout 600 -L unit || status=$?
  # Integration suites that run in seconds and cover the protocol, every data type, pub/sub,
  # transactions and replication; the test binary is the release one, the server it starts is
  # the sanitized one (BASALT_TEST_BINARY, tests/support/servers.cpp).
  fast_integration='^(StringsKeys|HashesSets|Lists|Zsets|Bitmaps|Transactions|PubSub|Connection|'
  fast_integration+='ConnectionAuth|PreauthLimits|HostileGlob|Protocol|FuzzFindings|Replication)\.'
  BASALT_TEST_BINARY="$PWD/build-asan/basalt" ctest --test-dir build --output-on-failure -j2 \
    --timeout 600 -L integration -R "$fast_integration" || status=$?
  # A report with an error fails the run; one holding only warnings (ASan's note that it does
  # not fully support swapcontext, which the script fibers use and annotate) is shown.
  if compgen -G "$reports/*" >/dev/null; then
    if grep -lE 'ERROR: |runtime error|SUMMARY: ' "$reports"/* >/dev/null; then
      echo "test.sh: sanitizer reports:" >&2
      cat "$reports"/* >&2
      status=1
    else
      echo "test.sh: sanitizer warnings (no error):" >&2
      sort -u "$reports"/* >&2
    fi
  fi
  echo "test.sh: sanitized build and tests took $(( $(date +%s) - started )) s"
fi
exit "$status"
