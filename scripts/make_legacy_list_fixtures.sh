#!/usr/bin/env bash
# scripts/make_legacy_list_fixtures.sh — owns remaking tests/fixtures/legacy-lists-*.tar.gz:
# builds basalt (the `basalt` target only, Release) at the commit before chunked lists in a
# temporary git worktree, or takes an already built old binary, and runs
# tests/fixtures/make_legacy_lists.py with it.
# Usage: scripts/make_legacy_list_fixtures.sh [OLD_BASALT_BINARY]
#   OLD_COMMIT (default 021c6bd, the first parent of 6371a10 "Merge wip-chunklist") picks the
#   commit; JOBS (default 2) the build's parallelism.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
commit=$(git rev-parse "${OLD_COMMIT:-021c6bd}")

if [[ $# -ge 1 ]]; then
  binary=$(realpath "$1")
else
  wt=$(mktemp -d /tmp/basalt-oldlist-XXXXXX)
  trap 'git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || true; rm -rf "$wt"' EXIT
  git worktree add --detach "$wt" "$commit"
  cmake -S "$wt" -B "$wt/build" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$wt/build" --target basalt -j"${JOBS:-2}"
  binary="$wt/build/basalt"
fi

python3 tests/fixtures/make_legacy_lists.py "$binary" tests/fixtures "$commit"
ls -l tests/fixtures/legacy-lists-*.tar.gz
