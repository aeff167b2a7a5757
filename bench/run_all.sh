#!/usr/bin/env bash
# bench/run_all.sh — owns: running every table script of bench/ in one go and printing their
# markdown, README-ready, on stdout (progress and each script's own log on stderr). Builds
# basalt once (scripts/build.sh Release) and runs the scripts with SKIP_BUILD=1; a script that
# fails is reported in the output (its exit status) and the others still run. The sizes are each
# script's own defaults unless set in the environment (N, KEYS, ... are passed through; see
# bench/README.md); SCRIPTS picks which ones run.
#
# Environment:
#   SCRIPTS="basic matrix latency load memory scale replication"
#                    which bench_<name>.sh to run, in this order (callgrind: callgrind_ops.sh,
#                    needs valgrind; not in the default list)
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split; every script)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
SCRIPTS="${SCRIPTS:-basic matrix latency load memory scale replication}"

log() { echo "run_all: $*" >&2; }

for name in $SCRIPTS; do
  case "$name" in
    callgrind) f=bench/callgrind_ops.sh ;;
    *) f="bench/bench_$name.sh" ;;
  esac
  [[ -x "$f" ]] || { log "no such script: $f (SCRIPTS=\"$SCRIPTS\")"; exit 2; }
done

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  blog="${TMPDIR:-/tmp}/basalt-bench-build.log"
  log "building basalt (Release)..."
  if ! scripts/build.sh Release >"$blog" 2>&1; then
    tail -n 30 "$blog" >&2
    log "building basalt failed (full log: $blog)"
    exit 1
  fi
fi
[[ -x build/basalt ]] || { log "build/basalt is missing"; exit 1; }

started="$(date -u +%Y-%m-%dT%H:%MZ)"
echo "# basalt benchmarks ($started, $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
failed=0
for name in $SCRIPTS; do
  case "$name" in
    callgrind) f=bench/callgrind_ops.sh ;;
    *) f="bench/bench_$name.sh" ;;
  esac
  log "==== $f"
  t0=$(date +%s)
  out="$(SKIP_BUILD=1 "$f")"
  rc=$?
  echo
  if [[ $rc -eq 0 ]]; then
    echo "$out"
  else
    failed=$((failed + 1))
    echo "## $f FAILED (exit status $rc; its log is above on stderr)"
    [[ -z "$out" ]] || { echo; echo "$out"; }
  fi
  echo
  echo "(\`$f\`, $(($(date +%s) - t0)) s)"
  log "==== $f: exit status $rc after $(($(date +%s) - t0)) s"
done
exit $((failed > 0))
