// tests/integration/write_inflight_test.cpp — the commit in flight (node/core/write_inflight.cpp,
// `write-overlap yes`): a group's write runs on the pipeline's writer thread while the loop runs
// the next group. Many clients
// pipelining writes over shared and private keys end with exactly the state their commands
// add up to (no update lost or applied twice when a command waits for the write in flight),
// the overlap happened and no command on a key in flight had to wait (INFO
// write_groups_in_flight, write_group_waits), every command on a key the group in flight
// wrote sees that group's effects (replies that count, exactly 1..N per key),
// readers never see half of an MSET while it is in flight or synced on the blocking pool (the
// published snapshot), WATCH never lets a transaction overwrite a write it did not see (it is
// answered once the writes before it are published), and a
// replica applying the same load ends with the master's digest and offset.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
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
  // The overlap ran, and commands on keys in flight did not wait for it (their groups read
  // the one in flight through a chained view).
  EXPECT_GT(info_int(c, "stats", "write_groups_in_flight"), 0);
  EXPECT_EQ(info_int(c, "stats", "write_group_waits"), 0);
  // The same after a restart: what was answered was written.
  basalt.restart();
  RespClient again = basalt.client();
  EXPECT_EQ(sum_shared(again), per_kind);
  EXPECT_EQ(total_members(again), per_kind);
}

// One key per type, every client's pipeline on the same keys: each group reads what the
// group in flight just wrote. Each command's reply counts the commands on its key so far, so
// the replies of all clients together are exactly 1..N per key: a read of the state before
// the group in flight would answer some number twice.
TEST(WriteInFlight, EveryCommandOnAKeyInFlightSeesTheOneBefore) {
  BasaltServer basalt({"--write-overlap", "yes"});
  basalt.start();
  constexpr int kClients = 6, kCommandRounds = 30;
  const std::vector<std::vector<std::string>> commands = {
      {"INCR", "counter"},
      {"HINCRBY", "hash", "field", "1"},
      {"ZINCRBY", "zset", "1", "member"},
      {"RPUSH", "list", "x"},
      {"SADD", "set", ""},  // (a new member each time: the reply is 1, SCARD counts them)
      {"HSET", "fields", "", "v"},
      {"LPUSH", "list2", "y"},
      {"APPEND", "string", "x"},
  };
  std::vector<std::vector<std::vector<long long>>> seen(kClients);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int w = 0; w < kClients; ++w) {
    threads.emplace_back([&, w] {
      RespClient c(basalt.port(), 60s);
      c.connect();
      seen[w].resize(commands.size());
      for (int r = 0; r < kCommandRounds; ++r) {
        std::string bytes;
        for (int i = 0; i < kPipeline; ++i) {
          auto argv = commands[static_cast<size_t>(i) % commands.size()];
          const std::string unique =
              std::to_string(w) + ":" + std::to_string(r) + ":" + std::to_string(i);
          if (argv[0] == "SADD") argv[2] = unique;
          if (argv[0] == "HSET") argv[2] = unique;
          bytes += encode_command(argv);
        }
        c.send_raw(bytes);
        for (int i = 0; i < kPipeline; ++i) {
          Reply reply = c.read_reply();
          if (reply.is_error()) {
            ++errors;
            continue;
          }
          const size_t kind = static_cast<size_t>(i) % commands.size();
          if (reply.type == Reply::Integer)
            seen[w][kind].push_back(reply.integer);
          else if (reply.type == Reply::Bulk && commands[kind][0] == "ZINCRBY")
            seen[w][kind].push_back(std::stoll(reply.str));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  const long long per_kind = static_cast<long long>(kClients) * kCommandRounds * kPipeline /
                             static_cast<long long>(commands.size());
  for (size_t kind = 0; kind < commands.size(); ++kind) {
    const std::string& name = commands[kind][0];
    std::vector<long long> all;
    for (const auto& client : seen) all.insert(all.end(), client[kind].begin(), client[kind].end());
    std::sort(all.begin(), all.end());
    ASSERT_EQ(static_cast<long long>(all.size()), per_kind) << name;
    for (long long n = 0; n < per_kind; ++n) {
      const long long expected = (name == "SADD" || name == "HSET") ? 1 : n + 1;
      ASSERT_EQ(all[static_cast<size_t>(n)], expected) << name << " reply " << n;
    }
  }
  RespClient c = basalt.client();
  EXPECT_EQ(c.get_integer({"SCARD", "set"}), per_kind);
  EXPECT_EQ(c.get_integer({"HLEN", "fields"}), per_kind);
  EXPECT_EQ(c.get_integer({"LLEN", "list"}), per_kind);
  EXPECT_EQ(c.get_integer({"STRLEN", "string"}), per_kind);
  EXPECT_EQ(c.get_integer({"DBSIZE"}), static_cast<long long>(commands.size()));
  EXPECT_GT(info_int(c, "stats", "write_groups_in_flight"), 0);
  EXPECT_EQ(info_int(c, "stats", "write_group_waits"), 0);
  // What was answered was written, in the same state.
  const std::string digest = c.get_string({"DEBUG", "DIGEST"});
  basalt.restart();
  RespClient again = basalt.client();
  EXPECT_EQ(again.get_string({"DEBUG", "DIGEST"}), digest);
  EXPECT_EQ(again.get_string({"GET", "counter"}), std::to_string(per_kind));
}

// How a group's batch is written while the loop serves readers: in flight on the pipeline's
// writer thread while the loop runs the next group (write-overlap), or on the blocking pool
// with an fsync (wal-sync always: every group; everysec: one group a second).
struct OffLoopWrite {
  std::string name;
  std::vector<std::string> args;
  const char* counter;  // the INFO stats field that shows those writes happened
  friend void PrintTo(const OffLoopWrite& write, std::ostream* os) { *os << write.name; }
};

class ReadersDuringAWrite : public ::testing::TestWithParam<OffLoopWrite> {};

// Writers pipeline MSETs of pairs (a:N, b:N) to `writes` while readers MGET random pairs
// from `reads` (the same node, or a replica applying the stream) until the writers are done
// and `reads` has caught up (`caught_up`); every pair must read as one value. Returns the
// reads, with the torn ones and the first of them.
struct PairReads {
  long long reads = 0, torn = 0;
  std::string first_torn;
};

template <class CaughtUp>
PairReads read_pairs_while_writing(BasaltServer& writes, BasaltServer& reads,
                                   CaughtUp&& caught_up) {
  constexpr int kPairs = 400;
  std::atomic<bool> stop{false};
  std::atomic<long long> torn{0}, count{0};
  std::mutex first_torn_mutex;
  std::string first_torn;
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      RespClient c = writes.client();
      c.set_timeout(60s);
      std::mt19937 rng(static_cast<unsigned>(w + 7));
      for (int round = 0; round < 150; ++round) {
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
      RespClient c = reads.client();
      c.set_timeout(60s);
      std::mt19937 rng(static_cast<unsigned>(r + 100));
      while (!stop.load()) {
        std::string pair = std::to_string(rng() % kPairs);
        Reply values = c.command({"MGET", "a:" + pair, "b:" + pair});
        ++count;
        if (values.elements.size() != 2 || values.elements[0].type != values.elements[1].type ||
            values.elements[0].str != values.elements[1].str) {
          if (torn++ == 0) {
            std::lock_guard<std::mutex> lock(first_torn_mutex);
            first_torn = "a:" + pair + " and b:" + pair + " read as " + values.to_string();
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  caught_up();
  stop = true;
  for (auto& t : readers) t.join();
  return PairReads{count.load(), torn.load(), first_torn};
}

// The parameter's arguments with a small record cache: some keys are read from it (the
// published state) and others from the store, which may already hold the group being written.
std::vector<std::string> with_small_record_cache(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--record-cache-size", "64kb"};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

TEST_P(ReadersDuringAWrite, NeverSeeHalfAnMset) {
  BasaltServer basalt(with_small_record_cache(GetParam().args));
  basalt.start();
  PairReads result = read_pairs_while_writing(basalt, basalt, [] {});
  EXPECT_GT(result.reads, 0);
  EXPECT_EQ(result.torn, 0) << "of " << result.reads << " reads; the first: " << result.first_torn;
  RespClient c = basalt.client();
  EXPECT_GT(info_int(c, "stats", GetParam().counter), 0);
}

TEST_P(ReadersDuringAWrite, OnAReplicaNeverSeeHalfAnMset) {
  // The same on a replica: it applies the master's stream in groups written the same way.
  MasterAndReplica servers({}, with_small_record_cache(GetParam().args));
  RespClient master = servers.master.client();
  RespClient replica = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(replica, 20s));
  bool same_offset = false;
  PairReads result = read_pairs_while_writing(servers.master, servers.replica, [&] {
    same_offset = wait_for_same_offset(master, replica, 30s);
  });
  EXPECT_TRUE(same_offset);
  EXPECT_GT(result.reads, 0);
  EXPECT_EQ(result.torn, 0) << "of " << result.reads << " reads; the first: " << result.first_torn;
  EXPECT_EQ(master.get_string({"DEBUG", "DIGEST"}), replica.get_string({"DEBUG", "DIGEST"}));
  EXPECT_GT(info_int(replica, "stats", GetParam().counter), 0);
}

TEST_P(ReadersDuringAWrite, NeverLoseAnUpdateUnderWatch) {
  // Writers SET their own keys (groups big enough to be handed over); one of them INCRs a
  // counter in every third round, while watchers add 1000 to it with WATCH, GET, MULTI, SET,
  // EXEC (they commit in the rounds between). A WATCH that registered after an INCR had run
  // but before it was published would let its GET read the state before that INCR and its
  // EXEC overwrite it: the counter would end short (the binary before WATCH ran in a write
  // group failed 11 runs of 12).
  BasaltServer basalt(GetParam().args);
  basalt.start();
  constexpr int kIncrWriters = 4;
  constexpr int kIncrRounds = 100;
  std::atomic<bool> stop{false};
  std::atomic<long long> increments{0}, commits{0}, commits_under_load{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kIncrWriters; ++w) {
    writers.emplace_back([&, w] {
      RespClient c = basalt.client();
      c.set_timeout(60s);
      std::mt19937 rng(static_cast<unsigned>(w + 31));
      for (int round = 0; round < kIncrRounds; ++round) {
        const bool increments_now = w == 0 && round % 3 == 0;
        std::string bytes;
        for (int i = 0; i < kPipeline; ++i) {
          if (increments_now && i % 4 == 0)
            bytes += encode_command({"INCR", "counter"});
          else
            bytes += encode_command(
                {"SET", "own:" + std::to_string(w) + ":" + std::to_string(rng() % 5000), "x"});
        }
        c.send_raw(bytes);
        for (int i = 0; i < kPipeline; ++i) ASSERT_FALSE(c.read_reply().is_error());
        if (increments_now) increments += kPipeline / 4;
      }
    });
  }
  std::vector<std::thread> watchers;
  for (int r = 0; r < 2; ++r) {
    watchers.emplace_back([&] {
      RespClient c = basalt.client();
      c.set_timeout(60s);
      while (!stop.load()) {
        ASSERT_EQ(c.command({"WATCH", "counter"}).str, "OK");
        Reply value = c.command({"GET", "counter"});
        long long now = value.is_nil() ? 0 : std::stoll(value.str);
        ASSERT_EQ(c.command({"MULTI"}).str, "OK");
        ASSERT_EQ(c.command({"SET", "counter", std::to_string(now + 1000)}).str, "QUEUED");
        Reply exec = c.command({"EXEC"});
        if (exec.type == Reply::Array) {
          ++commits;
          if (!stop.load()) ++commits_under_load;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  for (auto& t : watchers) t.join();
  RespClient c = basalt.client();
  EXPECT_GT(commits_under_load.load(), 0);
  EXPECT_EQ(c.get_string({"GET", "counter"}),
            std::to_string(increments.load() + 1000 * commits.load()))
      << commits.load() << " transactions committed";
  EXPECT_GT(info_int(c, "stats", GetParam().counter), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Writes, ReadersDuringAWrite,
    ::testing::Values(
        OffLoopWrite{"InFlight", {"--write-overlap", "yes"}, "write_groups_in_flight"},
        OffLoopWrite{"SyncedOnThePool", {"--wal-sync", "always"}, "write_groups"}),
    [](const auto& info) { return info.param.name; });

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
