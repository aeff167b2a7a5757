// tests/unit/walk_debt_test.cpp — walk debts (storage/types/walk_debt.h) and the copy of a
// collection they decide (Collection::save) on the in-memory KeyAccess (memory_keys.h): the
// table's counts, its bound and the crossing estimate; a hash emptied by deletions but never
// walked is not copied, one walked whole after them is copied once the walks crossed
// kRebuildDebtPerLive times its size, after which a walk crosses no tombstone; a sorted set
// drained by pops keeps its version; scans and random picks charge too.
#include "storage/types/walk_debt.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/types/collection.h"
#include "storage/types/hash.h"
#include "storage/types/zset.h"
#include "storage/types/zset_ranges.h"
#include "tests/unit/memory_keys.h"

namespace {

using namespace basalt;
using namespace basalt::storage::types;
using unit::MemoryKeys;

TEST(WalkDebts, ChargesAddUpPerVersionAndSettle) {
  WalkDebts debts;
  debts.charge(0, "h", 7, 100);
  debts.charge(0, "h", 7, 50);
  debts.charge(0, "h", 8, 5);  // another version of the same key
  debts.charge(1, "h", 7, 9);  // the same version number in another db
  debts.charge(0, "h", 7, 0);  // nothing crossed: no entry touched
  EXPECT_EQ(debts.owed(0, "h", 7), 150u);
  EXPECT_EQ(debts.owed(0, "h", 8), 5u);
  EXPECT_EQ(debts.owed(1, "h", 7), 9u);
  EXPECT_EQ(debts.owed(0, "g", 7), 0u);
  debts.settle(0, "h", 7);
  EXPECT_EQ(debts.owed(0, "h", 7), 0u);
  EXPECT_EQ(debts.owed(0, "h", 8), 5u);
  EXPECT_EQ(debts.size(), 2u);
  EXPECT_EQ(debts.copies(), 1u);
  debts.clear();
  EXPECT_EQ(debts.size(), 0u);
}

TEST(WalkDebts, BoundedDroppingTheLeastRecentlyCharged) {
  WalkDebts debts;
  for (uint64_t v = 1; v <= kWalkDebts; ++v) debts.charge(0, "k", v, v);
  debts.charge(0, "k", 1, 1);  // version 1 charged again: 2 is now the least recent
  debts.charge(0, "k", 1000, 3);
  EXPECT_EQ(debts.size(), kWalkDebts);
  EXPECT_EQ(debts.owed(0, "k", 2), 0u);
  EXPECT_EQ(debts.owed(0, "k", 1), 2u);
  EXPECT_EQ(debts.owed(0, "k", 1000), 3u);
  EXPECT_EQ(debts.owed(0, "k", 3), 3u);
}

TEST(WalkDebts, CrossingEstimateSpreadsTheDeadEvenly) {
  EXPECT_EQ(estimated_crossing(0, 100, 50), 0u);
  EXPECT_EQ(estimated_crossing(10, 100, 0), 0u);
  EXPECT_EQ(estimated_crossing(10, 100, 50), 5u);
  EXPECT_EQ(estimated_crossing(100, 100, 50), 50u);
  EXPECT_EQ(estimated_crossing(500, 100, 50), 50u);  // at most every tombstone
  EXPECT_EQ(estimated_crossing(3, 0, 50), 50u);      // nothing live: all of them
  const uint64_t big = uint64_t{1} << 40;            // no overflow in the product
  EXPECT_EQ(estimated_crossing(big / 2, big, big), big / 2);
}

// Creates hash "h" with fields f0..f(n-1) and deletes all but the last `keep`, a command
// (open, change, save) each.
void fill_and_thin(MemoryKeys& keys, int n, int keep) {
  Collection h(keys, 0, "h");
  ASSERT_EQ(hash::open(h, Access::Write), Status::Ok);
  h.ensure_version();
  for (int i = 0; i < n; ++i) hash::set(h, "f" + std::to_string(i), "v");
  hash::save(h);
  for (int i = 0; i < n - keep; ++i) {
    ASSERT_EQ(hash::open(h, Access::Write), Status::Ok);
    ASSERT_TRUE(hash::del(h, "f" + std::to_string(i)));
    hash::save(h);
  }
}

uint64_t version_of(MemoryKeys& keys) {
  Collection h(keys, 0, "h");
  EXPECT_EQ(hash::open(h, Access::Read), Status::Ok);
  return h.meta.version;
}

// One HGETALL-like walk and a write (which saves), as a read and a later HSET would.
uint64_t walk_then_write(MemoryKeys& keys) {
  Collection h(keys, 0, "h");
  EXPECT_EQ(hash::open(h, Access::Write), Status::Ok);
  uint64_t seen = 0;
  h.for_each([&](std::string_view, std::string_view) { return ++seen, true; });
  hash::set(h, "f-last", "v");
  hash::save(h);
  return seen;
}

TEST(WalkDebts, AHashThinnedButNeverWalkedIsNotCopied) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  fill_and_thin(keys, 5000, 100);
  Collection h(keys, 0, "h");
  ASSERT_EQ(hash::open(h, Access::Read), Status::Ok);
  EXPECT_EQ(h.meta.size, 100u);
  EXPECT_EQ(h.meta.dead, 4900u);  // 49 tombstones per field: the old rule copied it long ago
  EXPECT_EQ(keys.debts.size(), 0u);
}

TEST(WalkDebts, AHashWalkedAcrossItsTombstonesIsCopiedOnceTheWalksPaidForIt) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  fill_and_thin(keys, 5000, 100);
  const uint64_t thinned = version_of(keys);
  // Each walk crosses 4,900 tombstones; the copy is due at 8 x 101 = 808: after the first.
  keys.iterator_steps = 0;
  EXPECT_EQ(walk_then_write(keys), 100u);
  EXPECT_GE(keys.iterator_steps, 5000u);
  const uint64_t copied = version_of(keys);
  EXPECT_NE(copied, thinned);
  EXPECT_EQ(keys.debts.owed(0, "h", thinned), 0u);  // settled with the copy
  keys.iterator_steps = 0;
  EXPECT_EQ(walk_then_write(keys), 101u);
  EXPECT_LE(keys.iterator_steps, 101u + 2u);  // nothing left to cross
  EXPECT_EQ(version_of(keys), copied);
  EXPECT_EQ(keys.elements_of(0, "h", thinned).size(), 0u);  // the old version dropped whole
}

TEST(WalkDebts, ScansAndRandomPicksCharge) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  fill_and_thin(keys, 3000, 1000);  // 2,000 dead beside 1,000 live
  const uint64_t version = version_of(keys);
  Collection h(keys, 0, "h");
  ASSERT_EQ(hash::open(h, Access::Read), Status::Ok);
  ScanPage page = h.scan({}, {}, false, 10, [](std::string_view, std::string_view) {});
  EXPECT_TRUE(page.more);
  EXPECT_EQ(keys.debts.owed(0, "h", version), 20u);  // 10 visited x 2,000 / 1,000
  (void)h.random(3, true);                           // a few seeks: 2 per pick at least
  EXPECT_GE(keys.debts.owed(0, "h", version), 26u);
  EXPECT_EQ(version_of(keys), version);  // reads never copy
}

TEST(WalkDebts, ASortedSetDrainedByPopsKeepsItsVersion) {
  MemoryKeys keys;
  keys.keep_tombstones = true;
  zset::ZSet z(keys, 0, "z");
  ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
  z.ensure_version();
  for (int i = 0; i < 20000; ++i) zset::insert_member(z, "m" + std::to_string(i), i % 977);
  zset::save(z);
  const uint64_t version = z.version();
  keys.iterator_steps = 0;
  for (int i = 0; i < 19990; ++i) {
    ASSERT_EQ(zset::open(z, Access::Write), Status::Ok);
    ASSERT_EQ(zset::pop(z, 1, i % 2 == 0).size(), 1u);
    ASSERT_EQ(z.version(), version) << i;  // never copied: a copy per 2 pops halved ZPOPMIN
  }
  EXPECT_EQ(z.size(), 10u);
  EXPECT_EQ(z.meta.dead, 19990u);
  EXPECT_LT(keys.iterator_steps, 20000u * 3u);  // pops start at the bounds, past the dead
  // Its 10 members, walked from either end, cross no tombstone: nothing charged.
  EXPECT_EQ(zset::by_rank(z, 0, -1, false).size(), 10u);
  EXPECT_EQ(keys.debts.owed(0, "z", version), 0u);
}

}  // namespace
