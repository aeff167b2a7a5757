#!/usr/bin/env bash
# bench/bench_replication.sh — owns: the replication comparison basalt vs redis-server.
# For each server (Debian's redis-server with AOF on, appendfsync everysec, no RDB
# snapshots — masters and replicas alike — then build/basalt with wal-sync everysec)
# it measures, on throw-away instances on loopback:
#  (a) full sync: a master holding KEYS keys (VALUE_SIZE-byte values, loaded with
#      redis-cli --pipe), an empty replica gets REPLICAOF; time until the replica's
#      link is up and its offset equals the master's, and the bytes the master sent
#      (INFO stats total_net_output_bytes delta, minus the replies to our own INFOs);
#  (b) catch-up after a replica restart that missed MISSED writes: the replica is
#      stopped with SHUTDOWN (b1) or kill -9 (b2), the master takes MISSED SETs, the
#      replica is restarted with the same dir (and --replicaof); bytes the master
#      sent until the replica caught up, and whether it was a full or a partial sync
#      (INFO stats sync_full / sync_partial_ok deltas);
#  (c) master SET throughput (redis-benchmark -t set -n N -c CLIENTS -r BENCH_KEYS)
#      with 0 and with 2 replicas attached, the replicas' lag (master offset minus
#      replica offset, sampled every LAG_INTERVAL seconds during the run), each process's
#      CPU seconds (/proc/<pid>/stat) and each replica's CPU microseconds per applied
#      write, and the basalt/redis ratios of these.
# Prints markdown tables on stdout; progress on stderr.
# Server start/stop, ports, the data set, temp dir and cleanup come from bench/lib.sh.
#
# Environment:
#   KEYS=1000000     keys in the data set of (a) and (b)
#   VALUE_SIZE=100   bytes per value (>= 16), also redis-benchmark -d in (c)
#   MISSED=10000     SETs a restarted replica missed in (b)
#   N=200000         redis-benchmark requests per run in (c)
#   CLIENTS=50       redis-benchmark connections in (c)
#   BENCH_KEYS=100000  redis-benchmark -r key space in (c) (pre-filled, so both runs overwrite)
#   LAG_INTERVAL=0.2 seconds between lag samples in (c)
#   SETTLE=2         seconds to wait after loading a master, before measuring
#   SYNC_TIMEOUT=300 seconds to wait for a replica to catch up before giving up
#   PARTS=abc        which measurements to run (any of a, b, c)
#   BENCH_ONLY=      "redis" or "basalt" to run only one side
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split; masters and replicas)
#   REDIS_ARGS=      extra arguments for redis-server (word-split; masters and replicas)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYS="${KEYS:-1000000}"
VALUE_SIZE="${VALUE_SIZE:-100}"
MISSED="${MISSED:-10000}"
N="${N:-200000}"
CLIENTS="${CLIENTS:-50}"
BENCH_KEYS="${BENCH_KEYS:-100000}"
LAG_INTERVAL="${LAG_INTERVAL:-0.2}"
SETTLE="${SETTLE:-2}"
SYNC_TIMEOUT="${SYNC_TIMEOUT:-300}"
PARTS="${PARTS:-abc}"

need_uint KEYS 1 999999999
need_uint VALUE_SIZE 16
need_uint MISSED 1 999999999
need_uint N 1
need_uint CLIENTS 1
need_uint BENCH_KEYS 1
need_uint SYNC_TIMEOUT 1
[[ "$LAG_INTERVAL" =~ ^[0-9]*\.?[0-9]+$ ]] || die "LAG_INTERVAL must be a number of seconds"
[[ "$SETTLE" =~ ^[0-9]*\.?[0-9]+$ ]] || die "SETTLE must be a number of seconds"
[[ "$PARTS" =~ ^[abc]+$ ]] || die "PARTS must be made of the letters a, b, c"
part() { [[ "$PARTS" == *"$1"* ]]; }
bench_init measure redis-cli redis-benchmark awk

# repl-diskless-sync-delay 0: do not wait 5 s for more replicas before a full sync.
# shellcheck disable=SC2206
REDIS_EXTRA=(--repl-diskless-sync-delay 0 ${REDIS_ARGS:-})

# ---------------------------------------------------------------- helpers
# minfo PORT SECTION OUTFILE — INFO to the master under measurement; adds the size of
# its RESP reply ($<len>\r\n<body>\r\n; redis-cli prints <body>\n) to M_OVERHEAD, so that
# our own INFO traffic can be taken out of the master's total_net_output_bytes delta.
M_OVERHEAD=0
minfo() {
  local n
  info "$@"
  n=$(wc -c <"$3")
  if [[ "$n" -gt 0 ]]; then
    n=$((n - 1))
    M_OVERHEAD=$((M_OVERHEAD + n + ${#n} + 5))
  fi
}

kill9_server() {
  local name=$1
  # (reaped right away with stderr closed: no "Killed" job notice from bash)
  { kill -KILL "${PID[$name]}"; wait "${PID[$name]}"; } 2>/dev/null || true
  wait_exit "$name" 10 || die "$name survived kill -9"
}

# wait_caught_up MPORT RPORT RNAME — polls the replica's INFO replication every 50 ms
# until master_link_status:up and slave_repl_offset equals the master's
# master_repl_offset (read with minfo: only when the replica seems to have caught up,
# as the master's offset can move, e.g. redis' replication PINGs). Sets CAUGHT_AT.
CAUGHT_AT=""
wait_caught_up() {
  local mport=$1 rport=$2 rname=$3 moff roff status t0 t
  t0="$(now)"
  minfo "$mport" replication "$WORK/m.repl"
  moff="$(field "$WORK/m.repl" master_repl_offset)"
  [[ -n "$moff" ]] || die "no master_repl_offset from the master on port $mport"
  for (( ; ; )); do
    if ! kill -0 "${PID[$rname]}" 2>/dev/null; then
      tail -n 20 "$WORK/$rname.log" >&2 || true
      die "$rname exited while syncing (log above)"
    fi
    info "$rport" replication "$WORK/r.repl"
    t="$(now)"
    status="$(field "$WORK/r.repl" master_link_status)"
    roff="$(field "$WORK/r.repl" slave_repl_offset)"
    if [[ "$status" == up && -n "$roff" ]] && is_uint "$roff" && [[ "$roff" -ge "$moff" ]]; then
      minfo "$mport" replication "$WORK/m.repl"
      moff="$(field "$WORK/m.repl" master_repl_offset)"
      if [[ "$roff" -eq "$moff" ]]; then
        CAUGHT_AT="$t"
        return 0
      fi
    fi
    if awk -v a="$t0" -v b="$t" -v m="$SYNC_TIMEOUT" 'BEGIN { exit !(b - a > m) }'; then
      tail -n 20 "$WORK/$rname.log" >&2 || true
      die "$rname did not catch up with the master within ${SYNC_TIMEOUT}s (link: ${status:-?}, replica offset ${roff:-?}, master offset $moff)"
    fi
    sleep 0.05
  done
}

# gen_missed TAG — MISSED SETs overwriting key:000000001... with "TAG:<n>:" + padding
gen_missed() {
  awk -v n="$MISSED" -v size="$VALUE_SIZE" -v tag="$1" 'BEGIN {
    pad = ""
    for (k = 0; k < size; k++) pad = pad "y"
    for (i = 1; i <= n; i++) {
      key = sprintf("key:%09d", i)
      v = substr(sprintf("%s:%09d:%s", tag, i, pad), 1, size)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, v
    }
  }'
}

# gen_bench_keys — redis-benchmark -r BENCH_KEYS key space (key:%012d) with its "xxx" values
gen_bench_keys() {
  awk -v n="$BENCH_KEYS" -v size="$VALUE_SIZE" 'BEGIN {
    v = ""
    for (k = 0; k < size; k++) v = v "x"
    for (i = 0; i < n; i++) {
      key = sprintf("key:%012d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, size, v
    }
  }'
}

# net_stats PORT OUTFILE — "total_net_output_bytes sync_full sync_partial_ok" via minfo
net_stats() {
  minfo "$1" stats "$WORK/m.stats"
  echo "$(field "$WORK/m.stats" total_net_output_bytes) $(field "$WORK/m.stats" sync_full)" \
    "$(field "$WORK/m.stats" sync_partial_ok)" >"$2"
}

# sync_kind FULL_DELTA PARTIAL_DELTA
sync_kind() {
  local f=$1 p=$2
  if [[ "$f" -gt 0 && "$p" -eq 0 ]]; then
    [[ "$f" -eq 1 ]] && echo full || echo "full x$f"
  elif [[ "$p" -gt 0 && "$f" -eq 0 ]]; then
    [[ "$p" -eq 1 ]] && echo partial || echo "partial x$p"
  elif [[ "$p" -gt 0 ]]; then
    echo "full x$f + partial x$p"
  else
    echo none
  fi
}

# measure_sync MPORT RPORT RNAME OUTFILE ACTION... — runs ACTION (which starts the sync),
# waits for the replica to catch up, writes "seconds bytes full_delta partial_delta"
measure_sync() {
  local mport=$1 rport=$2 rname=$3 out=$4 t0 b0 f0 p0 b1 f1 p1
  shift 4
  M_OVERHEAD=0
  net_stats "$mport" "$WORK/stats0"
  read -r b0 f0 p0 <"$WORK/stats0"
  t0="$(now)"
  "$@" >/dev/null
  wait_caught_up "$mport" "$rport" "$rname"
  local overhead=$M_OVERHEAD  # the final INFO stats reply is not in its own counter
  net_stats "$mport" "$WORK/stats1"
  read -r b1 f1 p1 <"$WORK/stats1"
  echo "$(elapsed "$t0" "$CAUGHT_AT") $((b1 - b0 - overhead)) $((f1 - f0)) $((p1 - p0))" >"$out"
}

# check_same NAME MPORT RPORT — DBSIZE and a few GETs equal on master and replica
check_same() {
  local name=$1 m=$2 r=$3 k a b
  a="$(redis-cli -h 127.0.0.1 -p "$m" DBSIZE 2>/dev/null)"
  b="$(redis-cli -h 127.0.0.1 -p "$r" DBSIZE 2>/dev/null)"
  if [[ "$a" != "$b" ]]; then
    log "$name: WARNING: DBSIZE differs: master $a, replica $b"
    return 1
  fi
  for k in 1 "$((MISSED / 2 + 1))" "$MISSED" "$KEYS"; do
    k="$(printf 'key:%09d' "$k")"
    a="$(redis-cli -h 127.0.0.1 -p "$m" GET "$k" 2>/dev/null)"
    b="$(redis-cli -h 127.0.0.1 -p "$r" GET "$k" 2>/dev/null)"
    if [[ "$a" != "$b" ]]; then
      log "$name: WARNING: $k differs between master and replica"
      return 1
    fi
  done
}

# ---------------------------------------------------------------- (a) and (b)
# run_sync KIND — master with the data set, one replica: (a) full sync, (b1) and (b2) restarts
run_sync() {
  local kind=$1 mport rport t0 t1
  local mdir="$WORK/$kind-m" rdir="$WORK/$kind-r" m="$kind-master" r="$kind-replica"
  start_new "$kind" "$m" "$mdir"
  mport=$NEW_PORT
  log "$kind: loading $KEYS keys with $VALUE_SIZE-byte values via redis-cli --pipe"
  t0="$(now)"
  load "$kind" "$mport" "$KEYS" gen_dataset
  t1="$(now)"
  log "$kind: loaded in $(elapsed "$t0" "$t1")s; waiting for AOF rewrites and ${SETTLE}s"
  wait_aof "$mport"
  sleep "$SETTLE"

  start_new "$kind" "$r" "$rdir"
  rport=$NEW_PORT
  log "$kind: (a) REPLICAOF 127.0.0.1 $mport, waiting for the full sync"
  measure_sync "$mport" "$rport" "$r" "$WORK/$kind.a" \
    redis-cli -h 127.0.0.1 -p "$rport" REPLICAOF 127.0.0.1 "$mport"
  log "$kind: (a) $(cat "$WORK/$kind.a") (seconds bytes full partial)"
  check_same "$kind (a)" "$mport" "$rport" || echo mismatch >"$WORK/$kind.a.bad"
  part b || { stop_server "$r" "$rport"; stop_server "$m" "$mport"; return 0; }

  local scen off0 off1
  for scen in b1 b2; do
    wait_aof "$rport"
    if [[ "$scen" == b1 ]]; then
      log "$kind: ($scen) SHUTDOWN of the replica"
      redis-cli -h 127.0.0.1 -p "$rport" SHUTDOWN >/dev/null 2>&1 || true
      wait_exit "$r" 60 || die "$kind replica did not exit within 60s after SHUTDOWN"
    else
      log "$kind: ($scen) kill -9 of the replica"
      kill9_server "$r"
    fi
    info "$mport" replication "$WORK/m.repl"; off0="$(field "$WORK/m.repl" master_repl_offset)"
    log "$kind: ($scen) $MISSED SETs on the master"
    load "$kind" "$mport" "$MISSED" gen_missed "$scen"
    info "$mport" replication "$WORK/m.repl"; off1="$(field "$WORK/m.repl" master_repl_offset)"
    echo $((off1 - off0)) >"$WORK/$kind.$scen.stream"
    log "$kind: ($scen) restarting the replica (same dir, --replicaof 127.0.0.1 $mport)"
    measure_sync "$mport" "$rport" "$r" "$WORK/$kind.$scen" \
      start_server "$kind" "$r" "$rport" "$rdir" --replicaof 127.0.0.1 "$mport"
    log "$kind: ($scen) $(cat "$WORK/$kind.$scen") (seconds bytes full partial)"
    check_same "$kind ($scen)" "$mport" "$rport" || echo mismatch >"$WORK/$kind.$scen.bad"
  done
  stop_server "$r" "$rport"
  stop_server "$m" "$mport"
}

# ---------------------------------------------------------------- (c)
# sample_lag MPORT RPORT... — INFO replication of all at once; appends "lag lag..." lines
sample_lag() {
  local mport=$1 i=0 p pids=() moff roff line=""
  shift
  redis-cli -h 127.0.0.1 -p "$mport" INFO replication >"$WORK/lag.m" 2>/dev/null &
  pids+=($!)
  for p in "$@"; do
    redis-cli -h 127.0.0.1 -p "$p" INFO replication >"$WORK/lag.r$i" 2>/dev/null &
    pids+=($!)
    i=$((i + 1))
  done
  wait "${pids[@]}" 2>/dev/null || true
  moff="$(field "$WORK/lag.m" master_repl_offset)"
  is_uint "$moff" || return 0
  for ((i = 0; i < $#; i++)); do
    roff="$(field "$WORK/lag.r$i" slave_repl_offset)"
    is_uint "$roff" || return 0
    line+="$((moff - roff)) "
  done
  echo "$line" >>"$WORK/lag.samples"
}

# bench_set NAME PORT OUT [REPLICA PORTS...] — redis-benchmark SET; samples the lag
# while it runs (if replicas are given); writes "ops/s" to OUT
bench_set() {
  local name=$1 port=$2 out=$3 rc=0 t0
  shift 3
  log "$name: redis-benchmark -t set -n $N -c $CLIENTS -r $BENCH_KEYS -d $VALUE_SIZE ($# replicas)"
  : >"$WORK/lag.samples"
  redis-benchmark -h 127.0.0.1 -p "$port" -t set -n "$N" -c "$CLIENTS" -r "$BENCH_KEYS" \
    -d "$VALUE_SIZE" -q --csv >"$WORK/bench.csv" 2>"$WORK/bench.err" &
  CHILD_PID=$!
  t0="$(now)"
  while kill -0 "$CHILD_PID" 2>/dev/null; do
    sleep "$LAG_INTERVAL"
    # skip the first half second (connection setup, ramp-up)
    if [[ $# -gt 0 ]] && awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a >= 0.5) }'; then
      kill -0 "$CHILD_PID" 2>/dev/null && sample_lag "$port" "$@"
    fi
  done
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  if [[ $rc -ne 0 ]]; then
    log "$name: redis-benchmark failed:"
    tail -n 5 "$WORK/bench.err" "$WORK/bench.csv" >&2 || true
  fi
  csv_rps "$WORK/bench.csv" SET >"$out"
  # lag stats over all samples and replicas: max avg count (negative = read skew -> 0)
  awk '{ for (i = 1; i <= NF; i++) { v = $i < 0 ? 0 : $i; s += v; n++; if (v > m) m = v } }
       END { if (n) printf "%d %.0f %d\n", m, s / n, NR; else print "n/a n/a 0" }' \
    "$WORK/lag.samples" >"$out.lag"
}

# cpu_used BEFORE AFTER -> "m / r1 + r2" CPU seconds from two cpu_ticks outputs
cpu_used() {
  paste "$1" "$2" | awk -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" '
    { v = sprintf("%.1f", ($2 - $1) / hz); out = NR == 1 ? v : (NR == 2 ? out " / " v : out " + " v) }
    END { print out }'
}

# per_write BEFORE AFTER -> "r1 r2": each replica's CPU microseconds per applied write (the
# N SETs of the run; lines 2 and 3 of the cpu_ticks outputs)
per_write() {
  paste "$1" "$2" | awk -v hz="$CLK_TCK" -v n="$N" '
    NR > 1 { out = out (NR > 2 ? " " : "") sprintf("%.1f", ($2 - $1) / hz / n * 1e6) }
    END { print out }'
}

run_throughput() {
  local kind=$1 mport r1 r2 t0
  local m="$kind-bmaster"
  start_new "$kind" "$m" "$WORK/$kind-bm"
  mport=$NEW_PORT
  log "$kind: (c) pre-filling $BENCH_KEYS benchmark keys on the master"
  load "$kind" "$mport" "$BENCH_KEYS" gen_bench_keys
  wait_aof "$mport"
  sleep "$SETTLE"
  cpu_ticks "$m" >"$WORK/cpu0"
  bench_set "$kind" "$mport" "$WORK/$kind.c0"
  cpu_ticks "$m" >"$WORK/cpu1"
  cpu_used "$WORK/cpu0" "$WORK/cpu1" >"$WORK/$kind.c0.cpu"

  start_new "$kind" "$kind-r1" "$WORK/$kind-r1" --replicaof 127.0.0.1 "$mport"
  r1=$NEW_PORT
  start_new "$kind" "$kind-r2" "$WORK/$kind-r2" --replicaof 127.0.0.1 "$mport"
  r2=$NEW_PORT
  log "$kind: (c) waiting for replicas on ports $r1 and $r2 to sync"
  wait_caught_up "$mport" "$r1" "$kind-r1"
  wait_caught_up "$mport" "$r2" "$kind-r2"
  wait_aof "$r1"; wait_aof "$r2"
  sleep "$SETTLE"
  cpu_ticks "$m" "$kind-r1" "$kind-r2" >"$WORK/cpu0"
  bench_set "$kind" "$mport" "$WORK/$kind.c2" "$r1" "$r2"
  cpu_ticks "$m" "$kind-r1" "$kind-r2" >"$WORK/cpu1"
  cpu_used "$WORK/cpu0" "$WORK/cpu1" >"$WORK/$kind.c2.cpu"
  per_write "$WORK/cpu0" "$WORK/cpu1" >"$WORK/$kind.c2.perwrite"
  t0="$(now)"
  wait_caught_up "$mport" "$r1" "$kind-r1"
  wait_caught_up "$mport" "$r2" "$kind-r2"
  elapsed "$t0" "$CAUGHT_AT" >"$WORK/$kind.c2.drain"
  log "$kind: (c) $(cat "$WORK/$kind.c0") ops/s without replicas, $(cat "$WORK/$kind.c2") with 2; lag max/avg/samples $(cat "$WORK/$kind.c2.lag")"
  stop_server "$kind-r1" "$r1"
  stop_server "$kind-r2" "$r2"
  stop_server "$m" "$mport"
}

# ---------------------------------------------------------------- runs
for kind in "${sides[@]}"; do
  if part a || part b; then run_sync "$kind"; fi
  if part c; then run_throughput "$kind"; fi
done

# ---------------------------------------------------------------- report
basalt_version="$("$BASALT" --version 2>/dev/null | head -n 1 || true)"
payload=$((KEYS * (13 + VALUE_SIZE)))

num() { awk -v v="$1" 'BEGIN { if (v ~ /^-?[0-9]+$/) { s = sprintf("%d", v); o = ""
  while (length(s) > 3 && s ~ /[0-9][0-9][0-9][0-9]$/) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
  print s o } else print "n/a" }'; }
mb() { awk -v v="$1" 'BEGIN { if (v ~ /^-?[0-9]+$/) printf "%.1f", v / 1e6; else print "n/a" }'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { if (b ~ /^[0-9]+$/ && s ~ /^[0-9.]+$/ && s + 0 > 0) printf "%.3f", b / s; else print "n/a" }'; }
get() {  # get FILE COLUMN
  if [[ -f "$1" ]]; then awk -v c="$2" '{ print $c; exit }' "$1"; else echo n/a; fi
}
flag() { if [[ -f "$1.bad" ]]; then echo " (replica data differs!)"; fi; }

report_head "replication"
echo "- redis-server ${redis_version:-?} (appendonly yes, appendfsync everysec, save \"\", repl-diskless-sync-delay 0${REDIS_ARGS:+, $REDIS_ARGS}; replicas alike)"
echo "- basalt ${basalt_version:-?} at ${git_rev} (wal-sync everysec${BASALT_ARGS:+, $BASALT_ARGS}; replicas alike)"
echo "- all servers on 127.0.0.1 on this machine; MB = 10^6 bytes; bytes = the master's INFO stats total_net_output_bytes delta without the replies to this script's INFO calls"

if part a; then
  echo
  echo "### (a) full sync of an empty replica"
  echo
  echo "Data set: $KEYS keys (key:000000001...), $VALUE_SIZE-byte values, loaded with redis-cli --pipe; logical payload $(mb "$payload") MB. Time from REPLICAOF until the replica's link is up and its offset equals the master's."
  echo
  echo "| server | time | MB sent | MB/s |"
  echo "|---|---:|---:|---:|"
  for kind in redis basalt; do
    f="$WORK/$kind.a"
    [[ -f "$f" ]] || { echo "| $kind | n/a | n/a | n/a |"; continue; }
    read -r secs bytes _ _ <"$f"
    echo "| $kind | ${secs}s | $(mb "$bytes") | $(ratio "$(rate "$bytes" "$secs")" 1000000)$(flag "$f") |"
  done
  rs="$(get "$WORK/redis.a" 1)"; bs="$(get "$WORK/basalt.a" 1)"
  rb="$(get "$WORK/redis.a" 2)"; bb="$(get "$WORK/basalt.a" 2)"
  echo
  echo "basalt/redis: time $(ratio "$bs" "$rs"), bytes $(ratio "$bb" "$rb"), MB/s $(ratio \
    "$(rate "$bb" "$bs")" "$(rate "$rb" "$rs")")"
fi

if part b; then
  echo
  echo "### (b) catch-up of a restarted replica that missed $MISSED writes"
  echo
  echo "Bytes the master sent from the replica's restart (same dir, --replicaof) until its offset equalled the master's; sync kind from the master's INFO stats sync_full / sync_partial_ok deltas."
  echo
  echo "| scenario | redis bytes | redis sync | basalt bytes | basalt sync |"
  echo "|---|---:|---|---:|---|"
  for scen in b1 b2; do
    [[ "$scen" == b1 ]] && label="b1: replica SHUTDOWN" || label="b2: replica kill -9"
    row="| $label "
    for kind in redis basalt; do
      f="$WORK/$kind.$scen"
      if [[ -f "$f" ]]; then
        read -r secs bytes full partial <"$f"
        row+="| $(num "$bytes") | $(sync_kind "$full" "$partial")$(flag "$f") "
      else
        row+="| n/a | n/a "
      fi
    done
    echo "$row|"
  done
  echo
  for kind in redis basalt; do
    [[ -f "$WORK/$kind.b1" ]] || continue
    echo "- $kind: the $MISSED SETs were $(num "$(get "$WORK/$kind.b1.stream" 1)") / $(num "$(get "$WORK/$kind.b2.stream" 1)") bytes of replication stream (b1 / b2); catch-up took $(get "$WORK/$kind.b1" 1)s / $(get "$WORK/$kind.b2" 1)s from the restart (incl. the replica's startup)"
  done
fi

if part c; then
  echo
  echo "### (c) master SET throughput with replicas"
  echo
  echo "redis-benchmark -t set -n $N -c $CLIENTS -r $BENCH_KEYS -d $VALUE_SIZE against the master (key space pre-filled). Lag = master_repl_offset minus each replica's slave_repl_offset, read at the same moment every ${LAG_INTERVAL}s during the run (after the first 0.5s; samples = sampling rounds, max/avg over both replicas). Drain = time after the run until both replicas' offsets equal the master's. CPU = user+sys seconds each server process used during the run (/proc/<pid>/stat); per write = a replica's CPU seconds over the $N SETs it applied."
  echo
  echo "| server | replicas | SET ops/s | vs 0 replicas | lag max (bytes) | lag avg (bytes) | samples | drain after run | CPU s master / replicas | replica CPU µs per write |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for kind in redis basalt; do
    c0="$(get "$WORK/$kind.c0" 1)"; c2="$(get "$WORK/$kind.c2" 1)"
    pw="$(cat "$WORK/$kind.c2.perwrite" 2>/dev/null || echo n/a)"
    echo "| $kind | 0 | $(round "$c0") | | | | | | $(cat "$WORK/$kind.c0.cpu" 2>/dev/null || echo n/a) | |"
    echo "| $kind | 2 | $(round "$c2") | $(ratio "$c2" "$c0") | $(num "$(get "$WORK/$kind.c2.lag" 1)") | $(num "$(get "$WORK/$kind.c2.lag" 2)") | $(get "$WORK/$kind.c2.lag" 3) | $(get "$WORK/$kind.c2.drain" 1)s | $(cat "$WORK/$kind.c2.cpu" 2>/dev/null || echo n/a) | ${pw// / + } |"
  done
  # replica CPU per write: the mean of both replicas
  pw_mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; if (NF) printf "%.2f", s / NF; else print "n/a" }' "$1" 2>/dev/null || echo n/a; }
  echo
  echo "basalt/redis: master SET ops/s $(ratio "$(get "$WORK/basalt.c0" 1)" "$(get "$WORK/redis.c0" 1)") with 0 replicas, $(ratio "$(get "$WORK/basalt.c2" 1)" "$(get "$WORK/redis.c2" 1)") with 2; replica CPU per applied write $(ratio "$(pw_mean "$WORK/basalt.c2.perwrite")" "$(pw_mean "$WORK/redis.c2.perwrite")"); lag avg $(ratio "$(get "$WORK/basalt.c2.lag" 2)" "$(get "$WORK/redis.c2.lag" 2)"), lag max $(ratio "$(get "$WORK/basalt.c2.lag" 1)" "$(get "$WORK/redis.c2.lag" 1)")"
fi
