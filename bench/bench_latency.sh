#!/usr/bin/env bash
# bench/bench_latency.sh — owns: the latency table of issue 13: p50 and p99 of SET and GET
# (redis-benchmark 7.0's --csv latency columns) at -c $CLIENTS without pipelining, on one hot
# key and on random keys (-r $KEYSPACE, the key space pre-loaded on both so every GET hits),
# basalt vs a redis-server (AOF on, appendfsync everysec, no RDB) run at the same time. Each
# cell runs on both back to back, the first side alternating, so drift on a noisy machine hits
# both. Prints one markdown table with the ratios basalt/redis. Servers, ports, cleanup:
# bench/lib.sh.
#
# Environment:
#   N=200000         requests per cell (per test)
#   CLIENTS=50       parallel connections
#   KEYSPACE=100000  the -r of the random-key cells (0: only the hot-key cells)
#   VALUE_SIZE=3     bytes per value (redis-benchmark -d, and the pre-loaded values; >= 16
#                    for the pre-load, smaller is raised to 16 there)
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-200000}"
CLIENTS="${CLIENTS:-50}"
KEYSPACE="${KEYSPACE:-100000}"
VALUE_SIZE="${VALUE_SIZE:-3}"
need_uint N 1
need_uint CLIENTS 1
need_uint KEYSPACE 0
need_uint VALUE_SIZE 1

# both sides: every cell is a same-run ratio
BENCH_ONLY="" bench_init benchmark redis-benchmark redis-cli

start_sides
for kind in "${sides[@]}"; do
  if ((KEYSPACE > 0)); then
    log "$kind: pre-loading the $KEYSPACE keys of -r $KEYSPACE"
    VALUE_SIZE=$((VALUE_SIZE < 16 ? 16 : VALUE_SIZE)) load "$kind" "${PORT[$kind]}" "$KEYSPACE" gen_keyspace "$KEYSPACE"
  fi
done
for kind in "${sides[@]}"; do wait_aof "${PORT[$kind]}"; done

# cell KIND KEYS -> $WORK/KIND.rKEYS.csv (KEYS 0: one hot key)
cell() {
  local kind=$1 r=$2 out="$WORK/$1.r$2.csv" args=()
  ((r > 0)) && args=(-r "$r")
  log "$kind: redis-benchmark -t set,get -n $N -c $CLIENTS -d $VALUE_SIZE ${args[*]}"
  if ! run_child redis-benchmark -h 127.0.0.1 -p "${PORT[$kind]}" -t set,get -n "$N" \
    -c "$CLIENTS" -d "$VALUE_SIZE" "${args[@]}" -q --csv >"$out" 2>"$out.err"; then
    log "$kind: redis-benchmark failed (-r $r):"
    tail -n 5 "$out.err" >&2 || true
  fi
}

cells=(0)
((KEYSPACE > 0)) && cells+=("$KEYSPACE")
i=0
for r in "${cells[@]}"; do
  if ((i++ % 2)); then cell basalt "$r"; cell redis "$r"; else cell redis "$r"; cell basalt "$r"; fi
done
stop_sides

report_head "latency (redis-benchmark p50 / p99)"
servers_line
echo "- redis-benchmark -t set,get -n $N -c $CLIENTS -d $VALUE_SIZE -q --csv, no pipelining; one hot key, and -r $KEYSPACE with the key space pre-loaded (every GET hits); both servers up at once, each cell run on both back to back"
echo "- latencies in ms as redis-benchmark reports them (its histogram's precision); ratio = basalt / redis (below 1: basalt faster)"
echo
echo "| test | keys | redis ops/s | basalt ops/s | ops ratio | redis p50 | basalt p50 | p50 ratio | redis p99 | basalt p99 | p99 ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${cells[@]}"; do
  rf="$WORK/redis.r$r.csv" bf="$WORK/basalt.r$r.csv"
  ((r > 0)) && label="-r $r" || label="hot key"
  for t in SET GET; do
    rr="$(csv_col "$rf" "$t" 2)" br="$(csv_col "$bf" "$t" 2)"
    r50="$(csv_col "$rf" "$t" 5)" b50="$(csv_col "$bf" "$t" 5)"
    r99="$(csv_col "$rf" "$t" 7)" b99="$(csv_col "$bf" "$t" 7)"
    echo "| $t | $label | $(round "$rr") | $(round "$br") | $(ratio "$br" "$rr") |" \
      "$r50 | $b50 | $(ratio "$b50" "$r50") | $r99 | $b99 | $(ratio "$b99" "$r99") |"
  done
done
