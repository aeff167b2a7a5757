#!/usr/bin/env bash
# scripts/run.sh — owns: starting a local basalt server for development.
# Installs what is missing, builds (Release), then replaces itself with
#   build/basalt --bind 127.0.0.1 --port ${PORT:-6379} --dir ./data [extra args...]
# Usage: [PORT=N] scripts/run.sh [extra basalt args, e.g. --wal-sync always]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
scripts/build.sh Release
mkdir -p ./data
exec build/basalt --bind 127.0.0.1 --port "${PORT:-6379}" --dir ./data "$@"
