#!/usr/bin/env bash
# scripts/gen_key_specs.sh — owns: regenerating node/core/key_specs_data.inc from a temporary
# redis-server's COMMAND INFO (Redis 7.0's key specs; see scripts/gen_key_specs.py).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
port="${PORT:-17391}"
dir="$(mktemp -d)"
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
  --daemonize yes --pidfile "$dir/pid" >/dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$port" --json command info | scripts/gen_key_specs.py > node/core/key_specs_data.inc
echo "node/core/key_specs_data.inc: $(grep -c '^    {' node/core/key_specs_data.inc) rows"
