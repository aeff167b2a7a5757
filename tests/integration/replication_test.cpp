// tests/integration/replication_test.cpp — master → replica replication with real basalt
// processes on loopback: full and partial resyncs, restarts and crashes on both sides,
// chained replicas, logical expiry on replicas, stale data, READONLY, WAIT and
// min-replicas. Outcomes are checked with DEBUG DIGEST and the INFO counters.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Sends `n` commands built by `make(i)` in pipelined batches and checks every reply.
void pipeline(RespClient& c, size_t n,
              const std::function<std::vector<std::string>(size_t)>& make) {
  const size_t batch = 500;
  for (size_t start = 0; start < n; start += batch) {
    size_t end = std::min(n, start + batch);
    std::string bytes;
    for (size_t i = start; i < end; ++i) bytes += encode_command(make(i));
    c.send_raw(bytes);
    for (size_t i = start; i < end; ++i) {
      Reply r = c.read_reply();
      ASSERT_FALSE(r.is_error()) << r.to_string();
    }
  }
}

std::string digest(RespClient& c) {
  return c.get_string({"DEBUG", "DIGEST"});
}
long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}

// Waits until the replica has applied everything the master has.
void wait_caught_up(RespClient& master, RespClient& replica, std::chrono::milliseconds t = 30s) {
  ASSERT_TRUE(wait_for_same_offset(master, replica, t))
      << "master offset " << offset(master) << ", replica offset " << offset(replica);
}

void wait_link_up(RespClient& replica) {
  ASSERT_TRUE(wait_for_master_link(replica, 30s));
}

TEST(Replication, MasterAndTwoReplicasConverge) {
  MasterAndReplicas servers(2);
  auto m = servers.master.client();
  auto c1 = servers.replica(0).client();
  auto c2 = servers.replica(1).client();
  wait_link_up(c1);
  wait_link_up(c2);
  // Writes of every type, including the non-deterministic ones that must be logged as
  // their effects (SPOP, ZPOPMIN, HINCRBYFLOAT, INCRBYFLOAT, EXPIRE) and a transaction.
  pipeline(m, 4000, [](size_t i) -> std::vector<std::string> {
    std::string k = "k" + std::to_string(i % 700);
    std::string n = std::to_string(i);
    switch (i % 16) {
      case 0:
        return {"SET", k, "v" + n};
      case 1:
        return {"INCR", "counter" + std::to_string(i % 5)};
      case 2:
        return {"APPEND", k, "x"};
      case 3:
        return {"EXPIRE", k, "1000"};
      case 4:
        return {"SELECT", std::to_string(i % 3)};
      case 5:
        return {"DEL", "k" + std::to_string((i * 7) % 700)};
      case 6:
        return {"HSET", "h" + std::to_string(i % 20), "f" + std::to_string(i % 50), n};
      case 7:
        return {"HINCRBYFLOAT", "hf", "f", "0.1"};
      case 8:
        return {"SADD", "s" + std::to_string(i % 10), "m" + std::to_string(i % 97)};
      case 9:
        return {"SPOP", "s" + std::to_string(i % 10)};
      case 10:
        return {"ZADD", "z" + std::to_string(i % 10), std::to_string(i % 13), "m" + n};
      case 11:
        return {"ZPOPMIN", "z" + std::to_string(i % 10)};
      case 12:
        return {"RPUSH", "l" + std::to_string(i % 10), n};
      case 13:
        return {"LPOP", "l" + std::to_string((i + 3) % 10)};
      case 14:
        return {"INCRBYFLOAT", "float", "1.5"};
      default:
        return {"MSET", k, "a", k + "b", "b"};
    }
  });
  m.command({"MULTI"});
  m.command({"SET", "tx", "1"});
  m.command({"SADD", "tx-set", "a", "b"});
  ASSERT_EQ(m.command({"EXEC"}).elements.size(), 2u);
  EXPECT_EQ(m.get_integer({"WAIT", "2", "5000"}), 2);
  EXPECT_EQ(digest(m), digest(c1));
  EXPECT_EQ(digest(m), digest(c2));
  EXPECT_NE(digest(m), std::string(40, '0'));
  EXPECT_EQ(info_int(m, "replication", "connected_slaves"), 2);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 2);
}

TEST(Replication, ReplicaShutdownResumesWithPartialResync) {
  MasterAndReplica servers;
  BasaltServer& replica = servers.replica;
  auto m = servers.master.client();
  {
    auto r = replica.client();
    wait_link_up(r);
    pipeline(m, 1000, [](size_t i) -> std::vector<std::string> {
      return {"SET", "before" + std::to_string(i), std::string(50, 'x')};
    });
    wait_caught_up(m, r);
  }
  long long full_before = info_int(m, "stats", "sync_full");
  long long partial_before = info_int(m, "stats", "sync_partial_ok");
  replica.shutdown();

  long long offset_before = offset(m);
  pipeline(m, 10000, [](size_t i) -> std::vector<std::string> {
    return {"SET", "missed" + std::to_string(i), std::string(20, 'y')};
  });
  long long missed_bytes = offset(m) - offset_before;
  long long sent_before = info_int(m, "stats", "total_net_output_bytes");

  replica.start();
  auto r = replica.client();
  wait_caught_up(m, r);
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), partial_before + 1);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_before);
  EXPECT_EQ(digest(m), digest(r));
  long long sent = info_int(m, "stats", "total_net_output_bytes") - sent_before;
  // Only what was missed travels (plus the handshake and the INFO replies we asked for).
  EXPECT_GE(sent, missed_bytes);
  EXPECT_LT(sent, missed_bytes + 64 * 1024) << "sent " << sent << " for " << missed_bytes;
}

TEST(Replication, ReplicaKilledRepeatedlyUnderLoadResumesPartially) {
  MasterAndReplica servers;
  BasaltServer& master = servers.master;
  BasaltServer& replica = servers.replica;
  auto m = master.client();
  {
    auto r = replica.client();
    wait_link_up(r);
  }
  long long full_before = info_int(m, "stats", "sync_full");
  std::atomic<bool> stop{false};
  std::atomic<long> writes{0};
  std::thread writer([&] {
    auto w = master.client();
    while (!stop) {
      w.command({"INCR", "load"});
      w.command({"SET", "w" + std::to_string(writes % 500), std::to_string(writes.load())});
      ++writes;
    }
  });
  for (int round = 0; round < 20; ++round) {
    replica.kill9();
    replica.start();
    auto r = replica.client();
    ASSERT_TRUE(wait_for_master_link(r, 20s)) << "round " << round;
  }
  stop = true;
  writer.join();
  auto r = replica.client();
  wait_caught_up(m, r);
  EXPECT_EQ(digest(m), digest(r));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_before) << "a restart caused a full sync:\n"
                                                            << master.log_tail(400);
  EXPECT_GE(info_int(m, "stats", "sync_partial_ok"), 20);
  EXPECT_GT(writes.load(), 0);
}

TEST(Replication, MasterKilledAndRestartedKeepsHistory) {
  MasterAndReplicas servers(2);
  BasaltServer& master = servers.master;
  auto c1 = servers.replica(0).client();
  auto c2 = servers.replica(1).client();
  {
    auto m = master.client();
    wait_link_up(c1);
    wait_link_up(c2);
    pipeline(m, 2000, [](size_t i) -> std::vector<std::string> {
      return {"SET", "key" + std::to_string(i), std::to_string(i)};
    });
    EXPECT_EQ(m.get_integer({"WAIT", "2", "5000"}), 2);
  }
  master.kill9();
  master.start();
  auto m = master.client();
  EXPECT_EQ(m.get_integer({"DBSIZE"}), 2000);  // every acknowledged write survived
  pipeline(m, 500, [](size_t i) -> std::vector<std::string> {
    return {"SET", "after" + std::to_string(i), "x"};
  });
  wait_caught_up(m, c1);
  wait_caught_up(m, c2);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 0);
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), 2);
  EXPECT_EQ(digest(m), digest(c1));
  EXPECT_EQ(digest(m), digest(c2));
}

TEST(Replication, ChainedReplicaGetsTheSameStreamAndOffsets) {
  MasterAndReplica servers;
  BasaltServer leaf(replicaof_args(servers.replica));
  leaf.start();
  auto m = servers.master.client();
  auto mid = servers.replica.client();
  auto l = leaf.client();
  wait_link_up(mid);
  wait_link_up(l);
  pipeline(m, 2000, [](size_t i) -> std::vector<std::string> {
    return {"SET", "c" + std::to_string(i % 300), std::to_string(i)};
  });
  wait_caught_up(m, mid);
  wait_caught_up(m, l);
  EXPECT_EQ(digest(m), digest(l));
  EXPECT_EQ(info_field(m, "replication", "master_replid"),
            info_field(l, "replication", "master_replid"));
}

TEST(Replication, TrimmedLogMeansFullResync) {
  MasterAndReplica servers({"--repl-backlog-size", "1mb"});
  BasaltServer& replica = servers.replica;
  auto m = servers.master.client();
  {
    auto r = replica.client();
    wait_link_up(r);
    m.command({"SET", "first", "1"});
    wait_caught_up(m, r);
  }
  replica.shutdown();
  pipeline(m, 6000, [](size_t i) -> std::vector<std::string> {
    return {"SET", "big" + std::to_string(i), std::string(1000, 'z')};
  });
  // The cron trims the log to repl-backlog-size: wait until it no longer covers offset 1.
  ASSERT_TRUE(wait_until(
      [&] { return info_int(m, "replication", "repl_backlog_first_byte_offset") > 1000000; }, 10s));
  long long full_before = info_int(m, "stats", "sync_full");
  replica.start();
  auto r = replica.client();
  wait_caught_up(m, r);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_before + 1);
  EXPECT_GE(info_int(m, "stats", "sync_partial_err"), 1);
  EXPECT_EQ(digest(m), digest(r));
}

TEST(Replication, ReplicaAheadOfMasterHistoryIsFullySynced) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  pipeline(m, 100, [](size_t i) -> std::vector<std::string> {
    return {"SET", "old" + std::to_string(i), "1"};
  });
  // Keep a copy of the master's directory as it is now (offset X).
  master.shutdown();
  std::filesystem::path copy = master.temp_path() / "copy";
  std::filesystem::copy(master.data_dir(), copy, std::filesystem::copy_options::recursive);
  master.start();
  m = master.client();
  // (The replica starts from the master's second life: MasterAndReplica does not fit.)
  BasaltServer replica(replicaof_args(master));
  replica.start();
  auto r = replica.client();
  wait_link_up(r);
  pipeline(m, 100, [](size_t i) -> std::vector<std::string> {
    return {"SET", "extra" + std::to_string(i), "1"};
  });
  wait_caught_up(m, r);
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 200);
  // The master goes back in time: its history ends before the replica's offset.
  master.shutdown();
  std::filesystem::remove_all(master.data_dir());
  std::filesystem::copy(copy, master.data_dir(), std::filesystem::copy_options::recursive);
  master.start();
  m = master.client();
  ASSERT_TRUE(wait_until([&] { return r.get_integer({"DBSIZE"}) == 100; }, 30s));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 1);
  EXPECT_EQ(r.command({"GET", "extra1"}).type, Reply::Nil);
  EXPECT_EQ(digest(m), digest(r));
}

TEST(Replication, ExpiredKeysReadAsMissingOnReplicaBeforeTheMasterDeletes) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto r = servers.replica.client();
  wait_link_up(r);
  ASSERT_TRUE(m.command({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}).is_status("OK"));
  m.command({"SET", "short", "v", "PX", "300"});
  m.command({"SET", "long", "v"});
  wait_caught_up(m, r);
  EXPECT_TRUE(r.command({"GET", "short"}).is_bulk("v"));
  ASSERT_TRUE(wait_until([&] { return r.command({"GET", "short"}).type == Reply::Nil; }, 5s));
  EXPECT_EQ(r.get_integer({"EXISTS", "short"}), 0);
  EXPECT_EQ(r.get_integer({"TTL", "short"}), -2);
  EXPECT_EQ(r.get_strings({"KEYS", "*"}), std::vector<std::string>{"long"});
  // The replica did not delete it: its key count still includes it until the DEL arrives.
  EXPECT_EQ(r.get_integer({"DBSIZE"}), 2);
  ASSERT_TRUE(m.command({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}).is_status("OK"));
  ASSERT_TRUE(wait_until([&] { return r.get_integer({"DBSIZE"}) == 1; }, 10s));
  wait_caught_up(m, r);
  EXPECT_EQ(digest(m), digest(r));
}

TEST(Replication, StaleDataReadOnlyWaitAndMinReplicas) {
  MasterAndReplica servers({}, {"--replica-serve-stale-data", "no"});
  BasaltServer& master = servers.master;
  auto m = master.client();
  auto r = servers.replica.client();
  wait_link_up(r);
  m.command({"SET", "a", "1"});
  EXPECT_EQ(m.get_integer({"WAIT", "1", "5000"}), 1);
  EXPECT_TRUE(r.command({"GET", "a"}).is_bulk("1"));
  EXPECT_EQ(r.command_raw({"SET", "a", "2"}),
            "-READONLY You can't write against a read only replica.\r\n");
  EXPECT_EQ(r.command_raw({"WAIT", "1", "10"}).substr(0, 49),
            "-ERR WAIT cannot be used with replica instances. ");

  // min-replicas-to-write
  ASSERT_TRUE(m.command({"CONFIG", "SET", "min-replicas-to-write", "2"}).is_status("OK"));
  EXPECT_EQ(m.command_raw({"SET", "b", "1"}), "-NOREPLICAS Not enough good replicas to write.\r\n");
  ASSERT_TRUE(m.command({"CONFIG", "SET", "min-replicas-to-write", "1"}).is_status("OK"));
  EXPECT_TRUE(m.command({"SET", "b", "1"}).is_status("OK"));

  // The master goes away: the replica refuses stale reads but answers PING / INFO / ROLE.
  master.kill9();
  ASSERT_TRUE(wait_until(
      [&] { return info_field(r, "replication", "master_link_status") == "down"; }, 10s));
  EXPECT_EQ(r.command_raw({"GET", "a"}),
            "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to "
            "'no'.\r\n");
  EXPECT_TRUE(r.command({"PING"}).is_status("PONG"));
  EXPECT_FALSE(r.command({"INFO", "replication"}).is_error());
  EXPECT_FALSE(r.command({"ROLE"}).is_error());
  EXPECT_FALSE(r.command({"LATENCY", "LATEST"}).is_error());
  EXPECT_FALSE(r.command({"COMMAND", "COUNT"}).is_error());
  EXPECT_FALSE(r.command({"PUBLISH", "ch", "m"}).is_error());
  ASSERT_TRUE(r.command({"CONFIG", "SET", "replica-serve-stale-data", "yes"}).is_status("OK"));
  EXPECT_TRUE(r.command({"GET", "a"}).is_bulk("1"));
}

TEST(Replication, ReplicaAppliesTheMastersTransactionsWhole) {
  MasterAndReplica servers;
  BasaltServer& replica = servers.replica;
  auto m = servers.master.client();
  auto r = replica.client();
  wait_link_up(r);
  // A transaction whose stream spans many reads on the replica (~1 MB).
  const int keys = 20000;
  std::string bytes = encode_command({"MULTI"});
  for (int i = 0; i < keys; ++i)
    bytes += encode_command({"SET", "tx:" + std::to_string(i), std::string(32, 'v')});
  bytes += encode_command({"EXEC"});
  std::atomic<bool> done{false};
  std::vector<long long> seen;
  std::thread reader([&] {
    auto rr = replica.client();
    while (!done) seen.push_back(rr.get_integer({"DBSIZE"}));
  });
  m.send_raw(bytes);
  for (int i = 0; i < keys + 2; ++i) ASSERT_FALSE(m.read_reply().is_error());
  bool complete = wait_until([&] { return r.get_integer({"DBSIZE"}) == keys; }, 30s);
  done = true;
  reader.join();
  ASSERT_TRUE(complete);
  for (long long n : seen) EXPECT_TRUE(n == 0 || n == keys) << "a reader saw " << n << " keys";
  wait_caught_up(m, r);
  EXPECT_EQ(digest(m), digest(r));
}

TEST(Replication, PromotionKeepsHistoryForTheOtherReplicas) {
  MasterAndReplicas servers(2);
  BasaltServer& master = servers.master;
  BasaltServer& r1 = servers.replica(0);
  auto m = master.client();
  auto c1 = r1.client();
  auto c2 = servers.replica(1).client();
  wait_link_up(c1);
  wait_link_up(c2);
  pipeline(m, 1000, [](size_t i) -> std::vector<std::string> {
    return {"SET", "p" + std::to_string(i), "v"};
  });
  EXPECT_EQ(m.get_integer({"WAIT", "2", "5000"}), 2);
  std::string old_id = info_field(m, "replication", "master_replid");
  master.kill9();
  // Failover: r1 becomes master, r2 follows it; r2 must resume partially.
  ASSERT_TRUE(c1.command({"REPLICAOF", "NO", "ONE"}).is_status("OK"));
  EXPECT_EQ(info_field(c1, "replication", "master_replid2"), old_id);
  c1.command({"SET", "after-failover", "1"});
  ASSERT_TRUE(c2.command({"REPLICAOF", "127.0.0.1", std::to_string(r1.port())}).is_status("OK"));
  wait_link_up(c2);
  wait_caught_up(c1, c2);
  EXPECT_EQ(info_int(c1, "stats", "sync_partial_ok"), 1);
  EXPECT_EQ(info_int(c1, "stats", "sync_full"), 0);
  EXPECT_EQ(digest(c1), digest(c2));
  EXPECT_TRUE(c2.command({"GET", "after-failover"}).is_bulk("1"));
}

}  // namespace
}  // namespace basalt::test
