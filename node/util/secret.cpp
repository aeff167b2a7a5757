// node/util/secret.cpp — see secret.h.
#include "node/util/secret.h"

#include <xxhash.h>

#include <cstdint>
#include <random>

namespace basalt::util {

namespace {
uint64_t process_seed() {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  return seed;
}
}  // namespace

bool secrets_equal(std::string_view a, std::string_view b) {
  const uint64_t seed = process_seed();
  const XXH128_hash_t ha = XXH3_128bits_withSeed(a.data(), a.size(), seed);
  const XXH128_hash_t hb = XXH3_128bits_withSeed(b.data(), b.size(), seed);
  // Every bit of both digests is looked at, whatever differs first.
  const uint64_t diff = (ha.low64 ^ hb.low64) | (ha.high64 ^ hb.high64);
  return (diff | static_cast<uint64_t>(a.size() ^ b.size())) == 0;
}

}  // namespace basalt::util
