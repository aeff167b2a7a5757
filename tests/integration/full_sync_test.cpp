// tests/integration/full_sync_test.cpp — full resyncs of a large dataset: a replica with an
// older dataset keeps serving it (stale reads) during the transfer, ends with the master's
// exact data while the master keeps taking writes, keeps its old data intact when the
// master dies mid-transfer, and refuses to be wiped by an empty master with no shared
// history.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Loads `keys` keys (MSET in pipelined batches of 100 keys).
void load_keys(RespClient& c, size_t keys, const std::string& prefix) {
  const size_t per_mset = 100, per_batch = 50;
  size_t i = 0;
  while (i < keys) {
    std::string bytes;
    size_t sent = 0;
    for (size_t b = 0; b < per_batch && i < keys; ++b, ++sent) {
      std::vector<std::string> args = {"MSET"};
      for (size_t k = 0; k < per_mset && i < keys; ++k, ++i) {
        args.push_back(prefix + std::to_string(i));
        args.push_back("value-" + std::to_string(i));
      }
      bytes += encode_command(args);
    }
    c.send_raw(bytes);
    for (size_t b = 0; b < sent; ++b) ASSERT_TRUE(c.read_reply().is_status("OK"));
  }
}

std::string digest(RespClient& c) {
  return c.get_string({"DEBUG", "DIGEST"});
}
long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}

TEST(FullSync, MillionKeysWhileTheMasterWritesAndTheReplicaServesStaleData) {
  BasaltServer master;
  master.start();
  auto m = master.client(60s);
  m.set_timeout(60s);
  load_keys(m, 1000000, "key:");
  ASSERT_EQ(m.get_integer({"DBSIZE"}), 1000000);

  BasaltServer replica;
  replica.start();
  auto r = replica.client();
  r.command({"SET", "old-data", "still here"});

  std::atomic<bool> stop{false};
  std::atomic<long> writes{0};
  std::thread writer([&] {
    auto w = master.client();
    while (!stop) {
      w.command({"SET", "during:" + std::to_string(writes % 1000), std::to_string(writes.load())});
      ++writes;
    }
  });
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  // While the snapshot loads, the replica answers reads from its previous dataset.
  bool saw_transfer = wait_until(
      [&] { return info_field(r, "replication", "master_sync_in_progress") == "1"; }, 30s);
  if (saw_transfer) {
    EXPECT_TRUE(r.command({"GET", "old-data"}).is_bulk("still here"));
    EXPECT_EQ(r.get_integer({"DBSIZE"}), 1);
  }
  ASSERT_TRUE(wait_for_master_link(r, 120s));
  stop = true;
  writer.join();
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 60s));
  EXPECT_TRUE(saw_transfer) << "the transfer ended before it could be observed";
  EXPECT_EQ(r.get_integer({"DBSIZE"}), m.get_integer({"DBSIZE"}));
  EXPECT_EQ(r.command({"GET", "old-data"}).type, Reply::Nil);
  EXPECT_TRUE(r.command({"GET", "key:999999"}).is_bulk("value-999999"));
  EXPECT_EQ(digest(m), digest(r));
  EXPECT_GT(writes.load(), 0);
}

TEST(FullSync, MasterDeathMidTransferLeavesTheOldDatasetIntact) {
  BasaltServer master;
  master.start();
  auto m = master.client(60s);
  m.set_timeout(60s);
  load_keys(m, 400000, "big:");

  BasaltServer replica;
  replica.start();
  auto r = replica.client();
  for (int i = 0; i < 50; ++i) r.command({"SET", "mine:" + std::to_string(i), "x"});
  std::string before = digest(r);
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_until(
      [&] { return info_field(r, "replication", "master_sync_in_progress") == "1"; }, 30s));
  master.kill9();
  ASSERT_TRUE(wait_until(
      [&] { return info_field(r, "replication", "master_sync_in_progress") == "0"; }, 30s));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 50);
  EXPECT_EQ(digest(r), before);
  // After a restart of its own, the replica still has its old data, and syncs once the
  // master is back.
  replica.kill9();
  replica.start();
  r = replica.client();
  EXPECT_EQ(digest(r), before);
  master.start();
  m = master.client();
  ASSERT_TRUE(wait_until([&] { return r.get_integer({"DBSIZE"}) == 400000; }, 60s));
  ASSERT_TRUE(wait_until([&] { return offset(r) == offset(m); }, 30s));
  EXPECT_EQ(digest(m), digest(r));
}

TEST(FullSync, EmptyMasterWithoutSharedHistoryDoesNotWipeAReplica) {
  BasaltServer master;
  master.start();
  BasaltServer replica;
  replica.start();
  auto r = replica.client();
  r.command({"SET", "precious", "data"});
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_until(
      [&] { return info_field(r, "replication", "master_sync_refused_empty_master") == "1"; },
      20s));
  EXPECT_TRUE(r.command({"GET", "precious"}).is_bulk("data"));
  EXPECT_EQ(info_field(r, "replication", "master_link_status"), "down");
  // The operator override lets it through.
  ASSERT_TRUE(
      r.command({"CONFIG", "SET", "replica-allow-empty-master-sync", "yes"}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 0);
}

}  // namespace
}  // namespace basalt::test
