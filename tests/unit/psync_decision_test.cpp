// tests/unit/psync_decision_test.cpp — decide_psync (node/replication/psync_decision.h), one
// test per branch: the decision (partial or full) and the reason it gives, including the
// boundaries of each condition (the last offset still granted, the first one refused).
#include "node/replication/psync_decision.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using basalt::replication::decide_psync;
using basalt::replication::MasterHistory;
using basalt::replication::PsyncDecision;
using basalt::replication::PsyncRequest;

const std::string kReplid(40, 'a');
const std::string kReplid2(40, 'b');
const std::string kOther(40, 'c');

// A master promoted at offset 1000 (second_replid_offset 1001), now at offset 5000, whose log
// still holds the bytes from 200 on.
MasterHistory promoted_master() {
  MasterHistory h;
  h.replid = kReplid;
  h.replid2 = kReplid2;
  h.second_replid_offset = 1001;
  h.master_repl_offset = 5000;
  h.log_first_offset = 200;
  return h;
}

// A master that was never promoted: no replid2.
MasterHistory plain_master() {
  MasterHistory h;
  h.replid = kReplid;
  h.replid2 = std::string(40, '0');
  h.second_replid_offset = -1;
  h.master_repl_offset = 5000;
  h.log_first_offset = 200;
  return h;
}

PsyncDecision decide(const std::string& replid, int64_t offset, const MasterHistory& h) {
  return decide_psync(PsyncRequest{replid, offset}, h);
}

TEST(PsyncDecision, QuestionMarkAsksForAFullResync) {
  // PSYNC ? -1: a replica with no history.
  PsyncDecision d = decide("?", -1, promoted_master());
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica asked for a full resync");
  // "?" wins whatever the offset says.
  d = decide("?", 3000, promoted_master());
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica asked for a full resync");
}

TEST(PsyncDecision, NegativeOffsetAsksForAFullResyncEvenWithAKnownReplid) {
  PsyncDecision d = decide(kReplid, -1, promoted_master());
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica asked for a full resync");
}

TEST(PsyncDecision, SameReplidWithTheOffsetInTheLogIsPartial) {
  const MasterHistory h = promoted_master();
  for (int64_t offset : {int64_t{200}, int64_t{201}, int64_t{3000}, int64_t{5000}}) {
    PsyncDecision d = decide(kReplid, offset, h);
    EXPECT_TRUE(d.partial) << "offset " << offset << ": " << d.reason;
    EXPECT_EQ(d.reason, "same replication id, offset in the log") << "offset " << offset;
  }
}

TEST(PsyncDecision, SameReplidAndUpToDateIsPartialEvenWithAnEmptyLog) {
  // Wants byte master_repl_offset + 1: nothing to send.
  PsyncDecision d = decide(kReplid, 5001, promoted_master());
  EXPECT_TRUE(d.partial);
  EXPECT_EQ(d.reason, "the replica is up to date");
  MasterHistory empty_log = plain_master();
  empty_log.log_first_offset = 0;
  d = decide(kReplid, 5001, empty_log);
  EXPECT_TRUE(d.partial) << d.reason;
  EXPECT_EQ(d.reason, "the replica is up to date");
  // A brand new master (offset 0) and a replica that has nothing yet either.
  MasterHistory fresh = plain_master();
  fresh.master_repl_offset = 0;
  fresh.log_first_offset = 0;
  d = decide(kReplid, 1, fresh);
  EXPECT_TRUE(d.partial) << d.reason;
  EXPECT_EQ(d.reason, "the replica is up to date");
}

TEST(PsyncDecision, UnknownReplidIsAFullResync) {
  PsyncDecision d = decide(kOther, 3000, promoted_master());
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason,
            "replication id mismatch (replica has '" + kOther + "', mine '" + kReplid + "')");
}

TEST(PsyncDecision, ReplidNeverMatchesAnUnsetReplid2) {
  // A never-promoted master's replid2 is all zeros: a replica sending that id has no shared
  // history with it. (Offset within what second_replid_offset = -1 would allow: none.)
  const MasterHistory h = plain_master();
  PsyncDecision d = decide(h.replid2, 300, h);
  EXPECT_FALSE(d.partial) << d.reason;
}

TEST(PsyncDecision, FormerReplidUpToTheSecondOffsetIsPartial) {
  const MasterHistory h = promoted_master();
  // The replica followed the former master up to (and wants to continue at) any byte up to
  // second_replid_offset: that part of the history is shared.
  for (int64_t offset : {int64_t{200}, int64_t{1000}, int64_t{1001}}) {
    PsyncDecision d = decide(kReplid2, offset, h);
    EXPECT_TRUE(d.partial) << "offset " << offset << ": " << d.reason;
    EXPECT_EQ(d.reason, "former replication id within the shared history, offset in the log")
        << "offset " << offset;
  }
}

TEST(PsyncDecision, FormerReplidPastTheSecondOffsetIsAFullResync) {
  const MasterHistory h = promoted_master();
  PsyncDecision d = decide(kReplid2, 1002, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica went past the point where our histories diverged (1002 > 1001)");
  // Even if the offset would be in our log and below our own offset.
  d = decide(kReplid2, 4000, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica went past the point where our histories diverged (4000 > 1001)");
  // The histories share bytes up to 1000: the replica keeps what it has after that.
  EXPECT_EQ(d.shared_until, 1000);
}

TEST(PsyncDecision, FormerReplidUpToDateAtThePromotionPointIsPartial) {
  // Promoted and nothing written since: the replica wants exactly the next byte.
  MasterHistory h = promoted_master();
  h.master_repl_offset = 1000;
  PsyncDecision d = decide(kReplid2, 1001, h);
  EXPECT_TRUE(d.partial) << d.reason;
  EXPECT_EQ(d.reason, "the replica is up to date");
}

TEST(PsyncDecision, OffsetAheadOfTheMasterIsAFullResync) {
  const MasterHistory h = promoted_master();
  // One byte past "up to date" already claims a byte we never produced.
  PsyncDecision d = decide(kReplid, 5002, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica is ahead of my history (5001 > 5000)");
  d = decide(kReplid, 90000, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica is ahead of my history (89999 > 5000)");
  EXPECT_EQ(d.shared_until, 5000);  // everything past our last byte is the replica's alone
}

TEST(PsyncDecision, FormerReplidAheadOfTheMasterIsAFullResync) {
  // Within the shared history by replid2's measure, but this master has not got that far.
  MasterHistory h = promoted_master();
  h.second_replid_offset = 6001;
  PsyncDecision d = decide(kReplid2, 6000, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the replica is ahead of my history (5999 > 5000)");
  EXPECT_EQ(d.shared_until, 5000);
}

TEST(PsyncDecision, NoBranchPointIsKnownForAnUnknownHistoryOrATrimmedLog) {
  const MasterHistory h = promoted_master();
  EXPECT_EQ(decide("?", -1, h).shared_until, -1);
  EXPECT_EQ(decide(std::string(40, 'e'), 10, h).shared_until, -1);
}

TEST(PsyncDecision, OffsetTrimmedFromTheLogIsAFullResync) {
  const MasterHistory h = promoted_master();
  PsyncDecision d = decide(kReplid, 199, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the log no longer covers offset 199 (first byte 200)");
  d = decide(kReplid, 1, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the log no longer covers offset 1 (first byte 200)");
  // The same for the former replid.
  d = decide(kReplid2, 150, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the log no longer covers offset 150 (first byte 200)");
}

TEST(PsyncDecision, EmptyLogCoversNothingButTheNextByte) {
  MasterHistory h = plain_master();
  h.log_first_offset = 0;  // the log holds nothing (e.g. after a full sync of this node)
  PsyncDecision d = decide(kReplid, 4000, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the log no longer covers offset 4000 (first byte 0)");
  d = decide(kReplid, 5000, h);
  EXPECT_FALSE(d.partial);
  EXPECT_EQ(d.reason, "the log no longer covers offset 5000 (first byte 0)");
}

}  // namespace
