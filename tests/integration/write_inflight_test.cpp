// tests/integration/write_inflight_test.cpp — the commit in flight (node/core/write_inflight.cpp,
// `write-overlap yes`): a group's write runs on the pipeline's writer thread while the loop runs
// the next group. Many clients
// pipelining writes over shared and private keys end with exactly the state their commands
// add up to (no update lost or applied twice when a command waits for the write in flight),
// the overlap and the waits both happened (INFO write_groups_in_flight, write_group_waits),
// readers never see half of an MSET while it is in flight (the published snapshot), and a
// replica applying the same load ends with the master's digest and offset.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr int kWriters = 8;
constexpr int kRounds = 40;
constexpr int kPipeline = 64;
constexpr int kSharedKeys = 20;

// What writer `w` sends in round `r`: INCRBYs of shared counters (conflicts between
// groups), SETs of private keys (independent), SADDs and RPUSHes, all order-independent in
// their final state.
std::string writer_round(int w, int r, std::mt19937& rng) {
  std::string bytes;
  for (int i = 0; i < kPipeline; ++i) {
    switch (i % 4) {
      case 0:
        bytes += encode_command({"INCRBY", "shared:" + std::to_string(rng() % kSharedKeys), "1"});
        break;
      case 1:
        bytes +=
            encode_command({"SET", "own:" + std::to_string(w) + ":" + std::to_string(rng() % 5000),
                            std::to_string(r)});
        break;
      case 2:
        bytes +=
            encode_command({"SADD", "set:" + std::to_string(rng() % kSharedKeys),
                            std::to_string(w) + ":" + std::to_string(r) + ":" + std::to_string(i)});
        break;
      default:
        bytes += encode_command({"RPUSH", "list:" + std::to_string(w), std::to_string(r)});
    }
  }
  return bytes;
}

// Runs the writers against `port`; each checks every reply is not an error.
void run_writers(int port) {
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([w, port, &errors] {
      RespClient c(port, 60s);
      c.connect();
      std::mt19937 rng(static_cast<unsigned>(w + 1));
      for (int r = 0; r < kRounds; ++r) {
        c.send_raw(writer_round(w, r, rng));
        for (int i = 0; i < kPipeline; ++i) {
          if (c.read_reply().is_error()) ++errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
}

long long sum_shared(RespClient& c) {
  long long total = 0;
  for (int k = 0; k < kSharedKeys; ++k) {
    Reply r = c.command({"GET", "shared:" + std::to_string(k)});
    if (r.type == Reply::Bulk) total += std::stoll(r.str);
  }
  return total;
}

long long total_members(RespClient& c) {
  long long total = 0;
  for (int k = 0; k < kSharedKeys; ++k)
    total += c.get_integer({"SCARD", "set:" + std::to_string(k)});
  return total;
}

TEST(WriteInFlight, ConcurrentPipelinedWritersAddUpExactly) {
  BasaltServer basalt({"--write-overlap", "yes"});
  basalt.start();
  run_writers(basalt.port());
  RespClient c = basalt.client();
  const long long per_kind = static_cast<long long>(kWriters) * kRounds * kPipeline / 4;
  EXPECT_EQ(sum_shared(c), per_kind);     // every INCRBY counted once
  EXPECT_EQ(total_members(c), per_kind);  // every member distinct
  for (int w = 0; w < kWriters; ++w) {
    auto list = c.get_strings({"LRANGE", "list:" + std::to_string(w), "0", "-1"});
    ASSERT_EQ(list.size(), static_cast<size_t>(kRounds * kPipeline / 4));
    // One writer's pushes keep their order (rounds ascending).
    for (size_t i = 1; i < list.size(); ++i)
      ASSERT_LE(std::stoi(list[i - 1]), std::stoi(list[i])) << "list:" << w << " at " << i;
  }
  // The overlap ran, and commands on keys in flight waited for it.
  EXPECT_GT(info_int(c, "stats", "write_groups_in_flight"), 0);
  EXPECT_GT(info_int(c, "stats", "write_group_waits"), 0);
  // The same after a restart: what was answered was written.
  basalt.restart();
  RespClient again = basalt.client();
  EXPECT_EQ(sum_shared(again), per_kind);
  EXPECT_EQ(total_members(again), per_kind);
}

TEST(WriteInFlight, ReadersNeverSeeHalfAnMsetInFlight) {
  // A small record cache: some keys are read from it (the published state) and others from
  // the store, which may already hold the group in flight.
  BasaltServer basalt({"--record-cache-size", "64kb", "--write-overlap", "yes"});
  basalt.start();
  constexpr int kPairs = 400;
  std::atomic<bool> stop{false};
  std::atomic<long long> torn{0}, reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      RespClient c = basalt.client();
      c.set_timeout(60s);
      std::mt19937 rng(static_cast<unsigned>(w + 7));
      for (int round = 0; round < 60; ++round) {
        std::string bytes;
        for (int i = 0; i < kPipeline; ++i) {
          std::string pair = std::to_string(rng() % kPairs);
          std::string value =
              std::to_string(w) + ":" + std::to_string(round) + ":" + std::to_string(i);
          bytes += encode_command({"MSET", "a:" + pair, value, "b:" + pair, value});
        }
        c.send_raw(bytes);
        for (int i = 0; i < kPipeline; ++i) ASSERT_FALSE(c.read_reply().is_error());
      }
    });
  }
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      RespClient c = basalt.client();
      c.set_timeout(60s);
      std::mt19937 rng(static_cast<unsigned>(r + 100));
      while (!stop.load()) {
        std::string pair = std::to_string(rng() % kPairs);
        Reply values = c.command({"MGET", "a:" + pair, "b:" + pair});
        ++reads;
        if (values.elements.size() != 2 || values.elements[0].type != values.elements[1].type ||
            values.elements[0].str != values.elements[1].str)
          ++torn;
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  RespClient c = basalt.client();
  EXPECT_GT(info_int(c, "stats", "write_groups_in_flight"), 0);
}

TEST(WriteInFlight, AReplicaEndsWithTheMastersDigestAndOffset) {
  MasterAndReplica servers({"--write-overlap", "yes"}, {"--write-overlap", "yes"});
  RespClient master = servers.master.client();
  RespClient replica = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(replica, 20s));
  const long long full_syncs = info_int(master, "stats", "sync_full");
  run_writers(servers.master.port());
  ASSERT_TRUE(wait_for_same_offset(master, replica, 30s));
  EXPECT_EQ(master.get_string({"DEBUG", "DIGEST"}), replica.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(info_int(master, "stats", "sync_full"), full_syncs);
  EXPECT_EQ(info_int(master, "stats", "sync_partial_err"), 0);
  EXPECT_GT(info_int(master, "stats", "write_groups_in_flight"), 0);
}

}  // namespace
}  // namespace basalt::test
