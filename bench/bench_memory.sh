#!/usr/bin/env bash
# bench/bench_memory.sh — owns: the memory / disk footprint comparison basalt vs
# redis-server. Loads the same deterministic data set (KEYS keys "key:000000001"...,
# VALUE_SIZE-byte values) through `redis-cli --pipe` into a throw-away redis-server
# (AOF on, appendfsync everysec, no RDB snapshots) and then into a throw-away
# build/basalt (wal-sync everysec), and reports for each: DBSIZE, RSS (VmRSS),
# INFO memory used_memory, on-disk size of the data dir (du -sb), load time.
# The data set, server start/stop, ports, temp dir and cleanup come from bench/lib.sh.
#
# Environment:
#   KEYS=2000000     number of keys
#   VALUE_SIZE=100   bytes per value (>= 10)
#   SETTLE=3         seconds to wait after loading before measuring
#   BENCH_ONLY=      "redis" or "basalt" to run only one side
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYS="${KEYS:-2000000}"
VALUE_SIZE="${VALUE_SIZE:-100}"
SETTLE="${SETTLE:-3}"

need_uint KEYS 1 999999999
need_uint VALUE_SIZE 10
bench_init measure redis-cli

# measure NAME PORT DIR -> writes $WORK/NAME.result: dbsize rss used disk load_s
measure() {
  local name=$1 port=$2 dir=$3 t0 t1
  log "$name: loading $KEYS keys with $VALUE_SIZE-byte values via redis-cli --pipe"
  t0="$(now)"
  load "$name" "$port" "$KEYS" gen_dataset
  t1="$(now)"
  wait_aof "$port" 300  # let a possible redis AOF rewrite finish
  sleep "$SETTLE"

  local dbsize rss used disk
  dbsize="$(redis-cli -h 127.0.0.1 -p "$port" DBSIZE 2>/dev/null | tr -d '\r')"
  rss="$(awk '/^VmRSS:/ { printf "%.0f\n", $2 * 1024; exit }' "/proc/${PID[$name]}/status" 2>/dev/null)"
  info "$port" memory "$WORK/memory.info"
  used="$(field "$WORK/memory.info" used_memory)"
  disk="$(du -sb "$dir" | awk '{ print $1 }')"
  echo "${dbsize:-n/a} ${rss:-n/a} ${used:-n/a} ${disk:-n/a} $(elapsed "$t0" "$t1" 2)" \
    >"$WORK/$name.result"
}

# ---------------------------------------------------------------- runs
each_side measure

# ---------------------------------------------------------------- report
payload=$((KEYS * (13 + VALUE_SIZE)))

per_key() { awk -v v="$1" -v k="$2" 'BEGIN { if (v ~ /^[0-9]+$/ && k ~ /^[0-9]+$/ && k > 0) printf "%.0f", v / k; else print "n/a" }'; }

report_head "memory and disk footprint"
servers_line
echo "- data: $KEYS keys (key:000000001...), $VALUE_SIZE-byte values, loaded with redis-cli --pipe; logical payload $(mib "$payload") (keys + values); measured ${SETTLE}s after load"
echo
echo "| server | DBSIZE | RSS (VmRSS) | used_memory | data dir (du -sb) | RSS B/key | disk B/key | load time |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for name in redis basalt; do
  [[ -f "$WORK/$name.result" ]] || continue
  read -r dbsize rss used disk load <"$WORK/$name.result"
  echo "| $name | $dbsize | $(mib "$rss") | $(mib "$used") | $(mib "$disk") | $(per_key "$rss" "$dbsize") | $(per_key "$disk" "$dbsize") | ${load}s |"
done
