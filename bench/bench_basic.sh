#!/usr/bin/env bash
# bench/bench_basic.sh — owns: the throughput comparison basalt vs redis-server.
# Builds basalt (scripts/build.sh Release), then runs redis-benchmark
# (-t set,get,incr,mset -c 50, without pipelining and with -P 16) first against a
# throw-away redis-server (AOF on, appendfsync everysec, no RDB snapshots), then
# against a throw-away build/basalt (wal-sync everysec), and prints a markdown table.
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

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

N="${N:-1000000}"
CLIENTS="${CLIENTS:-50}"
PIPELINE="${PIPELINE:-16}"
BENCH_ONLY="${BENCH_ONLY:-}"
TESTS="${TESTS:-set,get,incr,mset}"
BASALT="$ROOT/build/basalt"

case "$BENCH_ONLY" in
  ""|redis|basalt) ;;
  *) echo "BENCH_ONLY must be empty, 'redis' or 'basalt'" >&2; exit 2 ;;
esac
run_redis=1; run_basalt=1
[[ "$BENCH_ONLY" == basalt ]] && run_redis=0
[[ "$BENCH_ONLY" == redis ]] && run_basalt=0

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

for tool in redis-benchmark redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup.sh)"
done
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
  [[ -x "$BASALT" ]] || die "build/basalt is missing (build failed or not built yet); use BENCH_ONLY=redis to benchmark redis alone"
fi

# ---------------------------------------------------------------- process/tmp cleanup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench.XXXXXX")"
SERVER_PID=""
CHILD_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$CHILD_PID" ]] && kill -0 "$CHILD_PID" 2>/dev/null; then
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
  for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    log "server did not exit after SHUTDOWN NOSAVE; sending SIGTERM"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# run_benchmarks NAME PORT -> writes $WORK/NAME.p1.csv and $WORK/NAME.p16.csv
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

start_redis() {
  local port=$1 dir="$WORK/redis"
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no \
    --appendonly yes --appendfsync everysec --save "" \
    --logfile "$WORK/redis.log" &
  SERVER_PID=$!
  wait_ready "$port" "$SERVER_PID" "$WORK/redis.log" redis-server
}

start_basalt() {
  local port=$1 dir="$WORK/basalt"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  "$BASALT" --bind 127.0.0.1 --port "$port" --dir "$dir" --wal-sync everysec \
    ${BASALT_ARGS:-} >"$WORK/basalt.log" 2>&1 &
  SERVER_PID=$!
  wait_ready "$port" "$SERVER_PID" "$WORK/basalt.log" basalt
}

# rps FILE TEST -> ops/s from redis-benchmark --csv output, or "n/a"
rps() {
  local v=""
  [[ -f "$1" ]] && v="$(awk -F'","' -v t="$2" '{ gsub(/^"|"$/, "") } $1 == t { print $2; exit }' "$1")"
  echo "${v:-n/a}"
}

# ---------------------------------------------------------------- runs
if [[ $run_redis -eq 1 ]]; then
  port="$(free_port)"
  log "starting redis-server on 127.0.0.1:$port"
  start_redis "$port"
  run_benchmarks redis "$port"
  stop_server "$port"
fi

if [[ $run_basalt -eq 1 ]]; then
  port="$(free_port)"
  log "starting basalt on 127.0.0.1:$port"
  start_basalt "$port"
  run_benchmarks basalt "$port"
  stop_server "$port"
fi

# ---------------------------------------------------------------- report
cpu_model="$(awk -F': *' '/^(model name|Model|Hardware|cpu model)[[:space:]]*:/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
redis_version="$(redis-server --version 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^v=/) { sub(/^v=/, "", $i); print $i } }' || true)"
git_rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"

echo "## basalt vs redis-server: redis-benchmark"
echo
echo "- machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, kernel $(uname -r)"
echo "- redis-server ${redis_version:-?} (appendonly yes, appendfsync everysec, save \"\"); basalt ${git_rev} (wal-sync everysec${BASALT_ARGS:+, $BASALT_ARGS})"
echo "- redis-benchmark -n $N -c $CLIENTS -q --csv; pipeline 1 and $PIPELINE"
echo
echo "| test | pipeline | redis ops/s | basalt ops/s | ratio basalt/redis |"
echo "|---|---:|---:|---:|---:|"
for p in 1 "$PIPELINE"; do
  # One row per test redis-benchmark reported (the first column of its CSV), in its order.
  mapfile -t names < <(awk -F'","' 'NR > 1 { gsub(/^"/, "", $1); print $1 }' "$WORK/redis.p$p.csv" 2>/dev/null || true)
  [[ ${#names[@]} -gt 0 ]] || names=(SET GET INCR "MSET (10 keys)")
  for t in "${names[@]}"; do
    r="$(rps "$WORK/redis.p$p.csv" "$t")"
    b="$(rps "$WORK/basalt.p$p.csv" "$t")"
    ratio="$(awk -v r="$r" -v b="$b" 'BEGIN {
      if (r ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && r + 0 > 0) printf "%.2f", b / r; else print "n/a" }')"
    fmt() { awk -v v="$1" 'BEGIN { if (v ~ /^[0-9.]+$/) printf "%.0f", v; else print v }'; }
    echo "| $t | $p | $(fmt "$r") | $(fmt "$b") | $ratio |"
  done
done
