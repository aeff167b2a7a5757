#!/usr/bin/env bash
# scripts/redis-suite.sh — owns: running units of the official Redis 7.0.15 Tcl test suite
# against a fresh basalt and printing basalt's per-unit counts beside redis-server's.
#
# Usage: scripts/redis-suite.sh [unit ...]
#   default units: unit/keyspace unit/expire unit/multi unit/scan unit/type/* unit/pubsub
#   unit/introspection ("unit/type/*" expands to every type unit the reference file lists).
#
# The suite itself lives outside the repo: REDIS_SUITE_DIR (default: ../shared relative to the
# repo root) must hold redis-suite.sh (the runner: external mode, --tags -slow --durable, CONFIG
# restored between units), redis-tests/ (the Tcl suite) and redis-suite-reference.txt
# (redis-server 7.0.15's own counts). BASALT_BIN overrides the binary (default build/basalt).
#
# What this script does:
#   1. for each unit, starts a fresh build/basalt on a free loopback port with a temporary data
#      directory (so a unit that leaves it busy or changed spoils no other unit) and the
#      flags upstream's external CI job gives redis-server (--save "" --enable-debug-command yes
#      --enable-protected-configs yes; not --enable-module-command: basalt has no MODULE and
#      refuses the directive);
#   2. copies the runner and the suite to a temporary folder and makes the suite's per-unit
#      `r function flush` (server.tcl, the first call of every start_server) a `catch`: basalt has
#      no FUNCTION yet, and without the catch every unit would stop before its first test; units
#      that use functions still fail where they call FUNCTION;
#   3. runs the units, printing the runner's "unit: P passed, F failed, S skipped" as each ends,
#      then a table "unit | basalt P/F/S | redis-server P/F/S";
#   4. stops basalt and removes every temporary file, also on failure or Ctrl-C.
# Environment passed through to the runner: SUITE_TAGS, SUITE_ARGS, SUITE_TIMEOUT, SUITE_UNIT_S;
# SUITE_LOG (default /tmp/basalt-redis-suite.log) keeps the full runtest output of all units, and
# /tmp/basalt-redis-suite.basalt.log (SUITE_LOG's name with .basalt.log) basalt's own log.
# Exit status: 0 if no test failed, 1 otherwise, 2 on a setup error.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=${REDIS_SUITE_DIR:-$root/../shared}
bin=${BASALT_BIN:-$root/build/basalt}
for f in "$suite/redis-suite.sh" "$suite/redis-tests/runtest" "$suite/redis-suite-reference.txt"; do
  [[ -e $f ]] || { echo "missing $f (set REDIS_SUITE_DIR)" >&2; exit 2; }
done
[[ -x $bin ]] || { echo "missing $bin (run scripts/build.sh)" >&2; exit 2; }
command -v tclsh >/dev/null || { echo "tclsh not found: apt-get install -y tcl" >&2; exit 2; }

reference=$suite/redis-suite-reference.txt
units=("$@")
if [[ ${#units[@]} -eq 0 ]]; then
  units=(unit/keyspace unit/expire unit/multi unit/scan)
  mapfile -t -O ${#units[@]} units < <(sed -n 's/^\(unit\/type\/[^:]*\):.*/\1/p' "$reference")
  units+=(unit/pubsub unit/introspection)
fi

export SUITE_LOG=${SUITE_LOG:-/tmp/basalt-redis-suite.log}
: >"$SUITE_LOG"
work=$(mktemp -d /tmp/basalt-redis-suite.XXXXXX)
pid=
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
up() { [[ $(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }
stop_basalt() {
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null # a unit may leave it busy (e.g. a pathological KEYS pattern)
  wait "$pid" 2>/dev/null
  pid=
  rm -rf "$work/data"
}
start_basalt() {
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    port_free "$port" || continue
    mkdir -p "$work/data"
    "$bin" --bind 127.0.0.1 --port "$port" --dir "$work/data" --save "" \
      --enable-debug-command yes --enable-protected-configs yes >>"$work/basalt.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      up "$port" && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    stop_basalt
  done
  echo "basalt did not start; its log:" >&2
  cat "$work/basalt.log" >&2
  exit 2
}

cleanup() {
  stop_basalt
  [[ -f $work/basalt.log ]] && cp "$work/basalt.log" "${SUITE_LOG%.log}.basalt.log"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The runner and a copy of the suite, FUNCTION FLUSH made non-fatal (see above).
cp "$suite/redis-suite.sh" "$suite/redis-suite-reference.txt" "$work/"
cp -r "$suite/redis-tests" "$work/redis-tests"
chmod -R u+w "$work"
sed -i 's/^\( *\)r function flush$/\1catch {r function flush}/' "$work/redis-tests/tests/support/server.tcl"
grep -q 'catch {r function flush}' "$work/redis-tests/tests/support/server.tcl" ||
  { echo "could not patch 'r function flush' in server.tcl" >&2; exit 2; }

# One fresh basalt per unit: a unit that leaves it busy or changed cannot spoil the next.
status=0
for u in "${units[@]}"; do
  start_basalt
  echo "=== $u: basalt $bin on 127.0.0.1:$port" >>"$work/basalt.log"
  SUITE_LOG=$work/unit.log "$work/redis-suite.sh" 127.0.0.1 "$port" "$u" >"$work/unit.out" 2>/dev/null ||
    status=1
  cat "$work/unit.log" >>"$SUITE_LOG"
  grep '^unit/' "$work/unit.out" | tee -a "$work/counts.txt"
  stop_basalt
done
echo
echo "unit | basalt passed/failed/skipped | redis-server passed/failed/skipped"
awk -F': ' '
  FNR == NR { if ($1 ~ /^unit\//) ref[$1] = $2; next }
  $1 ~ /^unit\// {
    r = ($1 in ref) ? ref[$1] : "(no reference)"
    gsub(/ passed, | failed, /, "/", $2); gsub(/ skipped/, "", $2)
    gsub(/ passed, | failed, /, "/", r); gsub(/ skipped/, "", r)
    print $1 " | " $2 " | " r
  }' "$reference" "$work/counts.txt"
exit "$status"
