// tests/integration/strings_keys_test.cpp — end-to-end checks of basalt's string, key-space and
// expiry commands against a real `basalt` process, with every reply asserted byte for byte as
// Redis 7.0 sends it; plus protocol robustness (pipelining, split and inline requests, protocol
// errors, oversized bulks, garbage, clients vanishing mid-command) and process startup and
// shutdown (bad options, busy port, unusable data dir, SIGTERM).
//
// The expected replies were checked against Debian's redis-server 7.0.15. The command tests
// (suite StringsKeys) can be run against it to re-check them:
//   BASALT_TEST_BINARY=/usr/bin/redis-server basalt_integration_tests
//   --gtest_filter='StringsKeys.*'
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Expected-reply builders (RESP2 bytes).

std::string invalid_expire(std::string_view cmd) {
  return err("ERR invalid expire time in '" + std::string(cmd) + "' command");
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

long long unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every key of the current db through a full SCAN iteration (duplicates kept).
std::vector<std::string> scan_all(RespClient& c, const std::vector<std::string>& options = {}) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  for (int rounds = 0; rounds < 100000; ++rounds) {
    std::vector<std::string> args = {"SCAN", cursor};
    args.insert(args.end(), options.begin(), options.end());
    const Reply r = c.command(args);
    if (r.type != Reply::Array || r.elements.size() != 2 || r.elements[0].type != Reply::Bulk ||
        r.elements[1].type != Reply::Array) {
      throw std::runtime_error("unexpected SCAN reply: " + r.to_string());
    }
    for (const Reply& k : r.elements[1].elements) keys.push_back(k.str);
    cursor = r.elements[0].str;
    if (cursor == "0") return keys;
  }
  throw std::runtime_error("SCAN did not finish in 100000 rounds");
}

// ---------------------------------------------------------------------------------------------
// Fixture: one basalt per test suite (restarted if a test left it dead), a fresh client and an
// empty data set per test. proto-max-bulk-len is lowered to 1mb so the size limits are cheap to
// reach.

class StringsKeys : public ::testing::Test {
 protected:
  static constexpr long long kMaxBulk = 1024 * 1024;

  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!server_ || !server_->running()) {
      server_.reset();
      server_ =
          std::make_unique<BasaltServer>(std::vector<std::string>{"--proto-max-bulk-len", "1mb"});
      server_->start();
    }
    client_.emplace(server_->client());
    ASSERT_EQ(run({"FLUSHALL"}), ok());
  }

  void TearDown() override {
    if (HasFailure() && server_) {
      std::cerr << "--- basalt log tail (" << server_->log_path().string() << ") ---\n"
                << server_->log_tail(30) << "--- end ---\n";
    }
    client_.reset();
  }

  RespClient& c() { return *client_; }
  std::string run(const std::vector<std::string>& args) { return client_->command_raw(args); }
  long long ttl(const std::string& key) { return client_->get_integer({"TTL", key}); }
  long long pttl(const std::string& key) { return client_->get_integer({"PTTL", key}); }

  static inline std::unique_ptr<BasaltServer> server_;
  std::optional<RespClient> client_;
};

// ---------------------------------------------------------------------------------------------
// GET / SET and its options

TEST_F(StringsKeys, GetAndSetBasics) {
  EXPECT_EQ(run({"GET", "k"}), nil());
  EXPECT_EQ(run({"SET", "k", "v"}), ok());
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"SET", "k", "v2"}), ok());
  EXPECT_EQ(run({"GET", "k"}), bulk("v2"));
  EXPECT_EQ(run({"SET", "empty", ""}), ok());
  EXPECT_EQ(run({"GET", "empty"}), bulk(""));
  const std::string binary("a\0b\r\n$-1\r\n\xff", 11);
  const std::string binary_key("k\0\n", 3);
  EXPECT_EQ(run({"SET", binary_key, binary}), ok());
  EXPECT_EQ(run({"GET", binary_key}), bulk(binary));
  EXPECT_EQ(run({"GET", "k"}), bulk("v2"));  // "k" and "k\0\n" are different keys
  const std::string big(300'000, 'x');
  EXPECT_EQ(run({"SET", "big", big}), ok());
  EXPECT_EQ(run({"GET", "big"}), bulk(big));
  EXPECT_EQ(run({"GET"}), wrong_args("get"));
  EXPECT_EQ(run({"GET", "a", "b"}), wrong_args("get"));
  EXPECT_EQ(run({"SET", "k"}), wrong_args("set"));
  // Command names are case-insensitive.
  EXPECT_EQ(run({"sEt", "case", "1"}), ok());
  EXPECT_EQ(run({"get", "case"}), bulk("1"));
}

TEST_F(StringsKeys, SetExpiryOptions) {
  EXPECT_EQ(run({"SET", "ex", "v", "EX", "100"}), ok());
  EXPECT_EQ(ttl("ex"), 100);
  EXPECT_EQ(run({"SET", "px", "v", "PX", "100000"}), ok());
  EXPECT_GT(pttl("px"), 99'000);
  EXPECT_LE(pttl("px"), 100'000);
  const long long at_s = unix_ms() / 1000 + 1000;
  EXPECT_EQ(run({"SET", "exat", "v", "EXAT", std::to_string(at_s)}), ok());
  EXPECT_EQ(c().get_integer({"EXPIRETIME", "exat"}), at_s);
  const long long at_ms = unix_ms() + 1'000'123;
  EXPECT_EQ(run({"SET", "pxat", "v", "pxat", std::to_string(at_ms)}), ok());
  EXPECT_EQ(c().get_integer({"PEXPIRETIME", "pxat"}), at_ms);
  // A plain SET drops the TTL; KEEPTTL keeps it.
  EXPECT_EQ(run({"SET", "ex", "v2", "KEEPTTL"}), ok());
  EXPECT_EQ(ttl("ex"), 100);
  EXPECT_EQ(run({"GET", "ex"}), bulk("v2"));
  EXPECT_EQ(run({"SET", "ex", "v3"}), ok());
  EXPECT_EQ(ttl("ex"), -1);
  EXPECT_EQ(run({"SET", "new", "v", "KEEPTTL"}), ok());
  EXPECT_EQ(ttl("new"), -1);
  // An absolute time in the past: accepted, and the key is immediately gone.
  EXPECT_EQ(run({"SET", "past", "v", "EXAT", "1"}), ok());
  EXPECT_EQ(run({"GET", "past"}), nil());
  EXPECT_EQ(run({"SET", "past", "v", "PXAT", "1"}), ok());
  EXPECT_EQ(run({"EXISTS", "past"}), integer(0));
  // Options are case-insensitive; a repeated expiry option: the last one wins.
  EXPECT_EQ(run({"set", "rep", "v", "ex", "10", "EX", "20"}), ok());
  EXPECT_EQ(ttl("rep"), 20);
  EXPECT_EQ(run({"SET", "rep", "v", "KEEPTTL", "KEEPTTL"}), ok());
  EXPECT_EQ(ttl("rep"), 20);
}

TEST_F(StringsKeys, SetExpiryErrors) {
  for (const char* opt : {"EX", "PX", "EXAT", "PXAT"}) {
    SCOPED_TRACE(opt);
    EXPECT_EQ(run({"SET", "k", "v", opt, "0"}), invalid_expire("set"));
    EXPECT_EQ(run({"SET", "k", "v", opt, "-1"}), invalid_expire("set"));
    EXPECT_EQ(run({"SET", "k", "v", opt, "abc"}), not_integer());
    EXPECT_EQ(run({"SET", "k", "v", opt, "1.5"}), not_integer());
    EXPECT_EQ(run({"SET", "k", "v", opt}), syntax_error());
  }
  // Overflow once converted to milliseconds / added to now.
  EXPECT_EQ(run({"SET", "k", "v", "EX", "9223372036854775"}), invalid_expire("set"));
  EXPECT_EQ(run({"SET", "k", "v", "EX", "9223372036854776"}), invalid_expire("set"));
  EXPECT_EQ(run({"SET", "k", "v", "PX", "9223372036854775807"}), invalid_expire("set"));
  EXPECT_EQ(run({"SET", "k", "v", "EXAT", "9223372036854776"}), invalid_expire("set"));
  // Conflicting options.
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10", "PX", "10"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "PX", "10", "EXAT", "5"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "KEEPTTL", "EX", "10"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "EX", "10", "KEEPTTL"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "NX", "XX"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "XX", "NX"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "NX", "GET", "XX"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "PERSIST"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "FOO"}), syntax_error());
  EXPECT_EQ(run({"SET", "k", "v", "10"}), syntax_error());
  // Nothing above wrote anything.
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
}

TEST_F(StringsKeys, SetNxXxGet) {
  EXPECT_EQ(run({"SET", "k", "v", "XX"}), nil());
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_EQ(run({"SET", "k", "v", "NX"}), ok());
  EXPECT_EQ(run({"SET", "k", "w", "NX"}), nil());
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(run({"SET", "k", "w", "XX"}), ok());
  EXPECT_EQ(run({"GET", "k"}), bulk("w"));
  EXPECT_EQ(run({"SET", "k", "w", "NX", "NX"}), nil());  // a repeated flag is fine
  // GET returns the old value (nil if none) and still sets.
  EXPECT_EQ(run({"SET", "g", "1", "GET"}), nil());
  EXPECT_EQ(run({"SET", "g", "2", "GET"}), bulk("1"));
  EXPECT_EQ(run({"GET", "g"}), bulk("2"));
  EXPECT_EQ(run({"SET", "g", "3", "Get", "get"}), bulk("2"));
  // NX GET (allowed since 7.0): the old value, and nothing is written if it existed.
  EXPECT_EQ(run({"SET", "g", "4", "NX", "GET"}), bulk("3"));
  EXPECT_EQ(run({"GET", "g"}), bulk("3"));
  EXPECT_EQ(run({"SET", "g2", "1", "NX", "GET"}), nil());
  EXPECT_EQ(run({"GET", "g2"}), bulk("1"));
  // XX GET: writes only if it existed.
  EXPECT_EQ(run({"SET", "g3", "1", "XX", "GET"}), nil());
  EXPECT_EQ(run({"EXISTS", "g3"}), integer(0));
  EXPECT_EQ(run({"SET", "g", "5", "XX", "GET"}), bulk("3"));
  EXPECT_EQ(run({"GET", "g"}), bulk("5"));
  // GET combined with an expiry and with KEEPTTL.
  EXPECT_EQ(run({"SET", "g", "6", "GET", "EX", "100"}), bulk("5"));
  EXPECT_EQ(ttl("g"), 100);
  EXPECT_EQ(run({"SET", "g", "7", "KEEPTTL", "GET"}), bulk("6"));
  EXPECT_EQ(ttl("g"), 100);
  EXPECT_EQ(run({"SET", "g", "8", "XX", "PX", "50000", "GET"}), bulk("7"));
  EXPECT_LE(pttl("g"), 50'000);
  EXPECT_GT(pttl("g"), 40'000);
  // NX with an expiry that does not apply leaves the old TTL alone.
  EXPECT_EQ(run({"SET", "g", "9", "NX", "EX", "5"}), nil());
  EXPECT_GT(pttl("g"), 40'000);
}

TEST_F(StringsKeys, SetnxSetexPsetex) {
  EXPECT_EQ(run({"SETNX", "k", "1"}), integer(1));
  EXPECT_EQ(run({"SETNX", "k", "2"}), integer(0));
  EXPECT_EQ(run({"GET", "k"}), bulk("1"));
  EXPECT_EQ(run({"SETNX", "k"}), wrong_args("setnx"));

  EXPECT_EQ(run({"SETEX", "k", "100", "v"}), ok());
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run({"SETEX", "k", "0", "v"}), invalid_expire("setex"));
  EXPECT_EQ(run({"SETEX", "k", "-5", "v"}), invalid_expire("setex"));
  EXPECT_EQ(run({"SETEX", "k", "abc", "v"}), not_integer());
  EXPECT_EQ(run({"SETEX", "k", "10"}), wrong_args("setex"));
  EXPECT_EQ(run({"GET", "k"}), bulk("v"));

  EXPECT_EQ(run({"PSETEX", "p", "100000", "v"}), ok());
  EXPECT_GT(pttl("p"), 99'000);
  EXPECT_EQ(run({"PSETEX", "p", "0", "v"}), invalid_expire("psetex"));
  EXPECT_EQ(run({"PSETEX", "p", "-5", "v"}), invalid_expire("psetex"));
  EXPECT_EQ(run({"PSETEX", "p", "x", "v"}), not_integer());
  // SETNX on a key whose TTL passed counts it as missing.
  EXPECT_EQ(run({"PSETEX", "short", "1", "v"}), ok());
  ASSERT_TRUE(wait_until([&] { return run({"GET", "short"}) == nil(); }, 5s));
  EXPECT_EQ(run({"SETNX", "short", "again"}), integer(1));
  EXPECT_EQ(ttl("short"), -1);
}

TEST_F(StringsKeys, MgetMsetMsetnx) {
  EXPECT_EQ(run({"MSET", "a", "1", "b", "2"}), ok());
  EXPECT_EQ(run({"MGET", "a", "missing", "b", "a"}),
            array({bulk("1"), nil(), bulk("2"), bulk("1")}));
  EXPECT_EQ(run({"MSET", "a", "x", "a", "y"}), ok());  // later pairs win
  EXPECT_EQ(run({"GET", "a"}), bulk("y"));
  EXPECT_EQ(run({"MSET", "a"}), wrong_args("mset"));
  EXPECT_EQ(run({"MSET", "a", "1", "b"}), wrong_args("mset"));
  EXPECT_EQ(run({"MGET"}), wrong_args("mget"));
  EXPECT_EQ(run({"MSETNX", "a", "1", "c", "3"}), integer(0));  // "a" exists: nothing set
  EXPECT_EQ(run({"EXISTS", "c"}), integer(0));
  EXPECT_EQ(run({"MSETNX", "c", "3", "d", "4"}), integer(1));
  EXPECT_EQ(run({"MGET", "c", "d"}), array({bulk("3"), bulk("4")}));
  EXPECT_EQ(run({"MSETNX", "e"}), wrong_args("msetnx"));
  EXPECT_EQ(run({"MSETNX", "e", "1", "f"}), wrong_args("msetnx"));
  // MSET clears TTLs.
  EXPECT_EQ(run({"SET", "t", "1", "EX", "100"}), ok());
  EXPECT_EQ(run({"MSET", "t", "2"}), ok());
  EXPECT_EQ(ttl("t"), -1);
}

TEST_F(StringsKeys, GetsetGetdel) {
  EXPECT_EQ(run({"GETSET", "k", "1"}), nil());
  EXPECT_EQ(run({"GETSET", "k", "2"}), bulk("1"));
  EXPECT_EQ(run({"GET", "k"}), bulk("2"));
  EXPECT_EQ(run({"EXPIRE", "k", "100"}), integer(1));
  EXPECT_EQ(run({"GETSET", "k", "3"}), bulk("2"));
  EXPECT_EQ(ttl("k"), -1);  // GETSET drops the TTL like SET
  EXPECT_EQ(run({"GETDEL", "k"}), bulk("3"));
  EXPECT_EQ(run({"GETDEL", "k"}), nil());
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_EQ(run({"GETSET", "k"}), wrong_args("getset"));
  EXPECT_EQ(run({"GETDEL"}), wrong_args("getdel"));
}

TEST_F(StringsKeys, Getex) {
  EXPECT_EQ(run({"GETEX", "missing", "EX", "10"}), nil());
  // The key is looked up before the time is checked: a missing key answers nil even then.
  EXPECT_EQ(run({"GETEX", "missing", "EX", "0"}), nil());
  EXPECT_EQ(run({"GETEX", "missing", "PX", "abc"}), nil());
  EXPECT_EQ(run({"GETEX", "missing", "EX", "9223372036854775807"}), nil());
  EXPECT_EQ(run({"GETEX", "missing", "EX"}), syntax_error());  // syntax is checked first
  EXPECT_EQ(run({"EXISTS", "missing"}), integer(0));
  EXPECT_EQ(run({"SET", "k", "v"}), ok());
  EXPECT_EQ(run({"GETEX", "k"}), bulk("v"));
  EXPECT_EQ(ttl("k"), -1);
  EXPECT_EQ(run({"GETEX", "k", "EX", "100"}), bulk("v"));
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run({"GETEX", "k", "PX", "50000"}), bulk("v"));
  EXPECT_LE(pttl("k"), 50'000);
  EXPECT_GT(pttl("k"), 40'000);
  EXPECT_EQ(run({"GETEX", "k"}), bulk("v"));  // no option: TTL untouched
  EXPECT_GT(pttl("k"), 40'000);
  const long long at_s = unix_ms() / 1000 + 2000;
  EXPECT_EQ(run({"GETEX", "k", "EXAT", std::to_string(at_s)}), bulk("v"));
  EXPECT_EQ(c().get_integer({"EXPIRETIME", "k"}), at_s);
  const long long at_ms = unix_ms() + 3'000'007;
  EXPECT_EQ(run({"GETEX", "k", "PXAT", std::to_string(at_ms)}), bulk("v"));
  EXPECT_EQ(c().get_integer({"PEXPIRETIME", "k"}), at_ms);
  EXPECT_EQ(run({"GETEX", "k", "PERSIST"}), bulk("v"));
  EXPECT_EQ(ttl("k"), -1);
  EXPECT_EQ(run({"GETEX", "k", "PERSIST", "PERSIST"}), bulk("v"));
  EXPECT_EQ(run({"GETEX", "k", "EX", "5", "EX", "50"}), bulk("v"));  // the last one wins
  EXPECT_EQ(ttl("k"), 50);
  // Errors.
  EXPECT_EQ(run({"GETEX", "k", "EX", "0"}), invalid_expire("getex"));
  EXPECT_EQ(run({"GETEX", "k", "PX", "-1"}), invalid_expire("getex"));
  EXPECT_EQ(run({"GETEX", "k", "EX", "abc"}), not_integer());
  EXPECT_EQ(run({"GETEX", "k", "EX", "100", "PX", "100"}), syntax_error());
  EXPECT_EQ(run({"GETEX", "k", "PERSIST", "EX", "1"}), syntax_error());
  EXPECT_EQ(run({"GETEX", "k", "EX", "1", "PERSIST"}), syntax_error());
  EXPECT_EQ(run({"GETEX", "k", "KEEPTTL"}), syntax_error());
  EXPECT_EQ(run({"GETEX", "k", "NX"}), syntax_error());
  EXPECT_EQ(run({"GETEX", "k", "FOO"}), syntax_error());
  EXPECT_EQ(run({"GETEX", "k", "EX"}), syntax_error());
  EXPECT_EQ(run({"GETEX"}), wrong_args("getex"));
  EXPECT_EQ(ttl("k"), 50);
  // An absolute time in the past deletes the key (after returning it).
  EXPECT_EQ(run({"GETEX", "k", "EXAT", "1"}), bulk("v"));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
  EXPECT_EQ(run({"SET", "k", "v"}), ok());
  EXPECT_EQ(run({"GETEX", "k", "PXAT", "1"}), bulk("v"));
  EXPECT_EQ(run({"EXISTS", "k"}), integer(0));
}

TEST_F(StringsKeys, IncrDecrFamily) {
  EXPECT_EQ(run({"INCR", "n"}), integer(1));
  EXPECT_EQ(run({"INCR", "n"}), integer(2));
  EXPECT_EQ(run({"DECR", "n"}), integer(1));
  EXPECT_EQ(run({"DECR", "m"}), integer(-1));
  EXPECT_EQ(run({"INCRBY", "n", "41"}), integer(42));
  EXPECT_EQ(run({"INCRBY", "n", "-50"}), integer(-8));
  EXPECT_EQ(run({"DECRBY", "n", "-10"}), integer(2));
  EXPECT_EQ(run({"DECRBY", "n", "5"}), integer(-3));
  EXPECT_EQ(run({"GET", "n"}), bulk("-3"));
  EXPECT_EQ(run({"INCRBY", "fresh", "-7"}), integer(-7));
  // Values that are not 64-bit integers in canonical form.
  for (const char* bad : {"abc", " 1", "1 ", "1.0", "+1", "01", "0x10", "", "-",
                          "9223372036854775808", "-9223372036854775809", "1e3"}) {
    SCOPED_TRACE(std::string("value '") + bad + "'");
    ASSERT_EQ(run({"SET", "bad", bad}), ok());
    EXPECT_EQ(run({"INCR", "bad"}), not_integer());
    EXPECT_EQ(run({"DECRBY", "bad", "1"}), not_integer());
    EXPECT_EQ(run({"GET", "bad"}), bulk(bad));
  }
  EXPECT_EQ(run({"INCRBY", "n", "1.5"}), not_integer());
  EXPECT_EQ(run({"INCRBY", "n", ""}), not_integer());
  EXPECT_EQ(run({"INCRBY", "n", "abc"}), not_integer());
  EXPECT_EQ(run({"DECRBY", "n", "9223372036854775808"}), not_integer());
  EXPECT_EQ(run({"INCR", "n", "1"}), wrong_args("incr"));
  EXPECT_EQ(run({"INCRBY", "n"}), wrong_args("incrby"));
  // Overflow in both directions; the value is left alone.
  EXPECT_EQ(run({"SET", "max", "9223372036854775807"}), ok());
  EXPECT_EQ(run({"INCR", "max"}), err("ERR increment or decrement would overflow"));
  EXPECT_EQ(run({"INCRBY", "max", "1"}), err("ERR increment or decrement would overflow"));
  EXPECT_EQ(run({"DECRBY", "max", "-1"}), err("ERR increment or decrement would overflow"));
  EXPECT_EQ(run({"GET", "max"}), bulk("9223372036854775807"));
  EXPECT_EQ(run({"SET", "min", "-9223372036854775808"}), ok());
  EXPECT_EQ(run({"DECR", "min"}), err("ERR increment or decrement would overflow"));
  EXPECT_EQ(run({"INCRBY", "min", "-1"}), err("ERR increment or decrement would overflow"));
  EXPECT_EQ(run({"DECRBY", "min", "-9223372036854775808"}), err("ERR decrement would overflow"));
  EXPECT_EQ(run({"GET", "min"}), bulk("-9223372036854775808"));
  EXPECT_EQ(run({"INCRBY", "min", "9223372036854775807"}), integer(-1));
  EXPECT_EQ(run({"INCRBY", "z", "9223372036854775807"}), integer(9223372036854775807LL));
  EXPECT_EQ(run({"INCRBY", "z2", "-9223372036854775808"}), integer(LLONG_MIN));
  // The counter keeps its TTL.
  EXPECT_EQ(run({"SET", "t", "5", "EX", "100"}), ok());
  EXPECT_EQ(run({"INCR", "t"}), integer(6));
  EXPECT_EQ(ttl("t"), 100);
}

TEST_F(StringsKeys, Incrbyfloat) {
  EXPECT_EQ(run({"SET", "f", "10.5"}), ok());
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "0.1"}), bulk("10.6"));
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "-5"}), bulk("5.6"));
  // The long double result printed with 17 decimals, trailing zeros trimmed (as Redis does).
  EXPECT_EQ(run({"INCRBYFLOAT", "f", "5.0e3"}), bulk("5005.60000000000000009"));
  EXPECT_EQ(run({"GET", "f"}), bulk("5005.60000000000000009"));
  EXPECT_EQ(run({"SET", "i", "3.0"}), ok());
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "1"}), bulk("4"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "-1.5"}), bulk("2.5"));
  EXPECT_EQ(run({"INCRBYFLOAT", "new", "0x10"}), bulk("16"));
  EXPECT_EQ(run({"INCRBYFLOAT", "new2", "1e5"}), bulk("100000"));
  EXPECT_EQ(run({"INCRBYFLOAT", "new3", ".5"}), bulk("0.5"));
  EXPECT_EQ(run({"INCRBYFLOAT", "new4", "-0"}), bulk("0"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "inf"}), err("ERR increment would produce NaN or Infinity"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "nan"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", ""}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", "abc"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i", " 1"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"SET", "s", "1.5 "}), ok());
  EXPECT_EQ(run({"INCRBYFLOAT", "s", "1"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"SET", "s", "abc"}), ok());
  EXPECT_EQ(run({"INCRBYFLOAT", "s", "1"}), err("ERR value is not a valid float"));
  EXPECT_EQ(run({"GET", "i"}), bulk("2.5"));
  EXPECT_EQ(run({"INCRBYFLOAT", "i"}), wrong_args("incrbyfloat"));
  // The TTL is kept.
  EXPECT_EQ(run({"SET", "t", "1", "EX", "100"}), ok());
  EXPECT_EQ(run({"INCRBYFLOAT", "t", "0.5"}), bulk("1.5"));
  EXPECT_EQ(ttl("t"), 100);
}

TEST_F(StringsKeys, AppendStrlen) {
  EXPECT_EQ(run({"STRLEN", "k"}), integer(0));
  EXPECT_EQ(run({"APPEND", "k", "Hello"}), integer(5));
  EXPECT_EQ(run({"APPEND", "k", " World"}), integer(11));
  EXPECT_EQ(run({"APPEND", "k", ""}), integer(11));
  EXPECT_EQ(run({"GET", "k"}), bulk("Hello World"));
  EXPECT_EQ(run({"STRLEN", "k"}), integer(11));
  EXPECT_EQ(run({"APPEND", "empty", ""}), integer(0));
  EXPECT_EQ(run({"EXISTS", "empty"}), integer(1));  // APPEND "" still creates the key
  EXPECT_EQ(run({"SET", "n", "12"}), ok());
  EXPECT_EQ(run({"APPEND", "n", "3"}), integer(3));
  EXPECT_EQ(run({"INCR", "n"}), integer(124));
  EXPECT_EQ(run({"SET", "t", "a", "EX", "100"}), ok());
  EXPECT_EQ(run({"APPEND", "t", "b"}), integer(2));
  EXPECT_EQ(ttl("t"), 100);
  EXPECT_EQ(run({"APPEND", "k"}), wrong_args("append"));
  EXPECT_EQ(run({"STRLEN"}), wrong_args("strlen"));
  // Growing past proto-max-bulk-len (1mb here) is refused.
  const std::string half(kMaxBulk / 2, 'h');
  EXPECT_EQ(run({"SET", "big", half}), ok());
  EXPECT_EQ(run({"APPEND", "big", half}), integer(kMaxBulk));
  EXPECT_EQ(run({"APPEND", "big", "x"}),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(run({"STRLEN", "big"}), integer(kMaxBulk));
}

// SUBSTR is GETRANGE's old name; TOUCH counts the keys that exist (as Redis answers).
TEST_F(StringsKeys, SubstrAndTouch) {
  ASSERT_EQ(run({"SET", "g", "Hello World"}), ok());
  ASSERT_EQ(run({"RPUSH", "l", "a"}), integer(1));
  EXPECT_EQ(run({"SUBSTR", "g", "-5", "-1"}), bulk("World"));
  EXPECT_EQ(run({"SUBSTR", "l", "0", "1"}), wrong_type());
  EXPECT_EQ(run({"SUBSTR", "g", "0"}), wrong_args("substr"));
  EXPECT_EQ(run({"TOUCH", "g", "l", "none", "g"}), integer(3));
  EXPECT_EQ(run({"TOUCH"}), wrong_args("touch"));
}

TEST_F(StringsKeys, Getrange) {
  EXPECT_EQ(run({"SET", "g", "Hello World"}), ok());
  EXPECT_EQ(run({"GETRANGE", "g", "0", "4"}), bulk("Hello"));
  EXPECT_EQ(run({"GETRANGE", "g", "-5", "-1"}), bulk("World"));
  EXPECT_EQ(run({"GETRANGE", "g", "-1", "-5"}), bulk(""));
  EXPECT_EQ(run({"GETRANGE", "g", "5", "3"}), bulk(""));
  EXPECT_EQ(run({"GETRANGE", "g", "0", "100"}), bulk("Hello World"));
  EXPECT_EQ(run({"GETRANGE", "g", "-100", "2"}), bulk("Hel"));
  EXPECT_EQ(run({"GETRANGE", "g", "-100", "-100"}), bulk("H"));
  EXPECT_EQ(run({"GETRANGE", "g", "11", "20"}), bulk(""));
  EXPECT_EQ(run({"GETRANGE", "g", "10", "20"}), bulk("d"));
  EXPECT_EQ(run({"GETRANGE", "g", "0", "0"}), bulk("H"));
  EXPECT_EQ(run({"GETRANGE", "g", "0", "-1"}), bulk("Hello World"));
  EXPECT_EQ(run({"GETRANGE", "g", "0", "9223372036854775807"}), bulk("Hello World"));
  EXPECT_EQ(run({"GETRANGE", "g", "-9223372036854775808", "-1"}), bulk("Hello World"));
  EXPECT_EQ(run({"GETRANGE", "missing", "0", "-1"}), bulk(""));
  EXPECT_EQ(run({"GETRANGE", "g", "a", "1"}), not_integer());
  EXPECT_EQ(run({"GETRANGE", "g", "0", "1.5"}), not_integer());
  EXPECT_EQ(run({"GETRANGE", "g", "1"}), wrong_args("getrange"));
  EXPECT_EQ(run({"SET", "e", ""}), ok());
  EXPECT_EQ(run({"GETRANGE", "e", "0", "-1"}), bulk(""));
}

TEST_F(StringsKeys, Setrange) {
  EXPECT_EQ(run({"SET", "k", "Hello World"}), ok());
  EXPECT_EQ(run({"SETRANGE", "k", "6", "Redis"}), integer(11));
  EXPECT_EQ(run({"GET", "k"}), bulk("Hello Redis"));
  EXPECT_EQ(run({"SETRANGE", "k", "11", "!!"}), integer(13));
  EXPECT_EQ(run({"GET", "k"}), bulk("Hello Redis!!"));
  // Padding with zero bytes, on a new key too.
  EXPECT_EQ(run({"SETRANGE", "n", "3", "ab"}), integer(5));
  EXPECT_EQ(run({"GET", "n"}), bulk(std::string("\0\0\0ab", 5)));
  EXPECT_EQ(run({"SETRANGE", "k", "15", "x"}), integer(16));
  EXPECT_EQ(run({"GET", "k"}), bulk(std::string("Hello Redis!!\0\0x", 16)));
  // An empty piece changes nothing and creates nothing.
  EXPECT_EQ(run({"SETRANGE", "e", "0", ""}), integer(0));
  EXPECT_EQ(run({"SETRANGE", "e", "5", ""}), integer(0));
  EXPECT_EQ(run({"EXISTS", "e"}), integer(0));
  EXPECT_EQ(run({"SETRANGE", "k", "100", ""}), integer(16));
  EXPECT_EQ(run({"STRLEN", "k"}), integer(16));
  // Errors.
  EXPECT_EQ(run({"SETRANGE", "k", "-1", "x"}), err("ERR offset is out of range"));
  EXPECT_EQ(run({"SETRANGE", "k", "abc", "x"}), not_integer());
  EXPECT_EQ(run({"SETRANGE", "k", "1"}), wrong_args("setrange"));
  // Up to proto-max-bulk-len (1mb here), not beyond.
  EXPECT_EQ(run({"SETRANGE", "big", std::to_string(kMaxBulk - 1), "x"}), integer(kMaxBulk));
  EXPECT_EQ(run({"SETRANGE", "big2", std::to_string(kMaxBulk), "x"}),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(run({"SETRANGE", "big", std::to_string(kMaxBulk - 1), "xy"}),
            err("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(run({"EXISTS", "big2"}), integer(0));
  // The TTL is kept.
  EXPECT_EQ(run({"SET", "t", "abc", "EX", "100"}), ok());
  EXPECT_EQ(run({"SETRANGE", "t", "1", "X"}), integer(3));
  EXPECT_EQ(ttl("t"), 100);
}

TEST_F(StringsKeys, ObjectEncoding) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0", "int"},
      {"123", "int"},
      {"-123", "int"},
      {"9223372036854775807", "int"},
      {"-9223372036854775808", "int"},
      {"12345678901234567890", "embstr"},
      {"01", "embstr"},
      {"+1", "embstr"},
      {"-0", "embstr"},
      {" 1", "embstr"},
      {"1.5", "embstr"},
      {"abc", "embstr"},
      {"", "embstr"},
      {std::string(44, 'a'), "embstr"},
      {std::string(45, 'a'), "raw"},
      {std::string(1000, 'a'), "raw"},
  };
  for (const auto& [value, encoding] : cases) {
    SCOPED_TRACE("value '" + value + "'");
    ASSERT_EQ(run({"SET", "e", value}), ok());
    EXPECT_EQ(run({"OBJECT", "ENCODING", "e"}), bulk(encoding));
  }
  EXPECT_EQ(run({"OBJECT", "ENCODING", "missing"}), nil());
  EXPECT_EQ(run({"object", "encoding", "e"}), bulk("raw"));
  EXPECT_EQ(run({"OBJECT", "FOO", "e"}), err("ERR unknown subcommand 'FOO'. Try OBJECT HELP."));
  EXPECT_EQ(run({"OBJECT", "ENCODING"}),
            err("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(run({"OBJECT", "ENCODING", "a", "b"}),
            err("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(run({"OBJECT"}), wrong_args("object"));
  const Reply help = c().command({"OBJECT", "HELP"});
  ASSERT_EQ(help.type, Reply::Array) << help;
  ASSERT_FALSE(help.elements.empty());
  EXPECT_EQ(help.elements[0].str,
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
}

// ---------------------------------------------------------------------------------------------
// Key space

TEST_F(StringsKeys, DelUnlinkExistsType) {
  EXPECT_EQ(run({"MSET", "a", "1", "b", "2", "c", "3"}), ok());
  EXPECT_EQ(run({"EXISTS", "a", "a", "b", "x"}), integer(3));  // duplicates count twice
  EXPECT_EQ(run({"TYPE", "a"}), "+string\r\n");
  EXPECT_EQ(run({"TYPE", "x"}), "+none\r\n");
  EXPECT_EQ(run({"DEL", "a", "a", "b", "x"}), integer(2));
  EXPECT_EQ(run({"UNLINK", "c", "c"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "a", "b", "c"}), integer(0));
  EXPECT_EQ(run({"DEL", "a"}), integer(0));
  EXPECT_EQ(run({"DEL"}), wrong_args("del"));
  EXPECT_EQ(run({"UNLINK"}), wrong_args("unlink"));
  EXPECT_EQ(run({"EXISTS"}), wrong_args("exists"));
  EXPECT_EQ(run({"TYPE"}), wrong_args("type"));
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
}

TEST_F(StringsKeys, KeysPatterns) {
  ASSERT_EQ(run({"MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeello", "5",
                 "h*llo", "6", "a?b", "7", "axb", "8"}),
            ok());
  auto keys = [&](const std::string& pattern) {
    return sorted(c().get_strings({"KEYS", pattern}));
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys("*"), (V{"a?b", "axb", "h*llo", "hallo", "heeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(keys("h?llo"), (V{"h*llo", "hallo", "hello", "hxllo"}));
  EXPECT_EQ(keys("h*llo"), (V{"h*llo", "hallo", "heeello", "hello", "hllo", "hxllo"}));
  EXPECT_EQ(keys("h[ae]llo"), (V{"hallo", "hello"}));
  EXPECT_EQ(keys("h[^e]llo"), (V{"h*llo", "hallo", "hxllo"}));
  EXPECT_EQ(keys("h[a-b]llo"), (V{"hallo"}));
  EXPECT_EQ(keys("h\\*llo"), (V{"h*llo"}));
  EXPECT_EQ(keys("a\\?b"), (V{"a?b"}));
  EXPECT_EQ(keys("nomatch"), V{});
  EXPECT_EQ(keys("H*"), V{});  // case-sensitive
  EXPECT_EQ(keys("["), V{});
  EXPECT_EQ(keys("hello"), (V{"hello"}));
  EXPECT_EQ(run({"KEYS"}), wrong_args("keys"));
  EXPECT_EQ(run({"KEYS", "nomatch"}), "*0\r\n");
}

TEST_F(StringsKeys, ScanOptionsAndErrors) {
  ASSERT_EQ(run({"MSET", "hello", "1", "hallo", "2", "other", "3"}), ok());
  using V = std::vector<std::string>;
  EXPECT_EQ(sorted(scan_all(c())), (V{"hallo", "hello", "other"}));
  EXPECT_EQ(sorted(scan_all(c(), {"MATCH", "h?llo"})), (V{"hallo", "hello"}));
  EXPECT_EQ(sorted(scan_all(c(), {"match", "h*", "count", "1"})), (V{"hallo", "hello"}));
  EXPECT_EQ(sorted(scan_all(c(), {"TYPE", "string"})), (V{"hallo", "hello", "other"}));
  EXPECT_EQ(sorted(scan_all(c(), {"TYPE", "list"})), V{});
  EXPECT_EQ(sorted(scan_all(c(), {"TYPE", "string", "MATCH", "o*", "COUNT", "100"})), (V{"other"}));
  // COUNT large enough returns everything in one call with cursor 0.
  const Reply all = c().command({"SCAN", "0", "COUNT", "1000"});
  ASSERT_EQ(all.type, Reply::Array) << all;
  EXPECT_TRUE(all.elements[0].is_bulk("0")) << all;
  EXPECT_EQ(all.elements[1].elements.size(), 3u) << all;
  // Errors.
  EXPECT_EQ(run({"SCAN", "abc"}), err("ERR invalid cursor"));
  EXPECT_EQ(run({"SCAN", "18446744073709551616"}), err("ERR invalid cursor"));
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "0"}), syntax_error());
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "-1"}), syntax_error());
  EXPECT_EQ(run({"SCAN", "0", "COUNT", "abc"}), not_integer());
  EXPECT_EQ(run({"SCAN", "0", "MATCH"}), syntax_error());
  EXPECT_EQ(run({"SCAN", "0", "FOO", "bar"}), syntax_error());
  EXPECT_EQ(run({"SCAN"}), wrong_args("scan"));
  // An empty db: cursor 0, no keys.
  ASSERT_EQ(run({"FLUSHALL"}), ok());
  EXPECT_EQ(run({"SCAN", "0"}), array({bulk("0"), "*0\r\n"}));
}

TEST_F(StringsKeys, FullScanOf1000KeysReturnsEachKeyExactlyOnce) {
  std::string batch;
  std::set<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key:" + std::to_string(i);
    expected.insert(key);
    batch += encode_command({"SET", key, std::to_string(i)});
  }
  c().send_raw(batch);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(c().read_reply_raw(), ok()) << i;
  ASSERT_EQ(run({"DBSIZE"}), integer(1000));

  std::map<std::string, int> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    const Reply r = c().command({"SCAN", cursor, "COUNT", "7"});
    ASSERT_EQ(r.type, Reply::Array) << r;
    ASSERT_EQ(r.elements.size(), 2u) << r;
    // COUNT is a hint; a reply far bigger than it means the server ignores it.
    EXPECT_LE(r.elements[1].elements.size(), 70u) << "SCAN ... COUNT 7 returned too much";
    for (const Reply& k : r.elements[1].elements) ++seen[k.str];
    cursor = r.elements[0].str;
    ASSERT_LT(++calls, 5000) << "SCAN does not terminate";
  } while (cursor != "0");
  EXPECT_GE(calls, 1000 / 70) << "SCAN ignored COUNT 7";
  std::vector<std::string> duplicates, missing, unexpected;
  for (const auto& [key, n] : seen) {
    if (n > 1) duplicates.push_back(key);
    if (!expected.count(key)) unexpected.push_back(key);
  }
  for (const std::string& key : expected) {
    if (!seen.count(key)) missing.push_back(key);
  }
  EXPECT_TRUE(duplicates.empty()) << duplicates.size() << " keys returned more than once, e.g. "
                                  << duplicates.front();
  EXPECT_TRUE(missing.empty()) << missing.size() << " keys never returned, e.g. "
                               << missing.front();
  EXPECT_TRUE(unexpected.empty()) << "unknown keys returned, e.g. " << unexpected.front();

  // The SCAN guarantee under concurrent change: every key present from the start to the end
  // of an iteration is returned, even while others are deleted and added meanwhile.
  RespClient writer = server_->client();
  std::set<std::string> seen_again;
  cursor = "0";
  int round = 0;
  do {
    const Reply r = c().command({"SCAN", cursor, "COUNT", "7"});
    ASSERT_EQ(r.type, Reply::Array) << r;
    for (const Reply& k : r.elements[1].elements) seen_again.insert(k.str);
    cursor = r.elements[0].str;
    // Delete keys key:0..key:199 (some already returned, some not) and add new ones.
    if (round < 200) {
      ASSERT_EQ(writer.command_raw({"DEL", "key:" + std::to_string(round)}), integer(1));
      ASSERT_EQ(writer.command_raw({"SET", "added:" + std::to_string(round), "x"}), ok());
    }
    ++round;
    ASSERT_LT(round, 5000);
  } while (cursor != "0");
  for (int i = 200; i < 1000; ++i) {
    EXPECT_TRUE(seen_again.count("key:" + std::to_string(i)))
        << "key:" << i << " existed throughout the SCAN but was not returned";
  }
}

TEST_F(StringsKeys, Randomkey) {
  EXPECT_EQ(run({"RANDOMKEY"}), nil());
  ASSERT_EQ(run({"SET", "only", "1"}), ok());
  EXPECT_EQ(run({"RANDOMKEY"}), bulk("only"));
  std::set<std::string> all;
  for (int i = 0; i < 20; ++i) {
    const std::string key = "k" + std::to_string(i);
    all.insert(key);
    ASSERT_EQ(run({"SET", key, "1"}), ok());
  }
  all.insert("only");
  std::set<std::string> returned;
  for (int i = 0; i < 200; ++i) {
    const Reply r = c().command({"RANDOMKEY"});
    ASSERT_EQ(r.type, Reply::Bulk) << r;
    ASSERT_TRUE(all.count(r.str)) << "RANDOMKEY returned a key that does not exist: " << r;
    returned.insert(r.str);
  }
  EXPECT_GE(returned.size(), 5u) << "RANDOMKEY is hardly random";
  EXPECT_EQ(run({"RANDOMKEY", "x"}), wrong_args("randomkey"));
  // Only expired keys left: nil.
  ASSERT_EQ(run({"FLUSHALL"}), ok());
  ASSERT_EQ(run({"SET", "gone", "1", "PXAT", "1"}), ok());
  EXPECT_EQ(run({"RANDOMKEY"}), nil());
}

TEST_F(StringsKeys, RenameRenamenx) {
  EXPECT_EQ(run({"RENAME", "x", "y"}), err("ERR no such key"));
  EXPECT_EQ(run({"RENAMENX", "x", "y"}), err("ERR no such key"));
  ASSERT_EQ(run({"MSET", "a", "1", "b", "2"}), ok());
  EXPECT_EQ(run({"RENAME", "a", "a"}), ok());
  EXPECT_EQ(run({"RENAMENX", "a", "a"}), integer(0));
  EXPECT_EQ(run({"GET", "a"}), bulk("1"));
  // The TTL moves with the value.
  ASSERT_EQ(run({"SET", "t", "v", "EX", "100"}), ok());
  EXPECT_EQ(run({"RENAME", "t", "u"}), ok());
  EXPECT_EQ(ttl("u"), 100);
  EXPECT_EQ(ttl("t"), -2);
  // RENAME overwrites the target (and its TTL).
  ASSERT_EQ(run({"SET", "v", "old", "EX", "100"}), ok());
  EXPECT_EQ(run({"RENAME", "b", "v"}), ok());
  EXPECT_EQ(run({"GET", "v"}), bulk("2"));
  EXPECT_EQ(ttl("v"), -1);
  EXPECT_EQ(run({"EXISTS", "b"}), integer(0));
  EXPECT_EQ(run({"RENAMENX", "v", "u"}), integer(0));
  EXPECT_EQ(run({"GET", "u"}), bulk("v"));
  EXPECT_EQ(run({"RENAMENX", "v", "w"}), integer(1));
  EXPECT_EQ(run({"GET", "w"}), bulk("2"));
  EXPECT_EQ(run({"EXISTS", "v"}), integer(0));
  EXPECT_EQ(run({"RENAME", "w"}), wrong_args("rename"));
  EXPECT_EQ(run({"RENAMENX", "w"}), wrong_args("renamenx"));
  EXPECT_EQ(run({"DBSIZE"}), integer(3));  // a, u, w
  // A renamed key that has expired is "no such key".
  ASSERT_EQ(run({"SET", "exp", "1", "PXAT", "1"}), ok());
  EXPECT_EQ(run({"RENAME", "exp", "z"}), err("ERR no such key"));
}

TEST_F(StringsKeys, Copy) {
  ASSERT_EQ(run({"SET", "w", "1"}), ok());
  EXPECT_EQ(run({"COPY", "w", "w"}), err("ERR source and destination objects are the same"));
  EXPECT_EQ(run({"COPY", "w", "z"}), integer(1));
  EXPECT_EQ(run({"GET", "z"}), bulk("1"));
  ASSERT_EQ(run({"SET", "w", "2"}), ok());
  EXPECT_EQ(run({"COPY", "w", "z"}), integer(0));
  EXPECT_EQ(run({"GET", "z"}), bulk("1"));
  EXPECT_EQ(run({"COPY", "w", "z", "REPLACE"}), integer(1));
  EXPECT_EQ(run({"GET", "z"}), bulk("2"));
  EXPECT_EQ(run({"COPY", "w", "z", "replace", "REPLACE"}), integer(1));
  EXPECT_EQ(run({"COPY", "nokey", "z2"}), integer(0));
  EXPECT_EQ(run({"EXISTS", "z2"}), integer(0));
  // The TTL is copied; REPLACE replaces the target's TTL too.
  ASSERT_EQ(run({"SET", "t", "v", "EX", "100"}), ok());
  EXPECT_EQ(run({"COPY", "t", "t2"}), integer(1));
  EXPECT_EQ(ttl("t2"), 100);
  EXPECT_EQ(ttl("t"), 100);
  EXPECT_EQ(run({"COPY", "w", "t2", "REPLACE"}), integer(1));
  EXPECT_EQ(ttl("t2"), -1);
  // Into another db.
  EXPECT_EQ(run({"COPY", "w", "w", "DB", "1"}), integer(1));
  EXPECT_EQ(run({"COPY", "w", "w", "DB", "1"}), integer(0));
  EXPECT_EQ(run({"COPY", "t", "tt", "DB", "2", "REPLACE"}), integer(1));
  ASSERT_EQ(run({"SELECT", "1"}), ok());
  EXPECT_EQ(run({"GET", "w"}), bulk("2"));
  ASSERT_EQ(run({"SELECT", "2"}), ok());
  EXPECT_EQ(run({"GET", "tt"}), bulk("v"));
  EXPECT_EQ(ttl("tt"), 100);
  ASSERT_EQ(run({"SELECT", "0"}), ok());
  // Errors.
  EXPECT_EQ(run({"COPY", "w", "z", "DB", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"COPY", "w", "z", "DB", "-1"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"COPY", "w", "z", "DB", "abc"}), not_integer());
  EXPECT_EQ(run({"COPY", "w", "z", "FOO"}), syntax_error());
  EXPECT_EQ(run({"COPY", "w", "z", "DB"}), syntax_error());
  EXPECT_EQ(run({"COPY", "w"}), wrong_args("copy"));
}

TEST_F(StringsKeys, Move) {
  ASSERT_EQ(run({"SET", "m", "v", "EX", "100"}), ok());
  EXPECT_EQ(run({"MOVE", "m", "0"}), err("ERR source and destination objects are the same"));
  EXPECT_EQ(run({"MOVE", "m", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"MOVE", "m", "-1"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"MOVE", "m", "abc"}), not_integer());
  EXPECT_EQ(run({"MOVE", "nokey", "1"}), integer(0));
  EXPECT_EQ(run({"MOVE", "m", "1"}), integer(1));
  EXPECT_EQ(run({"EXISTS", "m"}), integer(0));
  ASSERT_EQ(run({"SET", "m", "other"}), ok());
  EXPECT_EQ(run({"MOVE", "m", "1"}), integer(0));  // the target db has it already
  EXPECT_EQ(run({"GET", "m"}), bulk("other"));
  ASSERT_EQ(run({"SELECT", "1"}), ok());
  EXPECT_EQ(run({"GET", "m"}), bulk("v"));
  EXPECT_EQ(ttl("m"), 100);  // the TTL moves along
  EXPECT_EQ(run({"MOVE", "m"}), wrong_args("move"));
}

TEST_F(StringsKeys, SelectDbsizeFlushdbFlushall) {
  ASSERT_EQ(run({"MSET", "a", "0", "b", "0"}), ok());
  EXPECT_EQ(run({"SELECT", "1"}), ok());
  EXPECT_EQ(run({"GET", "a"}), nil());
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  ASSERT_EQ(run({"SET", "a", "1"}), ok());
  EXPECT_EQ(run({"SELECT", "15"}), ok());
  ASSERT_EQ(run({"SET", "a", "15"}), ok());
  EXPECT_EQ(c().get_strings({"KEYS", "*"}), std::vector<std::string>{"a"});
  EXPECT_EQ(run({"SELECT", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SELECT", "-1"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SELECT", "abc"}), not_integer());
  EXPECT_EQ(run({"GET", "a"}), bulk("15"));  // a failed SELECT keeps the db
  EXPECT_EQ(run({"SELECT", "0"}), ok());
  EXPECT_EQ(run({"GET", "a"}), bulk("0"));
  EXPECT_EQ(run({"DBSIZE"}), integer(2));
  // The selected db is per connection.
  RespClient other = server_->client();
  ASSERT_EQ(other.command_raw({"SELECT", "1"}), ok());
  EXPECT_EQ(other.command_raw({"GET", "a"}), bulk("1"));
  EXPECT_EQ(run({"GET", "a"}), bulk("0"));
  // FLUSHDB empties only the current db.
  EXPECT_EQ(other.command_raw({"FLUSHDB"}), ok());
  EXPECT_EQ(other.command_raw({"DBSIZE"}), integer(0));
  EXPECT_EQ(run({"DBSIZE"}), integer(2));
  ASSERT_EQ(run({"SELECT", "15"}), ok());
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
  EXPECT_EQ(run({"FLUSHDB", "ASYNC"}), ok());
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(run({"FLUSHDB", "FOO"}), syntax_error());
  EXPECT_EQ(run({"FLUSHDB", "SYNC", "ASYNC"}), syntax_error());
  EXPECT_EQ(run({"DBSIZE", "x"}), wrong_args("dbsize"));
  // FLUSHALL empties every db, TTL'd keys included.
  ASSERT_EQ(run({"SET", "t", "1", "EX", "100"}), ok());
  EXPECT_EQ(run({"FLUSHALL", "SYNC"}), ok());
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  ASSERT_EQ(run({"SELECT", "0"}), ok());
  EXPECT_EQ(run({"DBSIZE"}), integer(0));
  EXPECT_EQ(run({"GET", "a"}), nil());
  EXPECT_EQ(run({"FLUSHALL", "FOO"}), syntax_error());
  // Keys written right after a flush are there.
  ASSERT_EQ(run({"SET", "after", "1"}), ok());
  EXPECT_EQ(run({"DBSIZE"}), integer(1));
  EXPECT_EQ(run({"GET", "after"}), bulk("1"));
}

// ---------------------------------------------------------------------------------------------
// Expire family

TEST_F(StringsKeys, ExpireFlags) {
  ASSERT_EQ(run({"SET", "k", "v"}), ok());
  EXPECT_EQ(run({"EXPIRE", "k", "100", "XX"}), integer(0));  // no TTL yet
  EXPECT_EQ(run({"EXPIRE", "k", "100", "GT"}), integer(0));  // no TTL counts as infinite
  EXPECT_EQ(run({"EXPIRE", "k", "100", "LT"}), integer(1));
  EXPECT_EQ(ttl("k"), 100);
  EXPECT_EQ(run({"EXPIRE", "k", "50", "NX"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "k", "200", "GT"}), integer(1));
  EXPECT_EQ(ttl("k"), 200);
  EXPECT_EQ(run({"EXPIRE", "k", "150", "GT"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "k", "100", "LT"}), integer(1));
  EXPECT_EQ(run({"EXPIRE", "k", "300", "LT"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "k", "300", "XX"}), integer(1));
  EXPECT_EQ(ttl("k"), 300);
  EXPECT_EQ(run({"EXPIRE", "k", "10", "xx", "gt"}), integer(0));
  EXPECT_EQ(run({"PEXPIRE", "k", "400000", "XX", "GT"}), integer(1));
  EXPECT_EQ(ttl("k"), 400);
  ASSERT_EQ(run({"SET", "n", "v"}), ok());
  EXPECT_EQ(run({"EXPIRE", "n", "100", "NX"}), integer(1));
  EXPECT_EQ(ttl("n"), 100);
  const long long at = unix_ms() / 1000 + 5000;
  EXPECT_EQ(run({"EXPIREAT", "n", std::to_string(at), "GT"}), integer(1));
  EXPECT_EQ(c().get_integer({"EXPIRETIME", "n"}), at);
  EXPECT_EQ(run({"PEXPIREAT", "n", std::to_string(at * 1000 - 1), "LT"}), integer(1));
  EXPECT_EQ(c().get_integer({"PEXPIRETIME", "n"}), at * 1000 - 1);
  // Errors.
  const std::string incompatible =
      err("ERR NX and XX, GT or LT options at the same time are not compatible");
  EXPECT_EQ(run({"EXPIRE", "k", "10", "NX", "XX"}), incompatible);
  EXPECT_EQ(run({"EXPIRE", "k", "10", "NX", "GT"}), incompatible);
  EXPECT_EQ(run({"PEXPIRE", "k", "10", "LT", "NX"}), incompatible);
  EXPECT_EQ(run({"EXPIRE", "k", "10", "GT", "LT"}),
            err("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(run({"EXPIRE", "k", "10", "FOO"}), err("ERR Unsupported option FOO"));
  EXPECT_EQ(run({"EXPIREAT", "k", "10", "bar"}), err("ERR Unsupported option bar"));
  EXPECT_EQ(ttl("k"), 400);
}

TEST_F(StringsKeys, ExpireValuesAndErrors) {
  EXPECT_EQ(run({"EXPIRE", "nokey", "10"}), integer(0));
  EXPECT_EQ(run({"PEXPIRE", "nokey", "10"}), integer(0));
  EXPECT_EQ(run({"EXPIREAT", "nokey", "10"}), integer(0));
  ASSERT_EQ(run({"SET", "k", "v"}), ok());
  EXPECT_EQ(run({"EXPIRE", "k", "abc"}), not_integer());
  EXPECT_EQ(run({"EXPIRE", "k", "1.5"}), not_integer());
  EXPECT_EQ(run({"EXPIRE", "k", "9223372036854775807"}), invalid_expire("expire"));
  EXPECT_EQ(run({"EXPIRE", "k", "-9223372036854775808"}), invalid_expire("expire"));
  EXPECT_EQ(run({"PEXPIRE", "k", "9223372036854775807"}), invalid_expire("pexpire"));
  EXPECT_EQ(run({"EXPIREAT", "k", "9223372036854775807"}), invalid_expire("expireat"));
  EXPECT_EQ(run({"EXPIRE", "k"}), wrong_args("expire"));
  EXPECT_EQ(run({"PEXPIREAT", "k"}), wrong_args("pexpireat"));
  EXPECT_EQ(ttl("k"), -1);
  // The largest absolute time is accepted.
  EXPECT_EQ(run({"PEXPIREAT", "k", "9223372036854775807"}), integer(1));
  EXPECT_EQ(c().get_integer({"PEXPIRETIME", "k"}), 9223372036854775807LL);
  EXPECT_GT(ttl("k"), 9'000'000'000'000'000LL / 1000);
  // Relative and absolute forms.
  EXPECT_EQ(run({"PEXPIRE", "k", "100000"}), integer(1));
  EXPECT_GT(pttl("k"), 99'000);
  EXPECT_LE(pttl("k"), 100'000);
  EXPECT_EQ(run({"EXPIREAT", "k", "4102444800"}), integer(1));
  EXPECT_EQ(c().get_integer({"EXPIRETIME", "k"}), 4102444800LL);
  EXPECT_EQ(c().get_integer({"PEXPIRETIME", "k"}), 4102444800000LL);
  EXPECT_EQ(run({"PEXPIREAT", "k", "4102444800123"}), integer(1));
  EXPECT_EQ(c().get_integer({"EXPIRETIME", "k"}), 4102444800LL);
  EXPECT_EQ(c().get_integer({"PEXPIRETIME", "k"}), 4102444800123LL);
  // A time in the past (or zero / negative relative) deletes the key and answers 1.
  for (const std::vector<std::string>& cmd : {std::vector<std::string>{"EXPIRE", "p", "-1"},
                                              {"EXPIRE", "p", "0"},
                                              {"PEXPIRE", "p", "0"},
                                              {"EXPIREAT", "p", "1"},
                                              {"PEXPIREAT", "p", "1"},
                                              {"PEXPIREAT", "p", "-9223372036854775808"}}) {
    SCOPED_TRACE(cmd[0] + " " + cmd[2]);
    ASSERT_EQ(run({"SET", "p", "v"}), ok());
    EXPECT_EQ(run(cmd), integer(1));
    EXPECT_EQ(run({"EXISTS", "p"}), integer(0));
    EXPECT_EQ(run({"DBSIZE"}), integer(1));  // only "k" is left, nothing lingers
  }
}

TEST_F(StringsKeys, TtlPttlExpiretimePersist) {
  for (const char* cmd : {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
    SCOPED_TRACE(cmd);
    EXPECT_EQ(run({cmd, "nokey"}), integer(-2));
    ASSERT_EQ(run({"SET", "p", "v"}), ok());
    EXPECT_EQ(run({cmd, "p"}), integer(-1));
    EXPECT_EQ(run({cmd}), wrong_args(lower(cmd)));
  }
  EXPECT_EQ(run({"PERSIST", "p"}), integer(0));
  EXPECT_EQ(run({"PERSIST", "nokey"}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "p", "100"}), integer(1));
  EXPECT_EQ(ttl("p"), 100);
  EXPECT_EQ(run({"PERSIST", "p"}), integer(1));
  EXPECT_EQ(ttl("p"), -1);
  EXPECT_EQ(run({"GET", "p"}), bulk("v"));
  EXPECT_EQ(run({"PERSIST"}), wrong_args("persist"));
  // TTL rounds to the nearest second: 1500 ms left shows as 2 (Redis: (ms + 500) / 1000).
  EXPECT_EQ(run({"PEXPIRE", "p", "100400"}), integer(1));
  EXPECT_EQ(ttl("p"), 100);
  EXPECT_EQ(run({"PEXPIRE", "p", "100900"}), integer(1));
  EXPECT_EQ(ttl("p"), 101);
}

TEST_F(StringsKeys, ShortExpiryRemovesKeyEverywhere) {
  const auto t0 = Clock::now();
  ASSERT_EQ(run({"SET", "short", "v", "PX", "100"}), ok());
  ASSERT_EQ(run({"SET", "short2", "v", "PX", "100"}), ok());
  ASSERT_EQ(run({"SET", "long", "v", "EX", "1000"}), ok());
  ASSERT_EQ(run({"SET", "forever", "v"}), ok());
  const Reply first = c().command({"GET", "short"});
  if (Clock::now() - t0 < 80ms) {
    EXPECT_TRUE(first.is_bulk("v")) << first;
  }
  // "short" is watched through GET and friends, "short2" only through KEYS / SCAN (a GET
  // could trigger a deletion that hides a KEYS / SCAN bug).
  EXPECT_TRUE(wait_until(
      [&] {
        return run({"GET", "short"}) == nil();
      },
      5s))
      << "a key with PX 100 is still readable after 5 s";
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_GE(Clock::now() - t0, 95ms) << "the key expired too early";
  EXPECT_EQ(run({"EXISTS", "short"}), integer(0));
  EXPECT_EQ(run({"TTL", "short"}), integer(-2));
  EXPECT_EQ(run({"STRLEN", "short"}), integer(0));
  EXPECT_EQ(run({"MGET", "short", "long"}), array({nil(), bulk("v")}));
  EXPECT_TRUE(wait_until(
      [&] {
        const std::vector<std::string> keys = c().get_strings({"KEYS", "*"});
        return std::find(keys.begin(), keys.end(), "short2") == keys.end();
      },
      5s))
      << "an expired key is still listed by KEYS";
  const std::vector<std::string> scanned = sorted(scan_all(c()));
  EXPECT_EQ(scanned, (std::vector<std::string>{"forever", "long"}));
  EXPECT_EQ(sorted(c().get_strings({"KEYS", "*"})), (std::vector<std::string>{"forever", "long"}));
  // Writing an expired key starts from scratch.
  ASSERT_EQ(run({"SET", "c", "10", "PX", "50"}), ok());
  ASSERT_TRUE(wait_until([&] { return run({"EXISTS", "c"}) == integer(0); }, 5s));
  EXPECT_EQ(run({"INCR", "c"}), integer(1));
  EXPECT_EQ(ttl("c"), -1);
  ASSERT_EQ(run({"SET", "a", "xyz", "PX", "50"}), ok());
  ASSERT_TRUE(wait_until([&] { return run({"EXISTS", "a"}) == integer(0); }, 5s));
  EXPECT_EQ(run({"APPEND", "a", "q"}), integer(1));
  EXPECT_EQ(ttl("a"), -1);
}

TEST_F(StringsKeys, ExpiryFollowsTtlChanges) {
  // Every key starts with PX 200; then its TTL is removed, replaced, kept or moved in some way.
  // The expiry cycle must delete exactly the keys whose (current) TTL passed, and never a key
  // whose TTL was removed or pushed back, even if it once had the short one.
  const std::vector<std::string> names = {"persist", "set",   "expire", "getset",
                                          "renamed", "moved", "getex",  "mset",
                                          "keepttl", "incr",  "copied", "setrange"};
  for (const std::string& k : names) {
    ASSERT_EQ(run({"SET", k, "1", "PX", "200"}), ok()) << k;
  }
  ASSERT_EQ(run({"PERSIST", "persist"}), integer(1));
  ASSERT_EQ(run({"SET", "set", "2"}), ok());
  ASSERT_EQ(run({"EXPIRE", "expire", "1000"}), integer(1));
  ASSERT_EQ(run({"GETSET", "getset", "2"}), bulk("1"));
  ASSERT_EQ(run({"RENAME", "renamed", "renamed2"}), ok());  // renamed2 keeps PX 200
  ASSERT_EQ(run({"SET", "renamed", "new"}), ok());
  ASSERT_EQ(run({"MOVE", "moved", "1"}), integer(1));  // db 1 "moved" keeps PX 200
  ASSERT_EQ(run({"SET", "moved", "new"}), ok());
  ASSERT_EQ(run({"GETEX", "getex", "PERSIST"}), bulk("1"));
  ASSERT_EQ(run({"MSET", "mset", "2"}), ok());
  ASSERT_EQ(run({"SET", "keepttl", "2", "KEEPTTL"}), ok());        // still PX 200
  ASSERT_EQ(run({"INCR", "incr"}), integer(2));                    // still PX 200
  ASSERT_EQ(run({"COPY", "copied", "copy2"}), integer(1));         // both PX 200
  ASSERT_EQ(run({"SETRANGE", "setrange", "0", "x"}), integer(1));  // still PX 200
  const std::vector<std::string> survivors = {"expire", "getex",   "getset",  "moved",
                                              "mset",   "persist", "renamed", "set"};
  // Wait (without touching any key) until db 0 holds only the survivors and db 1 is empty.
  RespClient db1 = server_->client();
  ASSERT_EQ(db1.command_raw({"SELECT", "1"}), ok());
  EXPECT_TRUE(wait_until(
      [&] {
        return run({"DBSIZE"}) == integer(static_cast<long long>(survivors.size())) &&
               db1.command_raw({"DBSIZE"}) == integer(0);
      },
      10s))
      << "db 0 DBSIZE " << run({"DBSIZE"}) << ", db 1 DBSIZE " << db1.command_raw({"DBSIZE"});
  // Give the expiry cycle the chance to make a mistake: wait until it has deleted a canary that
  // expires after all of the keys above (a cycle takes every due entry of the expiry index in
  // expiry order), without touching the canary. Then check exactly who is left.
  RespClient db9 = server_->client();
  ASSERT_EQ(db9.command_raw({"SELECT", "9"}), ok());
  ASSERT_EQ(db9.command_raw({"SET", "canary", "v", "PX", "1"}), ok());
  EXPECT_TRUE(wait_until([&] { return db9.command_raw({"DBSIZE"}) == integer(0); }, 10s))
      << "the active expiry cycle did not delete the canary";
  EXPECT_EQ(sorted(c().get_strings({"KEYS", "*"})), survivors);
  EXPECT_EQ(run({"GET", "renamed"}), bulk("new"));
  EXPECT_EQ(run({"GET", "moved"}), bulk("new"));
  EXPECT_EQ(run({"GET", "getset"}), bulk("2"));
  EXPECT_GE(ttl("expire"), 990);
  for (const char* k : {"persist", "set", "getset", "renamed", "moved", "getex", "mset"}) {
    EXPECT_EQ(ttl(k), -1) << k;
  }
  EXPECT_EQ(db1.command_raw({"KEYS", "*"}), "*0\r\n");
}

TEST_F(StringsKeys, BinaryAndEmptyKeyNames) {
  const std::vector<std::string> keys = {"",
                                         std::string("\0", 1),
                                         std::string("a\0b", 3),
                                         "\xff\xff",
                                         "\xff",
                                         "\x01",
                                         "key with spaces",
                                         "\r\n",
                                         "*",
                                         "\xc3\xa9t\xc3\xa9"};
  for (const std::string& k : keys) {
    ASSERT_EQ(run({"SET", k, "v:" + k}), ok()) << escape_bytes(k);
  }
  EXPECT_EQ(run({"DBSIZE"}), integer(static_cast<long long>(keys.size())));
  for (const std::string& k : keys) {
    EXPECT_EQ(run({"GET", k}), bulk("v:" + k)) << escape_bytes(k);
    EXPECT_EQ(run({"EXISTS", k}), integer(1)) << escape_bytes(k);
  }
  EXPECT_EQ(sorted(c().get_strings({"KEYS", "*"})), sorted(keys));
  // A full SCAN with a tiny COUNT resumes correctly around NUL and 0xff bytes.
  std::vector<std::string> scanned = sorted(scan_all(c(), {"COUNT", "1"}));
  EXPECT_EQ(scanned, sorted(keys));
  // Key-space commands on them.
  EXPECT_EQ(run({"RENAME", "", std::string("\0", 1)}), ok());
  EXPECT_EQ(run({"GET", std::string("\0", 1)}), bulk("v:"));
  EXPECT_EQ(run({"EXISTS", ""}), integer(0));
  EXPECT_EQ(run({"EXPIRE", "\xff", "100"}), integer(1));
  EXPECT_EQ(ttl("\xff"), 100);
  EXPECT_EQ(ttl("\xff\xff"), -1);
  EXPECT_EQ(run({"DEL", "\xff\xff", "\xff"}), integer(2));
  EXPECT_EQ(run({"DBSIZE"}), integer(static_cast<long long>(keys.size()) - 3));
  // Keys of db 1 that sort right after db 0's never leak into db 0's KEYS / SCAN.
  ASSERT_EQ(run({"SELECT", "1"}), ok());
  ASSERT_EQ(run({"SET", "", "db1"}), ok());
  ASSERT_EQ(run({"SET", std::string("\0", 1), "db1"}), ok());
  ASSERT_EQ(run({"SELECT", "0"}), ok());
  EXPECT_EQ(c().get_strings({"KEYS", "*"}).size(), keys.size() - 3);
  EXPECT_EQ(scan_all(c(), {"COUNT", "2"}).size(), keys.size() - 3);
}

TEST_F(StringsKeys, ActiveExpiryDeletesKeysNobodyReads) {
  // 300 keys with PX 100 in db 0 and db 3, plus keys that must stay.
  std::string batch;
  for (int i = 0; i < 150; ++i) {
    batch += encode_command({"SET", "vol:" + std::to_string(i), "v", "PX", "100"});
  }
  batch += encode_command({"SELECT", "3"});
  for (int i = 0; i < 150; ++i) {
    batch += encode_command({"PSETEX", "vol3:" + std::to_string(i), "100", "v"});
  }
  batch += encode_command({"SET", "stay3", "v"});
  batch += encode_command({"SELECT", "0"});
  batch += encode_command({"SET", "stay", "v"});
  batch += encode_command({"SET", "stay-long", "v", "EX", "1000"});
  c().send_raw(batch);
  for (int i = 0; i < 305; ++i) ASSERT_TRUE(!c().read_reply().is_error()) << i;
  EXPECT_GE(c().get_integer({"DBSIZE"}), 2);
  // Only DBSIZE is asked (from a separate connection that never touches the keys); the
  // server's own expiry cycle has to delete them.
  RespClient watcher = server_->client();
  ASSERT_EQ(watcher.command_raw({"SELECT", "3"}), ok());
  const bool db0_done = wait_until([&] { return run({"DBSIZE"}) == integer(2); }, 10s);
  const bool db3_done =
      wait_until([&] { return watcher.command_raw({"DBSIZE"}) == integer(1); }, 10s);
  EXPECT_TRUE(db0_done) << "db 0 still holds " << run({"DBSIZE"})
                        << " keys 10 s after they expired";
  EXPECT_TRUE(db3_done) << "db 3 still holds " << watcher.command_raw({"DBSIZE"}) << " keys";
  EXPECT_EQ(sorted(c().get_strings({"KEYS", "*"})),
            (std::vector<std::string>{"stay", "stay-long"}));
  EXPECT_GE(ttl("stay-long"), 990);
}

// ---------------------------------------------------------------------------------------------
// DEBUG DIGEST / DIGEST-VALUE (two servers: the same data written in different orders)

TEST(StringsKeysDigest, DigestIsOrderIndependentAndSensitive) {
  BasaltServer a, b;
  a.start();
  b.start();
  RespClient ca = a.client(), cb = b.client();
  // Redis answers both DEBUG DIGEST and each DIGEST-VALUE element with a status reply.
  const std::string zeros(40, '0');
  const std::string status_zeros = "+" + zeros + "\r\n";
  EXPECT_EQ(ca.command_raw({"DEBUG", "DIGEST"}), status_zeros);
  EXPECT_EQ(cb.command_raw({"DEBUG", "DIGEST"}), status_zeros);

  const long long at = unix_ms() + 10'000'000;
  std::vector<std::vector<std::string>> writes;
  for (int i = 0; i < 50; ++i) {
    writes.push_back({"SET", "k" + std::to_string(i), "value-" + std::to_string(i * 7)});
  }
  writes.push_back({"SET", "ttl", "x", "PXAT", std::to_string(at)});
  writes.push_back({"SET", "num", "12345"});
  writes.push_back({"SET", "empty", ""});
  // db 1 (a SELECT is part of each write here).
  for (int i = 0; i < 10; ++i) writes.push_back({"db1", "k" + std::to_string(i), "one"});
  auto apply = [](RespClient& c, const std::vector<std::string>& w) {
    if (w[0] == "db1") {
      ASSERT_EQ(c.command_raw({"SELECT", "1"}), ok());
      ASSERT_EQ(c.command_raw({"SET", w[1], w[2]}), ok());
      ASSERT_EQ(c.command_raw({"SELECT", "0"}), ok());
    } else {
      ASSERT_EQ(c.command_raw(w), ok());
    }
  };
  for (const auto& w : writes) apply(ca, w);
  std::vector<std::vector<std::string>> shuffled = writes;
  std::mt19937 rng(7);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  // b also gets extra writes that end in the same state: overwritten and deleted keys.
  ASSERT_EQ(cb.command_raw({"SET", "k3", "temporary"}), ok());
  ASSERT_EQ(cb.command_raw({"SET", "gone", "x"}), ok());
  for (const auto& w : shuffled) apply(cb, w);
  ASSERT_EQ(cb.command_raw({"DEL", "gone"}), integer(1));

  const std::string da = ca.get_string({"DEBUG", "DIGEST"});
  const std::string db = cb.get_string({"DEBUG", "DIGEST"});
  EXPECT_EQ(da.size(), 40u) << da;
  EXPECT_NE(da, zeros);
  EXPECT_EQ(da, db) << "same data, different write order: digests differ";
  EXPECT_EQ(ca.command_raw({"DEBUG", "DIGEST-VALUE", "k1", "ttl", "nokey"}),
            cb.command_raw({"DEBUG", "DIGEST-VALUE", "k1", "ttl", "nokey"}));
  const Reply dv = ca.command({"DEBUG", "DIGEST-VALUE", "k1", "k2", "nokey"});
  ASSERT_EQ(dv.type, Reply::Array) << dv;
  ASSERT_EQ(dv.elements.size(), 3u) << dv;
  EXPECT_EQ(dv.elements[0].str.size(), 40u);
  EXPECT_NE(dv.elements[0].str, zeros);
  EXPECT_NE(dv.elements[0].str, dv.elements[1].str) << "different values, same digest";
  EXPECT_TRUE(dv.elements[0].type == Reply::Status) << dv;
  EXPECT_TRUE(dv.elements[2].is_status(zeros)) << "a missing key's digest is 40 zeros: " << dv;
  EXPECT_EQ(ca.command_raw({"DEBUG", "DIGEST-VALUE"}), "*0\r\n");

  // One value differs -> digests differ; restoring it -> equal again.
  ASSERT_EQ(cb.command_raw({"SET", "k17", "value-119!"}), ok());
  EXPECT_NE(cb.get_string({"DEBUG", "DIGEST"}), da);
  ASSERT_EQ(cb.command_raw({"SET", "k17", "value-119"}), ok());
  EXPECT_EQ(cb.get_string({"DEBUG", "DIGEST"}), da);
  // A TTL is part of the data.
  ASSERT_EQ(cb.command_raw({"PEXPIREAT", "k17", std::to_string(at)}), integer(1));
  EXPECT_NE(cb.get_string({"DEBUG", "DIGEST"}), da);
  ASSERT_EQ(cb.command_raw({"PERSIST", "k17"}), integer(1));
  EXPECT_EQ(cb.get_string({"DEBUG", "DIGEST"}), da);
  // The same key in another db is different data.
  ASSERT_EQ(cb.command_raw({"MOVE", "k40", "2"}), integer(1));
  EXPECT_NE(cb.get_string({"DEBUG", "DIGEST"}), da);
  ASSERT_EQ(cb.command_raw({"SELECT", "2"}), ok());
  ASSERT_EQ(cb.command_raw({"MOVE", "k40", "0"}), integer(1));
  ASSERT_EQ(cb.command_raw({"SELECT", "0"}), ok());
  EXPECT_EQ(cb.get_string({"DEBUG", "DIGEST"}), da);
  // An extra key -> differs. Empty again -> 40 zeros.
  ASSERT_EQ(cb.command_raw({"SET", "extra", ""}), ok());
  EXPECT_NE(cb.get_string({"DEBUG", "DIGEST"}), da);
  ASSERT_EQ(cb.command_raw({"FLUSHALL"}), ok());
  EXPECT_EQ(cb.command_raw({"DEBUG", "DIGEST"}), status_zeros);
}

// ---------------------------------------------------------------------------------------------
// Protocol robustness

class Protocol : public StringsKeys {};

TEST_F(Protocol, TenThousandPipelinedCommandsInOneWrite) {
  std::string batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 10'000; ++i) {
    const std::string key = "p:" + std::to_string(i / 4 % 1000);
    switch (i % 4) {
      case 0:
        batch += encode_command({"SET", key, std::to_string(i)});
        expected.push_back(ok());
        break;
      case 1:
        batch += encode_command({"GET", key});
        expected.push_back(bulk(std::to_string(i - 1)));
        break;
      case 2:
        batch += encode_command({"INCR", "counter"});
        expected.push_back(integer(i / 4 + 1));
        break;
      default:
        batch += encode_command({"EXISTS", key, "nokey"});
        expected.push_back(integer(1));
        break;
    }
  }
  c().send_raw(batch);
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(c().read_reply_raw(), expected[i]) << "reply " << i;
  }
  EXPECT_EQ(c().buffered_bytes(), 0u);
  EXPECT_EQ(run({"GET", "counter"}), bulk("2500"));
  EXPECT_EQ(run({"DBSIZE"}), integer(1001));
}

TEST_F(Protocol, CommandsSplitAcrossManySmallWrites) {
  const std::string value(40'000, 'v');
  std::string stream;
  stream += encode_command({"SET", "split", "a value"});
  stream += encode_command({"SET", "bigsplit", value});
  stream += encode_command({"GET", "split"});
  stream += encode_command({"STRLEN", "bigsplit"});
  stream += "GET split\r\n";  // inline, too
  stream += encode_command({"MSET", "x", "1", "y", "2"});
  // Byte by byte for the first 200 bytes, then random chunks of 1..300 bytes.
  std::mt19937 rng(12345);
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t n = pos < 200 ? 1 : std::uniform_int_distribution<size_t>(1, 300)(rng);
    c().send_raw(std::string_view(stream).substr(pos, n));
    pos += n;
    if (pos < 200 || rng() % 16 == 0) std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(c().read_reply_raw(), bulk("a value"));
  EXPECT_EQ(c().read_reply_raw(), integer(40'000));
  EXPECT_EQ(c().read_reply_raw(), bulk("a value"));
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(run({"GET", "bigsplit"}), bulk(value));
  // A CR and its LF in different reads of the server: the LF goes once CLIENT LIST (on another
  // connection) shows the server holding the rest in the query buffer.
  const std::string my_id = std::to_string(c().get_integer({"CLIENT", "ID"}));
  RespClient watcher = server_->client();
  auto server_holds_partial_command = [&] {
    const std::string line = watcher.get_string({"CLIENT", "LIST", "ID", my_id});
    const size_t at = line.find(" qbuf=");
    return at != std::string::npos && std::stoll(line.substr(at + 6)) > 0;
  };
  c().send_raw("*2\r\n$3\r\nGET\r\n$5\r\nsplit\r");
  ASSERT_TRUE(wait_until(server_holds_partial_command, 5s));
  c().send_raw("\n");
  EXPECT_EQ(c().read_reply_raw(), bulk("a value"));
  c().send_raw("GET split\r");
  ASSERT_TRUE(wait_until(server_holds_partial_command, 5s));
  c().send_raw("\n");
  EXPECT_EQ(c().read_reply_raw(), bulk("a value"));
}

TEST_F(Protocol, InlineCommandsWithQuotes) {
  c().send_raw("SET \"a b\" 'c d'\r\n");
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(run({"GET", "a b"}), bulk("c d"));
  c().send_raw("GET \"a b\"\r\n");
  EXPECT_EQ(c().read_reply_raw(), bulk("c d"));
  // Escapes inside double quotes: \x41, \n, \t, \", \\; \' inside single quotes.
  c().send_raw("SET esc \"x\\x41\\n\\t\\\"\\\\\"\r\n");
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(run({"GET", "esc"}), bulk("xA\n\t\"\\"));
  c().send_raw("SET q 'it\\'s'\r\n");
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(run({"GET", "q"}), bulk("it's"));
  // Empty quoted argument; LF only; several spaces and tabs; empty lines are skipped.
  c().send_raw("SET e \"\"\nGET e\n  \t MSET   m1  1 \t m2 2  \r\n\r\n\n   \r\nMGET m1 m2\r\n");
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(c().read_reply_raw(), bulk(""));
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(c().read_reply_raw(), array({bulk("1"), bulk("2")}));
  // Inline and multibulk mixed in one write.
  c().send_raw("SET mix 1\r\n" + encode_command({"INCR", "mix"}) + "GET mix\r\n");
  EXPECT_EQ(c().read_reply_raw(), ok());
  EXPECT_EQ(c().read_reply_raw(), integer(2));
  EXPECT_EQ(c().read_reply_raw(), bulk("2"));
  // An unknown inline command is an ordinary error; the connection stays.
  c().send_raw("NOSUCHCMD a b\r\n");
  EXPECT_EQ(c().read_reply_raw(),
            err("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' "));
  EXPECT_EQ(run({"GET", "mix"}), bulk("2"));
}

TEST_F(Protocol, ProtocolErrorsCloseOnlyTheOffendingConnection) {
  struct Case {
    std::string name, bytes, reply;
  };
  const std::vector<Case> cases = {
      {"bad multibulk length", "*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"multibulk length too big", "*3000000000\r\n",
       "-ERR Protocol error: invalid multibulk length\r\n"},
      {"expected $", "*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n"},
      {"bad bulk length", "*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"negative bulk length", "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"unbalanced double quote", "SET \"a b\r\n",
       "-ERR Protocol error: unbalanced quotes in request\r\n"},
      {"text right after a closing quote", "SET 'a'b c\r\n",
       "-ERR Protocol error: unbalanced quotes in request\r\n"},
      {"inline line too long", std::string(70'000, 'x'),
       "-ERR Protocol error: too big inline request\r\n"},
      {"multibulk count line too long", "*" + std::string(70'000, '1'),
       "-ERR Protocol error: too big mbulk count string\r\n"},
      {"bulk count line too long", "*1\r\n$" + std::string(70'000, '1'),
       "-ERR Protocol error: too big bulk count string\r\n"},
      {"error after a good command", "*1\r\n$4\r\nPING\r\n*1\r\n$abc\r\n*1\r\n$4\r\nPING\r\n",
       "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"},
  };
  RespClient bystander = server_->client();
  ASSERT_EQ(bystander.command_raw({"SET", "alive", "0"}), ok());
  int n = 0;
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    RespClient bad = server_->client();
    ASSERT_EQ(bad.command_raw({"SET", "before", tc.name}), ok());
    bad.send_raw(tc.bytes);
    EXPECT_TRUE(bad.closed_by_peer(5s)) << "the connection was not closed";
    std::string got;
    try {
      while (got.size() < tc.reply.size()) got += bad.read_reply_raw();
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(got, tc.reply);
    EXPECT_EQ(bad.buffered_bytes(), 0u) << "bytes after the error";
    // Other clients are unaffected.
    EXPECT_EQ(bystander.command_raw({"INCR", "alive"}), integer(++n));
    EXPECT_EQ(bystander.command_raw({"PING"}), "+PONG\r\n");
  }
  RespClient fresh = server_->client();
  EXPECT_EQ(fresh.command_raw({"GET", "alive"}), bulk(std::to_string(n)));
  // Leading empty requests are skipped, not errors.
  fresh.send_raw("*0\r\n*-1\r\n\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(fresh.read_reply_raw(), "+PONG\r\n");
  EXPECT_FALSE(fresh.closed_by_peer(100ms));
}

TEST_F(Protocol, OversizedBulkLengthIsRefused) {
  // proto-max-bulk-len is 1mb on this server: exactly 1mb is fine, one byte more is not.
  RespClient big = server_->client();
  const std::string value(kMaxBulk, 'b');
  EXPECT_EQ(big.command_raw({"SET", "max", value}), ok());
  EXPECT_EQ(big.command_raw({"STRLEN", "max"}), integer(kMaxBulk));
  RespClient over = server_->client();
  over.send_raw("*3\r\n$3\r\nSET\r\n$4\r\nover\r\n$" + std::to_string(kMaxBulk + 1) + "\r\n");
  EXPECT_TRUE(over.closed_by_peer(5s));
  EXPECT_EQ(over.read_reply_raw(), "-ERR Protocol error: invalid bulk length\r\n");
  RespClient huge = server_->client();
  huge.send_raw("*2\r\n$3\r\nGET\r\n$99999999999\r\n");
  EXPECT_TRUE(huge.closed_by_peer(5s));
  EXPECT_EQ(huge.read_reply_raw(), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_EQ(run({"EXISTS", "over"}), integer(0));
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
}

// A raw non-blocking socket that writes a stream while draining (and discarding) whatever
// the server answers, so neither side can block on a full socket buffer.
class GarbageSender {
 public:
  explicit GarbageSender(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
  }
  ~GarbageSender() {
    if (fd_ >= 0) ::close(fd_);
  }
  GarbageSender(const GarbageSender&) = delete;
  GarbageSender& operator=(const GarbageSender&) = delete;

  // Sends as much of `data` as the server takes; returns false once the server has closed.
  bool send_all(std::string_view data, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    size_t done = 0;
    char sink[65536];
    while (done < data.size() && Clock::now() < deadline) {
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
      }
      if (p.revents & POLLOUT) {
        const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        if (n > 0) done += static_cast<size_t>(n);
      }
    }
    return true;
  }

  // Waits up to `timeout` for the server to close the connection (draining what it sends).
  bool closed_by_peer(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    char sink[65536];
    while (Clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::recv(fd_, sink, sizeof sink, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
};

TEST_F(Protocol, RandomGarbageNeverCrashesTheServer) {
  std::mt19937_64 rng(20240601);
  // Three flavours: uniform random bytes; RESP-looking tokens (to reach the deeper parser
  // states); printable text with quotes (the inline parser). 32 connections x 512 KiB.
  const std::vector<std::string> tokens = {
      "*", "$",  "\r\n", "\r",  "\n", "-1", "0",  "1",      "2", "3", "10", "-",  "99999999", "\"",
      "'", "\\", " ",    "\\x", "+",  ":",  "*2", "$3\r\n", "%", "~", "\0", "ab", "*-5"};
  const std::string printable = "abcxyzGETSET\"' \\\t\r\n0123456789*$";
  auto make = [&](int flavour, size_t size) {
    std::string s;
    s.reserve(size + 16);
    while (s.size() < size) {
      switch (flavour) {
        case 0:
          s.push_back(static_cast<char>(rng() & 0xff));
          break;
        case 1:
          s += tokens[rng() % tokens.size()];
          break;
        default:
          s.push_back(printable[rng() % printable.size()]);
          break;
      }
    }
    return s;
  };
  int closed_by_server = 0;
  for (int conn = 0; conn < 32; ++conn) {
    GarbageSender g(server_->port());
    if (!g.send_all(make(conn % 3, 512 * 1024), 10s) || g.closed_by_peer(500ms)) {
      ++closed_by_server;
    }
    if (conn % 8 == 7) {
      ASSERT_EQ(run({"PING"}), "+PONG\r\n") << "after connection " << conn;
    }
  }
  EXPECT_GT(closed_by_server, 0) << "no garbage stream was ever refused";
  ASSERT_TRUE(server_->running()) << "basalt died on garbage input";
  RespClient fresh = server_->client();
  EXPECT_EQ(fresh.command_raw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(fresh.command_raw({"SET", "after-garbage", "ok"}), ok());
  EXPECT_EQ(fresh.command_raw({"GET", "after-garbage"}), bulk("ok"));
}

TEST_F(Protocol, ClientVanishingMidCommandDoesNoHarm) {
  {
    // Disconnect in the middle of a bulk argument: the command never runs.
    RespClient half = server_->client();
    half.send_raw("*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$10\r\nabc");
  }
  {
    // ... in the middle of a 512 KiB value that was announced as 1 MiB.
    RespClient half = server_->client();
    half.send_raw("*3\r\n$3\r\nSET\r\n$5\r\nhalf2\r\n$" + std::to_string(kMaxBulk) + "\r\n" +
                  std::string(kMaxBulk / 2, 'z'));
  }
  {
    // ... with thousands of replies still to be written (not read by anyone).
    RespClient greedy = server_->client();
    ASSERT_EQ(greedy.command_raw({"SET", "bigval", std::string(10'000, 'g')}), ok());
    std::string batch;
    for (int i = 0; i < 5000; ++i) batch += encode_command({"GET", "bigval"});
    greedy.send_raw(batch);
  }
  {
    // ... with writes pipelined and the socket closed at once: some prefix of them applies
    // (what the kernel had not handed to the server yet is dropped with the connection reset).
    RespClient writer = server_->client();
    std::string batch;
    for (int i = 0; i < 1000; ++i) batch += encode_command({"INCR", "abrupt-counter"});
    writer.send_raw(batch);
  }
  {
    // ... half-closed after pipelined writes: every write sent before the EOF is applied and
    // answered, then the server closes its side.
    RespClient writer = server_->client();
    std::string batch;
    for (int i = 0; i < 1000; ++i) batch += encode_command({"INCR", "vanish-counter"});
    writer.send_raw(batch);
    writer.shutdown_write();
    EXPECT_TRUE(writer.closed_by_peer(5s)) << "no close after the client's EOF";
  }
  {
    // Connect and go away without a byte.
    RespClient nothing = server_->client();
  }
  ASSERT_TRUE(wait_until(
      [&] {
        return run({"GET", "vanish-counter"}) == bulk("1000");
      },
      5s))
      << run({"GET", "vanish-counter"});
  EXPECT_EQ(run({"EXISTS", "half", "half2"}), integer(0));
  const Reply abrupt = c().command({"GET", "abrupt-counter"});
  if (!abrupt.is_nil()) {
    ASSERT_EQ(abrupt.type, Reply::Bulk) << abrupt;
    EXPECT_GE(std::stoll(abrupt.str), 1);
    EXPECT_LE(std::stoll(abrupt.str), 1000);
  }
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  EXPECT_TRUE(server_->running());
  // The server does not keep dead clients around (CLIENT LIST shows only live ones).
  const Reply list = c().command({"CLIENT", "LIST"});
  if (list.type == Reply::Bulk) {
    EXPECT_TRUE(wait_until(
        [&] {
          const std::string s = c().command({"CLIENT", "LIST"}).str;
          return std::count(s.begin(), s.end(), '\n') == 1;
        },
        5s))
        << c().command({"CLIENT", "LIST"}).str;
  }
}

// ---------------------------------------------------------------------------------------------
// Startup and shutdown of the process itself

struct ExitResult {
  std::optional<int> status;  // nullopt: still running after the timeout (then killed)
  std::string output;
};

// Runs basalt with `args` (no implicit options) and waits for it to exit.
ExitResult run_basalt(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = 15s) {
  TempDir tmp("basalt-startup-");
  const fs::path log = tmp.path() / "out.log";
  std::vector<std::string> argv = {BasaltServer::binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, log);
  ExitResult r;
  r.status = p.wait_exit(timeout);
  if (!r.status) p.kill9();
  std::ifstream in(log);
  r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

bool contains_ci(const std::string& haystack, const std::string& needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

TEST(Startup, HelpAndVersionExitZero) {
  for (const char* flag : {"--help", "-h"}) {
    const ExitResult r = run_basalt({flag});
    EXPECT_EQ(r.status, 0) << flag << "\n" << r.output;
    EXPECT_TRUE(contains_ci(r.output, "usage")) << r.output;
    EXPECT_TRUE(contains_ci(r.output, "--port")) << r.output;
  }
  for (const char* flag : {"--version", "-v"}) {
    const ExitResult r = run_basalt({flag});
    EXPECT_EQ(r.status, 0) << flag << "\n" << r.output;
    EXPECT_TRUE(contains_ci(r.output, "basalt")) << r.output;
    EXPECT_NE(r.output.find_first_of("0123456789"), std::string::npos) << r.output;
  }
}

TEST(Startup, BadOptionsExitNonZeroWithAClearMessage) {
  TempDir tmp;
  const std::string dir = (tmp.path() / "data").string();
  const std::string port = std::to_string(free_port());
  struct Case {
    std::vector<std::string> args;
    std::string must_mention;
  };
  const std::vector<Case> cases = {
      {{"--port", "notanumber", "--dir", dir}, "port"},
      {{"--port", "70000", "--dir", dir}, "port"},
      {{"--port", port, "--nosuchoption", "1", "--dir", dir}, "nosuchoption"},
      {{"--port", port, "--dir", dir, "--wal-sync", "sometimes"}, "wal-sync"},
      {{"--port", port, "--dir", dir, "--databases", "0"}, "databases"},
      {{"--port", port, "--dir", dir, "--port"}, "port"},
      {{(tmp.path() / "no-such.conf").string(), "--port", port}, "no-such.conf"},
  };
  for (const Case& tc : cases) {
    std::string joined;
    for (const auto& a : tc.args) joined += a + " ";
    SCOPED_TRACE(joined);
    const ExitResult r = run_basalt(tc.args);
    ASSERT_TRUE(r.status.has_value()) << "basalt did not exit\n" << r.output;
    EXPECT_NE(*r.status, 0) << r.output;
    EXPECT_LT(*r.status, 128) << "killed by a signal\n" << r.output;
    EXPECT_TRUE(contains_ci(r.output, tc.must_mention))
        << "the message does not mention '" << tc.must_mention << "':\n"
        << r.output;
  }
}

TEST(Startup, PortAlreadyInUseExitsNonZero) {
  // Hold the port with a listening socket.
  const int port = free_port();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0)
      << std::strerror(errno);
  ASSERT_EQ(::listen(fd, 16), 0);
  TempDir tmp;
  const ExitResult r = run_basalt({"--port", std::to_string(port), "--bind", "127.0.0.1", "--dir",
                                   (tmp.path() / "data").string()});
  ::close(fd);
  ASSERT_TRUE(r.status.has_value()) << "basalt kept running on a busy port\n" << r.output;
  EXPECT_NE(*r.status, 0) << r.output;
  EXPECT_LT(*r.status, 128) << "killed by a signal\n" << r.output;
  EXPECT_NE(r.output.find(std::to_string(port)), std::string::npos)
      << "the message does not mention the port:\n"
      << r.output;
  EXPECT_TRUE(contains_ci(r.output, "in use")) << r.output;
}

TEST(Startup, UnusableDataDirExitsNonZero) {
  TempDir tmp;
  const fs::path file = tmp.path() / "regular-file";
  std::ofstream(file) << "not a directory";
  const fs::path read_only = tmp.path() / "read-only";
  fs::create_directories(read_only);
  fs::permissions(read_only, fs::perms::owner_read | fs::perms::owner_exec);
  std::vector<std::string> dirs = {"/proc/forbidden", (file / "sub").string(), file.string()};
  if (::geteuid() != 0) dirs.push_back((read_only / "data").string());  // root ignores modes
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    const ExitResult r =
        run_basalt({"--port", std::to_string(free_port()), "--bind", "127.0.0.1", "--dir", dir});
    ASSERT_TRUE(r.status.has_value()) << "basalt kept running\n" << r.output;
    EXPECT_NE(*r.status, 0) << r.output;
    EXPECT_LT(*r.status, 128) << "killed by a signal\n" << r.output;
    EXPECT_NE(r.output.find(dir), std::string::npos) << "the message does not name the directory:\n"
                                                     << r.output;
  }
}

TEST(Startup, SigtermShutsDownCleanlyAndKeepsData) {
  BasaltServer s;
  s.start();
  {
    RespClient c = s.client();
    ASSERT_EQ(c.command_raw({"SET", "plain", "v"}), ok());
    ASSERT_EQ(c.command_raw({"SET", "ttl", "v", "EX", "1000"}), ok());
    ASSERT_EQ(c.command_raw({"INCRBY", "counter", "41"}), integer(41));
    ASSERT_EQ(c.command_raw({"SELECT", "5"}), ok());
    ASSERT_EQ(c.command_raw({"SET", "in5", "five"}), ok());
    std::string batch;
    for (int i = 0; i < 500; ++i)
      batch += encode_command({"SET", "bulk:" + std::to_string(i), "x"});
    c.send_raw(batch);
    for (int i = 0; i < 500; ++i) ASSERT_EQ(c.read_reply_raw(), ok());
  }
  const std::string digest = s.client().get_string({"DEBUG", "DIGEST"});
  ASSERT_TRUE(s.process().signal(SIGTERM));
  const std::optional<int> status = s.process().wait_exit(15s);
  ASSERT_TRUE(status.has_value()) << "basalt did not exit within 15 s of SIGTERM";
  EXPECT_EQ(*status, 0) << s.log_tail();
  s.start();
  RespClient c = s.client();
  EXPECT_EQ(c.command_raw({"GET", "plain"}), bulk("v"));
  EXPECT_GT(c.get_integer({"TTL", "ttl"}), 990);
  EXPECT_EQ(c.command_raw({"GET", "counter"}), bulk("41"));
  EXPECT_EQ(c.command_raw({"DBSIZE"}), integer(3));
  ASSERT_EQ(c.command_raw({"SELECT", "5"}), ok());
  EXPECT_EQ(c.command_raw({"GET", "in5"}), bulk("five"));
  EXPECT_EQ(c.command_raw({"DBSIZE"}), integer(501));
  EXPECT_EQ(c.get_string({"DEBUG", "DIGEST"}), digest);
}

}  // namespace
}  // namespace basalt::test
