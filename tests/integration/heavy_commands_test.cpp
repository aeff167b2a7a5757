// tests/integration/heavy_commands_test.cpp — commands a client can make as heavy as it likes
// are bounded per call: SCAN / HSCAN / SSCAN / ZSCAN visit at most 100,000 entries whatever
// COUNT says (COUNT is a hint; the cursor still returns everything exactly once), so
// `SCAN 0 COUNT 10000000` on a big keyspace no longer holds the event loop for seconds.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "tests/support/heavy_probe.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr size_t kCap = 100000;
constexpr size_t kEntries = 120000;  // more than one capped page

// Follows a cursor with COUNT 10000000 to the end: every page holds at most `max_items`
// items; returns the distinct items of even positions (keys, fields, members) and the pages.
std::set<std::string> scan_all(RespClient& c, std::vector<std::string> command, size_t max_items,
                               size_t& pages) {
  std::set<std::string> seen;
  std::string cursor = "0";
  pages = 0;
  const size_t cursor_at = command.size();
  command.push_back("0");
  command.push_back("COUNT");
  command.push_back("10000000");
  do {
    command[cursor_at] = cursor;
    Reply r = c.command(command);
    EXPECT_EQ(r.elements.size(), 2u) << r.to_string();
    if (r.elements.size() != 2) break;
    cursor = r.elements[0].str;
    const auto& items = r.elements[1].elements;
    EXPECT_LE(items.size(), max_items);
    const size_t step = command[0] == "SCAN" || command[0] == "SSCAN" ? 1 : 2;
    for (size_t i = 0; i < items.size(); i += step) seen.insert(items[i].str);
    ++pages;
  } while (cursor != "0" && pages < 100);
  return seen;
}

TEST(HeavyCommands, ScanCountIsCappedPerCallAndTheCursorStillCoversEverything) {
  BasaltServer server;
  server.start();
  auto c = server.client(60s);
  c.set_timeout(60s);
  std::vector<std::vector<std::string>> batch;
  for (size_t i = 0; i < kEntries; i += 1000) {
    std::vector<std::string> mset = {"MSET"}, hset = {"HSET", "hash"}, sadd = {"SADD", "set"},
                             zadd = {"ZADD", "zset"};
    for (size_t k = i; k < i + 1000; ++k) {
      const std::string n = std::to_string(k);
      mset.insert(mset.end(), {"key:" + n, n});
      hset.insert(hset.end(), {"field:" + n, n});
      sadd.push_back("member:" + n);
      zadd.insert(zadd.end(), {n, "member:" + n});
    }
    batch = {mset, hset, sadd, zadd};
    send_pipelined(c, batch);
  }
  ASSERT_EQ(c.get_integer({"DBSIZE"}), static_cast<long long>(kEntries + 3));

  size_t pages = 0;
  EXPECT_EQ(scan_all(c, {"SCAN"}, kCap, pages).size(), kEntries + 3);
  EXPECT_GE(pages, 2u);
  EXPECT_EQ(scan_all(c, {"HSCAN", "hash"}, 2 * kCap, pages).size(), kEntries);
  EXPECT_GE(pages, 2u);
  EXPECT_EQ(scan_all(c, {"SSCAN", "set"}, kCap, pages).size(), kEntries);
  EXPECT_GE(pages, 2u);
  EXPECT_EQ(scan_all(c, {"ZSCAN", "zset"}, 2 * kCap, pages).size(), kEntries);
  EXPECT_GE(pages, 2u);
}

}  // namespace
}  // namespace basalt::test
