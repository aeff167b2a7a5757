#!/usr/bin/env bash
# tests/integration/cluster_script_test.sh — owns: the end-to-end test of scripts/cluster.sh
# (ctest `cluster_script`): start -> status -> failover -> status -> stop on free loopback ports
# in a temporary folder; checks that the roles swapped, that a key written before the failover
# reads back from the new master, and that stop leaves no process behind. Then a cluster without
# Sentinels: start -> switchover (FAILOVER) -> the roles swapped, no write lost, the third node
# follows through the old master with no full sync anywhere -> stop.
# Exit 77 (ctest's SKIP_RETURN_CODE) when redis-cli or redis-sentinel is not installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER="$ROOT/scripts/cluster.sh"

for tool in redis-cli redis-sentinel ss; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done

export BASALT_CLUSTER_DIR
BASALT_CLUSTER_DIR=$(mktemp -d /tmp/basalt-cluster-test.XXXXXX)
export BASALT_CLUSTER_TIMEOUT=30

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
on_exit() {
  local rc=$?
  "$CLUSTER" stop >/dev/null 2>&1 || true
  if (( rc != 0 )); then
    for f in "$BASALT_CLUSTER_DIR"/*.log; do
      echo "--- $f (last 30 lines) ---" >&2
      tail -n 30 "$f" >&2 || true
    done
  fi
  rm -rf "$BASALT_CLUSTER_DIR"
}
trap on_exit EXIT

# A base port whose three node ports and three Sentinel ports (+20000) are all free.
port_free() { ! ss -Htln "sport = :$1" | grep -q .; }
pick_base() {
  local tries base p ok
  for tries in $(seq 1 50); do
    # Nodes 10000-12692, Sentinels (+20000) 30000-32692: all below Linux's ephemeral range
    # (32768-60999), where the suite's outgoing connections could take a Sentinel's port
    # between this check and its bind.
    base=$(( 10000 + (RANDOM % 270) * 10 ))
    ok=1
    for p in "$base" $((base + 1)) $((base + 2)) $((base + 20000)) $((base + 20001)) $((base + 20002)); do
      port_free "$p" || { ok=0; break; }
    done
    (( ok )) && { echo "$base"; return 0; }
  done
  echo "no free port range found in $tries tries" >&2
  return 1
}
export BASALT_CLUSTER_PORT
BASALT_CLUSTER_PORT=$(pick_base)
M=$BASALT_CLUSTER_PORT

cli() { redis-cli -p "$1" "${@:2}" | tr -d '\r'; }
role_of() { cli "$1" INFO replication | awk -F: '$1 == "role" {print $2}'; }

"$CLUSTER" start
again=$("$CLUSTER" start)
grep -q "already runs" <<< "$again" || fail "a second start did not see the running cluster"

status=$("$CLUSTER" status)
echo "$status"
grep -Eq "^node-1 .* master " <<< "$status" || fail "node-1 is not the master after start"
[[ $(grep -Ec "^node-[23] .* replica .* link up" <<< "$status") == 2 ]] || fail "two linked replicas expected"
[[ $(grep -c "sees master 127.0.0.1:$M " <<< "$status") == 3 ]] || fail "three Sentinels should name 127.0.0.1:$M"

[[ $(cli "$M" SET before-failover kept) == OK ]] || fail "SET on the master"
[[ $(cli "$M" WAIT 2 5000) == 2 ]] || fail "the write did not reach both replicas"

out=$("$CLUSTER" failover)
echo "$out"
grep -Eq "writable after [0-9]+ ms" <<< "$out" || fail "failover did not report the time to a writable master"
new=$(sed -nE 's/.*failover done: 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:([0-9]+);.*/\1/p' <<< "$out")
[[ -n $new && $new != "$M" ]] || fail "no new master reported"

status=$("$CLUSTER" status)
echo "$status"
[[ $(role_of "$new") == master ]] || fail "127.0.0.1:$new is not master after the failover"
[[ $(role_of "$M") == slave ]] || fail "the old master 127.0.0.1:$M was not turned into a replica"
[[ $(grep -c "sees master 127.0.0.1:$new " <<< "$status") == 3 ]] || fail "three Sentinels should name 127.0.0.1:$new"
[[ $(cli "$new" GET before-failover) == kept ]] || fail "the key written before the failover is not on the new master"
[[ $(cli "$new" SET after-failover yes) == OK ]] || fail "the new master does not take writes"

"$CLUSTER" stop
pids=$(cat "$BASALT_CLUSTER_DIR"/*.pid 2>/dev/null || true)
[[ -z $pids ]] || fail "pid files left after stop: $pids"
for p in "$M" $((M + 1)) $((M + 2)) $((M + 20000)) $((M + 20001)) $((M + 20002)); do
  port_free "$p" || fail "port $p still listens after stop"
done
echo "PASS: start, status, failover (127.0.0.1:$M -> 127.0.0.1:$new), status, stop"

# The same nodes without Sentinels (a fresh folder): FAILOVER through `switchover`.
"$CLUSTER" clean >/dev/null
export BASALT_CLUSTER_SENTINELS=0
"$CLUSTER" start
[[ $(cli "$M" SET before-switchover kept) == OK ]] || fail "SET on the master"
[[ $(cli "$M" WAIT 2 5000) == 2 ]] || fail "the write did not reach both replicas"
out=$("$CLUSTER" switchover)
echo "$out"
grep -Eq "writable after [0-9]+ ms, old master following after [0-9]+ ms" <<< "$out" ||
  fail "switchover did not report its times"
new=$(sed -nE 's/.*switchover done: 127\.0\.0\.1:[0-9]+ -> 127\.0\.0\.1:([0-9]+);.*/\1/p' <<< "$out")
[[ -n $new && $new != "$M" ]] || fail "no new master reported"
[[ $(role_of "$new") == master ]] || fail "127.0.0.1:$new is not master after the switchover"
[[ $(role_of "$M") == slave ]] || fail "the old master 127.0.0.1:$M is not a replica"
[[ $(cli "$new" GET before-switchover) == kept ]] || fail "the key written before is not on the new master"
[[ $(cli "$new" SET after-switchover yes) == OK ]] || fail "the new master does not take writes"
third=$((M + 1)); [[ $third == "$new" ]] && third=$((M + 2))
for _ in $(seq 1 100); do
  [[ $(cli "$third" GET after-switchover) == yes ]] && break
  sleep 0.1
done
[[ $(cli "$third" GET after-switchover) == yes ]] || fail "the third node did not get the new master's write"
full=0
for p in "$M" $((M + 1)) $((M + 2)); do
  full=$(( full + $(cli "$p" INFO stats | awk -F: '$1 == "sync_full" {print $2}') ))
done
# The two initial syncs of the replicas are the only full ones (each counted on its master).
[[ $full == 2 ]] || fail "expected only the 2 initial full syncs, INFO sync_full sums to $full"
"$CLUSTER" stop
echo "PASS: switchover without Sentinels (127.0.0.1:$M -> 127.0.0.1:$new)"
