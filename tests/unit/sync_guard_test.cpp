// tests/unit/sync_guard_test.cpp — the replica's pre-transfer decision about a master
// (node/replication/sync_guard.h), one test per branch, and the announcement's round trip.
#include "node/replication/sync_guard.h"

#include <gtest/gtest.h>

namespace basalt::replication {
namespace {

const std::string kA(40, 'a'), kB(40, 'b'), kC(40, 'c'), kZero(40, '0');

ReplicaState replica(uint64_t keys, std::string replid = kA, std::string replid2 = kZero) {
  return {16, keys, std::move(replid), std::move(replid2), false};
}
MasterAnnouncement master(uint64_t keys, std::string replid = kB, std::string replid2 = kZero) {
  return {16, keys, std::move(replid), std::move(replid2)};
}

TEST(SyncGuard, AnnouncementRoundTrips) {
  MasterAnnouncement a{32, 12345, kA, kB}, b;
  ASSERT_TRUE(parse_announcement(format_announcement(a), b));
  EXPECT_EQ(b.databases, 32);
  EXPECT_EQ(b.keys, 12345u);
  EXPECT_EQ(b.replid, kA);
  EXPECT_EQ(b.replid2, kB);
  EXPECT_FALSE(parse_announcement("OK", b));
  EXPECT_FALSE(parse_announcement("OK databases=x keys=1 replid=a replid2=b", b));
}

TEST(SyncGuard, FewerDatabasesThanTheMasterIsRefusedWithoutOverride) {
  auto r = replica(0);
  r.allow_smaller_master = true;
  auto m = master(5, kA);
  m.databases = 32;
  auto d = check_master(r, m);
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.dataset_refused);
  EXPECT_NE(d.reason.find("databases mismatch"), std::string::npos);
  m.databases = 8;  // more databases here than on the master is harmless
  EXPECT_TRUE(check_master(r, m).allowed);
}

TEST(SyncGuard, EmptyOrSmallerMasterWithoutSharedHistoryIsRefused) {
  for (uint64_t master_keys : {0u, 9u}) {
    auto d = check_master(replica(10), master(master_keys));
    EXPECT_FALSE(d.allowed) << master_keys;
    EXPECT_TRUE(d.dataset_refused);
    EXPECT_FALSE(d.shared_history);
    EXPECT_EQ(d.reason.find_first_of(",="), std::string::npos) << d.reason;
  }
}

TEST(SyncGuard, TheOperatorOverrideLetsASmallerMasterThrough) {
  auto r = replica(10);
  r.allow_smaller_master = true;
  EXPECT_TRUE(check_master(r, master(0)).allowed);
}

TEST(SyncGuard, AnEmptyReplicaOrALargerMasterIsAnOrdinarySync) {
  EXPECT_TRUE(check_master(replica(0), master(0)).allowed);
  EXPECT_TRUE(check_master(replica(10), master(10)).allowed);
  EXPECT_TRUE(check_master(replica(10), master(1000)).allowed);
}

TEST(SyncGuard, SharedHistoryIsNeverBlocked) {
  // Same id; the master was promoted from our history; we were promoted from its history.
  EXPECT_TRUE(check_master(replica(10, kA), master(0, kA)).shared_history);
  EXPECT_TRUE(check_master(replica(10, kA), master(0, kA)).allowed);
  EXPECT_TRUE(check_master(replica(10, kA), master(0, kB, kA)).allowed);
  EXPECT_TRUE(check_master(replica(10, kA, kC), master(0, kC)).allowed);
  // The all-zero "no previous id" is not a shared history.
  EXPECT_FALSE(check_master(replica(10, kA, kZero), master(0, kB, kZero)).allowed);
}

}  // namespace
}  // namespace basalt::replication
