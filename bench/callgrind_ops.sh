#!/usr/bin/env bash
# bench/callgrind_ops.sh — owns: instructions per operation, basalt vs redis-server, counted by
# valgrind's callgrind (instruction counts repeat on a noisy machine where timings do not).
# For each server and each test: start it under callgrind (a fresh data dir), wait until it
# answers, zero the counters (callgrind_control -z), run `redis-benchmark -t TEST -n N -c 10
# -P PIPELINE -r KEYSPACE`, dump the counters (callgrind_control -d) and divide the total
# instructions (every thread: RocksDB's background work included) by N. Prints a markdown table;
# the dumps stay in $KEEP (if set) for callgrind_annotate.
# Tests that read or pop what others write get it first, before the counters are zeroed
# (prefill): LPOP / RPOP and LRANGE_* a list of N pushes, SPOP a set and ZPOPMIN / ZPOPMAX a
# sorted set of 2N random adds (about 1.7N members with -r 100000, so no pop finds it empty).
# LRANGE_100 (_300, ...) is measured as the command `LRANGE mylist 0 99` alone: redis-benchmark's
# own lrange test would count its LPUSH fill too.
#
# Environment:
#   N=20000         requests per test
#   TESTS="set get lpush hset"  (also: lpop rpop sadd spop zadd zpopmin zpopmax lrange_100 ...)
#   PIPELINE=16     (1 for unpipelined costs)
#   KEYSPACE=100000 the -r of redis-benchmark (0: one hot key)
#   WARM=1          load the whole -r key space first (redis-cli --pipe, 16-byte values, before
#                   the counters are zeroed), so GETs hit and SETs overwrite: the steady state
#                   of a long random-key run (default 0: an empty server, mostly new keys)
#   SKIP_BUILD=1    use the existing build/basalt as is
#   KEEP=DIR        copy the callgrind dumps there
#   BASALT_ARGS="--rocksdb-write-buffer-size 4mb"  extra basalt arguments (word-split)
#   BASALT_BIN=PATH another basalt binary (with SKIP_BUILD=1)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-20000}"
TESTS="${TESTS:-set get lpush hset}"
PIPELINE="${PIPELINE:-16}"
KEYSPACE="${KEYSPACE:-100000}"
WARM="${WARM:-0}"
need_uint N "$N"
VALUE_SIZE=16  # of the WARM load (gen_keyspace)

BENCH_ONLY="" bench_init benchmark redis-benchmark redis-cli valgrind callgrind_control

# Ir PIDFILE-DIR -> the total instructions of the newest dump in DIR
total_ir() {
  local dump
  dump="$(ls -t "$1"/callgrind.out.* 2>/dev/null | grep -v '\.[0-9]*$' | head -n 1 || true)"
  [[ -z $dump ]] && dump="$(ls -t "$1"/callgrind.out.* | head -n 1)"
  # The dump's "summary:" (or "totals:") line holds the event totals, Ir first.
  awk '/^(summary|totals):/ { print $2; exit }' "$dump"
}

# prefill TEST PORT — what TEST reads or pops, written before the counters are zeroed
prefill() {
  local with=() count="$N"
  case "$1" in
    lpop | rpop | lrange_*) with=(-t lpush) ;;
    spop) with=(-t sadd) count=$((2 * N)) ;;
    zpopmin | zpopmax) with=(-t zadd) count=$((2 * N)) ;;
    *) return 0 ;;
  esac
  redis-benchmark -h 127.0.0.1 -p "$2" "${with[@]}" -n "$count" -c 10 -P "$PIPELINE" "${args[@]}" \
    -q >/dev/null 2>&1 || die "prefill for $1 failed"
}

# measured TEST — the redis-benchmark arguments that run TEST
measured() {
  case "$1" in
    lrange_*) echo "LRANGE mylist 0 $((${1#lrange_} - 1))" ;;
    zpopmax) echo "ZPOPMAX myzset" ;;  # not one of redis-benchmark's tests
    *) echo "-t $1" ;;
  esac
}

declare -A IR
for kind in "${sides[@]}"; do
  for t in $TESTS; do
    name="$kind-$t"
    out="$WORK/cg-$name"
    mkdir -p "$out"
    port="$(free_port)"
    if [[ $kind == redis ]]; then
      cmd=(redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/$name" --appendonly yes
           --appendfsync everysec --save "")
    else
      # shellcheck disable=SC2206  # BASALT_ARGS is word-split on purpose (lib.sh)
      cmd=("$BASALT" --port "$port" --bind 127.0.0.1 --dir "$WORK/$name" --wal-sync everysec
           ${BASALT_ARGS:-})
    fi
    mkdir -p "$WORK/$name"
    log "$name: under callgrind on 127.0.0.1:$port"
    (cd "$out" && exec valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out.%p" \
       "${cmd[@]}" >"$WORK/$name.log" 2>&1) &
    vpid=$!
    for ((i = 0; i < 600; i++)); do
      [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == PONG ]] && break
      kill -0 "$vpid" 2>/dev/null || die "$name exited under valgrind (log: $WORK/$name.log)"
      sleep 0.1
    done
    args=()
    (( KEYSPACE > 0 )) && args=(-r "$KEYSPACE")
    if [[ $WARM == 1 ]] && (( KEYSPACE > 0 )); then
      log "$name: loading $KEYSPACE keys"
      load "$name" "$port" "$KEYSPACE" gen_keyspace "$KEYSPACE"
    fi
    prefill "$t" "$port"
    callgrind_control -z "$vpid" >/dev/null
    read -r -a what <<<"$(measured "$t")"
    redis-benchmark -h 127.0.0.1 -p "$port" -n "$N" -c 10 -P "$PIPELINE" "${args[@]}" -q \
      "${what[@]}" >"$WORK/$name.bench" 2>&1 || log "$name: redis-benchmark failed"
    callgrind_control -d "$vpid" >/dev/null
    sleep 0.5  # the dump is written by the server process asynchronously
    IR[$name]="$(total_ir "$out")"
    redis-cli -h 127.0.0.1 -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || kill "$vpid" 2>/dev/null || true
    wait "$vpid" 2>/dev/null || true
    [[ -n "${KEEP:-}" ]] && mkdir -p "$KEEP" && cp "$out"/callgrind.out.* "$KEEP/" 2>/dev/null
    log "$name: ${IR[$name]} instructions"
  done
done

report_head "instructions per operation (callgrind)"
servers_line
echo "- redis-benchmark -n $N -c 10 -P $PIPELINE -r $KEYSPACE; all threads counted$([[ $WARM == 1 ]] && echo "; the $KEYSPACE keys loaded first (WARM=1)")"
echo
echo "| test | redis instr/op | basalt instr/op | ratio basalt/redis |"
echo "|---|---:|---:|---:|"
for t in $TESTS; do
  r="$(awk -v a="${IR[redis-$t]:-}" -v n="$N" 'BEGIN { if (a != "") printf "%.0f", a / n; else print "n/a" }')"
  b="$(awk -v a="${IR[basalt-$t]:-}" -v n="$N" 'BEGIN { if (a != "") printf "%.0f", a / n; else print "n/a" }')"
  echo "| ${t^^} | $r | $b | $(ratio "$b" "$r") |"
done
