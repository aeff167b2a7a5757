// tests/integration/failover_test.cpp — FAILOVER with real basalt processes on loopback: the
// argument errors compared with redis-server, a failover under a running write load (every
// acknowledged write is on the new master, the roles swap, the old master resyncs partially),
// FAILOVER TO a lagging replica (it waits until the replica caught up), a TIMEOUT without FORCE
// on a stopped target and FAILOVER ABORT (both resume the writes),
// FORCE past the timeout, a handover the target never answers, refuses (ACL) or an ABORT
// during it (each rolls back), and a second replica that follows through the old master.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

std::string error_of(RespClient& c, const std::vector<std::string>& args) {
  Reply r = c.command(args);
  return r.is_error() ? r.str : "(not an error) " + r.to_string();
}

std::string role_of(RespClient& c) {
  return c.command({"ROLE"}).to_string();
}

bool is_master(RespClient& c) {
  return info_field(c, "replication", "role") == "master";
}

// The start of the tests whose target cannot catch up: the replica is linked and in step, then
// stopped (SIGSTOP), and the master takes one more write it will never acknowledge.
void stop_replica_behind(MasterAndReplica& servers, RespClient& m, RespClient& rc) {
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  ASSERT_TRUE(servers.replica.process().signal(SIGSTOP));
  ASSERT_FALSE(m.command({"SET", "before", "1"}).is_error());
}

// Sends a write from a new client while FAILOVER pauses writes and waits until the pause
// holds it (INFO blocked_clients); its reply is read by the caller.
RespClient send_held_write(MasterAndReplica& servers, RespClient& m) {
  RespClient w = servers.master.client();
  w.set_timeout(20s);
  w.send_command({"SET", "held", "1"});
  EXPECT_TRUE(wait_until([&] { return info_int(m, "clients", "blocked_clients") == 1; }))
      << "the write was never held by the pause";
  return w;
}

TEST(Failover, ErrorsMatchRedisWithoutReplicas) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  RedisOracle redis;
  redis.start();
  BasaltServer basalt;
  basalt.start();
  auto r = redis.client();
  auto b = basalt.client();
  const std::vector<std::vector<std::string>> cases = {
      {"FAILOVER"},
      {"FAILOVER", "ABORT"},
      {"FAILOVER", "abort", "x"},
      {"FAILOVER", "TIMEOUT", "0"},
      {"FAILOVER", "TIMEOUT", "-5"},
      {"FAILOVER", "TIMEOUT", "abc"},
      {"FAILOVER", "TO", "h"},
      {"FAILOVER", "TO", "h", "abc"},
      {"FAILOVER", "FORCE"},
      {"FAILOVER", "FORCE", "FORCE"},
      {"FAILOVER", "TIMEOUT", "10", "TIMEOUT", "10"},
      {"FAILOVER", "TO", "127.0.0.1", "1", "FORCE"},
      {"FAILOVER", "bogus"},
      {"FAILOVER", "TIMEOUT", "100", "FORCE"},
      {"FAILOVER", "TO", "127.0.0.1", "6379"},
      // The handover request a demoted master sends its target, with a history not ours.
      {"PSYNC", "0123456789abcdef0123456789abcdef01234567", "1", "FAILOVER"},
  };
  for (const auto& args : cases) {
    EXPECT_EQ(error_of(b, args), error_of(r, args)) << encode_command(args);
  }
  EXPECT_EQ(info_field(b, "replication", "master_failover_state"), "no-failover");
  // On a replica.
  ASSERT_FALSE(r.command({"REPLICAOF", "127.0.0.1", "1"}).is_error());
  ASSERT_FALSE(b.command({"REPLICAOF", "127.0.0.1", "1"}).is_error());
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"FAILOVER"},
           {"FAILOVER", "ABORT"},
           {"FAILOVER", "bogus"},
           {"PSYNC", "0123456789abcdef0123456789abcdef01234567", "1", "FAILOVER"}}) {
    EXPECT_EQ(error_of(b, args), error_of(r, args)) << encode_command(args);
  }
}

TEST(Failover, ErrorsWithAReplica) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(wait_until(
      [&] { return info_field(m, "replication", "slave0").find("online") != std::string::npos; }));
  std::string port = std::to_string(servers.replica.port());
  EXPECT_EQ(error_of(m, {"FAILOVER", "TO", "127.0.0.1", "1"}),
            "ERR FAILOVER target HOST and PORT is not a replica.");
  EXPECT_EQ(error_of(m, {"FAILOVER", "FORCE"}),
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
  EXPECT_EQ(error_of(m, {"FAILOVER", "TO", "127.0.0.1", port, "FORCE"}),
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
  EXPECT_EQ(error_of(m, {"FAILOVER", "ABORT"}), "ERR No failover in progress.");
  EXPECT_EQ(error_of(rc, {"FAILOVER"}), "ERR FAILOVER is not valid when server is a replica.");
}

TEST(Failover, UnderWriteLoadSwapsRolesAndKeepsEveryAckedWrite) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  long long full_before = info_int(rc, "stats", "sync_full");

  std::atomic<bool> stop{false};
  std::atomic<long long> acked{0};
  std::string writer_error;
  RespClient w = servers.master.client();
  w.set_timeout(20s);
  std::thread writer([&] {
    for (long long i = 0; !stop; ++i) {
      Reply r = w.command({"SET", "k" + std::to_string(i), std::to_string(i)});
      if (r.is_error()) {
        writer_error = r.str;
        return;
      }
      acked = i + 1;
    }
  });
  ASSERT_TRUE(wait_until([&] { return acked > 200; }));
  Reply started =
      m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica.port())});
  EXPECT_TRUE(started.is_status("OK")) << started;
  bool swapped = wait_until([&] { return is_master(rc) && !is_master(m); }, 20s);
  stop = true;
  writer.join();
  ASSERT_TRUE(swapped) << role_of(m) << " / " << role_of(rc);
  EXPECT_EQ(writer_error.rfind("READONLY", 0), 0u) << writer_error;
  EXPECT_EQ(info_field(m, "replication", "master_failover_state"), "no-failover");
  EXPECT_EQ(info_field(m, "replication", "master_port"), std::to_string(servers.replica.port()));
  ASSERT_TRUE(wait_for_master_link(m, 30s));
  ASSERT_TRUE(wait_for_same_offset(rc, m, 30s));
  // Every acknowledged write is on the new master (and on the old one, now its replica).
  for (long long i = 0; i < acked; ++i) {
    ASSERT_EQ(rc.get_string({"GET", "k" + std::to_string(i)}), std::to_string(i)) << i;
  }
  EXPECT_EQ(rc.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  // The old master continued the shared history: a partial resync, no full one.
  EXPECT_EQ(info_int(rc, "stats", "sync_full"), full_before);
  EXPECT_GE(info_int(rc, "stats", "sync_partial_ok"), 1);
  // The new master takes writes; the old one refuses them.
  EXPECT_FALSE(rc.command({"SET", "after", "1"}).is_error());
  EXPECT_EQ(error_of(m, {"SET", "x", "1"}).rfind("READONLY", 0), 0u);
}

// A target that is behind when FAILOVER starts: the master waits (writes held) until it has
// caught up, then hands over; nothing written before is missing on the new master.
TEST(Failover, ToALaggingReplicaWaitsUntilItCaughtUp) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  ASSERT_TRUE(servers.replica.process().signal(SIGSTOP));
  for (int i = 0; i < 2000; ++i) {
    ASSERT_FALSE(m.command({"SET", "lag" + std::to_string(i), std::string(100, 'x')}).is_error());
  }
  ASSERT_TRUE(m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica.port())})
                  .is_status("OK"));
  RespClient w = send_held_write(servers, m);
  EXPECT_EQ(info_field(m, "replication", "master_failover_state"), "waiting-for-sync");
  ASSERT_TRUE(servers.replica.process().signal(SIGCONT));
  ASSERT_TRUE(wait_until([&] { return is_master(rc) && !is_master(m); }, 20s))
      << role_of(m) << " / " << role_of(rc);
  // The held write was not run on the old master: it is refused there, as in Redis.
  EXPECT_EQ(w.read_reply().str.rfind("READONLY", 0), 0u);
  EXPECT_TRUE(rc.command({"DBSIZE"}).is_integer(2000));
  EXPECT_EQ(rc.get_string({"GET", "lag1999"}), std::string(100, 'x'));
  ASSERT_TRUE(wait_for_master_link(m, 30s));
  ASSERT_TRUE(wait_for_same_offset(rc, m, 30s));
  EXPECT_EQ(rc.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(info_int(rc, "stats", "sync_full"), 0);
}

TEST(Failover, TimeoutWithoutForceAbortsAndResumesWrites) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_NO_FATAL_FAILURE(stop_replica_behind(servers, m, rc));
  EXPECT_FALSE(m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica.port()),
                          "TIMEOUT", "1500"})
                   .is_error());
  EXPECT_EQ(info_field(m, "replication", "master_failover_state"), "waiting-for-sync");
  EXPECT_EQ(error_of(m, {"FAILOVER"}), "ERR FAILOVER already in progress.");
  // A write during the pause waits (not refused) and is answered once the failover ends.
  RespClient w = send_held_write(servers, m);
  EXPECT_EQ(m.command({"GET", "held"}).type, Reply::Nil);
  ASSERT_TRUE(wait_until(
      [&] { return info_field(m, "replication", "master_failover_state") == "no-failover"; }));
  EXPECT_FALSE(w.read_reply().is_error());
  EXPECT_TRUE(is_master(m));
  EXPECT_FALSE(m.command({"SET", "after", "1"}).is_error());
  ASSERT_TRUE(servers.replica.process().signal(SIGCONT));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  EXPECT_FALSE(is_master(rc));
  EXPECT_EQ(rc.get_string({"GET", "held"}), "1");
}

TEST(Failover, AbortResumesWrites) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_NO_FATAL_FAILURE(stop_replica_behind(servers, m, rc));
  EXPECT_FALSE(m.command({"FAILOVER"}).is_error());
  EXPECT_EQ(info_field(m, "replication", "master_failover_state"), "waiting-for-sync");
  RespClient w = send_held_write(servers, m);
  EXPECT_EQ(m.command({"GET", "held"}).type, Reply::Nil);
  EXPECT_FALSE(m.command({"FAILOVER", "ABORT"}).is_error());
  EXPECT_FALSE(w.read_reply().is_error());
  EXPECT_EQ(info_field(m, "replication", "master_failover_state"), "no-failover");
  EXPECT_EQ(m.get_string({"GET", "held"}), "1");
  EXPECT_TRUE(is_master(m));
  ASSERT_TRUE(servers.replica.process().signal(SIGCONT));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  EXPECT_FALSE(is_master(rc));
}

TEST(Failover, ForceProceedsAfterTheTimeout) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_NO_FATAL_FAILURE(stop_replica_behind(servers, m, rc));
  EXPECT_FALSE(m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica.port()),
                          "TIMEOUT", "300", "FORCE"})
                   .is_error());
  // Past the timeout the failover goes on (failover-in-progress) although the target is behind.
  ASSERT_TRUE(wait_until([&] {
    return info_field(m, "replication", "master_failover_state") == "failover-in-progress";
  }));
  ASSERT_TRUE(servers.replica.process().signal(SIGCONT));
  ASSERT_TRUE(wait_until([&] { return is_master(rc) && !is_master(m); }, 20s))
      << role_of(m) << " / " << role_of(rc);
  ASSERT_TRUE(wait_for_master_link(m, 30s));
  ASSERT_TRUE(wait_for_same_offset(rc, m, 30s));
  EXPECT_EQ(rc.get_string({"DEBUG", "DIGEST"}), m.get_string({"DEBUG", "DIGEST"}));
}

// Starts a forced failover to the stopped replica with a write held by the pause, and waits
// until the handover runs (the master demoted, its PSYNC FAILOVER unanswered). Returns the
// held write's client; `old_id` is the master's replid before.
RespClient start_unanswered_handover(MasterAndReplica& servers, RespClient& m, RespClient& rc,
                                     std::string& old_id) {
  stop_replica_behind(servers, m, rc);
  old_id = info_field(m, "replication", "master_replid");
  EXPECT_FALSE(m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica.port()),
                          "TIMEOUT", "1000", "FORCE"})
                   .is_error());
  RespClient w = send_held_write(servers, m);
  EXPECT_TRUE(wait_until([&] {
    return info_field(m, "replication", "master_failover_state") == "failover-in-progress";
  }));
  EXPECT_EQ(info_field(m, "replication", "role"), "slave");  // demoted before the handover
  return w;
}

// After a rollback: a master again with a new history (the old one kept as replid2), the held
// write answered there, and the target, resumed, continues from it with a partial resync.
void expect_rolled_back(MasterAndReplica& servers, RespClient& m, RespClient& rc, RespClient& w,
                        const std::string& old_id) {
  ASSERT_TRUE(wait_until(
      [&] { return info_field(m, "replication", "master_failover_state") == "no-failover"; }, 20s));
  EXPECT_TRUE(is_master(m));
  EXPECT_FALSE(w.read_reply().is_error());
  EXPECT_EQ(m.get_string({"GET", "held"}), "1");
  EXPECT_NE(info_field(m, "replication", "master_replid"), old_id);
  EXPECT_EQ(info_field(m, "replication", "master_replid2"), old_id);
  long long partial_before = info_int(m, "stats", "sync_partial_ok");
  long long full_before = info_int(m, "stats", "sync_full");
  ASSERT_TRUE(servers.replica.process().signal(SIGCONT));
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  EXPECT_FALSE(is_master(rc));
  EXPECT_EQ(rc.get_string({"GET", "held"}), "1");
  EXPECT_GT(info_int(m, "stats", "sync_partial_ok"), partial_before);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_before);
}

TEST(Failover, UnansweredHandoverRollsBack) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  std::string old_id;
  RespClient w = start_unanswered_handover(servers, m, rc, old_id);
  // The target stays stopped: past the handover timeout (10 s) the old master takes back.
  ASSERT_NO_FATAL_FAILURE(expect_rolled_back(servers, m, rc, w, old_id));
}

// The target refuses PSYNC FAILOVER (its default user may not run PSYNC, as in Redis's own
// failover test): the old master rolls back at once and the target stays its replica.
TEST(Failover, TargetRefusingTheHandoverRollsBack) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  const std::string old_id = info_field(m, "replication", "master_replid");
  ASSERT_TRUE(rc.command({"ACL", "SETUSER", "default", "-psync"}).is_status("OK"));
  ASSERT_TRUE(m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica.port())})
                  .is_status("OK"));
  ASSERT_TRUE(wait_until(
      [&] {
        return info_field(m, "replication", "master_failover_state") == "no-failover" &&
               is_master(m);
      },
      20s));
  EXPECT_FALSE(is_master(rc));
  EXPECT_NE(info_field(m, "replication", "master_replid"), old_id);
  EXPECT_EQ(info_field(m, "replication", "master_replid2"), old_id);
  EXPECT_TRUE(m.command({"SET", "after", "1"}).is_status("OK"));
  // The refusal is on record: the old master's log says why, the target counts the denied
  // command (INFO acl_access_denied_cmd, as Redis).
  EXPECT_NE(servers.master.log().find("Failover target rejected psync request"), std::string::npos);
  ASSERT_TRUE(rc.command({"ACL", "SETUSER", "default", "+psync"}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(rc, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, rc, 30s));
  EXPECT_EQ(rc.get_string({"GET", "after"}), "1");
}

TEST(Failover, AbortDuringHandoverRollsBack) {
  MasterAndReplica servers;
  auto m = servers.master.client();
  auto rc = servers.replica.client();
  std::string old_id;
  RespClient w = start_unanswered_handover(servers, m, rc, old_id);
  EXPECT_TRUE(m.command({"FAILOVER", "ABORT"}).is_status("OK"));
  ASSERT_NO_FATAL_FAILURE(expect_rolled_back(servers, m, rc, w, old_id));
}

// The other replicas keep following the old master, now a replica of the new
// one (chained), with a partial resync.
TEST(Failover, OtherReplicasFollowThroughTheOldMaster) {
  MasterAndReplicas servers(2);
  auto m = servers.master.client();
  auto r0 = servers.replica(0).client();
  auto r1 = servers.replica(1).client();
  ASSERT_TRUE(wait_for_master_link(r0, 30s));
  ASSERT_TRUE(wait_for_master_link(r1, 30s));
  for (int i = 0; i < 100; ++i)
    ASSERT_FALSE(m.command({"SET", "k" + std::to_string(i), "v"}).is_error());
  ASSERT_TRUE(wait_for_same_offset(m, r0, 30s));
  ASSERT_TRUE(wait_for_same_offset(m, r1, 30s));
  long long full_old = info_int(m, "stats", "sync_full");
  long long full_new = info_int(r0, "stats", "sync_full");
  EXPECT_FALSE(m.command({"FAILOVER", "TO", "127.0.0.1", std::to_string(servers.replica(0).port())})
                   .is_error());
  ASSERT_TRUE(wait_until([&] { return is_master(r0) && !is_master(m); }, 20s));
  ASSERT_FALSE(r0.command({"SET", "after", "1"}).is_error());
  ASSERT_TRUE(wait_for_master_link(m, 30s));
  ASSERT_TRUE(wait_for_same_offset(r0, m, 30s));
  ASSERT_TRUE(wait_until([&] { return r1.command({"GET", "after"}).str == "1"; }, 30s));
  EXPECT_EQ(r1.get_string({"DEBUG", "DIGEST"}), r0.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_old);
  EXPECT_EQ(info_int(r0, "stats", "sync_full"), full_new);
}

}  // namespace
}  // namespace basalt::test
