// tests/integration/master_refusal_test.cpp — a replica decides in the handshake, before any
// transfer, whether it may follow a master (node/replication/sync_guard.h), with real basalt
// processes: fewer databases than the master is refused (never a silent link), an empty or
// smaller master with no shared history is refused (data kept, reason in INFO, the log and the
// admin API, retries backing off) until the operator override, and a full sync within a shared
// history (a promoted master whose log was trimmed) is never blocked.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/http_get.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

std::string refused_reason(RespClient& r) {
  return info_field(r, "replication", "master_sync_refused_reason");
}

TEST(MasterRefusal, ReplicaWithFewerDatabasesThanTheMasterIsRefused) {
  BasaltServer master({"--databases", "32"});
  master.start();
  auto m = master.client();
  ASSERT_TRUE(m.command({"SELECT", "20"}).is_status("OK"));
  ASSERT_TRUE(m.command({"SET", "in-db-20", "v"}).is_status("OK"));

  BasaltServer small({"--databases", "16"});
  small.start();
  auto s = small.client();
  ASSERT_TRUE(s.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_until(
      [&] { return refused_reason(s).find("databases mismatch") != std::string::npos; }, 20s))
      << "link status: " << info_field(s, "replication", "master_link_status");
  EXPECT_EQ(info_field(s, "replication", "master_link_status"), "down");
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 0);
  EXPECT_NE(small.log().find("databases mismatch"), std::string::npos);
  EXPECT_NE(master.log().find("databases mismatch"), std::string::npos);

  // With as many databases (or more) the same master is followed, db 20 included.
  BasaltServer big({"--databases", "32"});
  big.start();
  auto b = big.client();
  ASSERT_TRUE(b.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(b, 30s));
  ASSERT_TRUE(b.command({"SELECT", "20"}).is_status("OK"));
  ASSERT_TRUE(wait_until([&] { return b.command({"GET", "in-db-20"}).is_bulk("v"); }, 20s));
  EXPECT_EQ(refused_reason(b), "");
}

TEST(MasterRefusal, EmptyMasterIsRefusedBeforeAnyTransferWithBackoffUntilTheOverride) {
  BasaltServer master;
  master.start();
  auto m = master.client();  // the only client connection during the window below
  int http_port = free_port();
  BasaltServer replica({"--http-port", std::to_string(http_port)});
  replica.start();
  auto r = replica.client();
  for (int i = 0; i < 3; ++i) r.command({"SET", "precious:" + std::to_string(i), "data"});

  long long connections_before = info_int(m, "stats", "total_connections_received");
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  auto refused_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_until(
      [&] { return info_field(r, "replication", "master_sync_refused_empty_master") == "1"; },
      20s));
  EXPECT_NE(refused_reason(r).find("no shared history"), std::string::npos) << refused_reason(r);
  EXPECT_NE(replica.log().find("no shared history"), std::string::npos);
  std::string status = http_get(http_port, "/status");
  EXPECT_NE(status.find("\"sync_refused_reason\":\"refused a full sync"), std::string::npos)
      << status;

  // Retries over a window: a few, each refused before PSYNC (no full sync, no bytes sent),
  // spaced by a growing delay (retrying every <= 2 s would make 5 or more).
  std::this_thread::sleep_until(refused_at + 8s);  // a measurement window, not a condition
  long long attempts = info_int(m, "stats", "total_connections_received") - connections_before;
  EXPECT_GE(attempts, 2) << "the refused master is never retried";
  EXPECT_LE(attempts, 4) << "refused attempts do not back off";
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 0);
  EXPECT_EQ(info_int(m, "stats", "total_net_repl_output_bytes"), 0);
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 3);
  EXPECT_TRUE(r.command({"GET", "precious:0"}).is_bulk("data"));
  EXPECT_EQ(info_field(r, "replication", "master_link_status"), "down");

  // The operator override applies at once (the next scheduled retry is seconds away).
  ASSERT_TRUE(
      r.command({"CONFIG", "SET", "replica-allow-empty-master-sync", "yes"}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 5s));
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 0);
  EXPECT_EQ(refused_reason(r), "");
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1);
}

TEST(MasterRefusal, SmallerMasterWithoutSharedHistoryIsRefused) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  m.command({"SET", "only", "one"});
  BasaltServer replica;
  replica.start();
  auto r = replica.client();
  for (int i = 0; i < 5; ++i) r.command({"SET", "mine:" + std::to_string(i), "x"});
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(
      wait_until([&] { return refused_reason(r).find("holds 1 keys") != std::string::npos; }, 20s))
      << refused_reason(r);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 0);
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 5);
}

// A promoted master keeps our history as its replid2: its full sync (its log no longer
// covers our offset) is a shared history even though it now holds nothing.
TEST(MasterRefusal, FullSyncFromAnEmptyPromotedMasterWithSharedHistoryIsNotBlocked) {
  BasaltServer master({"--repl-backlog-size", "1mb"});
  master.start();
  auto m = master.client();
  BasaltServer replica;
  replica.start();
  {
    auto r = replica.client();
    ASSERT_TRUE(
        r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
    ASSERT_TRUE(wait_for_master_link(r, 30s));
    for (int i = 0; i < 100; ++i) m.command({"SET", "k" + std::to_string(i), "v"});
    ASSERT_TRUE(wait_until(
        [&] {
          return info_int(r, "replication", "master_repl_offset") ==
                 info_int(m, "replication", "master_repl_offset");
        },
        30s));
  }
  replica.shutdown();
  const std::string old_replid = info_field(m, "replication", "master_replid");
  // Demote and promote the master: new replid, the old one kept as replid2.
  ASSERT_TRUE(m.command({"REPLICAOF", "127.0.0.1", std::to_string(free_port())}).is_status("OK"));
  ASSERT_TRUE(m.command({"REPLICAOF", "NO", "ONE"}).is_status("OK"));
  ASSERT_EQ(info_field(m, "replication", "master_replid2"), old_replid);
  // Empty it, and write enough that its log no longer covers the replica's offset.
  ASSERT_TRUE(m.command({"FLUSHALL"}).is_status("OK"));
  const std::string value(1000, 'z');
  for (int batch = 0; batch < 12; ++batch) {
    std::string bytes;
    for (int i = 0; i < 500; ++i) bytes += encode_command({"SET", "scratch", value});
    m.send_raw(bytes);
    for (int i = 0; i < 500; ++i) ASSERT_TRUE(m.read_reply().is_status("OK"));
  }
  ASSERT_TRUE(m.command({"DEL", "scratch"}).is_integer(1));
  ASSERT_TRUE(wait_until(
      [&] { return info_int(m, "replication", "repl_backlog_first_byte_offset") > 1000000; }, 10s));
  ASSERT_EQ(m.get_integer({"DBSIZE"}), 0);
  long long full_before = info_int(m, "stats", "sync_full");

  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(wait_until(
      [&] {
        return info_int(r, "replication", "master_repl_offset") ==
               info_int(m, "replication", "master_repl_offset");
      },
      30s))
      << "refused: " << refused_reason(r);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_before + 1);
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 0);
  EXPECT_EQ(info_field(r, "replication", "master_sync_refused_empty_master"), "0");
}

}  // namespace
}  // namespace basalt::test
