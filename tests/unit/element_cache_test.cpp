// tests/unit/element_cache_test.cpp — the element cache's complete collections
// (node/core/element_cache.h): an element of a complete version that the cache does not hold
// reads as absent, and every way an element can leave the cache (evicted, too large, the
// version dropped, the cache emptied or turned off) ends the version's completeness, so that
// a miss goes to the database again.
#include "node/core/element_cache.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/codec.h"

namespace {

using basalt::core::ElementCache;
using Hit = ElementCache::Hit;

std::string prefix(std::string_view key, uint64_t version) {
  std::string p;
  basalt::storage::encode_sub_prefix(p, 0, key, version);
  return p;
}

std::string element(std::string_view key, uint64_t version, std::string_view part) {
  return prefix(key, version).append(part);
}

Hit find(ElementCache& cache, const std::string& key) {
  std::string value;
  return cache.find(key, value);
}

TEST(ElementCache, AnUncachedElementOfACompleteVersionIsAbsent) {
  ElementCache cache(1 << 20);
  EXPECT_EQ(find(cache, element("s", 7, "m")), Hit::Miss);
  cache.created(prefix("s", 7));
  cache.store_written(element("s", 7, "a"), "", true);
  EXPECT_EQ(find(cache, element("s", 7, "m")), Hit::Absent);
  EXPECT_EQ(cache.complete_hits(), 1u);
  std::string value;
  EXPECT_EQ(cache.find(element("s", 7, "a"), value), Hit::Present);
  // Other versions and keys are not complete.
  EXPECT_EQ(find(cache, element("s", 8, "m")), Hit::Miss);
  EXPECT_EQ(find(cache, element("t", 7, "m")), Hit::Miss);
  // A complete version's written elements are stored whether or not they were cached.
  cache.store_written(element("s", 7, "b"), "vb", true);
  EXPECT_EQ(cache.find(element("s", 7, "b"), value), Hit::Present);
  EXPECT_EQ(value, "vb");
  cache.store_written(element("s", 7, "b"), "", false);
  EXPECT_EQ(find(cache, element("s", 7, "b")), Hit::Absent);
  // Another version's written elements are only updated if cached.
  cache.store_written(element("s", 8, "b"), "x", true);
  EXPECT_EQ(find(cache, element("s", 8, "b")), Hit::Miss);
}

TEST(ElementCache, AnEvictedElementEndsItsVersionsCompleteness) {
  // Room for a few entries only: the first elements are evicted by the later ones.
  ElementCache cache(2048);
  cache.created(prefix("s", 7));
  for (int i = 0; i < 40; ++i)
    cache.store_written(element("s", 7, "m" + std::to_string(i)), "", true);
  EXPECT_FALSE(cache.complete(prefix("s", 7)));
  EXPECT_EQ(find(cache, element("s", 7, "m0")), Hit::Miss);
  EXPECT_EQ(cache.complete_collections(), 0u);
}

TEST(ElementCache, AnEvictionOfAnotherVersionsElementLeavesItComplete) {
  ElementCache cache(4096);
  cache.put(element("old", 1, "x"), ElementCache::hash(element("old", 1, "x")), "v", true);
  cache.created(prefix("s", 7));
  cache.store_written(element("s", 7, "a"), "", true);
  for (int i = 0; i < 40; ++i) {
    const std::string k = element("other", 2, "m" + std::to_string(i));
    cache.put(k, ElementCache::hash(k), "", true);  // evicts "old" first, then "s"'s "a"
    if (i == 0) {
      EXPECT_TRUE(cache.complete(prefix("s", 7)));
    }
  }
  EXPECT_FALSE(cache.complete(prefix("s", 7)));
}

TEST(ElementCache, AValueTooLargeToKeepEndsItsVersionsCompleteness) {
  ElementCache cache(1 << 20);
  cache.created(prefix("h", 3));
  cache.store_written(element("h", 3, "small"), "v", true);
  EXPECT_TRUE(cache.complete(prefix("h", 3)));
  cache.store_written(element("h", 3, "big"), std::string(100 * 1024, 'x'), true);
  EXPECT_FALSE(cache.complete(prefix("h", 3)));
  EXPECT_EQ(find(cache, element("h", 3, "big")), Hit::Miss);
  // A cached element growing too large (dropped in place) ends it too.
  cache.created(prefix("h", 4));
  cache.store_written(element("h", 4, "f"), "v", true);
  cache.store_written(element("h", 4, "f"), std::string(100 * 1024, 'x'), true);
  EXPECT_FALSE(cache.complete(prefix("h", 4)));
}

TEST(ElementCache, DropClearAndTurningOffEndCompleteness) {
  ElementCache cache(1 << 20);
  cache.created(prefix("a", 1));
  cache.created(prefix("b", 1));
  cache.created(prefix("c", 1));
  cache.drop(prefix("a", 1));
  EXPECT_FALSE(cache.complete(prefix("a", 1)));
  EXPECT_TRUE(cache.complete(prefix("b", 1)));
  cache.clear();
  EXPECT_FALSE(cache.complete(prefix("b", 1)));
  cache.created(prefix("c", 1));
  cache.set_budget(0);
  EXPECT_FALSE(cache.complete(prefix("c", 1)));
  cache.created(prefix("d", 1));  // off: nothing is complete
  EXPECT_FALSE(cache.complete(prefix("d", 1)));
  cache.set_budget(1 << 20);
  EXPECT_EQ(find(cache, element("d", 1, "m")), Hit::Miss);
}

TEST(ElementCache, TheRememberedPrefixFollowsChangesMadeBetweenWrites) {
  ElementCache cache(1 << 20);
  cache.created(prefix("s", 7));
  cache.store_written(element("s", 7, "a"), "", true);
  cache.drop(prefix("s", 7));
  // Same prefix as the last write, but no longer complete: updated only if cached.
  cache.store_written(element("s", 7, "z"), "", true);
  EXPECT_EQ(find(cache, element("s", 7, "z")), Hit::Miss);
}

}  // namespace
