// tests/integration/differential_test.cpp — differential tests of basalt against the real
// Redis 7.0 (Debian's /usr/bin/redis-server): the same command sequences go to both servers and
// their raw replies are compared byte for byte.
//
// The random part is a seeded, bounded generator (fixed seeds, a few thousand commands each) over
// the string, key-space and expiry commands, on a key space small enough that commands collide
// (the same keys are set, incremented, renamed, expired and deleted over and over).
//
// Replies that legitimately differ between two correct servers are handled explicitly:
//  - KEYS: the order is unspecified, so both replies are compared sorted.
//  - SCAN: cursors and order are implementation details; SCAN is not in the mix as such, a
//    "full SCAN" step instead iterates to cursor 0 on both and compares the sorted union.
//  - RANDOMKEY: not in the mix.
//  - TTL / PTTL / EXPIRETIME / PEXPIRETIME: relative expiries are computed from each server's own
//    clock a moment apart, so these compare the reply type exactly and the value within 1 s
//    (TTL, EXPIRETIME) or 1000 ms (PTTL, PEXPIRETIME); negative answers (-1, -2) must be equal.
//  - OBJECT ENCODING: compared exactly only for keys whose last write was one where Redis picks
//    the encoding from the value by the int / embstr / raw rule (SET family, MSET, INCR family,
//    and RENAME / COPY / MOVE of such a key). After APPEND, SETRANGE or INCRBYFLOAT Redis keeps
//    a raw / embstr object regardless of content; then only "both answer one of int, embstr,
//    raw (or both nil)" is required.
//  - Relative expiries in the mix are long (>= 100 s) and never reused (so GT / LT never compare
//    two equal times that the servers would compute a millisecond apart); absolute ones are in
//    the future, except for EXPIREAT / PEXPIREAT / GETEX with a past time, which delete the key
//    at once on both. SET ... EXAT/PXAT in the past is left out of the mix: Redis 7.0 stores
//    such a key and counts it in DBSIZE until some access or its expiry cycle removes it, so
//    DBSIZE would race. Short expiries are tested separately (ShortExpiries).
// A few HSET / SADD / ZADD writes share the key space, so string commands meet WRONGTYPE and the
// key-space commands meet every type. At the end of each seed the full key sets (KEYS * sorted),
// every value (GET; sorted contents for collections) and the presence of TTLs are compared, per
// database. The random runs go through the shared runner (tests/support/differential.h): a
// mismatch reports the seed, the command index, the command, both replies and the commands just
// before it.
#include "tests/support/differential.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/resp_expect.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Args = std::vector<std::string>;

long long unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How two replies to the same command are compared.
enum class Compare {
  Exact,
  SortedArray,  // KEYS
  TtlSeconds,   // TTL, EXPIRETIME: same type; equal if negative, else within 1
  TtlMillis,    // PTTL, PEXPIRETIME: same type; equal if negative, else within 1000
  Encoding,     // OBJECT ENCODING (see the file comment)
  FullScan,     // pseudo-command: a whole SCAN iteration, compared as a sorted set
};

using Step = ComparedStep<Compare>;

// Returns an empty string if the replies agree, else why not.
std::string compare_replies(Compare how, const std::string& ours, const std::string& theirs,
                            bool encoding_by_rule) {
  if (ours == theirs) return "";
  const Reply a = parse_reply(ours), b = parse_reply(theirs);
  switch (how) {
    case Compare::Exact:
    case Compare::FullScan:
      return "replies differ";
    case Compare::SortedArray: {
      if (a.type != Reply::Array || b.type != Reply::Array) return "replies differ";
      std::vector<std::string> x, y;
      for (const Reply& e : a.elements) x.push_back(e.str);
      for (const Reply& e : b.elements) y.push_back(e.str);
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      return x == y ? "" : "different key sets";
    }
    case Compare::TtlSeconds:
    case Compare::TtlMillis: {
      if (a.type != Reply::Integer || b.type != Reply::Integer) return "replies differ";
      if (a.integer < 0 || b.integer < 0) return "replies differ";
      const long long tolerance = how == Compare::TtlSeconds ? 1 : 1000;
      return std::llabs(a.integer - b.integer) <= tolerance ? "" : "TTLs differ beyond tolerance";
    }
    case Compare::Encoding: {
      if (encoding_by_rule) return "encodings differ (value set by SET/INCR family)";
      // Not by rule: any encoding name of the same family (strings: int / embstr / raw;
      // collections: Redis' compact encodings differ from basalt's by design).
      static const std::set<std::string> names = {"int",      "embstr",    "raw",
                                                  "listpack", "hashtable", "intset",
                                                  "skiplist", "ziplist",   "quicklist"};
      auto valid = [](const Reply& r) { return r.type == Reply::Bulk && names.count(r.str); };
      return valid(a) && valid(b) ? "" : "replies differ";
    }
  }
  return "replies differ";
}

// ---------------------------------------------------------------------------------------------
// The generator.

class Generator : public SeededRandom {
 public:
  Generator(uint64_t seed, long long base_ms) : SeededRandom(seed), base_ms_(base_ms) {}

  Step next() {
    // Weighted choice of a command family.
    static const WeightedChoice<Generator, Step> table = {
        {14, &Generator::set},        {9, &Generator::get},       {2, &Generator::setnx},
        {2, &Generator::setex},       {2, &Generator::psetex},    {3, &Generator::mget},
        {3, &Generator::mset},        {2, &Generator::msetnx},    {2, &Generator::getset},
        {2, &Generator::getdel},      {4, &Generator::getex},     {3, &Generator::incr},
        {2, &Generator::decr},        {3, &Generator::incrby},    {2, &Generator::decrby},
        {3, &Generator::incrbyfloat}, {3, &Generator::append},    {2, &Generator::strlen},
        {3, &Generator::getrange},    {3, &Generator::setrange},  {3, &Generator::del},
        {3, &Generator::exists},      {2, &Generator::type},      {2, &Generator::keys},
        {2, &Generator::rename},      {2, &Generator::copy},      {2, &Generator::move},
        {2, &Generator::dbsize},      {2, &Generator::select},    {6, &Generator::expire},
        {5, &Generator::ttl},         {2, &Generator::persist},   {3, &Generator::object},
        {1, &Generator::full_scan},   {1, &Generator::malformed}, {1, &Generator::flush},
        {3, &Generator::collection},
    };
    return table.next(*this);
  }

 private:
  std::string key() {
    static const std::vector<std::string> keys = {"k0", "k1", "k2", "k3", "k4", "k5",
                                                  "k6", "k7", "k8", "n0", "n1", "n2"};
    return pick(keys);
  }

  std::string value() {
    static const std::vector<std::string> big_ints = {
        "9223372036854775807",  "-9223372036854775808", "9223372036854775806",
        "-9223372036854775807", "4611686018427387904",  "12345678901234567890"};
    static const std::vector<std::string> floats = {"3.14", "1e3",  "10.50", "-0.5", ".5",
                                                    "0x10", "1e-3", "inf",   "2.5e2"};
    static const std::vector<std::string> words = {"a", "hello", "abc def", "", "x", "Hello World"};
    static const std::vector<std::string> odd_ints = {" 1", "01", "+5", "-0", "1 ", "00"};
    switch (uniform(0, 9)) {
      case 0:
      case 1:
      case 2:
        return std::to_string(uniform(-20, 20));
      case 3:
        return pick(big_ints);
      case 4:
        return pick(floats);
      case 5:
      case 6:
        return pick(words);
      case 7:
        return pick(odd_ints);
      case 8:
        return std::string(static_cast<size_t>(pick(std::vector<int>{43, 44, 45, 60})),
                           static_cast<char>('a' + uniform(0, 25)));
      default:
        return std::string("\0\xff\r\n", 4).substr(0, static_cast<size_t>(uniform(1, 4)));
    }
  }

  // A relative expiry in ms, >= 100 s, never the same twice (see the file comment).
  long long fresh_relative_ms(bool whole_seconds) {
    while (true) {
      long long ms = static_cast<long long>(uniform(100, 100'000)) * 1000;
      if (!whole_seconds) ms += uniform(0, 999);
      if (used_relative_.insert(ms).second) return ms;
    }
  }
  // An absolute time in the future (>= 100 s after the seed started).
  long long future_abs_ms() {
    return base_ms_ + static_cast<long long>(uniform(100, 200'000)) * 1000 + uniform(0, 999);
  }

  // Expiry option for SET / GETEX: {name, value}.
  Args expiry_option(bool allow_past) {
    switch (uniform(0, 9)) {
      case 0:
      case 1:
        return {"EX", std::to_string(fresh_relative_ms(true) / 1000)};
      case 2:
      case 3:
        return {"PX", std::to_string(fresh_relative_ms(false))};
      case 4:
        return {"EXAT", std::to_string(future_abs_ms() / 1000)};
      case 5:
        return {"PXAT", std::to_string(future_abs_ms())};
      case 6:
        if (allow_past) return {chance(50) ? "EXAT" : "PXAT", std::to_string(uniform(1, 1000))};
        return {"EX", std::to_string(fresh_relative_ms(true) / 1000)};
      case 7:
        return {pick(Args{"EX", "PX", "EXAT", "PXAT"}), pick(Args{"0", "-1", "abc", "1.5"})};
      case 8:
        return {pick(Args{"EX", "PX", "EXAT", "PXAT"}),
                pick(Args{"9223372036854775807", "9223372036854775"})};
      default:
        return {pick(Args{"ex", "Px"}), std::to_string(fresh_relative_ms(true) / 1000)};
    }
  }

  Step set() {
    Args a = {"SET", key(), value()};
    Args opts;
    if (chance(30)) opts.push_back(pick(Args{"NX", "XX", "nx"}));
    if (chance(25)) opts.push_back("GET");
    if (chance(30)) {
      const Args e = expiry_option(/*allow_past=*/false);
      opts.insert(opts.end(), e.begin(), e.end());
    } else if (chance(10)) {
      opts.push_back("KEEPTTL");
    }
    if (chance(3)) opts.push_back(pick(Args{"XX", "KEEPTTL", "FOO", "EX"}));  // mostly errors
    // Shuffle option groups a little: swap the first two words when both are flags.
    if (opts.size() >= 2 && opts[0].size() == 2 && opts[1] == "GET" && chance(50)) {
      std::swap(opts[0], opts[1]);
    }
    a.insert(a.end(), opts.begin(), opts.end());
    return {a};
  }
  Step get() { return {{"GET", key()}}; }
  Step setnx() { return {{"SETNX", key(), value()}}; }
  Step setex() {
    if (chance(10)) return {{"SETEX", key(), pick(Args{"0", "-3", "abc"}), value()}};
    return {{"SETEX", key(), std::to_string(fresh_relative_ms(true) / 1000), value()}};
  }
  Step psetex() {
    if (chance(10)) return {{"PSETEX", key(), pick(Args{"0", "-3", "1.5"}), value()}};
    return {{"PSETEX", key(), std::to_string(fresh_relative_ms(false)), value()}};
  }
  Step mget() {
    Args a = {"MGET"};
    for (int i = uniform(1, 4); i > 0; --i) a.push_back(key());
    return {a};
  }
  Step mset() {
    Args a = {chance(70) ? "MSET" : "MSETNX"};
    for (int i = uniform(1, 3); i > 0; --i) {
      a.push_back(key());
      a.push_back(value());
    }
    if (chance(5)) a.pop_back();  // odd number of arguments
    return {a};
  }
  Step msetnx() {
    Step s = mset();
    s.args[0] = "MSETNX";
    return s;
  }
  Step getset() { return {{"GETSET", key(), value()}}; }
  Step getdel() { return {{"GETDEL", key()}}; }
  Step getex() {
    Args a = {"GETEX", key()};
    const int kind = uniform(0, 9);
    if (kind < 5) {
      const Args e = expiry_option(/*allow_past=*/true);
      a.insert(a.end(), e.begin(), e.end());
    } else if (kind < 8) {
      a.push_back("PERSIST");
    } else if (kind == 8) {
      a.push_back(pick(Args{"KEEPTTL", "NX", "FOO"}));
    }
    return {a};
  }
  Step incr() { return {{"INCR", key()}}; }
  Step decr() { return {{"DECR", key()}}; }
  std::string delta() {
    if (chance(80)) return std::to_string(uniform(-10, 10));
    return pick(Args{"9223372036854775807", "-9223372036854775808", "4611686018427387904", "abc",
                     "1.5", "", "-9223372036854775807"});
  }
  Step incrby() { return {{"INCRBY", key(), delta()}}; }
  Step decrby() { return {{"DECRBY", key(), delta()}}; }
  Step incrbyfloat() {
    static const Args deltas = {"1",    "-1",  "0.5", "1.5",   "-0.25", "3.0e2",
                                "1e-3", "abc", "inf", "10.0",  "0.1",   "-1e2",
                                "5",    "0",   "",    "1e400", "-0.0",  "0x1p3"};
    return {{"INCRBYFLOAT", key(), pick(deltas)}};
  }
  Step append() { return {{"APPEND", key(), value()}}; }
  Step strlen() { return {{"STRLEN", key()}}; }
  std::string index() {
    if (chance(90)) return std::to_string(uniform(-15, 15));
    return pick(Args{"9223372036854775807", "-9223372036854775808", "x", "100"});
  }
  Step getrange() { return {{"GETRANGE", key(), index(), index()}}; }
  Step setrange() {
    const std::string offset = chance(95) ? std::to_string(uniform(0, 30)) : pick(Args{"-1", "x"});
    return {{"SETRANGE", key(), offset, chance(90) ? value() : ""}};
  }
  Step del() {
    Args a = {chance(70) ? "DEL" : "UNLINK"};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(key());
    return {a};
  }
  Step exists() {
    Args a = {"EXISTS"};
    for (int i = uniform(1, 3); i > 0; --i) a.push_back(key());
    return {a};
  }
  Step type() { return {{"TYPE", key()}}; }
  Step keys() {
    return {{"KEYS", pick(Args{"*", "k*", "n?", "k[0-3]", "*1*", "nomatch", "[kn][^2]"})},
            Compare::SortedArray};
  }
  Step rename() { return {{chance(60) ? "RENAME" : "RENAMENX", key(), key()}}; }
  Step copy() {
    Args a = {"COPY", key(), key()};
    if (chance(40)) {
      a.push_back("DB");
      a.push_back(pick(Args{"0", "1", "1", "16", "x"}));
    }
    if (chance(40)) a.push_back("REPLACE");
    return {a};
  }
  Step move() { return {{"MOVE", key(), pick(Args{"0", "1", "1", "16"})}}; }
  Step dbsize() { return {{"DBSIZE"}}; }
  Step select() { return {{"SELECT", chance(95) ? pick(Args{"0", "1"}) : "16"}}; }
  Step expire() {
    const std::string k = key();
    Args a;
    switch (uniform(0, 9)) {
      case 0:
      case 1:
        a = {"EXPIRE", k, std::to_string(fresh_relative_ms(true) / 1000)};
        break;
      case 2:
      case 3:
        a = {"PEXPIRE", k, std::to_string(fresh_relative_ms(false))};
        break;
      case 4:
        a = {"EXPIREAT", k, std::to_string(future_abs_ms() / 1000)};
        break;
      case 5:
        a = {"PEXPIREAT", k, std::to_string(future_abs_ms())};
        break;
      case 6:  // in the past: deletes the key
        a = pick(std::vector<Args>{{"EXPIRE", k, "-1"},
                                   {"PEXPIRE", k, "0"},
                                   {"EXPIREAT", k, "1"},
                                   {"PEXPIREAT", k, std::to_string(base_ms_ - 1000)}});
        break;
      case 7:
        a = {pick(Args{"EXPIRE", "PEXPIRE", "EXPIREAT"}), k,
             pick(Args{"abc", "9223372036854775807", "1.5"})};
        break;
      default:
        a = {"EXPIRE", k, std::to_string(fresh_relative_ms(true) / 1000)};
        break;
    }
    if (chance(50)) a.push_back(pick(Args{"NX", "XX", "GT", "LT"}));
    if (chance(5)) a.push_back(pick(Args{"NX", "XX", "GT", "LT", "FOO"}));
    return {a};
  }
  Step ttl() {
    switch (uniform(0, 3)) {
      case 0:
        return {{"TTL", key()}, Compare::TtlSeconds};
      case 1:
        return {{"PTTL", key()}, Compare::TtlMillis};
      case 2:
        return {{"EXPIRETIME", key()}, Compare::TtlSeconds};
      default:
        return {{"PEXPIRETIME", key()}, Compare::TtlMillis};
    }
  }
  Step persist() { return {{"PERSIST", key()}}; }
  Step object() { return {{"OBJECT", "ENCODING", key()}, Compare::Encoding}; }
  Step full_scan() {
    Args opts = pick(std::vector<Args>{
        {}, {"COUNT", "3"}, {"MATCH", "k*"}, {"TYPE", "string"}, {"MATCH", "n?", "COUNT", "2"}});
    Args a = {"SCAN", "0"};
    a.insert(a.end(), opts.begin(), opts.end());
    return {a, Compare::FullScan};
  }
  Step malformed() {
    return {pick(std::vector<Args>{{"GET"},
                                   {"SET", "k1"},
                                   {"EXPIRE", "k1"},
                                   {"MSET", "k1"},
                                   {"GETRANGE", "k1", "0"},
                                   {"INCR", "k1", "k2"},
                                   {"NOSUCHCOMMAND", "k1", "v"},
                                   {"OBJECT", "ENCODING"},
                                   {"OBJECT", "NOPE", "k1"},
                                   {"TTL"},
                                   {"RENAME", "k1"}})};
  }
  Step flush() {
    if (chance(15)) return {{"FLUSHALL"}};
    return {{"FLUSHDB"}};
  }
  // A few non-string values in the same key space, so the string commands meet WRONGTYPE and
  // the key-space commands (TYPE, RENAME, COPY, MOVE, DEL, EXPIRE, ...) meet every type.
  Step collection() {
    const std::string member = pick(Args{"a", "b", "c", "1", "2"});
    switch (uniform(0, 2)) {
      case 0:
        return {{"HSET", key(), member, value()}};
      case 1:
        return {{"SADD", key(), member}};
      default:
        return {{"ZADD", key(), std::to_string(uniform(-3, 3)), member}};
    }
  }

  long long base_ms_;
  std::set<long long> used_relative_;
};

// ---------------------------------------------------------------------------------------------
// Tracking which keys have a rule-determined encoding (see the file comment).

class EncodingTracker {
 public:
  bool by_rule(int db, const std::string& key) const {
    auto it = by_rule_.find({db, key});
    return it != by_rule_.end() && it->second;
  }

  // Updates the state after `args` was answered with `reply` (identical on both servers).
  void observe(const Args& args, const std::string& raw_reply) {
    const Reply r = parse_reply(raw_reply);
    if (r.is_error()) return;
    std::string cmd = args[0];
    for (char& ch : cmd) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    auto set = [&](int db, const std::string& k, bool v) { by_rule_[{db, k}] = v; };
    if (cmd == "SELECT") {
      db_ = std::stoi(args[1]);
    } else if (cmd == "SET") {
      bool get = false, nx = false, xx = false;
      for (size_t i = 3; i < args.size(); ++i) {
        std::string o = args[i];
        for (char& ch : o) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        get |= o == "GET";
        nx |= o == "NX";
        xx |= o == "XX";
      }
      bool wrote = get ? (nx ? r.is_nil() : xx ? !r.is_nil() : true) : r.is_status("OK");
      if (wrote) set(db_, args[1], true);
    } else if (cmd == "SETEX" || cmd == "PSETEX") {
      set(db_, args[1], true);
    } else if (cmd == "SETNX" || cmd == "GETSET") {
      if (cmd == "GETSET" || r.is_integer(1)) set(db_, args[1], true);
    } else if (cmd == "MSET" || (cmd == "MSETNX" && r.is_integer(1))) {
      for (size_t i = 1; i + 1 < args.size(); i += 2) set(db_, args[i], true);
    } else if (cmd == "INCR" || cmd == "DECR" || cmd == "INCRBY" || cmd == "DECRBY") {
      set(db_, args[1], true);
    } else if (cmd == "APPEND" || cmd == "SETRANGE" || cmd == "INCRBYFLOAT" || cmd == "HSET" ||
               cmd == "SADD" || cmd == "ZADD") {
      set(db_, args[1], false);
    } else if ((cmd == "RENAME" && r.is_status("OK")) || (cmd == "RENAMENX" && r.is_integer(1))) {
      set(db_, args[2], by_rule(db_, args[1]));
    } else if (cmd == "COPY" && r.is_integer(1)) {
      int dst = db_;
      for (size_t i = 3; i + 1 < args.size(); ++i) {
        if (args[i] == "DB") dst = std::stoi(args[i + 1]);
      }
      set(dst, args[2], by_rule(db_, args[1]));
    } else if (cmd == "MOVE" && r.is_integer(1)) {
      set(std::stoi(args[2]), args[1], by_rule(db_, args[1]));
    }
  }

 private:
  int db_ = 0;
  std::map<std::pair<int, std::string>, bool> by_rule_;
};

// ---------------------------------------------------------------------------------------------
// The two servers and the comparison.

class Differential {
 public:
  RespClient& ours() { return servers_.ours(); }
  RespClient& theirs() { return servers_.theirs(); }

  // Sends one step to both; returns "" if they agree, else a description of the mismatch.
  std::string step(const Step& s) {
    std::string a, b;
    if (s.compare == Compare::FullScan) {
      a = full_scan(ours(), s.args);
      b = full_scan(theirs(), s.args);
    } else {
      ServerPair::Replies r = servers_.send(s.args);
      a = std::move(r.ours);
      b = std::move(r.theirs);
    }
    const std::string why =
        compare_replies(s.compare, a, b, s.args.size() >= 3 && tracker_.by_rule(db_, s.args[2]));
    if (why.empty()) {
      tracker_.observe(s.args, b);
      if (!s.args.empty() && (s.args[0] == "SELECT") && b == "+OK\r\n") db_ = std::stoi(s.args[1]);
      return "";
    }
    return describe_mismatch(why, a, b);
  }

  // The whole data set of dbs 0..dbs-1: keys, values, TTL presence. "" if equal.
  std::string compare_datasets(int dbs) {
    std::ostringstream diff;
    for (int db = 0; db < dbs; ++db) {
      const std::string sel = std::to_string(db);
      if (ours().command_raw({"SELECT", sel}) != "+OK\r\n" ||
          theirs().command_raw({"SELECT", sel}) != "+OK\r\n") {
        return "SELECT " + sel + " failed";
      }
      std::vector<std::string> ka = ours().get_strings({"KEYS", "*"});
      std::vector<std::string> kb = theirs().get_strings({"KEYS", "*"});
      std::sort(ka.begin(), ka.end());
      std::sort(kb.begin(), kb.end());
      if (ka != kb) {
        diff << "db " << db << ": key sets differ: basalt has " << ka.size() << ", redis has "
             << kb.size() << "\n";
      }
      const std::string sa = full_scan(ours(), {"SCAN", "0", "COUNT", "3"});
      if (sa != full_scan(theirs(), {"SCAN", "0", "COUNT", "3"})) {
        diff << "db " << db << ": full SCAN differs from redis\n";
      }
      if (ours().command_raw({"DBSIZE"}) != theirs().command_raw({"DBSIZE"})) {
        diff << "db " << db << ": DBSIZE differs\n";
      }
      for (const std::string& k : kb) {
        const std::string va = value_of(ours(), k);
        const std::string vb = value_of(theirs(), k);
        if (va != vb) {
          diff << "db " << db << " key " << escape_bytes(k) << ": basalt " << escape_bytes(va)
               << " redis " << escape_bytes(vb) << "\n";
        }
        const long long ta = ours().get_integer({"PTTL", k});
        const long long tb = theirs().get_integer({"PTTL", k});
        if ((ta < 0) != (tb < 0) || (ta >= 0 && std::llabs(ta - tb) > 1000)) {
          diff << "db " << db << " key " << escape_bytes(k) << ": PTTL basalt " << ta << " redis "
               << tb << "\n";
        }
      }
    }
    ours().command_raw({"SELECT", std::to_string(db_)});
    theirs().command_raw({"SELECT", std::to_string(db_)});
    return diff.str();
  }

  // A key's type and content in a comparable form (collections sorted).
  static std::string value_of(RespClient& c, const std::string& key) {
    const std::string type = c.get_string({"TYPE", key});
    Args read;
    if (type == "string") return type + " " + c.command_raw({"GET", key});
    if (type == "hash") read = {"HGETALL", key};
    if (type == "set") read = {"SMEMBERS", key};
    if (type == "zset") read = {"ZRANGE", key, "0", "-1"};
    if (read.empty()) return type;
    const Reply r = c.command(read);
    if (r.type != Reply::Array) return type + " " + r.to_string();
    std::vector<std::string> items;
    for (size_t i = 0; i < r.elements.size(); ++i) {
      if (type == "hash" && i + 1 < r.elements.size()) {
        items.push_back(r.elements[i].str + "=" + r.elements[i + 1].str);
        ++i;
      } else {
        items.push_back(r.elements[i].str);
      }
    }
    if (type != "zset") std::sort(items.begin(), items.end());  // zsets: order is data
    std::string out = type;
    for (const std::string& item : items) out += " " + item;
    return out;
  }

  // A whole SCAN iteration with the options of `args` ({"SCAN", "0", opts...}), as a RESP
  // array of the sorted keys (so it can be compared like any reply), or a RESP error.
  static std::string full_scan(RespClient& c, const Args& args) {
    ScanResult scan = scan_all(c, args, 1);
    if (!scan.error.empty()) return scan.error;
    std::sort(scan.items.begin(), scan.items.end());
    return bulks(scan.items);
  }

 private:
  ServerPair servers_;
  EncodingTracker tracker_;
  int db_ = 0;
};

// ---------------------------------------------------------------------------------------------

constexpr int kCommandsPerSeed = 3000;

class RandomDifferential : public ::testing::TestWithParam<uint64_t> {};

TEST_P(RandomDifferential, StringKeyExpiryCommandsMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  const uint64_t seed = GetParam();
  Differential d;
  Generator gen(seed, unix_ms());
  const auto t0 = Clock::now();
  auto next = [&] { return gen.next(); };
  auto check = [&](const Step& s) { return d.step(s); };
  const RandomRunResult run = RandomRun<Step>(seed, kCommandsPerSeed, next, check).run();
  ASSERT_TRUE(run.matched()) << run.report;
  const std::string diff = d.compare_datasets(2);
  EXPECT_TRUE(diff.empty()) << "seed " << seed << ": final data sets differ:\n" << diff;
  // The mix really exercised the commands (guards against a generator that degenerates).
  EXPECT_GT(run.count("SET"), kCommandsPerSeed / 20);
  EXPECT_GT(run.count("GETEX"), 0);
  EXPECT_LT(Clock::now() - t0, 60s) << "the differential run is too slow";
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomDifferential, ::testing::Values(1u, 20240607u, 987654321u),
                         [](const ::testing::TestParamInfo<uint64_t>& info) {
                           return "seed" + std::to_string(info.param);
                         });

// A fixed list of edge cases, each compared byte for byte.
TEST(Differential, FixedEdgeCasesMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  Differential d;
  const std::vector<Args> script = {
      {"SET", "f", "10.5"},
      {"INCRBYFLOAT", "f", "0.1"},
      {"INCRBYFLOAT", "f", "5.0e3"},
      {"INCRBYFLOAT", "f", "-5005.7"},
      {"INCRBYFLOAT", "f", "1e-17"},
      {"INCRBYFLOAT", "g", "1e308"},
      {"INCRBYFLOAT", "g", "1e308"},
      {"INCRBYFLOAT", "h", "9223372036854775807"},
      {"INCRBYFLOAT", "h", "1"},
      {"INCRBYFLOAT", "i", "-1.5e-10"},
      {"INCRBYFLOAT", "j", "123456789.123456789"},
      {"INCRBYFLOAT", "j", "0.000000001"},
      {"INCRBYFLOAT", "l", "1e400"},
      {"INCRBYFLOAT", "m", "  1"},
      {"INCRBYFLOAT", "m", "1e"},
      {"INCRBYFLOAT", "m", "0X1A"},
      {"INCRBYFLOAT", "m", "1.0000000000000000001"},
      {"SET", "n", "1.5e1"},
      {"INCRBYFLOAT", "n", "1"},
      {"SET", "n", "00012"},
      {"INCR", "n"},
      {"INCRBYFLOAT", "n", "0"},
      {"GET", "n"},
      {"SET", "k", "v", "EX", "10", "EX", "20"},
      {"SET", "k", "v", "PX", "100000", "KEEPTTL"},
      {"SET", "k", "v", "KEEPTTL", "KEEPTTL"},
      {"SET", "k2", "v", "EX", "0", "EX", "100"},
      {"TTL", "k2"},
      {"SET", "k2", "v"},
      {"SET", "k", "v"},
      {"SET", "k", "v", "NX", "GET"},
      {"SET", "k", "v", "get", "xx", "GET"},
      {"SET", "k", "v", "PXAT", "9223372036854775807"},
      {"SET", "k", "v", "EXAT", "9223372036854775"},
      {"GETEX", "k", "PERSIST", "PERSIST"},
      {"GETEX", "k", "EX", "100", "EX", "200"},
      {"GETEX", "k", "EX", "100", "PERSIST"},
      {"GETEX", "k", "PX"},
      {"GETEX", "nokey", "EX", "0"},
      {"GETEX", "nokey", "PX", "-1"},
      {"GETEX", "nokey", "EXAT", "abc"},
      {"GETEX", "nokey", "PXAT", "0"},
      {"GETEX", "nokey", "EX", "9223372036854775807"},
      {"GETEX", "nokey", "EX"},
      {"EXPIRE", "k", "100", "GT", "XX"},
      {"EXPIRE", "k", "100", "LT", "LT"},
      {"EXPIRE", "k", "100", "nx", "NX"},
      {"EXPIRE", "k", "100", "Gt", "lT"},
      {"PEXPIRE", "k", "-9223372036854775808"},
      {"SET", "k", "v"},
      {"EXPIREAT", "k", "-9223372036854775808"},
      {"EXISTS", "k"},
      {"SET", "r", "Hello World"},
      {"GETRANGE", "r", "-3", "-4"},
      {"GETRANGE", "r", "-100", "-50"},
      {"GETRANGE", "r", "3", "-100"},
      {"GETRANGE", "r", "11", "11"},
      {"SETRANGE", "r", "0", ""},
      {"SETRANGE", "nokey", "10", ""},
      {"SETRANGE", "r", "20", "x"},
      {"GET", "r"},
      {"APPEND", "r", ""},
      {"MSETNX", "a", "1", "a", "2"},
      {"GET", "a"},
      {"MSET", "b", "1", "b", "2"},
      {"GET", "b"},
      {"COPY", "a", "b", "DB", "0"},
      {"COPY", "a", "b", "DB", "0", "REPLACE"},
      {"COPY", "a", "a", "DB", "1"},
      {"COPY", "a", "x", "REPLACE", "DB"},
      {"MOVE", "a", "1"},
      {"MOVE", "a", "1"},
      {"RENAME", "b", "b"},
      {"RENAMENX", "b", "b"},
      {"OBJECT", "ENCODING", "b"},
      {"OBJECT", "encoding", "r"},
      {"OBJECT", "ENCODING", "n"},
      {"OBJECT", "REFCOUNT"},
      {"OBJECT", "FREQ", "b"},
      {"TYPE", "b"},
      {"TYPE", "nokey"},
      {"DEL", "b", "b", "b"},
      {"EXISTS", "r", "r", "nokey"},
      {"SELECT", "1"},
      {"GET", "a"},
      {"SELECT", "0"},
      {"DBSIZE"},
      {"FLUSHDB", "ASYNC"},
      {"DBSIZE"},
      {"SELECT", "1"},
      {"DBSIZE"},
      {"FLUSHALL", "sync"},
      {"DBSIZE"},
      {"SELECT", "0"},
      {"SCAN", "0", "COUNT", "0"},
      {"SCAN", "x"},
      {"SCAN", "0", "MATCH", "*", "COUNT"},
      {"KEYS", "*"},
  };
  for (size_t i = 0; i < script.size(); ++i) {
    Step s{script[i]};
    if (s.args.size() == 3 && s.args[0] == "OBJECT") s.compare = Compare::Encoding;
    const std::string mismatch = d.step(s);
    EXPECT_TRUE(mismatch.empty()) << "command #" << i << ": " << render_command(script[i]) << "\n  "
                                  << mismatch;
  }
}

// Short expiries, checked separately from the random mix: both servers expire the keys, and
// while they are not yet expired both show them.
TEST(Differential, ShortExpiriesMatchRedis) {
  if (!RedisOracle::available()) GTEST_SKIP() << "redis-server is not installed";
  Differential d;
  const std::vector<Args> setup = {
      {"SET", "px", "v", "PX", "300"},
      {"PSETEX", "psetex", "300", "v"},
      {"SET", "getex", "v"},
      {"GETEX", "getex", "PX", "300"},
      {"SET", "pexpire", "v"},
      {"PEXPIRE", "pexpire", "300"},
      {"SET", "incr", "5", "PX", "300"},
      {"INCR", "incr"},
      {"SET", "pxat-past", "v", "PXAT", "1"},
      {"SET", "keep", "v"},
  };
  const auto t0 = Clock::now();
  for (const Args& a : setup)
    EXPECT_EQ(d.ours().command_raw(a), d.theirs().command_raw(a)) << render_command(a);
  // Before the deadline (if this machine was quick enough to check in time): both see them.
  const std::vector<std::string> watched = {"px", "psetex", "getex", "pexpire", "incr"};
  for (const std::string& k : watched) {
    const std::string a = d.ours().command_raw({"GET", k});
    const std::string b = d.theirs().command_raw({"GET", k});
    if (Clock::now() - t0 < 250ms) {
      EXPECT_EQ(a, b) << k;
      EXPECT_NE(a, "$-1\r\n") << k << " expired too early";
    }
  }
  // An already-expired SET is invisible on both at once.
  EXPECT_EQ(d.ours().command_raw({"GET", "pxat-past"}), "$-1\r\n");
  EXPECT_EQ(d.theirs().command_raw({"GET", "pxat-past"}), "$-1\r\n");
  EXPECT_EQ(d.ours().command_raw({"EXISTS", "pxat-past"}), ":0\r\n");
  // Wait until Redis has expired all of them, then basalt must agree within a deadline.
  auto all_gone = [&](RespClient& c) {
    for (const std::string& k : watched) {
      if (c.command_raw({"EXISTS", k}) != ":0\r\n") return false;
    }
    return true;
  };
  wait_until([&] { return all_gone(d.theirs()) && all_gone(d.ours()); }, 5s);
  EXPECT_TRUE(all_gone(d.theirs()));
  EXPECT_TRUE(all_gone(d.ours())) << "basalt still shows keys Redis has expired";
  for (const std::string& k : watched) {
    EXPECT_EQ(d.ours().command_raw({"GET", k}), "$-1\r\n") << k;
    EXPECT_EQ(d.ours().command_raw({"TTL", k}), ":-2\r\n") << k;
  }
  // Both end with only "keep"; DBSIZE agrees once both expiry cycles ran.
  wait_until(
      [&] {
        return d.ours().command_raw({"DBSIZE"}) == ":1\r\n" &&
               d.theirs().command_raw({"DBSIZE"}) == ":1\r\n";
      },
      5s);
  EXPECT_EQ(d.ours().command_raw({"DBSIZE"}), d.theirs().command_raw({"DBSIZE"}));
  const std::string diff = d.compare_datasets(1);
  EXPECT_TRUE(diff.empty()) << diff;
}

}  // namespace
}  // namespace basalt::test
