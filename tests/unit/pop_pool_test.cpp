// tests/unit/pop_pool_test.cpp — SPOP's pools of random picks (storage/types/pop_pool.h)
// through Collection::random_to_remove on the in-memory KeyAccess (memory_keys.h): pops drain
// a set exactly once each at about one iterator step per pop, each pop is a uniform pick among
// the members left (frequencies within wide bounds over many sets), an addition makes the
// pool stale, members removed by others are never popped, and the pools stay bounded.
#include "storage/types/pop_pool.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/types/set.h"
#include "tests/unit/memory_keys.h"

namespace {

using namespace basalt;
using namespace basalt::storage::types;
using unit::MemoryKeys;

// Creates set `key` with members m0..m(n-1).
void fill(MemoryKeys& keys, const std::string& key, int n) {
  Collection s(keys, 0, key);
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  s.ensure_version();
  for (int i = 0; i < n; ++i) set::add(s, "m" + std::to_string(i));
  set::save(s);
}

// One SPOP of `count` as the command does it: picks, removes, saves.
std::vector<std::string> pop(MemoryKeys& keys, const std::string& key, uint64_t count) {
  Collection s(keys, 0, key);
  EXPECT_EQ(set::open(s, Access::Write), Status::Ok);
  std::vector<std::string> out;
  if (!s.exists()) return out;
  for (auto& e : s.random_to_remove(count)) {
    EXPECT_TRUE(set::remove(s, e.first)) << e.first;
    out.push_back(e.first);
  }
  set::save(s);
  return out;
}

TEST(PopPool, DrainsALargeSetOnceEachAtAboutOneStepPerPop) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  keys.keep_pop_pools = true;
  fill(keys, "s", 9000);
  keys.iterator_steps = 0;
  std::set<std::string> popped;
  for (int i = 0; i < 9000; ++i) {
    auto one = pop(keys, "s", 1);
    ASSERT_EQ(one.size(), 1u);
    ASSERT_TRUE(popped.insert(one[0]).second) << "popped twice: " << one[0];
  }
  EXPECT_EQ(popped.size(), 9000u);
  EXPECT_TRUE(pop(keys, "s", 1).empty());  // the key is gone
  // One pass draws the pool (9,000 steps), used to the end: no walk crossed a tombstone, so
  // the drained set is never copied (walk_debt.h), and no pool is drawn again (a walk below
  // kSeekPickMinimum members would cross the tombstones of the earlier pops). The last pop
  // removes the key, whose 9,000 entries the in-memory store drops by a walk.
  EXPECT_LE(keys.iterator_steps, 9000u * 2u);
}

TEST(PopPool, PopsWithACountAreDistinctAcrossPoolsDrawnAgain) {
  MemoryKeys keys;
  keys.keep_pop_pools = true;
  fill(keys, "s", 40000);  // more than one pool's kPopPoolMembers
  std::set<std::string> popped;
  for (uint64_t count : {1u, 20000u, 15000u, 3u}) {
    auto some = pop(keys, "s", count);
    ASSERT_EQ(some.size(), count);
    for (const auto& m : some) ASSERT_TRUE(popped.insert(m).second) << "popped twice: " << m;
  }
  Collection s(keys, 0, "s");
  ASSERT_EQ(set::open(s, Access::Read), Status::Ok);
  EXPECT_EQ(s.meta.size, 40000u - popped.size());
}

// Each of the first three pops of a fresh 128-member set, over 4,000 sets: every member
// expected 31.25 times at each place (standard deviation about 5.6).
TEST(PopPool, EachPopIsAUniformPickAmongTheMembersLeft) {
  MemoryKeys keys;
  keys.keep_pop_pools = true;
  std::vector<std::map<std::string, int>> seen(3);
  for (int trial = 0; trial < 4000; ++trial) {
    fill(keys, "s", 128);
    for (auto& place : seen) {
      auto one = pop(keys, "s", 1);
      ASSERT_EQ(one.size(), 1u);
      ++place[one[0]];
    }
    Collection s(keys, 0, "s");
    ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
    s.remove_key();
  }
  for (const auto& place : seen) {
    EXPECT_EQ(place.size(), 128u);
    for (const auto& [member, n] : place) {
      EXPECT_GT(n, 5) << member;
      EXPECT_LT(n, 70) << member;
    }
  }
  EXPECT_LE(keys.pools.size(), kPopPools);
}

// While nothing but the pool's own pops removes members, its candidates are members for sure:
// a run of pops looks none of them up; a removal by another command brings the checks back.
TEST(PopPool, PopsLookNothingUpUntilAnotherCommandRemovesAMember) {
  MemoryKeys keys;
  keys.keep_pop_pools = true;
  fill(keys, "s", 3000);
  ASSERT_EQ(pop(keys, "s", 1).size(), 1u);  // draws the pool
  auto picks_reads = [&](uint64_t count) {
    Collection s(keys, 0, "s");
    EXPECT_EQ(set::open(s, Access::Write), Status::Ok);
    const uint64_t before = keys.point_reads;
    auto picked = s.random_to_remove(count);
    const uint64_t reads = keys.point_reads - before;
    for (const auto& e : picked) set::remove_present(s, e.first);
    set::save(s);
    EXPECT_EQ(picked.size(), count);
    return reads;
  };
  for (int i = 0; i < 100; ++i) EXPECT_EQ(picks_reads(i % 3 + 1), 0u) << i;
  // Another command removes a member: the next pop checks its candidates again, and the one
  // after it, the set's size being what that pop left, does not.
  Collection s(keys, 0, "s");
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  int i = 0;
  while (!set::remove(s, "m" + std::to_string(i))) ASSERT_LT(++i, 3000);  // one still there
  set::save(s);
  EXPECT_GE(picks_reads(2), 2u);
  EXPECT_EQ(picks_reads(2), 0u);
}

TEST(PopPool, AnAdditionMakesThePoolStaleAndRemovedMembersAreNeverPopped) {
  MemoryKeys keys;
  keys.keep_pop_pools = true;
  fill(keys, "s", 300);
  ASSERT_EQ(pop(keys, "s", 1).size(), 1u);  // draws the pool
  Collection s(keys, 0, "s");
  ASSERT_EQ(set::open(s, Access::Read), Status::Ok);
  uint64_t inserted = s.meta.size + s.meta.dead;
  PopPool* pool = keys.pools.find(0, "s", s.meta.version, inserted);
  ASSERT_NE(pool, nullptr);
  // Others remove the next ten candidates: the pops skip them.
  std::set<std::string> removed(pool->members.begin() + static_cast<long>(pool->next),
                                pool->members.begin() + static_cast<long>(pool->next) + 10);
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  for (const auto& m : removed) ASSERT_TRUE(set::remove(s, m));
  set::save(s);
  for (int i = 0; i < 50; ++i) {
    auto one = pop(keys, "s", 1);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_FALSE(removed.count(one[0])) << one[0];
  }
  // An addition: the pool no longer describes the set, and the next pop draws another.
  ASSERT_EQ(set::open(s, Access::Write), Status::Ok);
  ASSERT_TRUE(set::add(s, "new"));
  set::save(s);
  EXPECT_EQ(keys.pools.find(0, "s", s.meta.version, s.meta.size + s.meta.dead), nullptr);
  keys.iterator_steps = 0;
  ASSERT_EQ(pop(keys, "s", 1).size(), 1u);
  EXPECT_GE(keys.iterator_steps, 200u);  // one pass over the set
  ASSERT_EQ(set::open(s, Access::Read), Status::Ok);
  pool = keys.pools.find(0, "s", s.meta.version, s.meta.size + s.meta.dead);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->members.size() - pool->next, s.meta.size);
}

TEST(PopPool, ASetAboveTheCapIsPickedWithoutAWalkOfAllItsMembers) {
  MemoryKeys keys;
  keys.keep_pop_pools = true;
  const int n = static_cast<int>(kPopPoolMaxSet) + 20;
  fill(keys, "huge", n);
  keys.iterator_steps = 0;
  std::set<std::string> popped;
  for (int i = 0; i < 20; ++i) {
    auto one = pop(keys, "huge", 1);
    ASSERT_EQ(one.size(), 1u);
    ASSERT_TRUE(popped.insert(one[0]).second) << "popped twice: " << one[0];
  }
  EXPECT_EQ(keys.pools.size(), 0u);
  // The trie descent takes a few steps per pop; one walk of the set would take n.
  EXPECT_LT(keys.iterator_steps, static_cast<uint64_t>(n) / 10);
  // One pop below the cap draws a pool again.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(pop(keys, "huge", 1).size(), 1u);
  EXPECT_EQ(keys.pools.size(), 1u);
}

TEST(PopPool, AtMostKPopPoolsAreKept) {
  MemoryKeys keys;
  keys.keep_pop_pools = true;
  for (size_t k = 0; k < 3 * kPopPools; ++k) {
    std::string key = "s" + std::to_string(k);
    fill(keys, key, 200);
    ASSERT_EQ(pop(keys, key, 1).size(), 1u);
    EXPECT_LE(keys.pools.size(), kPopPools);
  }
  // The most recently used pool is still there.
  const std::string last = "s" + std::to_string(3 * kPopPools - 1);  // outlives s's key view
  Collection s(keys, 0, last);
  ASSERT_EQ(set::open(s, Access::Read), Status::Ok);
  EXPECT_NE(keys.pools.find(0, s.key(), s.meta.version, s.meta.size + s.meta.dead), nullptr);
}

}  // namespace
