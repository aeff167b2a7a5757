#!/usr/bin/env bash
# scripts/setup.sh — owns: installing the Debian 12 packages basalt needs to build,
# test and benchmark (only those missing), and keeping Debian's redis-server
# service from starting on port 6379 where it would collide with basalt.
# Idempotent; prints nothing when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ccache
  libboost1.81-dev libboost-json1.81-dev
  librocksdb-dev libgtest-dev libspdlog-dev libxxhash-dev libssl-dev openssl curl
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev python3-redis
  redis-server redis-tools redis-sentinel procps iproute2 iptables
  chromium
  clang libclang-rt-14-dev
)
# docker/build-image.sh (the compose end-to-end test) builds its base image with debootstrap;
# only where a Docker engine is installed.
if command -v docker >/dev/null 2>&1; then PACKAGES+=(debootstrap); fi

SUDO=()
if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

# Stop and disable running/enabled redis-server and redis-sentinel units (systemd machines
# only): tests start their own on free ports, and 6379 belongs to basalt.
disable_redis_service() {
  command -v systemctl >/dev/null 2>&1 || return 0
  local unit
  for unit in redis-server redis-sentinel; do
    if systemctl is-active --quiet "$unit" 2>/dev/null \
       || systemctl is-enabled --quiet "$unit" 2>/dev/null; then
      "${SUDO[@]}" systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
  done
}

if [[ ${#missing[@]} -eq 0 ]]; then
  disable_redis_service
  exit 0
fi

echo "setup: installing missing packages: ${missing[*]}" >&2

# While installing, forbid maintainer scripts from starting services
# (policy-rc.d exit 101 = "action forbidden"). Any pre-existing policy is restored.
POLICY=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
restore_policy() {
  if [[ -n "$POLICY_BACKUP" ]]; then
    "${SUDO[@]}" mv -f "$POLICY_BACKUP" "$POLICY"
  else
    "${SUDO[@]}" rm -f "$POLICY"
  fi
}
if [[ -e "$POLICY" ]]; then
  POLICY_BACKUP="$POLICY.basalt-setup.bak"
  "${SUDO[@]}" cp -p "$POLICY" "$POLICY_BACKUP"
fi
trap restore_policy EXIT
printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
"${SUDO[@]}" chmod 0755 "$POLICY"

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"

restore_policy
trap - EXIT
disable_redis_service

still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "setup: failed to install: ${still_missing[*]}" >&2
  exit 1
fi
echo "setup: done" >&2
