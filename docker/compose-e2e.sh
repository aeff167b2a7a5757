#!/usr/bin/env bash
# docker/compose-e2e.sh — owns: the end-to-end test of docker/docker-compose.yml in a real
# Docker engine (ctest `docker_compose_e2e`, label docker). Steps:
#   1. builds basalt:local with docker/build-image.sh (no registry), `compose up -d`, waits for
#      health, linked replicas and three agreeing Sentinels;
#   2. writes keys with redis-cli inside a container; `docker kill`s the master; measures the
#      time until Sentinel has promoted a replica and a write succeeds on it;
#   3. starts the old master again: it must rejoin as a replica with a partial resync
#      (sync_partial_ok +1 and sync_full +0 on the new master) and hold every key;
#   4. disconnects the other replica from the compose network while writing to the master,
#      reconnects it: partial resync again, same key count as the master;
#   5. stops the Sentinels, wipes the old master's volume and recreates it (an empty master),
#      points the two data-holding nodes at it: both refuse (INFO master_sync_refused_reason
#      non-empty) and keep every key.
# `compose down -v` always runs at the end (trap); container logs are printed on failure.
# Exit 77 (ctest's SKIP_RETURN_CODE) with "skipped: ..." when there is no Docker daemon or no
# compose; never a silent pass. Env: BASALT_BINARY (default build/basalt), E2E_TIMEOUT (s per wait).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TIMEOUT="${E2E_TIMEOUT:-60}"
PROJECT="basalt-e2e-$$"
T_START=$(date +%s)

say() { echo "e2e [$(( $(date +%s) - T_START ))s]: $*"; }
fail() { echo "e2e: FAIL: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

if ! docker info >/dev/null 2>&1; then
  echo "skipped: no Docker daemon (docker info failed)"; exit 77
fi
if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
else
  echo "skipped: neither 'docker compose' nor docker-compose is installed"; exit 77
fi
command -v ss >/dev/null || fail "ss (iproute2) is needed to pick free host ports"

WORK=$(mktemp -d /tmp/basalt-e2e.XXXXXX)
ENV_FILE="$WORK/env"
dc() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/docker/docker-compose.yml" --env-file "$ENV_FILE" "$@"; }

on_exit() {
  local rc=$?
  if (( rc != 0 && rc != 77 )); then
    echo "e2e: --- container logs (last 40 lines each) ---" >&2
    local c
    for c in $(docker ps -aq --filter "label=com.docker.compose.project=$PROJECT"); do
      echo "--- $(docker inspect -f '{{.Name}}' "$c") ---" >&2
      docker logs --tail 40 "$c" >&2 2>&1 || true
    done
  fi
  say "compose down -v"
  dc down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap on_exit EXIT

# Free host ports for the published ones (the compose file publishes on 127.0.0.1 only).
port_free() { ! ss -Htln "sport = :$1" | grep -q .; }
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$(( 20000 + RANDOM % 10000 ))
    port_free "$p" && { echo "$p"; return 0; }
  done
  fail "no free port"
}
{
  echo "BASALT_PASSWORD=e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "BASALT_HTTP_TOKEN=e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "BASALT_IMAGE=basalt:local"
  for v in BASALT_PORT_1 BASALT_PORT_2 BASALT_PORT_3 BASALT_HTTP_PORT_1 SENTINEL_PORT_1; do
    echo "$v=$(free_port)"
  done
  # Short link timeouts so a partitioned replica's link is declared down in seconds.
  echo "BASALT_REPL_TIMEOUT=4"
  echo "BASALT_REPL_PING_PERIOD=1"
} > "$ENV_FILE"

# wait_for <description> <command...>: poll every 200 ms until it succeeds, or fail after TIMEOUT.
wait_for() {
  local what=$1 deadline
  shift
  deadline=$(( $(date +%s) + TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= deadline )); then
      echo "e2e: last check, traced:" >&2
      (set -x; "$@") >&2 || true
      fail "timed out after ${TIMEOUT}s waiting for: $what"
    fi
    sleep 0.2
  done
}

cid() { dc ps -q "$1"; }
# r <service> <redis-cli args...>: redis-cli inside the service's own container (auth through
# REDISCLI_AUTH in its environment).
r() { docker exec "$(cid "$1")" redis-cli "${@:2}" | tr -d '\r'; }
field() { r "$1" INFO "$2" | awk -F: -v f="$3" '$1 == f {print $2}'; }
s1() { docker exec "$(cid sentinel-1)" redis-cli -p 26379 "$@" | tr -d '\r'; }

healthy() { [[ $(docker inspect -f '{{.State.Health.Status}}' "$(cid "$1")") == healthy ]]; }
linked_to() {  # linked_to <replica> <master>
  [[ $(field "$1" replication master_host) == "$2" && $(field "$1" replication master_link_status) == up ]]
}
sentinels_agree() {  # all three name $1, with 2 replicas and 2 other Sentinels
  local s info
  for s in sentinel-1 sentinel-2 sentinel-3; do
    info=$(docker exec "$(cid "$s")" redis-cli -p 26379 SENTINEL master basalt | tr -d '\r' | paste - -)
    grep -qx $'ip\t'"$1" <<< "$info" || return 1
    grep -qx $'flags\tmaster' <<< "$info" || return 1
    grep -qx $'num-slaves\t2' <<< "$info" || return 1
    grep -qx $'num-other-sentinels\t2' <<< "$info" || return 1
  done
}
# caught_up <replica> <offset>: the replica applied the stream up to the offset (the master's
# offset keeps moving with its pings, so compare against one sample of it, not equality).
caught_up() {
  local o
  o=$(field "$1" replication slave_repl_offset)
  [[ -n $o ]] && (( o >= $2 ))
}
# wait_caught_up <replica> <master>
wait_caught_up() {
  local target
  target=$(field "$2" replication master_repl_offset)
  wait_for "$1 at $2's offset $target" caught_up "$1" "$target"
}
refused() { [[ -n $(field "$1" replication master_sync_refused_reason) ]]; }
write_keys() {  # write_keys <service> <prefix> <n>: n SETs through one redis-cli pipe
  seq 1 "$3" | awk -v p="$2" '{print "SET " p ":" $1 " v" $1}' \
    | docker exec -i "$(cid "$1")" redis-cli >/dev/null
}
counter() { field "$1" stats "$2"; }

# 1. Image and cluster
say "building the image (docker/build-image.sh)"
"$ROOT/docker/build-image.sh" basalt:local
say "compose up -d (project $PROJECT)"
dc up -d >/dev/null 2>&1 || { dc up -d; fail "compose up"; }
for s in basalt-1 basalt-2 basalt-3 sentinel-1 sentinel-2 sentinel-3; do
  wait_for "$s healthy" healthy "$s"
done
wait_for "basalt-2 linked to basalt-1" linked_to basalt-2 basalt-1
wait_for "basalt-3 linked to basalt-1" linked_to basalt-3 basalt-1
wait_for "the Sentinels agreeing on basalt-1" sentinels_agree basalt-1
say "cluster up: basalt-1 master, basalt-2 and basalt-3 linked, three Sentinels agree"

# A client without the password is refused (protected by requirepass, not by protected-mode off).
noauth=$(docker exec "$(cid sentinel-1)" redis-cli -h basalt-1 SET x y 2>&1 | tr -d '\r')
[[ $noauth == NOAUTH* ]] || fail "a client without the password got: $noauth"

# 2. Kill the master, time until a promoted replica takes writes
write_keys basalt-1 before 1000
[[ $(r basalt-1 WAIT 2 5000) == 2 ]] || fail "the writes did not reach both replicas"
keys=$(r basalt-1 DBSIZE)
say "wrote $keys keys through redis-cli in the basalt-1 container; docker kill basalt-1"
t0=$(now_ms)
docker kill "$(cid basalt-1)" >/dev/null
# Poll from inside sentinel-1: ask Sentinel for the master; once it is not basalt-1, try a SET.
# shellcheck disable=SC2016  # expanded by the container's shell
new=$(timeout "$TIMEOUT" docker exec -e "PW=$(grep '^BASALT_PASSWORD=' "$ENV_FILE" | cut -d= -f2)" \
  "$(cid sentinel-1)" sh -c '
  while :; do
    m=$(redis-cli -p 26379 SENTINEL get-master-addr-by-name basalt | head -n 1)
    if [ "$m" != basalt-1 ] && [ "$(REDISCLI_AUTH=$PW redis-cli -h "$m" SET after-kill 1 2>/dev/null)" = OK ]; then
      echo "$m"; exit 0
    fi
    sleep 0.1
  done') || fail "no promoted replica took a write within ${TIMEOUT}s"
t_writable=$(( $(now_ms) - t0 ))
case $new in basalt-2) other=basalt-3 ;; basalt-3) other=basalt-2 ;; *) fail "unexpected master '$new'" ;; esac
say "MEASURED: Sentinel promoted $new; a write succeeded $t_writable ms after docker kill of the master"
[[ $(r "$new" GET before:1000) == v1000 ]] || fail "a key written before the kill is missing on $new"
wait_for "$other linked to $new" linked_to "$other" "$new"
wait_caught_up "$other" "$new"

# 3. The old master comes back: a replica of the new one, with a partial resync
full0=$(counter "$new" sync_full); part0=$(counter "$new" sync_partial_ok)
t0=$(now_ms)
docker start "$(cid basalt-1)" >/dev/null
wait_for "basalt-1 healthy again" healthy basalt-1
wait_for "basalt-1 converted by Sentinel into a replica of $new" linked_to basalt-1 "$new"
wait_caught_up basalt-1 "$new"
full1=$(counter "$new" sync_full); part1=$(counter "$new" sync_partial_ok)
say "basalt-1 rejoined as a replica of $new after $(( $(now_ms) - t0 )) ms: sync_full $full0 -> $full1, sync_partial_ok $part0 -> $part1"
(( full1 == full0 )) || fail "the old master needed a full resync"
(( part1 == part0 + 1 )) || fail "the old master did not rejoin with a partial resync"
[[ $(r basalt-1 DBSIZE) == $(r "$new" DBSIZE) ]] || fail "basalt-1 and $new hold different key counts"
wait_for "the Sentinels agreeing on $new" sentinels_agree "$new"

# 4. A network partition of the other replica while the master takes writes
net=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' "$(cid "$other")")
full0=$(counter "$new" sync_full); part0=$(counter "$new" sync_partial_ok)
say "docker network disconnect $net $other, writing meanwhile"
docker network disconnect "$net" "$(cid "$other")"
write_keys "$new" during 500
down() { [[ $(field "$other" replication master_link_status) == down ]]; }
wait_for "$other noticing the lost link (repl-timeout 4 s)" down
[[ $(r "$other" DBSIZE) -lt $(r "$new" DBSIZE) ]] || fail "$other got the writes while disconnected"
# Reconnect under its service name (the compose alias), so the others still resolve it.
docker network connect --alias "$other" "$net" "$(cid "$other")"
wait_for "$other linked to $new again" linked_to "$other" "$new"
wait_caught_up "$other" "$new"
full1=$(counter "$new" sync_full); part1=$(counter "$new" sync_partial_ok)
say "$other reconnected: sync_full $full0 -> $full1, sync_partial_ok $part0 -> $part1"
(( full1 == full0 )) || fail "the partitioned replica needed a full resync"
(( part1 > part0 )) || fail "the partitioned replica did not resync partially"
[[ $(r "$other" DBSIZE) == $(r "$new" DBSIZE) ]] || fail "$other and $new hold different key counts"

# 5. The old master loses its volume and comes back empty, as a master: refused
say "stopping the Sentinels (so none re-points the empty node), wiping basalt-1's volume"
dc stop sentinel-1 sentinel-2 sentinel-3 >/dev/null 2>&1
vol=$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$(cid basalt-1)")
[[ -n $vol ]] || fail "no /data volume on basalt-1"
dc rm -f -s basalt-1 >/dev/null 2>&1
docker volume rm "$vol" >/dev/null
dc up -d --no-deps basalt-1 >/dev/null 2>&1
wait_for "the fresh basalt-1 healthy" healthy basalt-1
[[ $(r basalt-1 DBSIZE) == 0 && $(field basalt-1 replication role) == master ]] \
  || fail "the recreated basalt-1 is not an empty master"
keys_new=$(r "$new" DBSIZE); keys_other=$(r "$other" DBSIZE)
say "pointing $new ($keys_new keys) and $other ($keys_other keys) at the empty master basalt-1"
[[ $(r "$other" REPLICAOF basalt-1 6379) == OK* ]] || fail "REPLICAOF on $other"
[[ $(r "$new" REPLICAOF basalt-1 6379) == OK* ]] || fail "REPLICAOF on $new"
wait_for "$other refusing the empty master" refused "$other"
wait_for "$new refusing the empty master" refused "$new"
for n in "$new" "$other"; do
  say "$n: master_sync_refused_reason: $(field "$n" replication master_sync_refused_reason)"
done
[[ $(r "$new" DBSIZE) == "$keys_new" ]] || fail "$new lost keys"
[[ $(r "$other" DBSIZE) == "$keys_other" ]] || fail "$other lost keys"
[[ $(r "$other" GET before:1) == v1 ]] || fail "$other lost before:1"
[[ $(r basalt-1 DBSIZE) == 0 ]] || fail "the empty master got keys"

say "PASS in $(( $(date +%s) - T_START )) s (failover to a writable master: $t_writable ms)"
