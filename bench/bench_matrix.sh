#!/usr/bin/env bash
# bench/bench_matrix.sh — owns: the full redis-benchmark matrix of issue 13 in one run: every
# test of TESTS, without pipelining and with -P $PIPELINE, on one hot key and on random keys
# (-r $KEYSPACE), against a throw-away redis-server (AOF on, appendfsync everysec, no RDB) and a
# throw-away build/basalt (its defaults), alternating the sides per cell so drift on a noisy
# machine hits both. Prints one markdown table: ops/s, the ratio basalt/redis, and
# redis-benchmark's p50 and p99 latencies for both. Servers, ports and cleanup: bench/lib.sh.
#
# Environment:
#   N=200000        requests per cell
#   TESTS=set,get,incr,mset,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300
#   CLIENTS=50      parallel connections
#   PIPELINE=16     the pipelined depth
#   KEYSPACE=100000 the -r of the random-key runs
#   ROUNDS=1        runs of the whole matrix (the servers stay up); with more than one, each
#                   cell reports the median round of each side and every round's ratio, since
#                   single cells move by tenths between runs on a small machine
#   SKIP_BUILD=1    use the existing build/basalt as is
#   BASALT_ARGS=    extra arguments for build/basalt (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-200000}"
CLIENTS="${CLIENTS:-50}"
PIPELINE="${PIPELINE:-16}"
KEYSPACE="${KEYSPACE:-100000}"
TESTS="${TESTS:-set,get,incr,mset,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300}"
need_uint N "$N"
need_uint KEYSPACE "$KEYSPACE"
ROUNDS="${ROUNDS:-1}"
need_uint ROUNDS "$ROUNDS"
((ROUNDS >= 1)) || die "ROUNDS must be at least 1"

# both sides: every cell is a same-run ratio
BENCH_ONLY="" bench_init benchmark redis-benchmark redis-cli
start_sides

# cell KIND PIPELINE KEYS ROUND -> $WORK/KIND.pPIPELINE.rKEYS.kROUND.csv (KEYS 0: one hot key
# per test)
cell() {
  local kind=$1 p=$2 r=$3 out="$WORK/$1.p$2.r$3.k$4.csv" args=()
  (( r > 0 )) && args=(-r "$r")
  log "$kind: redis-benchmark -t $TESTS -n $N -c $CLIENTS -P $p ${args[*]}"
  if ! run_child redis-benchmark -h 127.0.0.1 -p "${PORT[$kind]}" -t "$TESTS" -n "$N" \
       -c "$CLIENTS" -P "$p" "${args[@]}" -q --csv >"$out" 2>"$out.err"; then
    log "$kind: redis-benchmark failed (-P $p -r $r):"
    tail -n 5 "$out.err" >&2 || true
  fi
}

for ((k = 1; k <= ROUNDS; k++)); do
  for r in 0 "$KEYSPACE"; do
    for p in 1 "$PIPELINE"; do
      # Alternate which side goes first, so a slow phase of the machine is shared.
      if (((p + r + k) % 2)); then cell redis "$p" "$r" "$k"; cell basalt "$p" "$r" "$k"; else
        cell basalt "$p" "$r" "$k"; cell redis "$p" "$r" "$k"; fi
    done
  done
done
stop_sides

# median_round PIPELINE KEYS TEST -> the round whose ratio basalt/redis is the median one
median_round() {
  local k
  for ((k = 1; k <= ROUNDS; k++)); do
    echo "$(ratio "$(csv_col "$WORK/basalt.p$1.r$2.k$k.csv" "$3" 2)" \
      "$(csv_col "$WORK/redis.p$1.r$2.k$k.csv" "$3" 2)") $k"
  done | sort -g | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) { print $2 }'
}

report_head "redis-benchmark matrix"
servers_line
echo "- redis-benchmark -n $N -c $CLIENTS -q --csv; pipeline 1 and $PIPELINE; one hot key and -r $KEYSPACE"
if ((ROUNDS > 1)); then
  echo "- $ROUNDS rounds of the whole matrix (servers kept up); per cell the round whose ratio" \
    "is the median one (both sides' ops/s and latencies of that round), and every round's ratio"
fi
echo
header="| test | -P | -r | redis ops/s | basalt ops/s | ratio | redis p50/p99 ms | basalt p50/p99 ms |"
rule="|---|---:|---:|---:|---:|---:|---:|---:|"
((ROUNDS > 1)) && header+=" ratio per round |" rule+="---|"
echo "$header"
echo "$rule"
for r in 0 "$KEYSPACE"; do
  for p in 1 "$PIPELINE"; do
    mapfile -t names < <(awk -F'","' 'NR > 1 { gsub(/^"/, "", $1); print $1 }' \
      "$WORK/redis.p$p.r$r.k1.csv" 2>/dev/null || true)
    for t in "${names[@]}"; do
      k="$(median_round "$p" "$r" "$t")"
      rf="$WORK/redis.p$p.r$r.k${k:-1}.csv" bf="$WORK/basalt.p$p.r$r.k${k:-1}.csv"
      rr="$(csv_col "$rf" "$t" 2)" br="$(csv_col "$bf" "$t" 2)"
      line="| $t | $p | $r | $(round "$rr") | $(round "$br") | $(ratio "$br" "$rr") |"
      line+=" $(csv_col "$rf" "$t" 5)/$(csv_col "$rf" "$t" 7) | $(csv_col "$bf" "$t" 5)/$(csv_col "$bf" "$t" 7) |"
      if ((ROUNDS > 1)); then
        per=()
        for ((k = 1; k <= ROUNDS; k++)); do
          per+=("$(ratio "$(csv_col "$WORK/basalt.p$p.r$r.k$k.csv" "$t" 2)" \
            "$(csv_col "$WORK/redis.p$p.r$r.k$k.csv" "$t" 2)")")
        done
        line+=" $(IFS=/; echo "${per[*]}" | sed 's|/| / |g') |"
      fi
      echo "$line"
    done
  done
done
