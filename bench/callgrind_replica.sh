#!/usr/bin/env bash
# bench/callgrind_replica.sh — owns: a replica's instructions per applied write, basalt vs
# redis-server, counted by valgrind's callgrind. For each server: a master (not under
# callgrind) and one replica under callgrind (every thread counted, RocksDB's background work
# included); N warm-up SETs (so the measured ones mostly overwrite), the replica's counters
# zeroed once its offset equals the master's, then `redis-benchmark -t set -n N -c CLIENTS
# -P PIPELINE -r KEYSPACE` against the master, wait until the replica's offset equals the
# master's again, dump, and divide the replica's total instructions by N.
#
# Environment:
#   N=50000  CLIENTS=50  PIPELINE=1  KEYSPACE=100000  VALUE_SIZE=100
#   SKIP_BUILD=1    use the existing build/basalt as is
#   BENCH_ONLY=     "redis" or "basalt"
#   KEEP=DIR        copy the callgrind dumps there (for callgrind_annotate)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-50000}"
CLIENTS="${CLIENTS:-50}"
PIPELINE="${PIPELINE:-1}"
KEYSPACE="${KEYSPACE:-100000}"
VALUE_SIZE="${VALUE_SIZE:-100}"
need_uint N 1
need_uint CLIENTS 1
need_uint PIPELINE 1
need_uint KEYSPACE 1
parse_bench_only
need_tools redis-benchmark redis-cli valgrind callgrind_control
ensure_basalt benchmark
init_work
REDIS_EXTRA=(--repl-diskless-sync-delay 0)

total_ir() {
  local dump
  dump="$(ls -t "$1"/callgrind.out.* 2>/dev/null | grep -v '\.[0-9]*$' | head -n 1 || true)"
  [[ -z $dump ]] && dump="$(ls -t "$1"/callgrind.out.* | head -n 1)"
  awk '/^(summary|totals):/ { print $2; exit }' "$dump"
}

offset_of() {  # offset_of PORT -> master_repl_offset
  redis-cli -h 127.0.0.1 -p "$1" INFO replication 2>/dev/null | tr -d '\r' |
    awk -F: '$1 == "master_repl_offset" { print $2; exit }'
}

wait_caught_up() {  # wait_caught_up MASTER_PORT REPLICA_PORT
  local m r i
  for ((i = 0; i < 6000; i++)); do
    m="$(offset_of "$1")"
    r="$(offset_of "$2")"
    [[ -n $m && $m == "$r" ]] && return 0
    sleep 0.1
  done
  die "the replica did not catch up (master $m, replica $r)"
}

bench_set() {  # bench_set PORT
  redis-benchmark -h 127.0.0.1 -p "$1" -t set -n "$N" -c "$CLIENTS" -P "$PIPELINE" \
    -r "$KEYSPACE" -d "$VALUE_SIZE" -q >/dev/null 2>&1 || log "redis-benchmark failed"
}

declare -A IR
for kind in "${sides[@]}"; do
  start_new "$kind" "$kind-m" "$WORK/$kind-m"
  mport=$NEW_PORT
  load "$kind" "$mport" "$KEYSPACE" gen_keyspace "$KEYSPACE"
  rport="$(free_port)"
  out="$WORK/cg-$kind"
  mkdir -p "$out" "$WORK/$kind-r"
  if [[ $kind == redis ]]; then
    cmd=(redis-server --port "$rport" --bind 127.0.0.1 --dir "$WORK/$kind-r" --appendonly yes
         --appendfsync everysec --save "" --replicaof 127.0.0.1 "$mport")
  else
    cmd=("$BASALT" --port "$rport" --bind 127.0.0.1 --dir "$WORK/$kind-r" --wal-sync everysec
         --replicaof 127.0.0.1 "$mport")
  fi
  log "$kind: replica under callgrind on 127.0.0.1:$rport, master on $mport"
  (cd "$out" && exec valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out.%p" \
     "${cmd[@]}" >"$WORK/$kind-r.log" 2>&1) &
  vpid=$!
  PID[$kind-r]=$vpid  # (cleanup ends it if the script stops early)
  for ((i = 0; i < 600; i++)); do
    [[ $(redis-cli -h 127.0.0.1 -p "$rport" PING 2>/dev/null) == PONG ]] && break
    kill -0 "$vpid" 2>/dev/null || die "$kind replica exited under valgrind"
    sleep 0.1
  done
  wait_caught_up "$mport" "$rport"
  wait_aof "$rport"  # a redis replica rewrites its AOF after the full sync: not measured
  callgrind_control -z "$vpid" >/dev/null
  before="$(offset_of "$mport")"
  bench_set "$mport"
  wait_caught_up "$mport" "$rport"
  after="$(offset_of "$mport")"
  callgrind_control -d "$vpid" >/dev/null
  sleep 0.5
  IR[$kind]="$(total_ir "$out")"
  log "$kind: ${IR[$kind]} instructions for $((after - before)) stream bytes"
  # (A redis replica under valgrind may hang on SHUTDOWN: it is killed after 30 s; its
  # counters were dumped already.)
  redis-cli -h 127.0.0.1 -p "$rport" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  wait_exit "$kind-r" 30 || { kill -KILL "$vpid" 2>/dev/null || true; wait_exit "$kind-r" 10 || true; }
  stop_server "$kind-m" "$mport"
  [[ -n "${KEEP:-}" ]] && mkdir -p "$KEEP" && cp "$out"/callgrind.out.* "$KEEP/" 2>/dev/null
done

report_head "a replica's instructions per applied write (callgrind)"
servers_line
echo "- redis-benchmark -t set -n $N -c $CLIENTS -P $PIPELINE -r $KEYSPACE -d $VALUE_SIZE against the master"
echo
echo "| redis instr/write | basalt instr/write | ratio basalt/redis |"
echo "|---:|---:|---:|"
r="$(awk -v a="${IR[redis]:-}" -v n="$N" 'BEGIN { if (a != "") printf "%.0f", a / n; else print "n/a" }')"
b="$(awk -v a="${IR[basalt]:-}" -v n="$N" 'BEGIN { if (a != "") printf "%.0f", a / n; else print "n/a" }')"
echo "| $r | $b | $(ratio "$b" "$r") |"
