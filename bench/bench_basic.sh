#!/usr/bin/env bash
# bench/bench_basic.sh — owns: the throughput comparison basalt vs redis-server.
# Builds basalt (scripts/build.sh Release), then runs redis-benchmark
# (-t set,get,incr,mset -c 50, without pipelining and with -P 16) first against a
# throw-away redis-server (AOF on, appendfsync everysec, no RDB snapshots), then
# against a throw-away build/basalt (wal-sync everysec), and prints a markdown table.
# Server start/stop, ports, temp dir and cleanup come from bench/lib.sh.
#
# Environment:
#   N=1000000        requests per test
#   TESTS=set,get,incr,mset  redis-benchmark -t list (e.g. hset,lpush,lpop,sadd,spop,zadd,lrange_100)
#   CLIENTS=50       parallel connections
#   PIPELINE=16      the pipelined run's depth
#   BENCH_ONLY=      "redis" or "basalt" to run only one side (basalt column n/a)
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-1000000}"
CLIENTS="${CLIENTS:-50}"
PIPELINE="${PIPELINE:-16}"
TESTS="${TESTS:-set,get,incr,mset}"

bench_init benchmark redis-benchmark redis-cli

# run_benchmarks NAME PORT DIR -> writes $WORK/NAME.p1.csv and $WORK/NAME.p16.csv
run_benchmarks() {
  local name=$1 port=$2 p out
  for p in 1 "$PIPELINE"; do
    out="$WORK/$name.p$p.csv"
    log "$name: redis-benchmark -t $TESTS -n $N -c $CLIENTS -P $p"
    if ! run_child redis-benchmark -h 127.0.0.1 -p "$port" -t "$TESTS" -n "$N" -c "$CLIENTS" \
         -P "$p" -q --csv >"$out" 2>"$WORK/$name.p$p.err"; then
      log "$name: redis-benchmark failed at -P $p:"
      tail -n 5 "$WORK/$name.p$p.err" "$out" >&2 || true
    fi
  done
}

# ---------------------------------------------------------------- runs
each_side run_benchmarks

# ---------------------------------------------------------------- report
report_head "redis-benchmark"
servers_line
echo "- redis-benchmark -n $N -c $CLIENTS -q --csv; pipeline 1 and $PIPELINE"
echo
echo "| test | pipeline | redis ops/s | basalt ops/s | ratio basalt/redis |"
echo "|---|---:|---:|---:|---:|"
for p in 1 "$PIPELINE"; do
  # One row per test redis-benchmark reported (the first column of its CSV), in its order.
  mapfile -t names < <(awk -F'","' 'NR > 1 { gsub(/^"/, "", $1); print $1 }' "$WORK/redis.p$p.csv" 2>/dev/null || true)
  [[ ${#names[@]} -gt 0 ]] || names=(SET GET INCR "MSET (10 keys)")
  for t in "${names[@]}"; do
    r="$(csv_rps "$WORK/redis.p$p.csv" "$t")"
    b="$(csv_rps "$WORK/basalt.p$p.csv" "$t")"
    echo "| $t | $p | $(round "$r") | $(round "$b") | $(ratio "$b" "$r") |"
  done
done
