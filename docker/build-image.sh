#!/usr/bin/env bash
# docker/build-image.sh — owns: building the basalt runtime image with no container registry.
#   1. a Debian 12 (bookworm) base made with `debootstrap --variant=minbase` holding only what
#      basalt needs at run time (the shared libraries `ldd build/basalt` names, redis-tools for
#      the HEALTHCHECK, redis-sentinel for the compose Sentinels), cached as a tarball under
#      docker/.cache/ (git-ignored) and `docker import`ed as basalt-base:bookworm-<hash>;
#   2. the image itself from docker/Dockerfile's `prebuilt` target on that base (BASE build
#      argument), which only copies in the host-built build/basalt (built if missing).
# Usage: docker/build-image.sh [tag]       (default tag: basalt:local)
# Env:   DEBIAN_MIRROR (default http://deb.debian.org/debian), BASALT_BINARY (default build/basalt)
# Needs root (debootstrap) the first time; later runs reuse the cache and take seconds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
TAG="${1:-basalt:local}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BINARY="${BASALT_BINARY:-build/basalt}"
CACHE="$ROOT/docker/.cache"

# The run-time packages: keep in step with the runtime stage of docker/Dockerfile.
# RocksDB is linked into the binary (librocksdb.a); its compression libraries are shared.
PACKAGES=(libsnappy1v5 zlib1g libbz2-1.0 liblz4-1 libzstd1 libboost-json1.81.0 libspdlog1.10
          libfmt9 libxxhash0 libssl3 liblua5.1-0 lua-cjson lua-bitop redis-tools redis-sentinel)

log() { echo "build-image: $*" >&2; }

command -v docker >/dev/null || { log "docker is not installed"; exit 1; }

hash=$(printf '%s\n' bookworm minbase "${PACKAGES[@]}" | sha256sum | cut -c1-12)
BASE_TAG="basalt-base:bookworm-$hash"
TARBALL="$CACHE/bookworm-minbase-$hash.tar"

if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  log "base image $BASE_TAG is present (cached)"
else
  if [[ ! -s "$TARBALL" ]]; then
    command -v debootstrap >/dev/null || { log "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
    [[ ${EUID:-$(id -u)} -eq 0 ]] || { log "debootstrap needs root"; exit 1; }
    mkdir -p "$CACHE"
    rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    cleanup_rootfs() { rm -rf "$rootfs" "$TARBALL.partial"; }
    trap cleanup_rootfs EXIT
    log "debootstrap --variant=minbase bookworm with ${PACKAGES[*]} (from $MIRROR; a few minutes, once)"
    include=$(IFS=,; echo "${PACKAGES[*]}")
    debootstrap --variant=minbase --include="$include" bookworm "$rootfs" "$MIRROR" \
      > "$CACHE/debootstrap.log" 2>&1 \
      || { log "debootstrap failed; see $CACHE/debootstrap.log"; tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
    # Slim it: package lists, downloaded .debs, docs, man pages and translations are not needed
    # at run time (apt can still fetch lists again inside a container).
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/doc/* \
           "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
           "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
    tar --numeric-owner -C "$rootfs" -cf "$TARBALL.partial" .
    mv "$TARBALL.partial" "$TARBALL"
    cleanup_rootfs
    trap - EXIT
    log "cached the base as $TARBALL ($(du -h "$TARBALL" | cut -f1))"
  else
    log "using the cached base $TARBALL"
  fi
  log "docker import -> $BASE_TAG"
  docker import --change 'CMD ["/bin/bash"]' "$TARBALL" "$BASE_TAG" >/dev/null
fi

if [[ ! -x "$BINARY" ]]; then
  log "$BINARY is missing: building it (Release, the basalt target only)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target basalt
fi

# Every shared library the binary needs must come from a package in PACKAGES (or from the
# minbase set): say so here rather than with a container that fails to start.
missing_libs=$(ldd "$BINARY" | awk '/not found/ {print $1}')
if [[ -n "$missing_libs" ]]; then
  log "$BINARY has unresolved libraries on this host: $missing_libs"; exit 1
fi

# A small build context with the repository's layout: the binary and the Sentinel template only
# (not the whole checkout with its build tree).
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/build" "$ctx/docker"
cp "$BINARY" "$ctx/build/basalt"
strip --strip-unneeded "$ctx/build/basalt" 2>/dev/null || true
cp docker/sentinel.conf "$ctx/docker/sentinel.conf"

log "docker build --target prebuilt --build-arg BASE=$BASE_TAG -t $TAG"
# The legacy builder (no buildx needed) builds the stages up to the target only, and the
# prebuilt target sits before the from-source stages in the Dockerfile, so nothing is pulled.
old_id=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
if ! DOCKER_BUILDKIT=0 docker build -f docker/Dockerfile --target prebuilt \
     --build-arg "BASE=$BASE_TAG" -t "$TAG" "$ctx" > "$ctx/build.log" 2>&1; then
  cat "$ctx/build.log" >&2
  log "docker build failed"; exit 1
fi
# The previous image under this tag would stay behind untagged: drop it (not if still in use).
new_id=$(docker image inspect -f '{{.Id}}' "$TAG")
if [[ -n $old_id && $old_id != "$new_id" ]]; then docker rmi "$old_id" >/dev/null 2>&1 || true; fi
log "built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%d MB", $1/1e6}'))"
