#!/usr/bin/env bash
# bench/bench_memory.sh — owns: the memory / disk footprint comparison basalt vs
# redis-server. Loads the same deterministic data set (KEYS keys "key:000000001"...,
# VALUE_SIZE-byte values) through `redis-cli --pipe` into a throw-away redis-server
# (AOF on, appendfsync everysec, no RDB snapshots) and then into a throw-away
# build/basalt (wal-sync everysec), and reports for each: DBSIZE, RSS (VmRSS),
# INFO memory used_memory, on-disk size of the data dir (du -sb), load time.
#
# Environment:
#   KEYS=2000000     number of keys
#   VALUE_SIZE=100   bytes per value (>= 10)
#   SETTLE=3         seconds to wait after loading before measuring
#   BENCH_ONLY=      "redis" or "basalt" to run only one side
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KEYS="${KEYS:-2000000}"
VALUE_SIZE="${VALUE_SIZE:-100}"
SETTLE="${SETTLE:-3}"
BENCH_ONLY="${BENCH_ONLY:-}"
BASALT="$ROOT/build/basalt"

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

[[ "$KEYS" =~ ^[0-9]+$ && "$KEYS" -ge 1 && "$KEYS" -le 999999999 ]] || die "KEYS must be 1..999999999"
[[ "$VALUE_SIZE" =~ ^[0-9]+$ && "$VALUE_SIZE" -ge 10 ]] || die "VALUE_SIZE must be >= 10"
case "$BENCH_ONLY" in
  ""|redis|basalt) ;;
  *) die "BENCH_ONLY must be empty, 'redis' or 'basalt'" ;;
esac
run_redis=1; run_basalt=1
[[ "$BENCH_ONLY" == basalt ]] && run_redis=0
[[ "$BENCH_ONLY" == redis ]] && run_basalt=0

command -v redis-cli >/dev/null 2>&1 || die "redis-cli not found (run scripts/setup.sh)"
if [[ $run_redis -eq 1 ]]; then
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (run scripts/setup.sh)"
fi

# ---------------------------------------------------------------- build
if [[ $run_basalt -eq 1 ]]; then
  if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    log "building basalt (Release)..."
    if ! scripts/build.sh Release >"${TMPDIR:-/tmp}/basalt-bench-build.log" 2>&1; then
      tail -n 30 "${TMPDIR:-/tmp}/basalt-bench-build.log" >&2 || true
      die "building basalt failed (full log: ${TMPDIR:-/tmp}/basalt-bench-build.log); use BENCH_ONLY=redis, or SKIP_BUILD=1 to use an existing build/basalt"
    fi
  fi
  [[ -x "$BASALT" ]] || die "build/basalt is missing (build failed or not built yet); use BENCH_ONLY=redis to measure redis alone"
fi

# ---------------------------------------------------------------- process/tmp cleanup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench.XXXXXX")"
SERVER_PID=""
CHILD_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$CHILD_PID" ]] && kill -0 "$CHILD_PID" 2>/dev/null; then
    pkill -TERM -P "$CHILD_PID" 2>/dev/null || true  # the loader pipeline's processes
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
port_in_use() {
  local p=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -Htln "sport = :$p" 2>/dev/null)" ]] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

free_port() {
  local base=$((20000 + RANDOM % 30000)) p i
  for ((i = 0; i < 200; i++)); do
    p=$((base + i))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free TCP port found"
}

# run_child CMD... — runs CMD in the background and waits for it, so that a
# signal to this script interrupts the wait and cleanup can kill CMD.
run_child() {
  local rc=0
  "$@" &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  return "$rc"
}

# wait_ready PORT PID LOGFILE NAME
wait_ready() {
  local port=$1 pid=$2 logf=$3 name=$4 i
  for ((i = 0; i < 600; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logf" >&2 || true
      die "$name exited during startup (log above)"
    fi
    if [[ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" == PONG ]]; then
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$logf" >&2 || true
  die "$name did not answer PING on port $port within 60s"
}

stop_server() {
  local port=$1 i
  [[ -n "$SERVER_PID" ]] || return 0
  redis-cli -h 127.0.0.1 -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
  for ((i = 0; i < 300; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "server did not exit after SHUTDOWN NOSAVE; sending SIGTERM"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

start_redis() {
  local port=$1 dir=$2
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no \
    --appendonly yes --appendfsync everysec --save "" \
    --logfile "$WORK/redis.log" &
  SERVER_PID=$!
  wait_ready "$port" "$SERVER_PID" "$WORK/redis.log" redis-server
}

start_basalt() {
  local port=$1 dir=$2
  # shellcheck disable=SC2086
  "$BASALT" --bind 127.0.0.1 --port "$port" --dir "$dir" --wal-sync everysec \
    ${BASALT_ARGS:-} >"$WORK/basalt.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$port" "$SERVER_PID" "$WORK/basalt.log" basalt
}

# The data set as a RESP stream of SET commands: key:%09d -> VALUE_SIZE bytes
# (the key number, then a slice of one of 4096 pseudo-random strings from a
# fixed seed: deterministic, unique per key, not trivially compressible).
generate() {
  awk -v n="$KEYS" -v size="$VALUE_SIZE" 'BEGIN {
    srand(42)
    alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
    for (j = 0; j < 4096; j++) {
      s = ""
      for (k = 0; k < size - 9; k++) s = s substr(alpha, int(rand() * 64) + 1, 1)
      pool[j] = s
    }
    for (i = 1; i <= n; i++) {
      key = sprintf("key:%09d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%09d%s\r\n", length(key), key, size, i, pool[i % 4096]
    }
  }'
}

load_data() {  # load_data PORT OUTFILE
  generate | redis-cli -h 127.0.0.1 -p "$1" --pipe --pipe-timeout 120 >"$2" 2>&1
}

info_field() {  # info_field PORT SECTION FIELD
  redis-cli -h 127.0.0.1 -p "$1" INFO "$2" 2>/dev/null | tr -d '\r' |
    awk -F: -v f="$3" '$1 == f { print $2; exit }'
}

now() { date +%s.%N; }

# measure NAME PORT DIR -> writes $WORK/NAME.result: dbsize rss used disk load_s
measure() {
  local name=$1 port=$2 dir=$3 t0 t1 out errors replies i
  log "$name: loading $KEYS keys with $VALUE_SIZE-byte values via redis-cli --pipe"
  t0="$(now)"
  if ! run_child load_data "$port" "$WORK/$name.pipe"; then
    cat "$WORK/$name.pipe" >&2
    die "$name: redis-cli --pipe failed"
  fi
  t1="$(now)"
  out="$(tail -n 1 "$WORK/$name.pipe")"
  errors="$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' <<<"$out")"
  replies="$(sed -n 's/.*replies: \([0-9]*\).*/\1/p' <<<"$out")"
  if [[ "$errors" != 0 || "$replies" != "$KEYS" ]]; then
    log "$name: unexpected --pipe result: $out"
  fi

  if [[ "$name" == redis ]]; then  # let a possible AOF rewrite finish
    for ((i = 0; i < 600; i++)); do
      [[ "$(info_field "$port" persistence aof_rewrite_in_progress)" == 0 &&
         "$(info_field "$port" persistence aof_rewrite_scheduled)" == 0 ]] && break
      sleep 0.5
    done
  fi
  sleep "$SETTLE"

  local dbsize rss used disk
  dbsize="$(redis-cli -h 127.0.0.1 -p "$port" DBSIZE 2>/dev/null | tr -d '\r')"
  rss="$(awk '/^VmRSS:/ { print $2 * 1024; exit }' "/proc/$SERVER_PID/status" 2>/dev/null)"
  used="$(info_field "$port" memory used_memory)"
  disk="$(du -sb "$dir" | awk '{ print $1 }')"
  echo "${dbsize:-n/a} ${rss:-n/a} ${used:-n/a} ${disk:-n/a} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" \
    >"$WORK/$name.result"
}

# ---------------------------------------------------------------- runs
if [[ $run_redis -eq 1 ]]; then
  port="$(free_port)"; dir="$WORK/redis"; mkdir -p "$dir"
  log "starting redis-server on 127.0.0.1:$port"
  start_redis "$port" "$dir"
  measure redis "$port" "$dir"
  stop_server "$port"
fi

if [[ $run_basalt -eq 1 ]]; then
  port="$(free_port)"; dir="$WORK/basalt"; mkdir -p "$dir"
  log "starting basalt on 127.0.0.1:$port"
  start_basalt "$port" "$dir"
  measure basalt "$port" "$dir"
  stop_server "$port"
fi

# ---------------------------------------------------------------- report
cpu_model="$(awk -F': *' '/^(model name|Model|Hardware|cpu model)[[:space:]]*:/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
redis_version="$(redis-server --version 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^v=/) { sub(/^v=/, "", $i); print $i } }' || true)"
git_rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
payload=$((KEYS * (13 + VALUE_SIZE)))

mib() { awk -v v="$1" 'BEGIN { if (v ~ /^[0-9]+$/) printf "%.1f MiB", v / 1048576; else print "n/a" }'; }
per_key() { awk -v v="$1" -v k="$2" 'BEGIN { if (v ~ /^[0-9]+$/ && k ~ /^[0-9]+$/ && k > 0) printf "%.0f", v / k; else print "n/a" }'; }

echo "## basalt vs redis-server: memory and disk footprint"
echo
echo "- machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, kernel $(uname -r)"
echo "- redis-server ${redis_version:-?} (appendonly yes, appendfsync everysec, save \"\"); basalt ${git_rev} (wal-sync everysec${BASALT_ARGS:+, $BASALT_ARGS})"
echo "- data: $KEYS keys (key:000000001...), $VALUE_SIZE-byte values, loaded with redis-cli --pipe; logical payload $(mib "$payload") (keys + values); measured ${SETTLE}s after load"
echo
echo "| server | DBSIZE | RSS (VmRSS) | used_memory | data dir (du -sb) | RSS B/key | disk B/key | load time |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for name in redis basalt; do
  [[ -f "$WORK/$name.result" ]] || continue
  read -r dbsize rss used disk load <"$WORK/$name.result"
  echo "| $name | $dbsize | $(mib "$rss") | $(mib "$used") | $(mib "$disk") | $(per_key "$rss" "$dbsize") | $(per_key "$disk" "$dbsize") | ${load}s |"
done
