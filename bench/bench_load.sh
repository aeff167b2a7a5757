#!/usr/bin/env bash
# bench/bench_load.sh — owns: the bulk-load table of issue 13: the time to load KEYS keys into
# basalt and into redis-server (AOF on, appendfsync everysec, no RDB), two ways — redis-cli
# --pipe of KEYS distinct SETs (bench/lib.sh's data set) and redis-benchmark -t set -n KEYS
# -r KEYS -P $PIPELINE — and the disk bytes per key after a compaction: redis' AOF directory
# (RDB base + AOF increment) after BGREWRITEAOF, basalt's data dir after DEBUG COMPACT (basalt's
# own subcommand: flush + full compaction), once as configured (its replication log holds up to
# repl-backlog-size) and once with the log trimmed to 1 MB (the dataset alone). The sides run
# one after the other, each on fresh throw-away servers. Servers, ports, cleanup: bench/lib.sh.
#
# Environment:
#   KEYS=2000000     keys to load
#   VALUE_SIZE=100   bytes per value (>= 16)
#   PIPELINE=16      redis-benchmark's -P
#   BENCH_ONLY=      "redis" or "basalt" to run only one side
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYS="${KEYS:-2000000}"
VALUE_SIZE="${VALUE_SIZE:-100}"
PIPELINE="${PIPELINE:-16}"
need_uint KEYS 1 999999999
need_uint VALUE_SIZE 16
need_uint PIPELINE 1

bench_init measure redis-cli redis-benchmark

cli() { redis-cli -h 127.0.0.1 -p "$@"; }

# settle_disk KIND PORT DIR — redis: BGREWRITEAOF, wait for it and for the old AOF files to be
# removed; basalt: DEBUG COMPACT
settle_disk() {
  local kind=$1 port=$2 dir=$3 i
  if [[ "$kind" == redis ]]; then
    wait_aof "$port" 600
    cli "$port" BGREWRITEAOF >/dev/null
    wait_aof "$port" 600
    # base + increment + manifest once the history files are gone
    for ((i = 0; i < 300; i++)); do
      [[ "$(find "$dir" -type f | wc -l)" -le 3 ]] && break
      sleep 0.1
    done
  else
    local reply
    reply="$(cli "$port" DEBUG COMPACT 2>&1)"
    if [[ "$reply" != OK ]]; then
      log "basalt: ERROR: DEBUG COMPACT answered: $reply (disk figures left out)"
      echo "$reply" >"$WORK/compact.failed"
      return 1
    fi
  fi
}

# trim_basalt_log PORT — CONFIG SET repl-backlog-size 1mb, a few writes to a scratch key (the
# log is trimmed by the cron once the offset moved on), until INFO replication repl_log_size
# is at most 2 MB; then the scratch key is deleted
trim_basalt_log() {
  local port=$1 i size=""
  cli "$port" CONFIG SET repl-backlog-size 1mb >/dev/null
  for ((i = 0; i < 100; i++)); do
    awk 'BEGIN { v = sprintf("%0200d", 0); for (i = 0; i < 1000; i++)
      printf "*3\r\n$3\r\nSET\r\n$10\r\nbench:trim\r\n$200\r\n%s\r\n", v }' |
      cli "$port" --pipe >/dev/null 2>&1 || true
    info "$port" replication "$WORK/repl.info"
    size="$(field "$WORK/repl.info" repl_log_size)"
    is_uint "$size" && ((size <= 2 * 1048576)) && break
    sleep 0.2
  done
  cli "$port" DEL bench:trim >/dev/null
  is_uint "$size" && ((size <= 2 * 1048576)) || log "basalt: warning: repl_log_size is still ${size:-?} bytes"
}

# run_side KIND — writes $WORK/KIND.result: pipe_s bench_s bench_rps bench_dbsize dbsize disk [disk_trimmed]
run_side() {
  local kind=$1 port dir t0 t1 pipe_s bench_s rps bench_dbsize dbsize disk="" trimmed="" extra=()
  [[ "$kind" == basalt ]] && extra=(--enable-debug-command local)

  dir="$WORK/$kind-bench"
  start_new "$kind" "$kind-bench" "$dir" "${extra[@]}"
  port=$NEW_PORT
  log "$kind: redis-benchmark -t set -n $KEYS -r $KEYS -P $PIPELINE -d $VALUE_SIZE"
  t0="$(now)"
  if ! run_child redis-benchmark -h 127.0.0.1 -p "$port" -t set -n "$KEYS" -r "$KEYS" \
    -P "$PIPELINE" -d "$VALUE_SIZE" -c 50 -q --csv >"$WORK/$kind.bench.csv" 2>"$WORK/$kind.bench.err"; then
    log "$kind: redis-benchmark failed:"
    tail -n 5 "$WORK/$kind.bench.err" >&2 || true
  fi
  t1="$(now)"
  bench_s="$(elapsed "$t0" "$t1" 2)"
  rps="$(csv_rps "$WORK/$kind.bench.csv" SET)"
  bench_dbsize="$(cli "$port" DBSIZE 2>/dev/null | tr -d '\r')"
  stop_server "$kind-bench" "$port"
  rm -rf "$dir"

  dir="$WORK/$kind-pipe"
  start_new "$kind" "$kind-pipe" "$dir" "${extra[@]}"
  port=$NEW_PORT
  log "$kind: loading $KEYS keys with $VALUE_SIZE-byte values via redis-cli --pipe"
  t0="$(now)"
  load "$kind" "$port" "$KEYS" gen_dataset
  t1="$(now)"
  pipe_s="$(elapsed "$t0" "$t1" 2)"
  dbsize="$(cli "$port" DBSIZE 2>/dev/null | tr -d '\r')"
  log "$kind: loaded in ${pipe_s}s; compacting"
  if settle_disk "$kind" "$port" "$dir"; then disk="$(du -sb "$dir" | awk '{ print $1 }')"; fi
  if [[ "$kind" == basalt && -n "$disk" ]]; then
    log "basalt: trimming the replication log to 1 MB and compacting again"
    trim_basalt_log "$port"
    if settle_disk basalt "$port" "$dir"; then trimmed="$(du -sb "$dir" | awk '{ print $1 }')"; fi
  fi
  stop_server "$kind-pipe" "$port"
  echo "$pipe_s $bench_s $rps ${bench_dbsize:-n/a} ${dbsize:-n/a} ${disk:-n/a} ${trimmed:-n/a}" >"$WORK/$kind.result"
}

for kind in "${sides[@]}"; do run_side "$kind"; done

# ---------------------------------------------------------------- report
secs() { if [[ "$1" =~ ^[0-9.]+$ ]]; then echo "${1}s"; else echo "$1"; fi; }
per_key() { awk -v v="$1" -v k="$2" 'BEGIN { if (v ~ /^[0-9]+$/ && k ~ /^[0-9]+$/ && k > 0) printf "%.0f", v / k; else print "n/a" }'; }
disk_cell() { if is_uint "$1"; then echo "$(mib "$1"), $(per_key "$1" "$2") B/key"; else echo n/a; fi; }
declare -A R
for kind in redis basalt; do
  pipe_s=n/a bench_s=n/a rps=n/a bench_dbsize=n/a dbsize=n/a disk=n/a trimmed=n/a
  [[ -f "$WORK/$kind.result" ]] &&
    read -r pipe_s bench_s rps bench_dbsize dbsize disk trimmed <"$WORK/$kind.result"
  R[$kind.pipe]=$pipe_s R[$kind.bench]=$bench_s R[$kind.rps]=$rps R[$kind.bdb]=$bench_dbsize
  R[$kind.db]=$dbsize R[$kind.disk]=$disk R[$kind.trimmed]=$trimmed
done

report_head "bulk load and disk per key"
servers_line
echo "- data: $KEYS keys key:000000001..., $VALUE_SIZE-byte values (unique, not trivially compressible), sent with redis-cli --pipe; and redis-benchmark -t set -n $KEYS -r $KEYS -P $PIPELINE -c 50 -d $VALUE_SIZE (random keys: about 63% distinct) on a fresh server"
echo "- disk after compaction: redis' AOF dir (RDB base + AOF increment + manifest) after BGREWRITEAOF; basalt's data dir (RocksDB: SST files, WAL, replication log) after DEBUG COMPACT, as configured and with the replication log trimmed to 1 MB (CONFIG SET repl-backlog-size 1mb, then compacted again)"
echo
echo "| measurement | redis | basalt | basalt/redis |"
echo "|---|---:|---:|---:|"
echo "| load $KEYS keys, redis-cli --pipe | $(secs "${R[redis.pipe]}") | $(secs "${R[basalt.pipe]}") | $(ratio "${R[basalt.pipe]}" "${R[redis.pipe]}") |"
echo "| load, redis-benchmark -P $PIPELINE | $(secs "${R[redis.bench]}"), $(round "${R[redis.rps]}") ops/s | $(secs "${R[basalt.bench]}"), $(round "${R[basalt.rps]}") ops/s | $(ratio "${R[basalt.bench]}" "${R[redis.bench]}") |"
echo "| keys after the loads (--pipe / benchmark) | ${R[redis.db]} / ${R[redis.bdb]} | ${R[basalt.db]} / ${R[basalt.bdb]} | |"
echo "| disk after compaction | $(disk_cell "${R[redis.disk]}" "${R[redis.db]}") | $(disk_cell "${R[basalt.disk]}" "${R[basalt.db]}") | $(ratio "${R[basalt.disk]}" "${R[redis.disk]}") |"
echo "| disk after compaction, basalt's replication log trimmed to 1 MB | | $(disk_cell "${R[basalt.trimmed]}" "${R[basalt.db]}") | $(ratio "${R[basalt.trimmed]}" "${R[redis.disk]}") |"
echo
echo "Logical payload (keys + values): $((13 + VALUE_SIZE)) B/key. Load-time ratios below 1: basalt faster."
if [[ -f "$WORK/compact.failed" ]]; then
  echo
  echo "**basalt's disk figures are missing: DEBUG COMPACT answered \`$(cat "$WORK/compact.failed")\`** (a build without it?)"
  exit 1
fi
