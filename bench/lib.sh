# shellcheck shell=bash
# bench/lib.sh — owns: the helpers shared by the bench/*.sh scripts, which source it (it is
# not run by itself, and sets no shell options). On sourcing it sets ROOT (the repo) and
# BASALT (build/basalt) and cd's to ROOT. It provides: log/die and env checks, BENCH_ONLY
# parsing and the tool checks, building/locating basalt, the temp dir $WORK with the
# EXIT/INT/TERM cleanup that stops every server and child the script started and removes
# $WORK (also on failure or Ctrl-C), bind-tested free-port picking, starting redis-server /
# basalt on a free port and waiting until it answers PING, stopping them, INFO and
# redis-benchmark CSV parsing, the deterministic data sets (gen_dataset; gen_keyspace in
# redis-benchmark's -r key form) and their redis-cli --pipe loader, a server's RSS and CPU
# ticks from /proc, and the report's number formatting and header lines (the machine named
# from lscpu).
# A script using it defines KEYS and VALUE_SIZE if it calls gen_dataset, may set BASALT_ARGS
# (env, word-split) and REDIS_EXTRA (array) for extra server arguments, and calls bench_init
# (BENCH_ONLY, tools, build, $WORK) before anything else; then start_sides / stop_sides (both
# sides at once), each_side (one after the other) or start_new (any server of its own).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit
BASALT="${BASALT_BIN:-$ROOT/build/basalt}"  # BASALT_BIN=PATH (with SKIP_BUILD=1): another binary
REDIS_EXTRA=()   # extra redis-server arguments (after the common ones), set by the script

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
# need_uint NAME MIN [MAX] — dies unless the variable NAME holds an integer in range
need_uint() {
  local v=${!1}
  if ! is_uint "$v" || [[ "$v" -lt $2 || ( -n "${3:-}" && "$v" -gt "${3:-0}" ) ]]; then
    die "$1 must be an integer >= $2${3:+ and <= $3}"
  fi
}

# ---------------------------------------------------------------- options, tools, build
# parse_bench_only — checks BENCH_ONLY (empty, redis or basalt); sets run_redis and
# run_basalt (1 or 0) and sides (the kinds to run: redis, then basalt)
run_redis=1; run_basalt=1; sides=()
parse_bench_only() {
  BENCH_ONLY="${BENCH_ONLY:-}"
  case "$BENCH_ONLY" in
    ""|redis|basalt) ;;
    *) die "BENCH_ONLY must be empty, 'redis' or 'basalt'" ;;
  esac
  run_redis=1; run_basalt=1; sides=()
  if [[ "$BENCH_ONLY" == basalt ]]; then run_redis=0; else sides+=(redis); fi
  if [[ "$BENCH_ONLY" == redis ]]; then run_basalt=0; else sides+=(basalt); fi
}

# need_tools TOOL... — dies unless each TOOL (and redis-server, if redis runs) is on PATH
need_tools() {
  local tool
  [[ $run_redis -eq 1 ]] && set -- "$@" redis-server
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (run scripts/setup.sh)"
  done
}

# ensure_basalt VERB — if basalt runs: builds it (scripts/build.sh Release) unless
# SKIP_BUILD=1, and dies if $BASALT is missing ("use BENCH_ONLY=redis to VERB redis alone")
ensure_basalt() {
  local blog="${TMPDIR:-/tmp}/basalt-bench-build.log"
  [[ $run_basalt -eq 1 ]] || return 0
  if [[ "${SKIP_BUILD:-}" != 1 ]]; then
    log "building basalt (Release)..."
    if ! scripts/build.sh Release >"$blog" 2>&1; then
      tail -n 30 "$blog" >&2 || true
      die "building basalt failed (full log: $blog); use BENCH_ONLY=redis, or SKIP_BUILD=1 to use an existing build/basalt"
    fi
  fi
  [[ -x "$BASALT" ]] || die "build/basalt is missing (build failed or not built yet); use BENCH_ONLY=redis to $1 redis alone"
}

# bench_init VERB TOOL... — the preamble of every script: parse_bench_only, need_tools TOOL...,
# ensure_basalt VERB, init_work. BENCH_ONLY=basalt bench_init ... forces the sides.
bench_init() {
  local verb=$1
  shift
  parse_bench_only
  need_tools "$@"
  ensure_basalt "$verb"
  init_work
}

# ---------------------------------------------------------------- temp dir, processes, cleanup
WORK=""
declare -A PID=()   # server name -> pid of every server the script started and has not reaped
CHILD_PID=""        # the background child being waited for (run_child; a script's own loop)

# init_work — creates the temp dir $WORK and installs the traps that run cleanup
init_work() {
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench.XXXXXX")"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# cleanup — on exit: ends CHILD_PID (and its children, e.g. a loader pipeline), SIGTERMs
# every server in PID (SIGKILL after 5s), removes $WORK; keeps the exit status
cleanup() {
  local rc=$? name pid
  if [[ -n "$CHILD_PID" ]] && kill -0 "$CHILD_PID" 2>/dev/null; then
    pkill -TERM -P "$CHILD_PID" 2>/dev/null || true
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    wait "$CHILD_PID" 2>/dev/null || true
  fi
  for name in "${!PID[@]}"; do
    kill -TERM "${PID[$name]}" 2>/dev/null || true
  done
  for name in "${!PID[@]}"; do
    pid="${PID[$name]}"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$WORK" ]]; then rm -rf "$WORK"; fi
  exit "$rc"
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

# ---------------------------------------------------------------- ports
# port_free PORT — 0 if no TCP socket here uses PORT (ss, any state) and a socket can be
# bound to 127.0.0.1:PORT right now (perl or python3; without both: nothing accepts on it)
port_free() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Htan "sport = :$p" 2>/dev/null)" ]]; then
    return 1
  fi
  if command -v perl >/dev/null 2>&1; then
    perl -MSocket -e 'socket(my $s, PF_INET, SOCK_STREAM, 0) or exit 2;
      bind($s, sockaddr_in($ARGV[0], inet_aton("127.0.0.1"))) or exit 1' "$p" 2>/dev/null
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket, sys
socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$p" 2>/dev/null
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
  fi
}

# free_port — prints a free port (port_free), tried from a random start below the kernel's
# ephemeral range, where outgoing connections take their local ports (10000..32767 usually)
free_port() {
  local lo=10000 hi="" p i n base
  read -r hi _ 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || true
  if is_uint "$hi" && ((hi - 1 - lo >= 1000)); then hi=$((hi - 1)); else lo=20000; hi=49999; fi
  n=$((hi - lo + 1))
  base=$((RANDOM * 32768 + RANDOM))
  for ((i = 0; i < 200; i++)); do
    p=$((lo + (base + i) % n))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  die "no free TCP port found"
}

# ---------------------------------------------------------------- servers
# wait_ready PORT NAME — until the server answers PING (not LOADING); 1 if it exited
wait_ready() {
  local port=$1 name=$2 pid=${PID[$2]} i
  for ((i = 0; i < 1200; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      unset "PID[$name]"
      return 1
    fi
    if [[ "$(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" == PONG ]]; then
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$WORK/$name.log" >&2 || true
  die "$name did not answer PING on port $port within 120s"
}

# launch KIND NAME PORT DIR [ARGS...] — starts a server in the background (KIND is redis:
# AOF on, appendfsync everysec, no RDB snapshots, plus REDIS_EXTRA; or basalt: wal-sync
# everysec, plus BASALT_ARGS); its log goes to $WORK/NAME.log (appended to across restarts)
launch() {
  local kind=$1 name=$2 port=$3 dir=$4
  shift 4
  mkdir -p "$dir"
  if [[ "$kind" == redis ]]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no \
      --appendonly yes --appendfsync everysec --save "" \
      --logfile "$WORK/$name.log" "${REDIS_EXTRA[@]}" "$@" &
  else
    # shellcheck disable=SC2086
    "$BASALT" --bind 127.0.0.1 --port "$port" --dir "$dir" --wal-sync everysec \
      ${BASALT_ARGS:-} "$@" >>"$WORK/$name.log" 2>&1 &
  fi
  PID[$name]=$!
}

# start_server KIND NAME PORT DIR [ARGS...] — launch, and return once it answers PING
start_server() {
  launch "$@"
  if ! wait_ready "$3" "$2"; then
    tail -n 20 "$WORK/$2.log" >&2 || true
    die "$2 exited during startup (log above)"
  fi
}

# start_new KIND NAME DIR [ARGS...] — start_server on a free port (another one if some
# other process takes the port first); sets NEW_PORT and logs "NAME: started on ..."
NEW_PORT=""
start_new() {
  local kind=$1 name=$2 dir=$3 try port
  shift 3
  for ((try = 0; try < 5; try++)); do
    port="$(free_port)"
    launch "$kind" "$name" "$port" "$dir" "$@"
    if wait_ready "$port" "$name"; then
      NEW_PORT=$port
      log "$name: started on 127.0.0.1:$port"
      return 0
    fi
    grep -qi "address already in use" "$WORK/$name.log" 2>/dev/null || break
    log "$name: port $port was taken meanwhile; trying another one"
  done
  tail -n 20 "$WORK/$name.log" >&2 || true
  die "$name exited during startup (log above)"
}

# wait_exit NAME SECONDS — reaps the server; 1 if it is still running after SECONDS
wait_exit() {
  local name=$1 pid=${PID[$1]} i
  for ((i = 0; i < $2 * 10; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      unset "PID[$name]"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# stop_server NAME PORT [SHUTDOWN ARGS...] — SHUTDOWN (default NOSAVE), SIGTERM/SIGKILL if it hangs
stop_server() {
  local name=$1 port=$2
  shift 2
  [[ -n "${PID[$name]:-}" ]] || return 0
  wait_aof "$port"  # redis refuses to exit while writing its initial AOF
  redis-cli -h 127.0.0.1 -p "$port" SHUTDOWN "${@:-NOSAVE}" >/dev/null 2>&1 || true
  wait_exit "$name" 30 && return 0
  log "$name did not exit within 30s after SHUTDOWN; sending SIGTERM"
  kill -TERM "${PID[$name]}" 2>/dev/null || true
  wait_exit "$name" 10 && return 0
  kill -KILL "${PID[$name]}" 2>/dev/null || true
  wait_exit "$name" 10 || true
}

# The servers of start_sides / each_side are named after their kind (redis, basalt), with data
# dir $WORK/KIND and log $WORK/KIND.log.
declare -A PORT=()  # kind -> port of the side start_sides started

# start_sides [ARGS...] — starts one server of each of sides (ARGS for both) on a free port,
# each in turn, so that both run at the same time; sets PORT[KIND]
start_sides() {
  local kind
  for kind in "${sides[@]}"; do
    start_new "$kind" "$kind" "$WORK/$kind" "$@"
    PORT[$kind]=$NEW_PORT
  done
}

# stop_sides — stops the servers start_sides started
stop_sides() {
  local kind
  for kind in "${sides[@]}"; do stop_server "$kind" "${PORT[$kind]}"; done
}

# each_side FUNC — for each of sides in turn: starts its server, runs FUNC KIND PORT DIR,
# stops it (one side never runs beside the other)
each_side() {
  local kind
  for kind in "${sides[@]}"; do
    start_new "$kind" "$kind" "$WORK/$kind"
    "$1" "$kind" "$NEW_PORT" "$WORK/$kind"
    stop_server "$kind" "$NEW_PORT"
  done
}

# ---------------------------------------------------------------- INFO, timing
# field FILE NAME -> the value of NAME in a saved INFO reply (empty if absent)
field() { tr -d '\r' <"$1" | awk -F: -v f="$2" '$1 == f { print $2; exit }'; }

# info PORT SECTION OUTFILE — INFO into a file (an empty file if the server does not answer)
info() { redis-cli -h 127.0.0.1 -p "$1" INFO "$2" >"$3" 2>/dev/null || : >"$3"; }

# wait_aof PORT [SECONDS] — until no AOF rewrite is running or scheduled (redis; basalt
# reports none), at most SECONDS (120). A redis replica rewrites its AOF after every full
# sync and refuses SHUTDOWN meanwhile.
wait_aof() {
  local i max=$((${2:-120} * 10))
  for ((i = 0; i < max; i++)); do
    info "$1" persistence "$WORK/aof.info"
    [[ "$(field "$WORK/aof.info" aof_rewrite_in_progress)" != 1 &&
       "$(field "$WORK/aof.info" aof_rewrite_scheduled)" != 1 ]] && return 0
    sleep 0.1
  done
  log "warning: an AOF rewrite on port $1 is still running after ${2:-120}s"
}

now() { date +%s.%N; }
# elapsed T0 T1 [DECIMALS] — T1 - T0 in seconds, with DECIMALS (3) decimals
elapsed() { awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { printf "%.*f", d, b - a }'; }

# ---------------------------------------------------------------- data set, --pipe loading
# The data set as a RESP stream of SET commands: KEYS keys key:%09d -> VALUE_SIZE bytes
# (the key number, then a slice of one of 4096 pseudo-random strings from a fixed seed:
# deterministic, unique per key, not trivially compressible).
gen_dataset() {
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

pipe_into() {  # pipe_into PORT OUTFILE GENERATOR [ARGS...]
  local port=$1 out=$2
  shift 2
  "$@" | redis-cli -h 127.0.0.1 -p "$port" --pipe --pipe-timeout 120 >"$out" 2>&1
}

# load NAME PORT EXPECTED GENERATOR [ARGS...] — sends a generated RESP stream with --pipe;
# dies if that fails, warns unless it reports 0 errors and EXPECTED replies
load() {
  local name=$1 port=$2 expected=$3 out="$WORK/pipe.out" last errors replies
  shift 3
  if ! run_child pipe_into "$port" "$out" "$@"; then
    cat "$out" >&2
    die "$name: redis-cli --pipe failed"
  fi
  last="$(tail -n 1 "$out")"
  errors="$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' <<<"$last")"
  replies="$(sed -n 's/.*replies: \([0-9]*\).*/\1/p' <<<"$last")"
  if [[ "$errors" != 0 || "$replies" != "$expected" ]]; then
    log "$name: warning: unexpected --pipe result: $last"
  fi
}

# csv_rps FILE TEST -> ops/s of TEST in redis-benchmark --csv output, or "n/a"
csv_rps() {
  local v=""
  [[ -f "$1" ]] && v="$(awk -F'","' -v t="$2" '{ gsub(/^"|"$/, "") } $1 == t { print $2; exit }' "$1")"
  echo "${v:-n/a}"
}

# gen_keyspace COUNT — COUNT SETs in redis-benchmark's -r key form, key:000000000000 ..
# key:<COUNT-1> (12 digits, what "key:__rand_int__" becomes), so that its -r runs hit loaded
# keys; VALUE_SIZE-byte values made like gen_dataset's (unique, not trivially compressible)
gen_keyspace() {
  awk -v n="$1" -v size="$VALUE_SIZE" 'BEGIN {
    srand(7)
    alpha = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
    for (j = 0; j < 4096; j++) {
      s = ""
      for (k = 0; k < size - 12; k++) s = s substr(alpha, int(rand() * 64) + 1, 1)
      pool[j] = s
    }
    for (i = 0; i < n; i++) {
      key = sprintf("key:%012d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%012d%s\r\n", length(key), key, size, i, pool[i % 4096]
    }
  }'
}

# csv_col FILE TEST N -> column N of TEST's row in redis-benchmark --csv output (2 rps,
# 3 avg, 4 min, 5 p50, 6 p95, 7 p99, 8 max latency in ms), or n/a
csv_col() {
  local v=""
  [[ -f "$1" ]] && v="$(awk -F'","' -v t="$2" -v n="$3" '{ gsub(/^"|"$/, "") } $1 == t { print $n; exit }' "$1")"
  echo "${v:-n/a}"
}

# rss NAME -> the server's VmRSS in bytes (empty if it is gone)
rss() { awk '/^VmRSS:/ { printf "%.0f\n", $2 * 1024; exit }' "/proc/${PID[$1]}/status" 2>/dev/null || true; }

# cpu_ticks NAME... -> each server's utime+stime in clock ticks (0 if it is gone), one a line
cpu_ticks() {
  local name v
  for name in "$@"; do
    v="$(sed 's/.*) //' "/proc/${PID[$name]}/stat" 2>/dev/null | awk '{ print $12 + $13 }')" || true
    echo "${v:-0}"
  done
}
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"

# mib BYTES -> "12.3 MiB", or n/a
mib() { awk -v v="$1" 'BEGIN { if (v ~ /^[0-9]+$/) printf "%.1f MiB", v / 1048576; else print "n/a" }'; }

# ---------------------------------------------------------------- report
# ratio A B -> A / B with 2 decimals, or "n/a" unless both are numbers and B > 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
# round V -> V rounded to an integer if it is a number, else V as is
round() { awk -v v="$1" 'BEGIN { if (v ~ /^[0-9.]+$/) printf "%.0f", v; else print v }'; }

# machine_line — "N CPUs (S socket(s) x C cores x T threads), MODEL, kernel K" from lscpu
# (/proc/cpuinfo and nproc without it)
machine_line() {
  local model="" cpus sockets="" cores="" threads=""
  cpus="$(nproc)"
  if command -v lscpu >/dev/null 2>&1; then
    model="$(LC_ALL=C lscpu | awk -F': *' '$1 == "Model name" { print $2; exit }')"
    sockets="$(LC_ALL=C lscpu | awk -F': *' '$1 == "Socket(s)" { print $2; exit }')"
    cores="$(LC_ALL=C lscpu | awk -F': *' '$1 == "Core(s) per socket" { print $2; exit }')"
    threads="$(LC_ALL=C lscpu | awk -F': *' '$1 == "Thread(s) per core" { print $2; exit }')"
  fi
  [[ -n "$model" ]] || model="$(awk -F': *' '/^(model name|Model|Hardware|cpu model)[[:space:]]*:/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
  local topo=""
  [[ -n "$sockets" && -n "$cores" && -n "$threads" ]] &&
    topo=" ($sockets socket(s) x $cores cores x $threads thread(s))"
  echo "$cpus CPUs$topo, ${model:-unknown CPU}, $(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
}

# report_head TITLE — prints the "## TITLE" heading and the machine line; sets redis_version
# and git_rev for the lines that follow
report_head() {
  redis_version="$(redis-server --version 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^v=/) { sub(/^v=/, "", $i); print $i } }' || true)"
  git_rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "## basalt vs redis-server: $1"
  echo
  echo "- machine: $(machine_line)"
}

# servers_line — the report line with the settings launch gives both servers
servers_line() {
  echo "- redis-server ${redis_version:-?} (appendonly yes, appendfsync everysec, save \"\"); basalt ${git_rev} (wal-sync everysec${BASALT_ARGS:+, $BASALT_ARGS})"
}
