// tests/integration/list_upgrade_test.cpp — the current basalt on data directories written by
// basalt from before chunked lists (tests/fixtures/legacy-lists-*.tar.gz, see
// tests/fixtures/README.md): one RocksDB entry per list element. Checks that every list reads
// back as written (LRANGE, LLEN, LINDEX), that the digests and the replication id and offset
// survive the upgrade and a restart, that writes on old lists below and above the conversion
// cap (4096 elements) answer as redis-server 7.0 does with the same contents, that converted
// lists survive kill -9, that replicas full-synced from the upgraded master hold the same data,
// and that a replica of the old master resumes with a partial resync after both are upgraded.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/differential.h"
#include "tests/support/legacy_lists.h"
#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using legacy_lists::Fixture;
using legacy_lists::Key;
using legacy_lists::Lists;
using legacy_lists::Unpacked;

void select(RespClient& c, int db) {
  ASSERT_EQ(c.command_raw({"SELECT", std::to_string(db)}), ok());
}

std::string digest(RespClient& c) {
  return c.get_string({"DEBUG", "DIGEST"});
}

// DEBUG DIGEST-VALUE of every list, in the order of `lists`.
std::vector<std::string> value_digests(RespClient& c, const Lists& lists) {
  std::vector<std::string> out;
  for (const auto& [key, elements] : lists) {
    select(c, key.first);
    out.push_back(c.command_raw({"DEBUG", "DIGEST-VALUE", key.second}));
  }
  select(c, 0);
  return out;
}

// "" if the raw replies `got` and `want` are equal, else where they first differ: for two
// arrays the first differing element (lists run to 5000 elements; the whole replies would
// bury the failure), otherwise both replies.
std::string first_difference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  const Reply a = parse_reply(got), b = parse_reply(want);
  if (a.type != Reply::Array || b.type != Reply::Array)
    return describe_mismatch("replies differ", got, want);
  for (size_t i = 0; i < std::min(a.elements.size(), b.elements.size()); ++i) {
    if (a.elements[i] != b.elements[i])
      return "element " + std::to_string(i) + ": " + a.elements[i].to_string().substr(0, 100) +
             " instead of " + b.elements[i].to_string().substr(0, 100);
  }
  return std::to_string(a.elements.size()) + " elements instead of " +
         std::to_string(b.elements.size());
}

// The positions LINDEX is asked for: both ends, the middle, and around the 64-slot chunk
// boundaries and the conversion cap when the list is that long.
std::vector<long long> probe_positions(size_t size) {
  std::vector<long long> out;
  for (long long p : {0LL, 1LL, 63LL, 64LL, 65LL, 4095LL, 4096LL, 4097LL})
    if (p < static_cast<long long>(size)) out.push_back(p);
  out.push_back(static_cast<long long>(size / 2));
  out.push_back(-1);
  out.push_back(-static_cast<long long>(size));
  return out;
}

// Every list of `lists` reads back from `c` as it holds: LLEN, the whole LRANGE, a slice
// around the first chunk boundary, LINDEX at probe_positions, and one past each end.
void expect_lists(RespClient& c, const Lists& lists, const std::string& when) {
  for (const auto& [key, elements] : lists) {
    const auto& [db, name] = key;
    SCOPED_TRACE(when + ": db " + std::to_string(db) + " " + name);
    select(c, db);
    const auto size = static_cast<long long>(elements.size());
    EXPECT_EQ(c.command_raw({"TYPE", name}), "+list\r\n");
    EXPECT_EQ(c.command_raw({"LLEN", name}), integer(size));
    EXPECT_EQ(first_difference(c.command_raw({"LRANGE", name, "0", "-1"}), bulks(elements)), "");
    const long long last = std::min(size - 1, 130LL);
    EXPECT_EQ(
        first_difference(c.command_raw({"LRANGE", name, "60", "130"}),
                         bulks(std::vector<std::string>(elements.begin() + std::min(60LL, size),
                                                        elements.begin() + last + 1))),
        "");
    for (long long p : probe_positions(elements.size())) {
      const size_t at = static_cast<size_t>(p < 0 ? size + p : p);
      EXPECT_EQ(c.command_raw({"LINDEX", name, std::to_string(p)}), bulk(elements[at]))
          << "LINDEX " << p;
    }
    EXPECT_EQ(c.command_raw({"LINDEX", name, std::to_string(size)}), nil());
    EXPECT_EQ(c.command_raw({"LINDEX", name, std::to_string(-size - 1)}), nil());
  }
  select(c, 0);
}

// The keys that are not lists, and list:ttl's expiry.
void expect_context(RespClient& c) {
  select(c, 0);
  EXPECT_EQ(c.command_raw({"PEXPIRETIME", "list:ttl"}), integer(legacy_lists::kTtlAtMs));
  EXPECT_EQ(c.command_raw({"PTTL", "list:short"}), integer(-1));
  EXPECT_EQ(c.command_raw({"GET", "str:a"}), bulk("hello"));
  EXPECT_EQ(c.command_raw({"HLEN", "hash:a"}), integer(10));
  EXPECT_EQ(c.command_raw({"HGET", "hash:a", "f7"}), bulk("v7"));
  EXPECT_EQ(c.command_raw({"SCARD", "set:a"}), integer(10));
  EXPECT_EQ(c.command_raw({"SISMEMBER", "set:a", "m9"}), integer(1));
  EXPECT_EQ(c.command_raw({"ZCARD", "zset:a"}), integer(10));
  EXPECT_EQ(c.command_raw({"ZSCORE", "zset:a", "z3"}), bulk("4.5"));
  EXPECT_EQ(c.command_raw({"DBSIZE"}), integer(9));
  select(c, 1);
  EXPECT_EQ(c.command_raw({"DBSIZE"}), integer(2));
  select(c, 0);
}

// The master's replication id and offset are the old node's.
void expect_replication_state(RespClient& c, const Unpacked& fixture) {
  EXPECT_EQ(info_field(c, "replication", "role"), "master");
  EXPECT_EQ(info_field(c, "replication", "master_replid"), fixture.replid());
  EXPECT_EQ(info_int(c, "replication", "master_repl_offset"), fixture.offset());
}

// A fixture's master read back, its digests and replication state kept across a restart.
void check_fixture(Fixture which) {
  const Unpacked fixture(which);
  const Lists lists = legacy_lists::expected(which);
  BasaltServer node;
  fixture.install("master", node);
  node.start();
  auto c = node.client();
  expect_replication_state(c, fixture);
  expect_lists(c, lists, "upgraded");
  expect_context(c);
  const std::string before = digest(c);
  const std::vector<std::string> values = value_digests(c, lists);
  node.restart();
  c = node.client();
  EXPECT_EQ(digest(c), before);
  EXPECT_EQ(value_digests(c, lists), values);
  expect_replication_state(c, fixture);
  expect_lists(c, lists, "restarted");
}

TEST(ListUpgrade, ShutdownDirectoryReadsBackWithItsDigestAndOffset) {
  check_fixture(Fixture::Shutdown);
}

TEST(ListUpgrade, Kill9DirectoryReadsBackWithItsDigestAndOffset) {
  check_fixture(Fixture::Kill9);
}

// ---------------------------------------------------------------------------------------------
// Writes on old lists, compared with redis-server holding the same contents.

// redis-server loaded with `lists` (and list:ttl's expiry).
void load_into_redis(RespClient& r, const Lists& lists) {
  for (const auto& [key, elements] : lists) {
    select(r, key.first);
    for (size_t i = 0; i < elements.size(); i += 500) {
      Command push = {"RPUSH", key.second};
      push.insert(push.end(), elements.begin() + static_cast<long>(i),
                  elements.begin() + static_cast<long>(std::min(i + 500, elements.size())));
      r.command_raw(push);
    }
  }
  select(r, 0);
  ASSERT_EQ(r.command_raw({"PEXPIREAT", "list:ttl", std::to_string(legacy_lists::kTtlAtMs)}),
            integer(1));
}

// The scripted writes on one old list: each kind of write the task names, at the ends, in the
// middle and past the end, with pivots and values that are in the list.
std::vector<Command> scripted_writes(const std::string& k, const std::vector<std::string>& e) {
  const std::string middle = e[e.size() / 2];
  const std::string near_end = e[e.size() - 3];
  return {
      {"LPUSH", k, "n-1", "n-2"},
      {"RPOP", k},
      {"RPOP", k, "2"},
      {"LPOP", k},
      {"LSET", k, "5", "set-5"},
      {"LSET", k, "-3", "set-m3"},
      {"LSET", k, std::to_string(e.size() + 10), "x"},
      {"LINSERT", k, "BEFORE", middle, "ins-b"},
      {"LINSERT", k, "AFTER", near_end, "ins-a"},
      {"LINSERT", k, "AFTER", "missing", "x"},
      {"LREM", k, "1", "ins-b"},
      {"LREM", k, "-1", e[2]},
      {"LREM", k, "0", "missing"},
      {"RPUSH", k, "r-1", "r-2"},
      {"LTRIM", k, "1", "-2"},
      {"LINDEX", k, "0"},
      {"LINDEX", k, "-1"},
      {"LINDEX", k, std::to_string(e.size() / 3)},
      {"LLEN", k},
      {"LRANGE", k, "0", "-1"},
  };
}

// list:big (5000 elements) stays in the old layout while above the cap; a trim to 4000 and
// the next write convert it.
std::vector<Command> big_list_writes() {
  return {
      {"LRANGE", "list:big", "4090", "4100"},
      {"LTRIM", "list:big", "3", "4002"},
      {"LLEN", "list:big"},
      {"RPUSH", "list:big", "after-trim"},
      {"LSET", "list:big", "4000", "set-4000"},
      {"LINSERT", "list:big", "BEFORE", "bR-1500", "ins-1500"},
      {"LREM", "list:big", "0", "bR-2000"},
      {"LPOP", "list:big", "3"},
      {"LRANGE", "list:big", "0", "-1"},
  };
}

// Random list commands over the old lists of db 0, with values and pivots drawn from the
// fixture's element names, so LREM and LINSERT often find them.
class RandomWrites : public SeededRandom {
 public:
  using SeededRandom::SeededRandom;

  Command next() {
    static const std::vector<std::string> keys = {"list:short", "list:mid", "list:big", "list:wide",
                                                  "list:ttl"};
    const std::string k = pick(keys);
    switch (uniform(0, 10)) {
      case 0:
        return {"LPUSH", k, value()};
      case 1:
        return {"RPUSH", k, value(), value()};
      case 2:
        return {chance(50) ? "LPOP" : "RPOP", k};
      case 3:
        return {"LSET", k, index(), value()};
      case 4:
        return {"LINSERT", k, chance(50) ? "BEFORE" : "AFTER", value(),
                "i-" + std::to_string(uniform(0, 9))};
      case 5:
        return {"LREM", k, std::to_string(uniform(-2, 2)), value()};
      case 6:
        return {"LINDEX", k, index()};
      case 7:
        return {"LRANGE", k, index(), index()};
      case 8:
        return {"LTRIM", k, std::to_string(uniform(0, 2)), std::to_string(-uniform(1, 3))};
      case 9:
        return {"LPOS", k, value()};
      default:
        return {"LLEN", k};
    }
  }

 private:
  std::string value() {
    static const std::vector<std::string> prefixes = {"s-", "mR-", "mL-", "bR-", "bL-",
                                                      "t-", "i-",  "n-",  "set-"};
    return pick(prefixes) + std::to_string(uniform(0, 12));
  }
  std::string index() {
    const int n = uniform(0, 70);
    switch (uniform(0, 3)) {
      case 0:
        return std::to_string(n);
      case 1:
        return std::to_string(-n - 1);
      case 2:
        return std::to_string(uniform(0, 5100));
      default:
        return std::to_string(-uniform(1, 5100));
    }
  }
};

// Every reply of `commands` the same from both servers ("" or the mismatches).
std::string same_replies(RespClient& ours, RespClient& theirs,
                         const std::vector<Command>& commands) {
  std::string out;
  for (const Command& args : commands) {
    const std::string why = first_difference(ours.command_raw(args), theirs.command_raw(args));
    if (!why.empty()) out += render_command(args) + ": " + why + "\n";
  }
  return out;
}

// Both servers hold the same lists as each other (LRANGE of every key of `lists`).
std::string same_lists(RespClient& ours, RespClient& theirs, const Lists& lists) {
  std::string out;
  for (const auto& [key, elements] : lists) {
    ours.command_raw({"SELECT", std::to_string(key.first)});
    theirs.command_raw({"SELECT", std::to_string(key.first)});
    out += same_replies(ours, theirs, {{"LLEN", key.second}, {"LRANGE", key.second, "0", "-1"}});
  }
  ours.command_raw({"SELECT", "0"});
  theirs.command_raw({"SELECT", "0"});
  return out;
}

TEST(ListUpgrade, WritesOnOldListsMatchRedisAndSurviveKill9AndFullSync) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server not installed";
  const Unpacked fixture(Fixture::Shutdown);
  const Lists lists = legacy_lists::expected(Fixture::Shutdown);
  BasaltServer master;
  fixture.install("master", master);
  master.start();
  RedisOracle redis;
  redis.start();
  auto ours = master.client();
  auto theirs = redis.client();
  load_into_redis(theirs, lists);
  ASSERT_EQ(same_lists(ours, theirs, lists), "");

  // A replica full-synced from the upgraded master before any write: old lists go over as
  // they are stored.
  BasaltServer replica(replicaof_args(master));
  replica.start();
  auto r = replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_for_same_offset(ours, r, 30s));
  EXPECT_EQ(digest(r), digest(ours));
  expect_lists(r, lists, "replica after full sync");

  // Scripted writes on every old list (below the cap: converted by the first write), then on
  // list:big above the cap and across it.
  for (const auto& [key, elements] : lists) {
    SCOPED_TRACE("db " + std::to_string(key.first) + " " + key.second);
    ours.command_raw({"SELECT", std::to_string(key.first)});
    theirs.command_raw({"SELECT", std::to_string(key.first)});
    EXPECT_EQ(same_replies(ours, theirs, scripted_writes(key.second, elements)), "");
  }
  ours.command_raw({"SELECT", "0"});
  theirs.command_raw({"SELECT", "0"});
  EXPECT_EQ(same_replies(ours, theirs, big_list_writes()), "");

  for (uint64_t seed : {1u, 2u}) {
    RandomWrites gen(seed);
    auto next = [&] { return gen.next(); };
    auto check = [&](const Command& args) {
      const std::string a = ours.command_raw(args), b = theirs.command_raw(args);
      return a == b ? std::string() : describe_mismatch("replies differ", a, b);
    };
    const RandomRunResult run = RandomRun<Command>(seed, 500, next, check).run();
    ASSERT_TRUE(run.matched()) << run.report;
  }
  ASSERT_EQ(same_lists(ours, theirs, lists), "");
  EXPECT_EQ(ours.command_raw({"PEXPIRETIME", "list:ttl"}),
            theirs.command_raw({"PEXPIRETIME", "list:ttl"}));

  // The replica applied the same writes to its copies of the old lists.
  ASSERT_TRUE(wait_for_same_offset(ours, r, 30s));
  const std::string after_writes = digest(ours);
  EXPECT_EQ(digest(r), after_writes);
  EXPECT_EQ(same_lists(r, theirs, lists), "");

  // The converted lists survive kill -9.
  master.kill9();
  master.start();
  ours = master.client();
  EXPECT_EQ(digest(ours), after_writes);
  EXPECT_EQ(same_lists(ours, theirs, lists), "");

  // A second replica full-synced from the restarted master; the first one resumes.
  BasaltServer replica2(replicaof_args(master));
  replica2.start();
  auto r2 = replica2.client();
  ASSERT_TRUE(wait_for_master_link(r2, 30s));
  ASSERT_TRUE(wait_for_same_offset(ours, r2, 30s));
  EXPECT_EQ(digest(r2), after_writes);
  EXPECT_EQ(same_lists(r2, theirs, lists), "");
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  ASSERT_TRUE(wait_for_same_offset(ours, r, 30s));
  EXPECT_EQ(digest(r), after_writes);
}

// ---------------------------------------------------------------------------------------------
// A replica of the old master, both upgraded: it resumes with a partial resync.

TEST(ListUpgrade, OldReplicaResumesPartiallyFromTheUpgradedMaster) {
  const Unpacked fixture(Fixture::Shutdown);
  const Lists lists = legacy_lists::expected(Fixture::Shutdown);
  BasaltServer master;
  fixture.install("master", master);
  master.start();
  BasaltServer replica;
  fixture.install("replica", replica);
  replica.start();
  auto m = master.client();
  auto r = replica.client();
  // The replica's directory names the old master's port, below the ephemeral range where no
  // test server listens (make_legacy_lists.py): point it at the new master.
  EXPECT_EQ(info_field(r, "replication", "role"), "slave");
  const long long old_port = info_int(r, "replication", "master_port");
  EXPECT_TRUE(old_port > 0 && old_port < 32768) << old_port;
  EXPECT_EQ(info_field(r, "replication", "master_replid"), fixture.replid());
  EXPECT_EQ(info_int(r, "replication", "master_repl_offset"), fixture.offset());
  ASSERT_TRUE(r.command({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).is_status("OK"));
  ASSERT_TRUE(wait_for_master_link(r, 30s));
  EXPECT_EQ(info_int(m, "stats", "sync_partial_ok"), 1);
  EXPECT_EQ(info_int(m, "stats", "sync_full"), 0);
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(digest(r), digest(m));
  expect_lists(r, lists, "old replica");

  // Writes on old lists below and above the cap reach the replica's old lists.
  for (const auto& [key, elements] : lists) {
    m.command_raw({"SELECT", std::to_string(key.first)});
    for (const Command& args : scripted_writes(key.second, elements)) m.command_raw(args);
  }
  m.command_raw({"SELECT", "0"});
  for (const Command& args : big_list_writes()) m.command_raw(args);
  ASSERT_TRUE(wait_for_same_offset(m, r, 30s));
  EXPECT_EQ(digest(r), digest(m));
  for (const auto& [key, elements] : lists) {
    select(m, key.first);
    select(r, key.first);
    EXPECT_EQ(first_difference(r.command_raw({"LRANGE", key.second, "0", "-1"}),
                               m.command_raw({"LRANGE", key.second, "0", "-1"})),
              "")
        << key.second;
  }
}

}  // namespace
}  // namespace basalt::test
