// tests/unit/hash_set_encoding_test.cpp — the hash and set encodings, driven in-process
// through a core::Node: what the commands leave in RocksDB (a metadata record with the
// element count, one sub-key per field / member under the collection's version), that
// emptied, overwritten and deleted collections leave no reachable elements behind, that
// a seeded mix of writes agrees with an in-memory model, and that the replication log holds
// deterministic effects (HINCRBYFLOAT -> HSET, SPOP -> SREM / DEL): replaying the log on a
// second node reaches the same digest.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "node/commands/server/digest.h"
#include "node/core/keyspace.h"
#include "node/core/node.h"
#include "node/protocol/request_parser.h"
#include "storage/collection.h"
#include "storage/repl_log.h"
#include "tests/unit/node_harness.h"
#include "tests/unit/scratch_dir.h"
#include "tests/unit/stream_inspect.h"

namespace {

using namespace basalt;
using storage::ValueType;
using unit::digest_of;
using unit::NodeHarness;
using unit::parse_stream;
using unit::resp;
using unit::ScratchDir;
using unit::whole_log;
namespace asio = boost::asio;
using Args = std::vector<std::string>;

// Runs commands one job each on one client; keeps the argument bytes alive meanwhile.
// (Commands are built outside coroutines: GCC 12 mishandles brace-init lists in them.)
class Driver {
 public:
  explicit Driver(core::Node& node) : node_(node), client_(node.add_client()) {}

  asio::awaitable<std::string> run(const Args& args) {
    core::CommandBatch batch;
    for (const auto& a : args) batch.args.push_back(a);
    batch.commands.emplace_back(0u, static_cast<uint32_t>(args.size()));
    std::string out;
    co_await node_.pipeline().execute(client_, batch, out);
    co_return out;
  }

  asio::awaitable<std::vector<std::string>> run_all(const std::vector<Args>& script) {
    std::vector<std::string> replies;
    for (const auto& args : script) replies.push_back(co_await run(args));
    co_return replies;
  }

 private:
  core::Node& node_;
  core::Client& client_;
};

// Runs `script` on a fresh start of the harness's node; returns the replies.
std::vector<std::string> run_script(NodeHarness& h, const std::vector<Args>& script) {
  std::vector<std::string> replies;
  h.run(
      [&](core::Node& node) -> asio::awaitable<void> {
        Driver d(node);
        replies = co_await d.run_all(script);
      },
      std::chrono::seconds(60));
  return replies;
}

// What RocksDB holds for a key, read through a fresh read-only view.
struct Stored {
  bool present = false;
  ValueType type = ValueType::String;
  storage::CollectionMeta meta;
  std::map<std::string, std::string> elements;  // part -> value
};

std::map<std::string, std::string> elements_of(core::Node& node, uint16_t db, std::string_view key,
                                               uint64_t version) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  std::map<std::string, std::string> out;
  std::string prefix;
  auto it = ks.sub_iterate(db, key, version, prefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out[it->key().ToString().substr(prefix.size())] = it->value().ToString();
  }
  return out;
}

Stored stored(core::Node& node, std::string_view key, uint16_t db = 0) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  core::Lookup l;
  ks.lookup(db, key, l);
  Stored s;
  s.present = l.live;
  if (!l.live) return s;
  s.type = l.record.type;
  if (s.type != ValueType::String) {
    EXPECT_TRUE(storage::CollectionMeta::decode(l.record.payload, s.meta)) << key;
    s.elements = elements_of(node, db, key, s.meta.version);
  }
  return s;
}

TEST(HashSetEncoding, HashFieldsAreSubKeysCountedInTheMetadata) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  auto replies = run_script(h, {{"HSET", "h", "f1", "v1", "f2", "v2", "f1", "again"},
                                {"HSETNX", "h", "f2", "no"},
                                {"HINCRBY", "h", "n", "5"},
                                {"HINCRBYFLOAT", "h", "fl", "1.5"},
                                {"HDEL", "h", "f2", "nope"},
                                {"HLEN", "h"}});
  EXPECT_EQ(replies, (std::vector<std::string>{":2\r\n", ":0\r\n", ":5\r\n", "$3\r\n1.5\r\n",
                                               ":1\r\n", ":3\r\n"}));
  Stored s = stored(h.node(), "h");
  ASSERT_TRUE(s.present);
  EXPECT_EQ(s.type, ValueType::Hash);
  EXPECT_EQ(s.meta.size, 3u);
  EXPECT_EQ(s.elements,
            (std::map<std::string, std::string>{{"f1", "again"}, {"fl", "1.5"}, {"n", "5"}}));
  // Logged as received, except HINCRBYFLOAT (its result) and the no-op HSETNX (nothing).
  EXPECT_EQ(whole_log(h.node()),
            resp({"SELECT", "0"}) + resp({"HSET", "h", "f1", "v1", "f2", "v2", "f1", "again"}) +
                resp({"HINCRBY", "h", "n", "5"}) + resp({"HSET", "h", "fl", "1.5"}) +
                resp({"HDEL", "h", "f2", "nope"}));
}

TEST(HashSetEncoding, SetMembersAreSubKeysWithEmptyValues) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  auto replies = run_script(h, {{"SADD", "s", "a", "b", "c", "a"},
                                {"SADD", "s", "a"},
                                {"SREM", "s", "b", "zz"},
                                {"SMOVE", "s", "t", "c"},
                                {"SCARD", "s"}});
  EXPECT_EQ(replies, (std::vector<std::string>{":3\r\n", ":0\r\n", ":1\r\n", ":1\r\n", ":1\r\n"}));
  Stored s = stored(h.node(), "s"), t = stored(h.node(), "t");
  ASSERT_TRUE(s.present && t.present);
  EXPECT_EQ(s.type, ValueType::Set);
  EXPECT_EQ(s.meta.size, 1u);
  EXPECT_EQ(s.elements, (std::map<std::string, std::string>{{"a", ""}}));
  EXPECT_EQ(t.meta.size, 1u);
  EXPECT_EQ(t.elements, (std::map<std::string, std::string>{{"c", ""}}));
  EXPECT_NE(s.meta.version, t.meta.version);
  // The no-op SADD is not logged.
  EXPECT_EQ(whole_log(h.node()), resp({"SELECT", "0"}) + resp({"SADD", "s", "a", "b", "c", "a"}) +
                                     resp({"SREM", "s", "b", "zz"}) +
                                     resp({"SMOVE", "s", "t", "c"}));
}

std::map<std::string, uint64_t> versions_of(core::Node& node,
                                            const std::vector<std::string>& keys) {
  std::map<std::string, uint64_t> out;
  for (const auto& k : keys) out[k] = stored(node, k).meta.version;
  return out;
}

TEST(HashSetEncoding, EmptiedOverwrittenAndDeletedCollectionsLeaveNoElements) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  const std::vector<Args> setup = {{"HSET", "emptied", "f", "v", "g", "w"},
                                   {"HSET", "overwritten", "f", "v"},
                                   {"SADD", "deleted", "a", "b"},
                                   {"SADD", "stored", "x", "y"},
                                   {"SADD", "other", "y", "z"}};
  const std::vector<Args> script = {{"HDEL", "emptied", "f", "g"},
                                    {"SET", "overwritten", "string now"},
                                    {"DEL", "deleted"},
                                    {"SINTERSTORE", "stored", "stored", "other"},
                                    {"TYPE", "emptied"}};
  const std::vector<std::string> keys = {"emptied", "overwritten", "deleted", "stored"};
  std::map<std::string, uint64_t> versions;
  std::vector<std::string> replies;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    Driver d(node);
    co_await d.run_all(setup);
    versions = versions_of(node, keys);
    replies = co_await d.run_all(script);
  });
  EXPECT_EQ(replies,
            (std::vector<std::string>{":2\r\n", "+OK\r\n", ":1\r\n", ":1\r\n", "+none\r\n"}));
  EXPECT_FALSE(stored(h.node(), "emptied").present);
  EXPECT_FALSE(stored(h.node(), "deleted").present);
  Stored over = stored(h.node(), "overwritten");
  EXPECT_TRUE(over.present);
  EXPECT_EQ(over.type, ValueType::String);
  Stored st = stored(h.node(), "stored");
  EXPECT_EQ(st.elements, (std::map<std::string, std::string>{{"y", ""}}));
  EXPECT_NE(st.meta.version, versions["stored"]);
  // The old versions' elements are gone (range tombstones), not merely unreachable.
  ASSERT_EQ(versions.size(), keys.size());
  for (const auto& [key, version] : versions) {
    EXPECT_NE(version, 0u) << key;
    EXPECT_TRUE(elements_of(h.node(), 0, key, version).empty()) << key;
  }
}

// A seeded mix of deterministic writes on a few keys with the replies a std::map / std::set
// model predicts; at the end the stored elements and counts must equal the model.
struct ModelRun {
  std::vector<Args> script;
  std::vector<std::string> expected;
  std::map<std::string, std::map<std::string, std::string>> hashes;
  std::map<std::string, std::set<std::string>> sets;
};

ModelRun model_run(unsigned seed, int n) {
  ModelRun m;
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
  auto name = [&](const char* p, int k) { return p + std::to_string(pick(k)); };
  auto count = [](size_t k) { return ":" + std::to_string(k) + "\r\n"; };
  for (int i = 0; i < n; ++i) {
    std::string hk = name("h", 3), sk = name("s", 3), f = name("f", 12), v = name("v", 5);
    switch (pick(7)) {
      case 0:
        m.script.push_back({"HSET", hk, f, v});
        m.expected.push_back(count(m.hashes[hk].count(f) ? 0 : 1));
        m.hashes[hk][f] = v;
        break;
      case 1: {
        m.script.push_back({"HDEL", hk, f});
        auto it = m.hashes.find(hk);
        bool had = it != m.hashes.end() && it->second.erase(f);
        if (it != m.hashes.end() && it->second.empty()) m.hashes.erase(it);
        m.expected.push_back(count(had ? 1 : 0));
        break;
      }
      case 2: {
        m.script.push_back({"HINCRBY", hk, "n", "3"});
        std::string& field = m.hashes[hk]["n"];  // "" when new
        field = std::to_string((field.empty() ? 0 : std::stoll(field)) + 3);
        m.expected.push_back(":" + field + "\r\n");
        break;
      }
      case 3:
        m.script.push_back({"SADD", sk, f});
        m.expected.push_back(count(m.sets[sk].insert(f).second ? 1 : 0));
        break;
      case 4: {
        m.script.push_back({"SREM", sk, f});
        auto it = m.sets.find(sk);
        bool had = it != m.sets.end() && it->second.erase(f);
        if (it != m.sets.end() && it->second.empty()) m.sets.erase(it);
        m.expected.push_back(count(had ? 1 : 0));
        break;
      }
      case 5: {
        std::string to = name("s", 3);
        m.script.push_back({"SMOVE", sk, to, f});
        auto it = m.sets.find(sk);
        bool had = it != m.sets.end() && it->second.count(f);
        m.expected.push_back(count(had ? 1 : 0));
        if (had && to != sk) {
          it->second.erase(f);
          if (it->second.empty()) m.sets.erase(it);
          m.sets[to].insert(f);
        }
        break;
      }
      default: {
        std::string a = name("s", 3), b = name("s", 3), dst = name("s", 3);
        m.script.push_back({"SUNIONSTORE", dst, a, b});
        std::set<std::string> u;
        for (const auto& k : {a, b}) {
          if (m.sets.count(k)) u.insert(m.sets[k].begin(), m.sets[k].end());
        }
        m.expected.push_back(count(u.size()));
        if (u.empty())
          m.sets.erase(dst);
        else
          m.sets[dst] = u;
        break;
      }
    }
  }
  return m;
}

TEST(HashSetEncoding, SeededMixAgreesWithAModel) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  ModelRun m = model_run(1234, 1500);
  auto replies = run_script(h, m.script);
  ASSERT_EQ(replies.size(), m.expected.size());
  for (size_t i = 0; i < replies.size(); ++i) {
    ASSERT_EQ(replies[i], m.expected[i])
        << "command " << i << ": " << m.script[i][0] << " " << m.script[i][1];
  }
  for (int i = 0; i < 3; ++i) {
    std::string hk = "h" + std::to_string(i), sk = "s" + std::to_string(i);
    Stored hs = stored(h.node(), hk), ss = stored(h.node(), sk);
    ASSERT_EQ(hs.present, m.hashes.count(hk) == 1) << hk;
    if (hs.present) {
      EXPECT_EQ(hs.elements, m.hashes[hk]) << hk;
      EXPECT_EQ(hs.meta.size, m.hashes[hk].size()) << hk;
    }
    ASSERT_EQ(ss.present, m.sets.count(sk) == 1) << sk;
    if (ss.present) {
      std::set<std::string> members;
      for (const auto& [member, value] : ss.elements) members.insert(member);
      EXPECT_EQ(members, m.sets[sk]) << sk;
      EXPECT_EQ(ss.meta.size, m.sets[sk].size()) << sk;
    }
  }
}

TEST(HashSetEncoding, SpopIsLoggedAsSremOrDel) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  auto replies = run_script(h, {{"SADD", "s", "a", "b", "c", "d", "e", "f"},
                                {"SPOP", "s"},
                                {"SPOP", "s", "3"},
                                {"SPOP", "s", "10"}});
  ASSERT_EQ(replies.size(), 4u);
  // One-letter members: "$1\r\nX\r\n" is 7 bytes; arrays start with "*N\r\n".
  const std::string &one = replies[1], &three = replies[2], &all = replies[3];
  ASSERT_EQ(one.size(), 7u);
  ASSERT_EQ(three.size(), 4u + 3 * 7);
  ASSERT_EQ(all.size(), 4u + 2 * 7);
  std::string first = one.substr(4, 1);
  std::vector<std::string> popped3, rest;
  for (size_t i = 0; i < 3; ++i) popped3.push_back(three.substr(4 + 7 * i + 4, 1));
  for (size_t i = 0; i < 2; ++i) rest.push_back(all.substr(4 + 7 * i + 4, 1));
  std::set<std::string> everything{first};
  everything.insert(popped3.begin(), popped3.end());
  everything.insert(rest.begin(), rest.end());
  EXPECT_EQ(everything, (std::set<std::string>{"a", "b", "c", "d", "e", "f"}));
  EXPECT_FALSE(stored(h.node(), "s").present);
  EXPECT_EQ(whole_log(h.node()),
            resp({"SELECT", "0"}) + resp({"SADD", "s", "a", "b", "c", "d", "e", "f"}) +
                resp({"SREM", "s", first}) +
                resp({"SREM", "s", popped3[0], popped3[1], popped3[2]}) + resp({"DEL", "s"}));
}

// Random and order-dependent writes on one node; its log replayed as plain commands on a
// second node gives the same dataset digest.
std::vector<Args> random_writes(unsigned seed, int n) {
  std::vector<Args> out;
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return std::to_string(rng() % static_cast<unsigned>(k)); };
  for (int i = 0; i < n; ++i) {
    std::string s = "s" + pick(3), hk = "h" + pick(2), m = "m" + pick(20);
    switch (rng() % 9) {
      case 0:
        out.push_back({"SADD", s, m, "m" + pick(20), "m" + pick(20)});
        break;
      case 1:
        out.push_back({"SPOP", s});
        break;
      case 2:
        out.push_back({"SPOP", s, pick(4)});
        break;
      case 3:
        out.push_back({"HINCRBYFLOAT", hk, m, "0.1"});
        break;
      case 4:
        out.push_back({"HSET", hk, m, pick(100)});
        break;
      case 5:
        out.push_back({"SDIFFSTORE", "s" + pick(3), s, "s" + pick(3)});
        break;
      case 6:
        out.push_back({"SELECT", pick(2)});
        break;
      case 7:
        out.push_back({"SRANDMEMBER", s, "-3"});
        break;
      default:
        out.push_back({"HDEL", hk, m});
        break;
    }
  }
  return out;
}

TEST(HashSetEncoding, ReplayingTheLogReachesTheSameDigest) {
  ScratchDir tmp_a, tmp_b;
  std::string log, digest_a;
  {
    NodeHarness a(tmp_a.path().string());
    run_script(a, random_writes(99, 800));
    log = whole_log(a.node());
    digest_a = digest_of(a.node());
  }
  std::vector<Args> commands = parse_stream(log);
  ASSERT_GT(commands.size(), 100u);
  NodeHarness b(tmp_b.path().string());
  auto replies = run_script(b, commands);
  for (size_t i = 0; i < replies.size(); ++i)
    EXPECT_NE(replies[i][0], '-') << commands[i][0] << ": " << replies[i];
  EXPECT_NE(digest_a, std::string(40, '0'));
  EXPECT_EQ(digest_of(b.node()), digest_a);
}

}  // namespace
