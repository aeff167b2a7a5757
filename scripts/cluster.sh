#!/usr/bin/env bash
# scripts/cluster.sh — owns: a local basalt cluster in one command, on loopback: one master,
# two replicas and three redis-sentinels (quorum 2), data, configs, logs and pid files under
# one folder ($BASALT_CLUSTER_DIR, default ./cluster-data of the checkout).
#   scripts/cluster.sh start      start what is not running (builds build/basalt if missing),
#                                 wait until the replicas are linked and the Sentinels agree
#   scripts/cluster.sh status     role, offset and link of each node; the master each Sentinel sees
#   scripts/cluster.sh failover   SENTINEL FAILOVER; wait until a new master takes writes and
#                                 the cluster is linked again; print the elapsed times
#   scripts/cluster.sh switchover FAILOVER on the master (a cluster without Sentinels:
#                                 BASALT_CLUSTER_SENTINELS=0 at start); wait until the first
#                                 replica takes writes and the old master follows it
#   scripts/cluster.sh stop       stop every process it started (by pid file); data stays
#   scripts/cluster.sh clean      stop, then delete the folder
# Ports: nodes BASALT_CLUSTER_PORT (default 7000) .. +2, Sentinels that + 20000 .. +2.
# BASALT_CLUSTER_SENTINELS: 3 (the default) or 0 (no Sentinels: failover by hand or switchover).
# Every action is idempotent; a second `start` only reports what already runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR="${BASALT_CLUSTER_DIR:-$ROOT/cluster-data}"
BASE_PORT="${BASALT_CLUSTER_PORT:-7000}"
BINARY="${BASALT_BINARY:-$ROOT/build/basalt}"
SENTINEL_BIN="${REDIS_SENTINEL:-redis-sentinel}"
TIMEOUT="${BASALT_CLUSTER_TIMEOUT:-60}"   # seconds any single wait may take
NAME=basalt                               # the name Sentinels monitor
NODES=(1 2 3)
case "${BASALT_CLUSTER_SENTINELS:-3}" in
  3) SENTINELS=(1 2 3) ;;
  0) SENTINELS=() ;;
  *) echo "cluster: error: BASALT_CLUSTER_SENTINELS must be 3 or 0" >&2; exit 2 ;;
esac

say() { echo "cluster: $*"; }
die() { echo "cluster: error: $*" >&2; exit 1; }

node_port() { echo $((BASE_PORT + $1 - 1)); }
sentinel_port() { echo $((BASE_PORT + 20000 + $1 - 1)); }
cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null | tr -d '\r'; }
# info_field <port> <section> <field>
info_field() { cli "$1" INFO "$2" | awk -F: -v f="$3" '$1 == f {print $2}'; }
now_ms() { date +%s%3N; }

# pid_alive <pidfile> <expected command name>: the pid in the file runs that program.
pid_alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$2"
}

# wait_for <description> <command...>: poll the command every 100 ms until it succeeds or
# TIMEOUT passes (then fail, naming what did not happen).
wait_for() {
  local what=$1 deadline
  shift
  deadline=$(( $(date +%s) + TIMEOUT ))
  until "$@"; do
    if (( $(date +%s) >= deadline )); then
      echo "cluster: timed out after ${TIMEOUT}s waiting for: $what (logs in $DIR/*.log)" >&2
      return 1
    fi
    sleep 0.1
  done
}

need_tools() {
  command -v redis-cli >/dev/null || die "redis-cli is missing (apt-get install redis-tools)"
  (( ${#SENTINELS[@]} == 0 )) || command -v "$SENTINEL_BIN" >/dev/null ||
    die "redis-sentinel is missing (apt-get install redis-sentinel)"
}

ensure_binary() {
  [[ -x $BINARY ]] && return 0
  say "$BINARY is missing: building it (Release, the basalt target only)"
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$ROOT/build" -j"$(nproc)" --target basalt
}

pingable() { [[ $(cli "$1" PING) == PONG ]]; }

# The node Sentinel currently names as master (its port), as seen by the first Sentinel that
# answers; empty when none does.
sentinel_master_port() {
  local s addr
  for s in "${SENTINELS[@]}"; do
    addr=$(cli "$(sentinel_port "$s")" SENTINEL get-master-addr-by-name "$NAME" | sed -n 2p)
    if [[ -n $addr ]]; then echo "$addr"; return 0; fi
  done
}

# The master port: Sentinel's answer when Sentinels run, else the node whose role is master.
current_master_port() {
  local p n
  p=$(sentinel_master_port)
  if [[ -n $p ]]; then echo "$p"; return 0; fi
  for n in "${NODES[@]}"; do
    if [[ $(info_field "$(node_port "$n")" replication role) == master ]]; then node_port "$n"; return 0; fi
  done
}

start_node() {
  local n=$1 port pidfile master_port args
  port=$(node_port "$n")
  pidfile="$DIR/node-$n.pid"
  if pid_alive "$pidfile" basalt; then
    say "node $n (127.0.0.1:$port) already runs (pid $(<"$pidfile"))"
    return 0
  fi
  mkdir -p "$DIR/node-$n"
  args=(--port "$port" --bind 127.0.0.1 --dir "$DIR/node-$n" --enable-debug-command no)
  # Node 1 starts as the master, the others as its replicas. Once a data directory has history,
  # the role and master recorded there win over --replicaof (after a failover a restarted node
  # keeps the role Sentinel gave it).
  if (( n != 1 )); then
    master_port=$(node_port 1)
    args+=(--replicaof "127.0.0.1 $master_port")
  fi
  say "starting node $n on 127.0.0.1:$port (log $DIR/node-$n.log)"
  setsid "$BINARY" "${args[@]}" >>"$DIR/node-$n.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

write_sentinel_conf() {
  local s=$1 conf=$2 master_port=$3
  cat > "$conf" <<EOF
# written by scripts/cluster.sh; Sentinel rewrites it as it learns the cluster
port $(sentinel_port "$s")
bind 127.0.0.1
daemonize no
dir $DIR/sentinel-$s
sentinel monitor $NAME 127.0.0.1 $master_port 2
sentinel down-after-milliseconds $NAME 3000
sentinel failover-timeout $NAME 10000
sentinel parallel-syncs $NAME 2
EOF
}

start_sentinel() {
  local s=$1 port conf pidfile master_port=$2
  port=$(sentinel_port "$s")
  pidfile="$DIR/sentinel-$s.pid"
  conf="$DIR/sentinel-$s/sentinel.conf"
  if pid_alive "$pidfile" redis-sentinel; then
    say "sentinel $s (127.0.0.1:$port) already runs (pid $(<"$pidfile"))"
    return 0
  fi
  mkdir -p "$DIR/sentinel-$s"
  # A Sentinel keeps what it learned (the current master, after failovers) in its config: reuse it.
  [[ -s $conf ]] || write_sentinel_conf "$s" "$conf" "$master_port"
  say "starting sentinel $s on 127.0.0.1:$port (log $DIR/sentinel-$s.log)"
  setsid "$SENTINEL_BIN" "$conf" >>"$DIR/sentinel-$s.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

# The cluster is linked: the master has two connected replicas whose links are up.
replicas_linked() {
  local m=$1 n port
  [[ $(info_field "$m" replication role) == master ]] || return 1
  [[ $(info_field "$m" replication connected_slaves) == 2 ]] || return 1
  for n in "${NODES[@]}"; do
    port=$(node_port "$n")
    [[ $port == "$m" ]] && continue
    [[ $(info_field "$port" replication master_link_status) == up ]] || return 1
    [[ $(info_field "$port" replication master_port) == "$m" ]] || return 1
  done
}

# Every Sentinel names master port $1, knows both replicas and the two other Sentinels.
sentinels_agree() {
  local m=$1 s port info
  for s in "${SENTINELS[@]}"; do
    port=$(sentinel_port "$s")
    [[ $(cli "$port" SENTINEL get-master-addr-by-name "$NAME" | sed -n 2p) == "$m" ]] || return 1
    info=$(cli "$port" SENTINEL master "$NAME" | paste - -)
    grep -qx $'num-slaves\t2' <<< "$info" || return 1
    grep -qx $'num-other-sentinels\t2' <<< "$info" || return 1
    grep -qx $'flags\tmaster' <<< "$info" || return 1
  done
}

cmd_start() {
  need_tools
  ensure_binary
  mkdir -p "$DIR"
  local n s m t0
  t0=$(now_ms)
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do
    wait_for "node $n answering PING on $(node_port "$n")" pingable "$(node_port "$n")"
  done
  # The master: whichever node says so (node 1 on a fresh start; after a failover and a
  # restart, the one Sentinel promoted).
  m=""
  for n in "${NODES[@]}"; do
    if [[ $(info_field "$(node_port "$n")" replication role) == master ]]; then m=$(node_port "$n"); break; fi
  done
  [[ -n $m ]] || die "no node reports role:master"
  say "waiting until both replicas are linked to the master on port $m"
  wait_for "both replicas linked to 127.0.0.1:$m" replicas_linked "$m"
  if (( ${#SENTINELS[@]} > 0 )); then
    for s in "${SENTINELS[@]}"; do start_sentinel "$s" "$m"; done
    for s in "${SENTINELS[@]}"; do
      wait_for "sentinel $s answering PING" pingable "$(sentinel_port "$s")"
    done
    say "waiting until the three Sentinels agree on the master and see 2 replicas and each other"
    wait_for "Sentinels agreeing on 127.0.0.1:$m" sentinels_agree "$m"
  fi
  say "ready in $(( $(now_ms) - t0 )) ms: master 127.0.0.1:$m; redis-cli -p $m; redis-cli -p $(sentinel_port 1) SENTINEL masters"
}

cmd_status() {
  local n s port pidfile role
  printf '%-10s %-16s %-8s %-8s %-12s %s\n' NODE ADDRESS PID ROLE OFFSET LINK
  for n in "${NODES[@]}"; do
    port=$(node_port "$n")
    pidfile="$DIR/node-$n.pid"
    if ! pid_alive "$pidfile" basalt || ! pingable "$port"; then
      printf '%-10s %-16s %-8s %s\n' "node-$n" "127.0.0.1:$port" - down
      continue
    fi
    local info
    info=$(cli "$port" INFO replication)
    field() { awk -F: -v f="$1" '$1 == f {print $2}' <<< "$info"; }
    role=$(field role)
    if [[ $role == master ]]; then
      printf '%-10s %-16s %-8s %-8s %-12s %s\n' "node-$n" "127.0.0.1:$port" "$(<"$pidfile")" master \
        "$(field master_repl_offset)" "$(field connected_slaves) replicas connected"
    else
      printf '%-10s %-16s %-8s %-8s %-12s %s\n' "node-$n" "127.0.0.1:$port" "$(<"$pidfile")" replica \
        "$(field slave_repl_offset)" "master $(field master_host):$(field master_port) link $(field master_link_status)"
    fi
  done
  for s in "${SENTINELS[@]}"; do
    port=$(sentinel_port "$s")
    if ! pid_alive "$DIR/sentinel-$s.pid" redis-sentinel || ! pingable "$port"; then
      printf '%-10s %-16s %s\n' "sentinel-$s" "127.0.0.1:$port" down
      continue
    fi
    local addr info
    addr=$(cli "$port" SENTINEL get-master-addr-by-name "$NAME" | paste -sd: -)
    info=$(cli "$port" SENTINEL master "$NAME" | paste - -)
    printf '%-10s %-16s %-8s sees master %s (%s replicas, %s other sentinels, flags %s)\n' \
      "sentinel-$s" "127.0.0.1:$port" "$(<"$DIR/sentinel-$s.pid")" "$addr" \
      "$(awk -F'\t' '$1 == "num-slaves" {print $2}' <<< "$info")" \
      "$(awk -F'\t' '$1 == "num-other-sentinels" {print $2}' <<< "$info")" \
      "$(awk -F'\t' '$1 == "flags" {print $2}' <<< "$info")"
  done
}

# A write succeeds on port $1 (a marker key, so the check is a real write).
writable() { [[ $(cli "$1" SET cluster:failover-probe "$(now_ms)") == OK ]]; }
# Port $1 is master and Sentinels name it.
promoted() {
  local m
  m=$(sentinel_master_port)
  [[ -n $m && $m != "$1" ]] || return 1
  [[ $(info_field "$m" replication role) == master ]]
}

cmd_failover() {
  need_tools
  local old new t0 t_writable t_linked reply
  old=$(sentinel_master_port)
  [[ -n $old ]] || die "no Sentinel answers (is the cluster started? scripts/cluster.sh start)"
  say "master is 127.0.0.1:$old; asking sentinel 1 for a failover (SENTINEL FAILOVER $NAME)"
  t0=$(now_ms)
  reply=$(cli "$(sentinel_port 1)" SENTINEL FAILOVER "$NAME")
  [[ $reply == OK ]] || die "SENTINEL FAILOVER answered: $reply"
  wait_for "a new master named by Sentinel" promoted "$old"
  new=$(sentinel_master_port)
  wait_for "a write to succeed on the new master 127.0.0.1:$new" writable "$new"
  t_writable=$(( $(now_ms) - t0 ))
  say "new master 127.0.0.1:$new took a write $t_writable ms after SENTINEL FAILOVER"
  say "waiting until the old master and the other replica follow it and the Sentinels agree"
  wait_for "both replicas linked to 127.0.0.1:$new" replicas_linked "$new"
  say "both replicas follow 127.0.0.1:$new, $(( $(now_ms) - t0 )) ms after SENTINEL FAILOVER"
  wait_for "Sentinels agreeing on 127.0.0.1:$new" sentinels_agree "$new"
  t_linked=$(( $(now_ms) - t0 ))
  say "failover done: 127.0.0.1:$old -> 127.0.0.1:$new; writable after $t_writable ms, cluster linked again after $t_linked ms"
}

# Port $1 follows 127.0.0.1:$2 with its link up.
linked_to() {
  local info
  info=$(cli "$1" INFO replication)
  grep -qx "master_port:$2" <<< "$info" && grep -qx "master_link_status:up" <<< "$info"
}

cmd_switchover() {
  need_tools
  local s n port old="" target="" t0 reply t_writable t_linked
  for s in 1 2 3; do
    if pid_alive "$DIR/sentinel-$s.pid" redis-sentinel; then
      die "Sentinels watch this cluster: use 'failover' (SENTINEL FAILOVER). A FAILOVER behind their back makes them fail over again once they see their master report role:slave."
    fi
  done
  old=$(current_master_port)
  [[ -n $old ]] || die "no node reports role:master (is the cluster started? scripts/cluster.sh start)"
  for n in "${NODES[@]}"; do
    port=$(node_port "$n")
    if [[ $port != "$old" ]] && linked_to "$port" "$old"; then target=$port; break; fi
  done
  [[ -n $target ]] || die "no replica of 127.0.0.1:$old has its link up"
  say "master is 127.0.0.1:$old; FAILOVER TO 127.0.0.1 $target TIMEOUT 10000"
  t0=$(now_ms)
  reply=$(cli "$old" FAILOVER TO 127.0.0.1 "$target" TIMEOUT 10000)
  [[ $reply == OK ]] || die "FAILOVER answered: $reply"
  wait_for "a write to succeed on the new master 127.0.0.1:$target" writable "$target"
  t_writable=$(( $(now_ms) - t0 ))
  say "new master 127.0.0.1:$target took a write $t_writable ms after FAILOVER"
  wait_for "the old master following 127.0.0.1:$target" linked_to "$old" "$target"
  t_linked=$(( $(now_ms) - t0 ))
  say "switchover done: 127.0.0.1:$old -> 127.0.0.1:$target; writable after $t_writable ms, old master following after $t_linked ms"
  # FAILOVER moves only the target and the old master; any other replica keeps its master
  # (behind the old master it now follows the new one through it, as with Redis).
  for n in "${NODES[@]}"; do
    port=$(node_port "$n")
    [[ $port == "$old" || $port == "$target" ]] && continue
    say "node $n (127.0.0.1:$port) follows 127.0.0.1:$(info_field "$port" replication master_port)"
  done
}

# signal_pidfile <pidfile> <what> <program>: SIGTERM the process if the pid file names a live
# one; prints its pid. A stale pid file is removed.
signal_pidfile() {
  local pidfile=$1 what=$2 prog=$3 pid
  [[ -e $pidfile ]] || return 0
  if ! pid_alive "$pidfile" "$prog"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  say "stopping $what (pid $pid)" >&2
  kill -TERM "$pid" 2>/dev/null || true
  echo "$pid"
}

cmd_stop() {
  local s n pid deadline pids=()
  [[ -d $DIR ]] || { say "nothing to stop ($DIR does not exist)"; return 0; }
  # Sentinels first (so none of them fails over while the nodes go down), then the nodes;
  # each group is signalled at once and awaited together (SIGKILL after 15 s).
  for group in sentinel node; do
    pids=()
    if [[ $group == sentinel ]]; then
      for s in 1 2 3; do  # whatever was started, even with BASALT_CLUSTER_SENTINELS=0 now
        pid=$(signal_pidfile "$DIR/sentinel-$s.pid" "sentinel $s" redis-sentinel)
        [[ -n $pid ]] && pids+=("$pid")
      done
    else
      for n in "${NODES[@]}"; do
        pid=$(signal_pidfile "$DIR/node-$n.pid" "node $n" basalt)
        [[ -n $pid ]] && pids+=("$pid")
      done
    fi
    deadline=$(( $(date +%s) + 15 ))
    for pid in "${pids[@]}"; do
      while kill -0 "$pid" 2>/dev/null; do
        if (( $(date +%s) >= deadline )); then
          say "pid $pid did not exit within 15 s of SIGTERM: SIGKILL"
          kill -KILL "$pid" 2>/dev/null || true
          break
        fi
        sleep 0.1
      done
    done
  done
  rm -f "$DIR"/*.pid
  say "stopped; data, configs and logs stay in $DIR (scripts/cluster.sh clean deletes them)"
}

cmd_clean() {
  cmd_stop
  [[ -d $DIR ]] || return 0
  say "deleting $DIR"
  rm -rf "$DIR"
}

case "${1:-}" in
  start) cmd_start ;;
  status) cmd_status ;;
  failover) cmd_failover ;;
  switchover) cmd_switchover ;;
  stop) cmd_stop ;;
  clean) cmd_clean ;;
  *) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
