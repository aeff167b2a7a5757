#!/usr/bin/env bash
# bench/bench_scripting.sh — owns: the scripting throughput comparison basalt vs redis-server
# (issue 12). Builds basalt (scripts/build.sh Release), then for each side in turn (a
# throw-away redis-server with AOF on, appendfsync everysec; a throw-away build/basalt with
# wal-sync everysec) SCRIPT LOADs a GET+INCR script and runs redis-benchmark
# `EVALSHA <sha> 1 key:__rand_int__` (-r keys, -c clients), without pipelining and with -P 16,
# and prints a markdown table with the ratios and the server's CPU time per request (user +
# system, all threads, from /proc: steadier than ops/s on a shared machine). Server start/stop, ports, temp dir and cleanup
# come from bench/lib.sh.
#
# Environment:
#   N=200000         requests per run
#   CLIENTS=50       parallel connections
#   PIPELINE=16      the pipelined run's depth
#   RANGE=100000     redis-benchmark -r (distinct keys)
#   BENCH_ONLY=      "redis" or "basalt" to run only one side (the other column n/a)
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-200000}"
CLIENTS="${CLIENTS:-50}"
PIPELINE="${PIPELINE:-16}"
RANGE="${RANGE:-100000}"
need_uint N 1
need_uint CLIENTS 1
need_uint PIPELINE 1
need_uint RANGE 1

SCRIPT="redis.call('get', KEYS[1]) return redis.call('incr', KEYS[1])"

bench_init benchmark redis-benchmark redis-cli

# cpu_ticks PID -> the process's user + system time so far, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# run_benchmarks NAME PORT DIR -> writes $WORK/NAME.pP.rps (ops/s) and $WORK/NAME.pP.cpu
# (server CPU µs per request) for P in 1 and $PIPELINE
run_benchmarks() {
  local name=$1 port=$2 p out sha t0 t1
  sha="$(redis-cli -h 127.0.0.1 -p "$port" SCRIPT LOAD "$SCRIPT")"
  [[ "$sha" =~ ^[0-9a-f]{40}$ ]] || die "$name: SCRIPT LOAD answered '$sha'"
  for p in 1 "$PIPELINE"; do
    out="$WORK/$name.p$p.csv"
    t0="$(cpu_ticks "${PID[$name]}")"
    log "$name: redis-benchmark EVALSHA (GET+INCR) -n $N -c $CLIENTS -r $RANGE -P $p"
    if ! run_child redis-benchmark -h 127.0.0.1 -p "$port" -n "$N" -c "$CLIENTS" -r "$RANGE" \
         -P "$p" -q --csv EVALSHA "$sha" 1 'key:__rand_int__' >"$out" 2>"$WORK/$name.p$p.err"; then
      log "$name: redis-benchmark failed at -P $p:"
      tail -n 5 "$WORK/$name.p$p.err" "$out" >&2 || true
    fi
    t1="$(cpu_ticks "${PID[$name]}")"
    # The one test's ops/s: the second field of the CSV's data line.
    awk -F'","' 'NR == 2 { print $2 }' "$out" >"$WORK/$name.p$p.rps" 2>/dev/null || true
    awk -v a="$t0" -v b="$t1" -v n="$N" -v hz="$(getconf CLK_TCK)" \
      'BEGIN { printf "%.1f\n", (b - a) / hz * 1e6 / n }' >"$WORK/$name.p$p.cpu"
  done
  # A run that answered errors (NOSCRIPT, a refusal) is no measurement.
  if [[ "$(redis-cli -h 127.0.0.1 -p "$port" INFO stats | tr -d '\r' |
           awk -F: '$1 == "total_error_replies" { print $2 }')" =~ ^[1-9] ]]; then
    log "$name: warning: the server answered errors during the run (INFO total_error_replies)"
  fi
}

rps() { local v=""; [[ -f "$1" ]] && v="$(head -n 1 "$1")"; echo "${v:-n/a}"; }

# ---------------------------------------------------------------- runs
each_side run_benchmarks

# ---------------------------------------------------------------- report
report_head "scripting (EVALSHA)"
servers_line
echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- script: \`$SCRIPT\`; redis-benchmark -n $N -c $CLIENTS -r $RANGE -q --csv EVALSHA <sha> 1 key:__rand_int__"
echo
echo "| test | pipeline | redis ops/s | basalt ops/s | ratio basalt/redis | redis CPU µs/req | basalt CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for p in 1 "$PIPELINE"; do
  r="$(rps "$WORK/redis.p$p.rps")"
  b="$(rps "$WORK/basalt.p$p.rps")"
  echo "| EVALSHA GET+INCR | $p | $(round "$r") | $(round "$b") | $(ratio "$b" "$r") | $(rps "$WORK/redis.p$p.cpu") | $(rps "$WORK/basalt.p$p.cpu") |"
done
