#!/usr/bin/env bash
# scripts/gen_commands.sh — owns: the README's list of supported commands. Replaces the
# block between the "commands:begin" and "commands:end" markers with the output of
# `build/basalt --commands` (generated from the command table). A test fails when they differ.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BASALT="${1:-build/basalt}"
[[ -x "$BASALT" ]] || { echo "gen_commands: $BASALT not built (scripts/build.sh)" >&2; exit 1; }

table="$(mktemp)"
trap 'rm -f "$table"' EXIT
"$BASALT" --commands > "$table"
awk -v table="$table" '
  /<!-- commands:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- commands:end -->/ { skip = 0 }
  !skip { print }
' README.md > README.md.new
mv README.md.new README.md
echo "README.md: $(($(wc -l < "$table") - 2)) commands listed"
