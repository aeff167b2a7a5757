#!/usr/bin/env bash
# tests/fuzz/run.sh — owns: one bounded libFuzzer run of one target (built by build.sh),
# starting from the checked-in seed corpus tests/fuzz/corpus/<target>/. New inputs go to a
# scratch corpus under the build dir, never into the source tree; a crash, a failed invariant
# (abort) or a timeout fails the test and leaves the input in <build-dir>/artifacts/.
# Exit 77 (CTest: skipped) when clang is missing (the targets could not be built).
# Usage: tests/fuzz/run.sh <build-dir> <target> <seconds>
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: run.sh <build-dir> <target> <seconds>}"
target="${2:?target}"
seconds="${3:-20}"

if ! command -v clang++ >/dev/null 2>&1; then
  echo "SKIPPED: clang++ is not installed, no fuzz targets were built"
  exit 77
fi
binary="$out/$target"
if [[ ! -x "$binary" ]]; then
  echo "missing $binary: the fuzz_build test (tests/fuzz/build.sh) must run first" >&2
  exit 1
fi
scratch="$out/corpus/$target"
rm -rf "$scratch"
mkdir -p "$scratch" "$out/artifacts"
# -timeout: one input taking over 10 s is a hang (the glob matcher once backtracked for
# minutes); -max_len keeps inputs below the parsers' 64 KB inline limit. libFuzzer's own crash
# exit code (77) would read as "skipped" to CTest, hence -error_exitcode=1.
exec nice "$binary" -max_total_time="$seconds" -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" \
  "$scratch" "$here/corpus/$target"
