#!/usr/bin/env bash
# bench/bench_scale.sh — owns: the scale table of issue 13: a data set FACTOR (10) times larger
# than basalt's block cache + record cache (read from the running basalt with CONFIG GET, so
# BASALT_ARGS that shrink the caches shrink the default KEYS too): its load time, GET and SET
# throughput on a hot key range that fits in the caches vs on the whole key space, and basalt's
# RSS sampled every RSS_INTERVAL seconds through the whole run (it must stay flat: bounded by
# the caches and memtables, not by the data set). redis-server (AOF on, appendfsync everysec,
# no RDB) runs the same steps beside it when the data set fits in its RAM (estimated from
# MemAvailable), else its column says why not. The sides run one after the other.
# Servers, ports, cleanup: bench/lib.sh.
#
# Environment:
#   KEYS=            keys in the data set (default: FACTOR x (rocksdb-block-cache-size +
#                    record-cache-size) / (16 + VALUE_SIZE), e.g. 28.9M with the defaults)
#   FACTOR=10        data set size over the caches, when KEYS is not given
#   HOT_KEYS=        the hot range (default: the keys whose payload is a quarter of the caches)
#   VALUE_SIZE=100   bytes per value (>= 16)
#   N=200000         redis-benchmark requests per measured run
#   CLIENTS=50       redis-benchmark connections
#   RSS_INTERVAL=0.5 seconds between RSS samples
#   REDIS=auto       auto: run redis if the data set fits in RAM; yes; no
#   SKIP_BUILD=1     use the existing build/basalt as is
#   BASALT_ARGS=     extra arguments for build/basalt (word-split), e.g.
#                    "--rocksdb-block-cache-size 8mb --record-cache-size 4mb" for a small run
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYS="${KEYS:-}"
FACTOR="${FACTOR:-10}"
HOT_KEYS="${HOT_KEYS:-}"
VALUE_SIZE="${VALUE_SIZE:-100}"
N="${N:-200000}"
CLIENTS="${CLIENTS:-50}"
RSS_INTERVAL="${RSS_INTERVAL:-0.5}"
REDIS="${REDIS:-auto}"
[[ -z "$KEYS" ]] || need_uint KEYS 1 999999999
[[ -z "$HOT_KEYS" ]] || need_uint HOT_KEYS 1 999999999
need_uint FACTOR 1
need_uint VALUE_SIZE 16
need_uint N 1
need_uint CLIENTS 1
[[ "$RSS_INTERVAL" =~ ^[0-9]*\.?[0-9]+$ ]] || die "RSS_INTERVAL must be a number of seconds"
[[ "$REDIS" =~ ^(auto|yes|no)$ ]] || die "REDIS must be auto, yes or no"

# basalt always; redis (its tools checked here) decided below
BENCH_ONLY=basalt bench_init measure redis-cli redis-benchmark redis-server
KEY_BYTES=$((16 + VALUE_SIZE))  # key:%012d + value

cli() { redis-cli -h 127.0.0.1 -p "$@"; }

# ---------------------------------------------------------------- RSS sampling
# The sampler appends "PHASE RSS" every RSS_INTERVAL seconds; the phase is read from a file.
set_phase() { echo "$1" >"$WORK/phase"; }
start_sampler() {  # start_sampler NAME — samples server NAME into $WORK/NAME.rss
  local pid=${PID[$1]} out="$WORK/$1.rss"
  : >"$out"
  (
    trap 'exit 0' TERM
    while kill -0 "$pid" 2>/dev/null; do
      r="$(awk '/^VmRSS:/ { printf "%.0f\n", $2 * 1024; exit }' "/proc/$pid/status" 2>/dev/null || true)"
      [[ -n "$r" ]] && echo "$(cat "$WORK/phase" 2>/dev/null) $r" >>"$out"
      sleep "$RSS_INTERVAL"
    done
  ) &
  PID[sampler]=$!
}
stop_sampler() {
  kill -TERM "${PID[sampler]}" 2>/dev/null || true
  wait_exit sampler 10 || kill -KILL "${PID[sampler]}" 2>/dev/null || true
  unset "PID[sampler]"
}

# ---------------------------------------------------------------- one side
# bench KIND PORT TEST RANGE OUT — redis-benchmark -t TEST -r RANGE; ops/s into OUT
bench() {
  local kind=$1 port=$2 t=$3 r=$4 out=$5
  log "$kind: redis-benchmark -t $t -n $N -c $CLIENTS -r $r -d $VALUE_SIZE"
  if ! run_child redis-benchmark -h 127.0.0.1 -p "$port" -t "$t" -n "$N" -c "$CLIENTS" \
    -r "$r" -d "$VALUE_SIZE" -q --csv >"$out.csv" 2>"$out.err"; then
    log "$kind: redis-benchmark failed:"
    tail -n 5 "$out.err" >&2 || true
  fi
  csv_rps "$out.csv" "${t^^}" >"$out"
}

# run_side KIND PORT — load, then the GET/SET runs; RSS sampled throughout
run_side() {
  local kind=$1 port=$2 t0 t1
  start_sampler "$kind"
  set_phase load
  log "$kind: loading $KEYS keys with $VALUE_SIZE-byte values via redis-cli --pipe"
  t0="$(now)"
  load "$kind" "$port" "$KEYS" gen_keyspace "$KEYS"
  t1="$(now)"
  elapsed "$t0" "$t1" 2 >"$WORK/$kind.load"
  log "$kind: loaded in $(cat "$WORK/$kind.load")s"
  set_phase settle
  wait_aof "$port" 1200
  cli "$port" DBSIZE 2>/dev/null | tr -d '\r' >"$WORK/$kind.dbsize"
  rss "$kind" >"$WORK/$kind.rss_loaded"
  set_phase warm-up
  bench "$kind" "$port" get "$HOT_KEYS" "$WORK/$kind.warm"  # fills the caches with the hot range
  local t
  for t in get set; do
    set_phase "$t-hot"
    bench "$kind" "$port" "$t" "$HOT_KEYS" "$WORK/$kind.$t.hot"
    set_phase "$t-all"
    bench "$kind" "$port" "$t" "$KEYS" "$WORK/$kind.$t.all"
  done
  set_phase end
  stop_sampler
}

# ---------------------------------------------------------------- basalt
start_new basalt basalt "$WORK/basalt"
bport=$NEW_PORT
cfg() { cli "$bport" CONFIG GET "$1" 2>/dev/null | sed -n 2p | tr -d '\r'; }
block_cache="$(cfg rocksdb-block-cache-size)"
record_cache="$(cfg record-cache-size)"
is_uint "$block_cache" && is_uint "$record_cache" || die "basalt: cannot read its cache sizes (CONFIG GET)"
caches=$((block_cache + record_cache))
((caches > 0)) || die "basalt: both caches are 0; give KEYS and HOT_KEYS"
[[ -n "$KEYS" ]] || KEYS=$(((FACTOR * caches + KEY_BYTES - 1) / KEY_BYTES))
[[ -n "$HOT_KEYS" ]] || HOT_KEYS=$((caches / 4 / KEY_BYTES))
((HOT_KEYS >= 1)) || HOT_KEYS=1
((HOT_KEYS <= KEYS)) || HOT_KEYS=$KEYS
log "basalt: caches $(mib "$caches") (block $block_cache + record $record_cache bytes): $KEYS keys ($(mib $((KEYS * KEY_BYTES))) of payload), hot range $HOT_KEYS keys"
run_side basalt "$bport"
stop_server basalt "$bport"
du -sb "$WORK/basalt" | awk '{ print $1 }' >"$WORK/basalt.disk"
rm -rf "$WORK/basalt"

# ---------------------------------------------------------------- redis, if it fits
# about 90 B of overhead per key in redis 7 (dict entry, robj, sds headers, jemalloc rounding),
# and twice that for the fork of an AOF rewrite copying pages
redis_need=$((KEYS * (KEY_BYTES + 90) * 2))
avail=$(($(awk '/^MemAvailable:/ { print $2; exit }' /proc/meminfo) * 1024))
redis_note=""
if [[ "$REDIS" == no ]]; then
  redis_note="not run (REDIS=no)"
elif [[ "$REDIS" == auto ]] && ((redis_need > avail * 8 / 10)); then
  redis_note="not run: needs about $(mib "$redis_need") with an AOF rewrite, $(mib "$avail") available"
else
  start_new redis redis "$WORK/redis"
  run_side redis "$NEW_PORT"
  stop_server redis "$NEW_PORT"
fi
[[ -z "$redis_note" ]] || log "redis: $redis_note"

# ---------------------------------------------------------------- report
val() { if [[ -f "$WORK/$1" ]]; then cat "$WORK/$1"; else echo n/a; fi; }
# rss_stat KIND PHASE-REGEX -> "min max last" over the samples of the matching phases
rss_stat() {
  awk -v re="^($2)\$" '$1 ~ re { if (n == 0 || $2 < lo) lo = $2; if ($2 > hi) hi = $2; last = $2; n++ }
    END { if (n) print lo, hi, last, n; else print "n/a n/a n/a 0" }' "$WORK/$1.rss" 2>/dev/null ||
    echo "n/a n/a n/a 0"
}
rcol() { if [[ -n "$redis_note" ]]; then echo "n/a"; else echo "$1"; fi; }

times="$(awk -v p=$((KEYS * KEY_BYTES)) -v c="$caches" 'BEGIN { printf "%.3g", p / c }')"
report_head "data set ${times}x basalt's caches (scale)"
servers_line
echo "- basalt's block cache + record cache: $(mib "$caches"); data set (${times}x that): $KEYS keys key:000000000000..., $VALUE_SIZE-byte values (unique, not trivially compressible), $(mib $((KEYS * KEY_BYTES))) of payload, loaded with redis-cli --pipe"
echo "- runs: redis-benchmark -n $N -c $CLIENTS -d $VALUE_SIZE, -r $HOT_KEYS (the hot range: keys whose payload is at most a quarter of the caches, or HOT_KEYS; read once before) and -r $KEYS (the whole key space); out of basalt's caches is not out of the OS page cache unless the data set exceeds RAM"
echo "- RSS: VmRSS sampled every ${RSS_INTERVAL}s; redis: ${redis_note:-run beside basalt}"
echo
echo "| measurement | redis | basalt | basalt/redis |"
echo "|---|---:|---:|---:|"
rl="$(val redis.load)" bl="$(val basalt.load)"
echo "| load time | $(rcol "${rl}s") | ${bl}s | $(ratio "$bl" "$rl") |"
echo "| DBSIZE after load | $(val redis.dbsize) | $(val basalt.dbsize) | |"
for t in get set; do
  for range in hot all; do
    r="$(val "redis.$t.$range")" b="$(val "basalt.$t.$range")"
    [[ "$range" == hot ]] && what="hot range (-r $HOT_KEYS)" || what="all keys (-r $KEYS)"
    echo "| ${t^^} ops/s, $what | $(round "$r") | $(round "$b") | $(ratio "$b" "$r") |"
  done
done
for kind in redis basalt; do
  read -r _ hi _ _ < <(rss_stat "$kind" "load|settle")
  eval "${kind}_load_hi=\$hi"
  read -r lo hi last n < <(rss_stat "$kind" "warm-up|get-hot|get-all|set-hot|set-all")
  eval "${kind}_run_lo=\$lo ${kind}_run_hi=\$hi ${kind}_run_last=\$last ${kind}_run_n=\$n"
done
echo "| RSS after load | $(mib "$(val redis.rss_loaded)") | $(mib "$(val basalt.rss_loaded)") | $(ratio "$(val basalt.rss_loaded)" "$(val redis.rss_loaded)") |"
echo "| RSS max while loading | $(mib "$redis_load_hi") | $(mib "$basalt_load_hi") | $(ratio "$basalt_load_hi" "$redis_load_hi") |"
echo "| RSS min / max during the GET/SET runs | $(mib "$redis_run_lo") / $(mib "$redis_run_hi") | $(mib "$basalt_run_lo") / $(mib "$basalt_run_hi") | $(ratio "$basalt_run_hi" "$redis_run_hi") |"
echo "| basalt data dir after the runs | | $(mib "$(val basalt.disk)") | |"
echo
echo "RSS per phase (MiB: min / max / at the end of the phase, and the number of samples):"
echo
echo "| phase | basalt RSS | redis RSS |"
echo "|---|---:|---:|"
for phase in load settle warm-up get-hot get-all set-hot set-all; do
  row="| $phase "
  for kind in basalt redis; do
    read -r lo hi last n < <(rss_stat "$kind" "$phase")
    if [[ "$n" == 0 ]]; then row+="| n/a "; else
      row+="| $(mib "$lo" | sed 's/ MiB//') / $(mib "$hi" | sed 's/ MiB//') / $(mib "$last" | sed 's/ MiB//') ($n) "
    fi
  done
  echo "$row|"
done
growth="$(awk -v a="$basalt_run_lo" -v b="$basalt_run_hi" 'BEGIN { if (a ~ /^[0-9]+$/ && a > 0) printf "%.1f", (b - a) * 100 / a; else print "n/a" }')"
echo
echo "basalt RSS during the runs varied by ${growth}% (max over min; flat means a few percent, bounded by the caches and memtables)."
