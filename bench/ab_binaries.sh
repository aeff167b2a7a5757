#!/usr/bin/env bash
# bench/ab_binaries.sh — owns: two basalt builds side by side in real time, for a change that
# instruction counts (callgrind_ops.sh) do not show (cache misses, iterator set-up): both
# binaries up at once on fresh data dirs, the same redis-benchmark run against each in turn,
# ROUNDS times, the order alternating per round so that a slow phase of a noisy machine hits
# both. Prints, per redis-benchmark test, each round's requests per second, the means and the
# ratio new/old. Servers, ports, cleanup: bench/lib.sh.
#
# Usage: bench/ab_binaries.sh OLD_BASALT NEW_BASALT REDIS-BENCHMARK-ARGS...
#   e.g. bench/ab_binaries.sh /tmp/basalt.before build/basalt -t set -n 600000 -c 50 -P 16 -r 100000
#        PREFILL="-t lpush -n 400000 -c 50 -P 16" bench/ab_binaries.sh A B -n 300000 -c 50 -P 16 \
#          lrange mylist 0 99
#
# Environment:
#   ROUNDS=3        rounds (each runs both sides once)
#   PREFILL=        redis-benchmark arguments run once against each side before the rounds
#   BASALT_ARGS=    extra arguments for both binaries (word-split)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# >= 3)) || die "usage: $0 OLD_BASALT NEW_BASALT REDIS-BENCHMARK-ARGS..."
OLD_BIN=$1
NEW_BIN=$2
shift 2
ROUNDS="${ROUNDS:-3}"
need_uint ROUNDS "$ROUNDS"
((ROUNDS >= 1)) || die "ROUNDS must be at least 1"
for bin in "$OLD_BIN" "$NEW_BIN"; do [[ -x "$bin" ]] || die "not an executable: $bin"; done
need_tools redis-benchmark redis-cli
init_work

declare -A SIDE_PORT=()
for side in old new; do
  if [[ $side == old ]]; then BASALT=$OLD_BIN; else BASALT=$NEW_BIN; fi
  start_new basalt "$side" "$WORK/$side"
  SIDE_PORT[$side]=$NEW_PORT
done

if [[ -n "${PREFILL:-}" ]]; then
  for side in old new; do
    # shellcheck disable=SC2086
    run_child redis-benchmark -h 127.0.0.1 -p "${SIDE_PORT[$side]}" -q $PREFILL >/dev/null
  done
fi

# One line per round, side and test: "ROUND SIDE TEST RPS".
for ((round = 1; round <= ROUNDS; round++)); do
  order=(old new)
  ((round % 2 == 0)) && order=(new old)
  for side in "${order[@]}"; do
    log "round $round: $side"
    run_child redis-benchmark -h 127.0.0.1 -p "${SIDE_PORT[$side]}" --csv "$@" >"$WORK/out.csv"
    awk -F'","' -v r="$round" -v s="$side" 'NR > 1 {
        test = $1; sub(/^"/, "", test); gsub(/ /, "_", test); print r, s, test, $2 }' \
      "$WORK/out.csv" >>"$WORK/results"
  done
done

echo "## basalt A/B: $(basename "$OLD_BIN") (old) vs $(basename "$NEW_BIN") (new)"
echo
echo "- machine: $(machine_line)"
echo "- redis-benchmark $*; $ROUNDS rounds, order alternating${PREFILL:+; prefill: $PREFILL}"
echo
echo "| test | old req/s (rounds) | new req/s (rounds) | old mean | new mean | new/old |"
echo "|---|---|---|---:|---:|---:|"
awk '{ v[$3, $2] = v[$3, $2] (v[$3, $2] == "" ? "" : " ") sprintf("%.0f", $4)
       sum[$3, $2] += $4; n[$3, $2]++; if (!($3 in seen)) { seen[$3] = 1; order[++k] = $3 } }
  END { for (i = 1; i <= k; i++) { t = order[i]
          o = sum[t, "old"] / n[t, "old"]; w = sum[t, "new"] / n[t, "new"]
          printf "| %s | %s | %s | %.0f | %.0f | %.3f |\n", t, v[t, "old"], v[t, "new"], o, w, w / o } }' \
  "$WORK/results"
