// tests/unit/log_retention_test.cpp — how much of the replication log the master keeps: the
// backlog, more for a feed that still needs older bytes, never more than repl-log-max-size.
#include "node/replication/log_retention.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using basalt::replication::log_keep_from;

constexpr uint64_t kNone = UINT64_MAX;

TEST(LogRetention, KeepsTheBacklogWhenNoFeedNeedsMore) {
  EXPECT_EQ(log_keep_from({1000, 100, 400, kNone}), 901u);
  EXPECT_EQ(log_keep_from({50, 100, 400, kNone}), 1u);  // less written than the backlog
}

TEST(LogRetention, KeepsMoreForAFeedWithinTheCeiling) {
  EXPECT_EQ(log_keep_from({1000, 100, 400, 700}), 700u);
  EXPECT_EQ(log_keep_from({1000, 100, 400, 950}), 901u);  // the backlog is kept anyway
}

TEST(LogRetention, NeverKeepsMoreThanTheCeiling) {
  EXPECT_EQ(log_keep_from({1000, 100, 400, 10}), 601u);
  // A ceiling below the backlog wins too.
  EXPECT_EQ(log_keep_from({1000, 500, 200, kNone}), 801u);
}

}  // namespace
