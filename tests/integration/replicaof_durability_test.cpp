// tests/integration/replicaof_durability_test.cpp — REPLICAOF answers OK only once the new role
// is on disk: a node killed (kill -9) right after the OK comes back with that role, while its
// write pipeline is kept busy by large writes (so a role persisted "at the next quiet moment"
// would still be pending when the kill lands).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// Keeps a server's write pipeline busy with pipelined SETs of large values until destroyed
// (or until the server goes away: errors end the load quietly).
class BusyWriter {
 public:
  explicit BusyWriter(int port, int clients = 3) {
    for (int t = 0; t < clients; ++t) {
      threads_.emplace_back([this, port, t] {
        try {
          RespClient c(port, 30s);
          c.connect();
          const std::string value(256 * 1024, 'v');
          while (!stop_) {
            std::string bytes;
            for (size_t i = 0; i < 16; ++i) {
              bytes += encode_command(
                  {"SET", "busy:" + std::to_string(t) + ":" + std::to_string(i), value});
            }
            c.send_raw(bytes);
            for (size_t i = 0; i < 16; ++i) c.read_reply();
            ++rounds_;
          }
        } catch (const std::exception&) {
          // the server was killed under us: that is the point
        }
      });
    }
  }
  ~BusyWriter() {
    stop_ = true;
    for (auto& t : threads_) t.join();
  }
  long rounds() const { return rounds_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> rounds_{0};
  std::vector<std::thread> threads_;
};

constexpr int kRounds = 5;

TEST(ReplicaofDurability, ReplicaofSurvivesAKillRightAfterTheOk) {
  BasaltServer target;
  target.start();
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    BasaltServer node;
    node.start();
    auto n = node.client();
    {
      BusyWriter load(node.port());
      ASSERT_TRUE(wait_until([&] { return load.rounds() > 2; }, 20s));
      Reply ok = n.command({"REPLICAOF", "127.0.0.1", std::to_string(target.port())});
      node.kill9();
      ASSERT_TRUE(ok.is_status("OK")) << ok.to_string();
    }
    node.start();
    n = node.client();
    EXPECT_EQ(info_field(n, "replication", "role"), "slave");
    EXPECT_EQ(info_field(n, "replication", "master_port"), std::to_string(target.port()));
  }
}

TEST(ReplicaofDurability, PromotionSurvivesAKillRightAfterTheOkWithReplid2Kept) {
  BasaltServer master;
  master.start();
  auto m = master.client();
  const std::string master_replid = info_field(m, "replication", "master_replid");
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    BasaltServer replica;
    replica.start();
    auto r = replica.client();
    ASSERT_TRUE(
        r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
    ASSERT_TRUE(wait_for_master_link(r, 30s));
    {
      // The replica's pipeline is busy applying the master's stream of large writes.
      BusyWriter load(master.port());
      ASSERT_TRUE(wait_until([&] { return load.rounds() > 2; }, 20s));
      Reply ok = r.command({"REPLICAOF", "NO", "ONE"});
      replica.kill9();
      ASSERT_TRUE(ok.is_status("OK")) << ok.to_string();
    }
    replica.start();
    r = replica.client();
    EXPECT_EQ(info_field(r, "replication", "role"), "master");
    EXPECT_EQ(info_field(r, "replication", "master_replid2"), master_replid);
    EXPECT_NE(info_field(r, "replication", "master_replid"), master_replid);
    EXPECT_GT(info_int(r, "replication", "second_repl_offset"), 0);
  }
}

}  // namespace
}  // namespace basalt::test
