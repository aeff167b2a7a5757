// tests/integration/heavy_replica_exec_test.cpp — a replica applying its master's MULTI ...
// EXEC that holds a heavy command (node/core/heavy_master_exec.cpp): the transaction is one
// heavy job off the replica's loop. While it runs, a PING to the replica is answered before
// the replica's offset reaches the master's (an order, not a timing); afterwards the replica
// has the master's DEBUG DIGEST and offset, the link did not resync (sync_full and
// sync_partial_ok unchanged), and the whole transaction counted as one job there — with a
// SELECT inside the stream's transaction (the master's stream had last selected another db).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/heavy_probe.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Big enough that the replica's job outlasts an INFO and a PING on 2 shared cores.
constexpr long long kMembers = 100000;

// A sorted set `z` (member:i scored i) and a set `s` (member:i) of `n` members each.
void fill(RespClient& c, long long n) {
  std::vector<Command> batch;
  for (long long i = 0; i < n; i += 1000) {
    Command zadd = {"ZADD", "z"}, sadd = {"SADD", "s"};
    for (long long k = i; k < std::min(n, i + 1000); ++k) {
      const std::string m = std::to_string(k);
      zadd.insert(zadd.end(), {m, "member:" + m});
      sadd.push_back("member:" + m);
    }
    batch.push_back(std::move(zadd));
    batch.push_back(std::move(sadd));
    if (batch.size() >= 40) {
      send_pipelined(c, batch);
      batch.clear();
    }
  }
  send_pipelined(c, batch);
}

long long stat(RespClient& c, const std::string& field) {
  return info_int(c, "stats", field);
}

long long offset(RespClient& c) {
  return info_int(c, "replication", "master_repl_offset");
}

TEST(HeavyReplicaExec, TheReplicaAnswersPingWhileItAppliesAHeavyTransaction) {
  MasterAndReplica pair;
  RespClient c = pair.master.client();
  c.set_timeout(120s);
  RespClient replica = pair.replica.client();
  replica.set_timeout(120s);
  RespClient probe = pair.replica.client();
  probe.set_timeout(120s);
  ASSERT_TRUE(wait_for_master_link(replica, 30s));
  for (RespClient* node : {&c, &replica})
    ASSERT_TRUE(
        node->command({"CONFIG", "SET", "heavy-command-threshold", "1000"}).is_status("OK"));
  fill(c, kMembers);
  // A write in db 1 last: the master's stream then selects db 0 again inside the transaction.
  RespClient db1 = pair.master.client();
  ASSERT_TRUE(db1.command({"SELECT", "1"}).is_status("OK"));
  ASSERT_TRUE(db1.command({"SET", "other", "1"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(c, replica, 240s));
  const long long full_before = stat(c, "sync_full");
  const long long partial_before = stat(c, "sync_partial_ok");
  const long long jobs_before = stat(replica, "heavy_jobs");

  ASSERT_TRUE(c.command({"MULTI"}).is_status("OK"));
  for (const Command& queued : std::vector<Command>{{"SUNIONSTORE", "su", "s", "s"},
                                                    {"SET", "x", "1"},
                                                    {"ZUNIONSTORE", "zu", "2", "z", "s"}})
    ASSERT_TRUE(c.command(queued).is_status("QUEUED")) << render_command(queued);
  Reply exec = c.command({"EXEC"});
  ASSERT_EQ(exec.type, Reply::Array) << exec.to_string();
  ASSERT_EQ(exec.elements.size(), 3u) << exec.to_string();
  const long long master_offset = offset(c);

  // The replica started applying it off its loop: PINGs until one is answered while the
  // replica's offset is still short of the master's.
  ASSERT_TRUE(wait_until([&] { return stat(probe, "heavy_jobs") > jobs_before; }, 120s));
  bool answered = false;
  while (!answered) {
    Reply pong = probe.command({"PING"});
    ASSERT_TRUE(pong.is_status("PONG")) << pong.to_string();
    const long long now = offset(probe);
    if (now >= master_offset) break;  // applied before this PING was answered
    answered = true;
  }
  EXPECT_TRUE(answered) << "the replica applied the transaction before answering a PING";

  ASSERT_TRUE(wait_for_same_offset(c, replica, 240s))
      << "master " << offset(c) << ", replica " << offset(replica);
  // (Equal offsets are what the wait checked; the master's PINGs to its replicas may have
  // moved both past the transaction's end since.)
  EXPECT_GE(offset(replica), master_offset);
  EXPECT_EQ(replica.get_string({"DEBUG", "DIGEST"}), c.get_string({"DEBUG", "DIGEST"}));
  EXPECT_EQ(replica.get_string({"GET", "x"}), "1");
  EXPECT_EQ(replica.get_integer({"ZCARD", "zu"}), kMembers);
  EXPECT_EQ(replica.get_string({"ZSCORE", "zu", "member:41"}), "42");
  EXPECT_EQ(replica.get_integer({"SCARD", "su"}), kMembers);
  // The whole transaction was one job on the replica, and the link never resynced.
  EXPECT_EQ(stat(replica, "heavy_jobs"), jobs_before + 1);
  EXPECT_EQ(stat(c, "sync_full"), full_before);
  EXPECT_EQ(stat(c, "sync_partial_ok"), partial_before);
  EXPECT_EQ(info_field(replica, "replication", "master_link_status"), "up");

  // The link's db is the transaction's last SELECT: a write after it lands in db 0.
  ASSERT_TRUE(c.command({"SET", "after", "1"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(c, replica, 60s));
  EXPECT_EQ(replica.get_string({"GET", "after"}), "1");
  EXPECT_EQ(replica.get_string({"DEBUG", "DIGEST"}), c.get_string({"DEBUG", "DIGEST"}));
}

}  // namespace
}  // namespace basalt::test
