// tests/integration/durability_test.cpp — crash and restart durability of basalt (DESIGN.md
// invariants S1 and S2): every acknowledged write survives `kill -9` (with the default settings,
// and with `--wal-sync always` under concurrent writers), the data set after a restart is
// exactly the one before (DEBUG DIGEST), and the replication offset recorded with it is the same
// (INFO replication master_repl_offset). A graceful SHUTDOWN keeps everything as well.
//
// The tests keep their own model of what the server acknowledged and compare the restarted
// server against it, key by key.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

// master_repl_offset of INFO replication. A missing field fails the test (S1 is checked
// through it) and reads as -1.
long long repl_offset(RespClient& c) {
  const std::string v = info_field(c, "replication", "master_repl_offset");
  EXPECT_FALSE(v.empty()) << "INFO replication has no master_repl_offset";
  return v.empty() ? -1 : std::stoll(v);
}

// What the test knows the server acknowledged: per (db, key) the value and whether it has a TTL.
struct ModelEntry {
  std::string value;
  bool has_ttl = false;
};
using Model = std::map<std::pair<int, std::string>, ModelEntry>;

// Sends random writes (SET / INCR / APPEND / EXPIRE) in pipelined batches, checks every reply
// against the model, and updates the model once the batch is acknowledged.
class ModelWriter {
 public:
  ModelWriter(Model& model, uint64_t seed) : model_(model), rng_(seed) {}

  // One batch of `n` random writes in db `db` (a SELECT leads the batch).
  void batch(RespClient& c, int db, int n) {
    struct Pending {
      std::vector<std::string> args;
      std::string expected;
    };
    std::vector<Pending> pending;
    std::string wire = encode_command({"SELECT", std::to_string(db)});
    Model shadow_keys = model_;  // the model as it will be after the earlier ops in this batch
    for (int i = 0; i < n; ++i) {
      Pending p;
      const int kind = uniform(0, 99);
      if (kind < 40) {  // SET s:N value
        const std::string key = "s:" + std::to_string(uniform(0, 299));
        const std::string value = "v" + std::to_string(rng_()) + std::string(uniform(0, 40), 'x');
        p.args = {"SET", key, value};
        p.expected = ok();
        shadow_keys[{db, key}] = {value, false};
      } else if (kind < 65) {  // INCR c:N
        const std::string key = "c:" + std::to_string(uniform(0, 99));
        auto& e = shadow_keys[{db, key}];
        const long long next = (e.value.empty() ? 0 : std::stoll(e.value)) + 1;
        e.value = std::to_string(next);
        p.args = {"INCR", key};
        p.expected = integer(next);
      } else if (kind < 85) {  // APPEND s:N suffix
        const std::string key = "s:" + std::to_string(uniform(0, 299));
        const std::string suffix = "+" + std::to_string(uniform(0, 999));
        auto& e = shadow_keys[{db, key}];
        e.value += suffix;
        p.args = {"APPEND", key, suffix};
        p.expected = integer(static_cast<long long>(e.value.size()));
      } else {  // EXPIRE on any key (long: nothing expires during the test)
        const std::string key = (uniform(0, 1) ? "s:" : "c:") + std::to_string(uniform(0, 99));
        auto it = shadow_keys.find({db, key});
        const bool exists = it != shadow_keys.end();
        if (exists) it->second.has_ttl = true;
        p.args = {"EXPIRE", key, std::to_string(uniform(100'000, 200'000))};
        p.expected = integer(exists ? 1 : 0);
      }
      wire += encode_command(p.args);
      pending.push_back(std::move(p));
    }
    c.send_raw(wire);
    ASSERT_EQ(c.read_reply_raw(), ok()) << "SELECT " << db;
    for (const Pending& p : pending) {
      const std::string got = c.read_reply_raw();
      ASSERT_EQ(got, p.expected) << "reply to " << p.args[0] << " " << p.args[1];
      ++acknowledged_;
    }
    model_ = std::move(shadow_keys);  // every write of the batch was acknowledged
  }

  int acknowledged() const { return acknowledged_; }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  Model& model_;
  std::mt19937_64 rng_;
  int acknowledged_ = 0;
};

// Compares the server's dbs in `dbs` with the model: every key, value, TTL presence and DBSIZE.
void expect_matches_model(RespClient& c, const Model& model, const std::vector<int>& dbs) {
  for (int db : dbs) {
    ASSERT_EQ(c.command_raw({"SELECT", std::to_string(db)}), ok());
    long long expected_size = 0;
    int wrong = 0;
    for (const auto& [dk, e] : model) {
      if (dk.first != db) continue;
      ++expected_size;
      const std::string got = c.command_raw({"GET", dk.second});
      if (got != bulk(e.value) && ++wrong <= 10) {
        ADD_FAILURE() << "db " << db << " key " << dk.second << ": expected " << e.value << ", got "
                      << escape_bytes(got);
      }
      const long long ttl = c.get_integer({"TTL", dk.second});
      if ((ttl > 0) != e.has_ttl && ++wrong <= 10) {
        ADD_FAILURE() << "db " << db << " key " << dk.second << ": TTL " << ttl
                      << (e.has_ttl ? ", expected one" : ", expected none");
      }
    }
    EXPECT_EQ(wrong, 0) << "db " << db << ": " << wrong << " keys differ from the model";
    EXPECT_EQ(c.get_integer({"DBSIZE"}), expected_size) << "db " << db;
  }
  ASSERT_EQ(c.command_raw({"SELECT", "0"}), ok());
}

// ---------------------------------------------------------------------------------------------

TEST(Durability, AcknowledgedWritesSurviveKill9) {
  BasaltServer s;
  s.start();
  Model model;
  const std::vector<int> dbs = {0, 3};
  {
    RespClient c = s.client();
    ModelWriter writer(model, 42);
    for (int b = 0; b < 20; ++b) {  // 20 batches x 100 = 2000 acknowledged writes
      writer.batch(c, dbs[static_cast<size_t>(b) % dbs.size()], 100);
      ASSERT_FALSE(::testing::Test::HasFatalFailure()) << "batch " << b;
    }
    ASSERT_EQ(writer.acknowledged(), 2000);
  }
  RespClient before = s.client();
  expect_matches_model(before, model, dbs);
  const std::string digest = before.get_string({"DEBUG", "DIGEST"});
  const long long offset = repl_offset(before);
  ASSERT_NE(digest, std::string(40, '0'));

  s.kill9();
  EXPECT_EQ(s.process().exit_status(), 137);
  s.start();

  RespClient after = s.client();
  expect_matches_model(after, model, dbs);
  EXPECT_EQ(after.get_string({"DEBUG", "DIGEST"}), digest)
      << "the data set after kill -9 and restart is not the one before";
  EXPECT_GT(offset, 2000) << "every write should have advanced the replication offset";
  EXPECT_EQ(repl_offset(after), offset)
      << "master_repl_offset after kill -9 and restart differs from the one before";
  // The node keeps working and keeps counting from there.
  ASSERT_EQ(after.command_raw({"SET", "after-restart", "1"}), ok());
  EXPECT_GT(repl_offset(after), offset);
}

TEST(Durability, ConcurrentWritersWithWalSyncAlwaysSurviveKill9) {
  BasaltServer s({"--wal-sync", "always"});
  s.start();
  constexpr int kWriters = 4;
  constexpr int kPipeline = 4;  // writes in flight per client
  std::atomic<bool> stop{false};
  // acked[t]: number of SETs of writer t acknowledged (each followed by an INCR, also acked).
  std::vector<std::atomic<long long>> acked(kWriters);
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      try {
        RespClient c(s.port(), 5s);
        c.connect(2s);
        const std::string prefix = "w" + std::to_string(t) + ":";
        long long next = 0;
        while (!stop.load()) {
          std::string wire;
          for (int i = 0; i < kPipeline; ++i) {
            wire += encode_command(
                {"SET", prefix + std::to_string(next + i), std::to_string(next + i)});
            wire += encode_command({"INCR", prefix + "n"});
          }
          c.send_raw(wire);
          for (int i = 0; i < kPipeline; ++i) {
            if (c.read_reply_raw() != ok()) throw std::runtime_error("unexpected SET reply");
            if (c.read_reply_raw() != integer(next + i + 1)) {
              throw std::runtime_error("unexpected INCR reply");
            }
            acked[static_cast<size_t>(t)] = next + i + 1;
          }
          next += kPipeline;
        }
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(t)] = e.what();  // expected once the server is killed
      }
    });
  }
  auto all_at_least = [&](long long n) {
    for (const auto& a : acked) {
      if (a.load() < n) return false;
    }
    return true;
  };
  const bool enough = wait_until([&] { return all_at_least(1000); }, 60s);
  // Kill while all writers are mid-stream.
  s.kill9();
  stop = true;
  for (auto& th : threads) th.join();
  ASSERT_TRUE(enough) << "the writers did not get 1000 writes each acknowledged within 60 s";
  // (A writer that had just read all its replies may see `stop` before noticing the kill.)
  const auto interrupted =
      std::count_if(errors.begin(), errors.end(), [](const std::string& e) { return !e.empty(); });
  EXPECT_GT(interrupted, 0) << "no writer was interrupted by the kill";

  s.start();
  RespClient c = s.client();
  // Invariant S1: the recorded offset is exactly the length of the replication stream of the
  // surviving writes: one SELECT 0 (all writes are in db 0), then each SET and INCR as sent.
  long long expected_offset = static_cast<long long>(encode_command({"SELECT", "0"}).size());
  for (int t = 0; t < kWriters; ++t) {
    SCOPED_TRACE("writer " + std::to_string(t));
    const std::string prefix = "w" + std::to_string(t) + ":";
    const long long acknowledged = acked[static_cast<size_t>(t)].load();
    // Present SET indexes.
    std::set<long long> present;
    for (const std::string& k : c.get_strings({"KEYS", prefix + "*"})) {
      const std::string tail = k.substr(prefix.size());
      if (tail != "n") present.insert(std::stoll(tail));
    }
    // Every acknowledged write is there, with its value.
    int missing = 0;
    for (long long i = 0; i < acknowledged; ++i) {
      if (!present.count(i) && ++missing <= 5) {
        ADD_FAILURE() << "acknowledged SET " << prefix << i << " is missing after kill -9";
      }
    }
    EXPECT_EQ(missing, 0) << missing << " of " << acknowledged << " acknowledged SETs lost";
    for (long long i : {0LL, acknowledged / 2, acknowledged - 1}) {
      EXPECT_EQ(c.command_raw({"GET", prefix + std::to_string(i)}), bulk(std::to_string(i)));
    }
    // Each client's writes apply in order, in atomic groups: what survived is a prefix of its
    // command stream SET 0, INCR, SET 1, INCR, ... So the SETs are 0..m and the counter is m
    // or m + 1.
    const long long m = present.empty() ? -1 : *present.rbegin();
    EXPECT_EQ(static_cast<long long>(present.size()), m + 1)
        << "the surviving SETs are not a prefix 0.." << m;
    EXPECT_LE(m + 1, acknowledged + kPipeline) << "more SETs survived than were sent";
    const Reply n = c.command({"GET", prefix + "n"});
    ASSERT_EQ(n.type, Reply::Bulk) << n;
    const long long count = std::stoll(n.str);
    EXPECT_GE(count, acknowledged);
    EXPECT_TRUE(count == m || count == m + 1)
        << "counter " << count << " does not fit the surviving SETs 0.." << m;
    for (long long i = 0; i <= m; ++i) {
      expected_offset += static_cast<long long>(
          encode_command({"SET", prefix + std::to_string(i), std::to_string(i)}).size());
    }
    expected_offset +=
        count * static_cast<long long>(encode_command({"INCR", prefix + "n"}).size());
  }
  EXPECT_EQ(repl_offset(c), expected_offset)
      << "after kill -9 the recorded replication offset does not match the surviving writes";
}

TEST(Durability, ShutdownThenRestartKeepsEverythingAndTheOffset) {
  BasaltServer s;
  s.start();
  Model model;
  const std::vector<int> dbs = {0, 1};
  {
    RespClient c = s.client();
    ModelWriter writer(model, 7);
    for (int b = 0; b < 10; ++b) {
      writer.batch(c, dbs[static_cast<size_t>(b) % dbs.size()], 100);
      ASSERT_FALSE(::testing::Test::HasFatalFailure()) << "batch " << b;
    }
  }
  RespClient c = s.client();
  const std::string digest = c.get_string({"DEBUG", "DIGEST"});
  const long long offset = repl_offset(c);
  c.close();

  EXPECT_EQ(s.shutdown(), 0) << s.log_tail();
  s.start();
  RespClient after = s.client();
  expect_matches_model(after, model, dbs);
  EXPECT_EQ(after.get_string({"DEBUG", "DIGEST"}), digest);
  EXPECT_EQ(repl_offset(after), offset)
      << "master_repl_offset after SHUTDOWN and restart differs from the one before";

  // Writes pipelined right before SHUTDOWN in the same packet are kept too. (Their replies may
  // never come: Redis exits without flushing the replies queued before SHUTDOWN either.)
  std::string wire;
  for (int i = 0; i < 50; ++i) wire += encode_command({"SET", "last:" + std::to_string(i), "x"});
  wire += encode_command({"SHUTDOWN"});
  after.send_raw(wire);
  EXPECT_TRUE(after.closed_by_peer(15s));
  ASSERT_TRUE(s.process().wait_exit(15s).has_value()) << "SHUTDOWN did not stop the server";
  EXPECT_EQ(s.process().exit_status(), 0);
  s.start();
  RespClient last = s.client();
  for (int i = 0; i < 50; ++i) model[{0, "last:" + std::to_string(i)}] = {"x", false};
  expect_matches_model(last, model, dbs);
}

}  // namespace
}  // namespace basalt::test
