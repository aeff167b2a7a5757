// tests/integration/network_partition_test.cpp — a network partition between a master and its
// replica. The replica runs inside a network namespace the test creates (NetnsLink: a veth
// pair, skipped where the process may not create one); the partition drops every packet
// between the replica and the master's port, both ways, silently (the test's own client still
// reaches the replica, like a client on the replica's side). While cut, the master keeps taking
// writes (megabytes over many keys); the replica notices the silence after repl-timeout, reports
// master_link_status:down, and either serves its stale data (replica-serve-stale-data yes) or
// refuses with -MASTERDOWN (no). Once healed it catches up with a partial resync: the same DEBUG
// DIGEST as the master, no full sync.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/netns.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Small, so the test notices the partition in seconds: the master pings every second, and a
// side that hears nothing for 2 s drops the link. The servers have no password and their
// clients (the replica, the test) come from the veth's addresses: protected-mode must be off.
const std::vector<std::string> kTimeouts = {
    "--repl-timeout", "2", "--repl-ping-replica-period", "1", "--protected-mode", "no"};
constexpr auto kLinkWait = 15s;

std::string digest(RespClient& c) {
  return c.get_string({"DEBUG", "DIGEST"});
}
std::string link_status(RespClient& replica) {
  return info_field(replica, "replication", "master_link_status");
}
std::string value_for(const std::string& prefix, int i, size_t size) {
  std::string v = prefix + ":" + std::to_string(i) + ":";
  v.resize(size, static_cast<char>('a' + i % 26));
  return v;
}
// SET <prefix>:<i> for i in [0, count), pipelined in batches; every reply must be OK.
void write_keys(RespClient& c, const std::string& prefix, int count, size_t value_size) {
  constexpr int kBatch = 100;
  for (int start = 0; start < count; start += kBatch) {
    const int end = std::min(count, start + kBatch);
    for (int i = start; i < end; ++i) {
      c.send_command({"SET", prefix + ":" + std::to_string(i), value_for(prefix, i, value_size)});
    }
    for (int i = start; i < end; ++i) ASSERT_TRUE(c.read_reply().is_status("OK")) << i;
  }
}

// A master bound on the root end of the veth and a replica of it inside the namespace.
struct PartitionedPair {
  explicit PartitionedPair(const NetnsLink& net, const std::string& serve_stale)
      : master(kTimeouts) {
    master.set_bind_address(net.root_address());
    master.start();
    std::vector<std::string> args = kTimeouts;
    args.insert(args.end(), {"--replica-serve-stale-data", serve_stale});
    replica = std::make_unique<BasaltServer>(replicaof_args(master, args));
    replica->set_bind_address(net.ns_address());
    replica->set_command_prefix(net.exec_prefix());
    replica->start();
  }
  BasaltServer master;
  std::unique_ptr<BasaltServer> replica;
};

class NetworkPartitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!net_.created()) {
      GTEST_SKIP() << "can't create a network namespace and veth pair here (needs root, or "
                      "CAP_NET_ADMIN and CAP_SYS_ADMIN, and iproute2 and iptables): "
                   << net_.why();
    }
  }
  NetnsLink net_;  // declared first: the servers die before their link goes away
};

// Cut, keep writing at the master, heal; shared by both scenarios. `while_cut` runs on the
// replica once it reports the link down.
void partition_and_heal(NetnsLink& net, PartitionedPair& pair,
                        const std::function<void(RespClient&)>& while_cut,
                        const std::function<void(RespClient&)>& after_heal) {
  RespClient m = pair.master.client();
  RespClient r = pair.replica->client();
  ASSERT_TRUE(wait_for_master_link(r, kLinkWait)) << link_status(r);

  write_keys(m, "before", 1000, 512);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_TRUE(wait_for_same_offset(m, r, kLinkWait));
  ASSERT_EQ(digest(m), digest(r));
  const long long full_before = info_int(m, "stats", "sync_full");
  const long long partial_before = info_int(m, "stats", "sync_partial_ok");

  net.cut(pair.master.port());
  // Writes go on at the master while the replica can't hear it: ~5 MB over 1000 keys, plus
  // overwrites of keys the replica already has.
  write_keys(m, "during", 1000, 5000);
  write_keys(m, "before", 200, 700);
  if (::testing::Test::HasFatalFailure()) return;
  ASSERT_TRUE(wait_until([&] { return link_status(r) == "down"; }, kLinkWait))
      << "the replica never noticed the partition: " << link_status(r);
  // The master notices too (no ACK for repl-timeout) and drops the replica; meanwhile the
  // replica's reconnect attempts go unanswered. Writes go on.
  ASSERT_TRUE(
      wait_until([&] { return info_int(m, "replication", "connected_slaves") == 0; }, kLinkWait))
      << "the master still lists the replica during the partition";
  write_keys(m, "after", 500, 2000);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(link_status(r), "down");
  EXPECT_LT(info_int(r, "replication", "master_repl_offset"),
            info_int(m, "replication", "master_repl_offset"));
  while_cut(r);

  net.heal();
  ASSERT_TRUE(wait_for_master_link(r, kLinkWait))
      << "no link after healing: " << link_status(r) << " / "
      << info_field(r, "replication", "master_link_down_since_seconds");
  ASSERT_TRUE(wait_for_same_offset(m, r, kLinkWait));
  EXPECT_EQ(digest(m), digest(r));
  EXPECT_TRUE(r.command({"GET", "during:999"}).is_bulk(value_for("during", 999, 5000)));
  EXPECT_TRUE(r.command({"GET", "before:0"}).is_bulk(value_for("before", 0, 700)));
  EXPECT_TRUE(r.command({"GET", "after:499"}).is_bulk(value_for("after", 499, 2000)));
  EXPECT_EQ(info_int(m, "stats", "sync_full"), full_before) << "healing took a full resync";
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), partial_before + 1)
      << "healing should be one partial resync";
  after_heal(r);
}

TEST_F(NetworkPartitionTest, ReplicaServesStaleDataWhileCutThenResyncsPartially) {
  PartitionedPair pair(net_, "yes");
  partition_and_heal(
      net_, pair,
      [](RespClient& r) {
        // The old values, as the replica last had them; nothing written during the cut.
        EXPECT_TRUE(r.command({"GET", "before:0"}).is_bulk(value_for("before", 0, 512)));
        EXPECT_TRUE(r.command({"GET", "before:999"}).is_bulk(value_for("before", 999, 512)));
        EXPECT_TRUE(r.command({"GET", "during:999"}).is_nil());
        EXPECT_TRUE(r.command({"GET", "after:0"}).is_nil());
        EXPECT_EQ(r.get_integer({"DBSIZE"}), 1000);
      },
      [](RespClient&) {});
}

TEST_F(NetworkPartitionTest, ReplicaRefusesWithMasterdownWhileCutThenResyncsPartially) {
  PartitionedPair pair(net_, "no");
  partition_and_heal(
      net_, pair,
      [](RespClient& r) {
        EXPECT_EQ(r.command({"GET", "before:0"}),
                  (Reply{Reply::Error,
                         "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set "
                         "to 'no'.",
                         0,
                         {}}));
      },
      [](RespClient& r) { EXPECT_EQ(r.get_integer({"DBSIZE"}), 2500); });
}

}  // namespace
}  // namespace basalt::test
