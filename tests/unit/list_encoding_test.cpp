// tests/unit/list_encoding_test.cpp — the list encoding: the index arithmetic of
// storage/types/list_encoding.h (part order, head/tail bias, negative indexes, LRANGE / LTRIM
// clamping, checked against brute-force references), and, driven in-process through a
// core::Node, what the list commands leave in RocksDB: head/tail around 2^63, one sub-key per
// element at exactly the indexes [head, tail) (middle edits, trims and rebuilds leave nothing
// behind), agreement with an in-memory model over a seeded mix, and a replication log whose
// replay on a second node reaches the same digest.
#include "storage/types/list_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/detached.hpp>
#include <climits>
#include <deque>
#include <map>
#include <optional>
#include <random>
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
namespace list = storage::types::list;
using storage::ValueType;
using unit::digest_of;
using unit::NodeHarness;
using unit::parse_stream;
using unit::ScratchDir;
using unit::whole_log;
namespace asio = boost::asio;
using Args = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Index arithmetic.

TEST(ListEncoding, PartsSortInIndexOrder) {
  std::vector<uint64_t> indexes = {
      0, 1, 255, 256, (1ull << 63) - 1, 1ull << 63, (1ull << 63) + 1, UINT64_MAX};
  for (size_t i = 0; i + 1 < indexes.size(); ++i) {
    EXPECT_LT(list::part(indexes[i]), list::part(indexes[i + 1])) << indexes[i];
  }
  for (uint64_t v : indexes) {
    std::string p = list::part(v);
    ASSERT_EQ(p.size(), 8u);
    uint64_t back = 0;
    ASSERT_TRUE(list::index_of(p, back));
    EXPECT_EQ(back, v);
  }
  uint64_t ignored;
  EXPECT_FALSE(list::index_of("1234567", ignored));
  EXPECT_FALSE(list::index_of("123456789", ignored));
  // The first element of a new list sits just below (LPUSH) or at (RPUSH) the bias.
  EXPECT_EQ(list::kEmptyIndex, 1ull << 63);
  EXPECT_EQ(list::part(list::kEmptyIndex), std::string("\x80\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(list::part(list::kEmptyIndex - 1), std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8));
}

// A chunk decodes to what was encoded (sizes of every varint length, big stubs without
// bytes, each slot's end offset); truncated or overfull chunks are refused; big parts sort
// after every chunk.
TEST(ListEncoding, ChunksRoundTrip) {
  std::vector<std::string> values = {"", "a", std::string(127, 'x'), std::string(128, 'y'),
                                     std::string(20000, 'z')};
  std::string raw(1, static_cast<char>(3));
  for (const auto& v : values) list::encode_slot(raw, v, v.size(), false);
  list::encode_slot(raw, {}, 1u << 20, true);
  uint64_t first = 0;
  std::vector<list::ChunkSlot> slots;
  ASSERT_TRUE(list::decode_chunk(raw, first, slots));
  EXPECT_EQ(first, 3u);
  ASSERT_EQ(slots.size(), values.size() + 1);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(slots[i].value, values[i]);
    EXPECT_EQ(slots[i].size, values[i].size());
    EXPECT_FALSE(slots[i].big);
  }
  EXPECT_TRUE(slots.back().big);
  EXPECT_EQ(slots.back().size, 1u << 20);
  // Each slot's end is where the next one's encoding starts: a pop keeps the rest as it is.
  std::string rebuilt(1, static_cast<char>(3));
  for (size_t i = 0; i < slots.size(); ++i) {
    list::encode_slot(rebuilt, slots[i].value, slots[i].size, slots[i].big);
    EXPECT_EQ(slots[i].end, rebuilt.size()) << i;
  }
  EXPECT_EQ(slots.back().end, raw.size());
  EXPECT_FALSE(list::decode_chunk(raw.substr(0, raw.size() - 2), first, slots));
  EXPECT_FALSE(list::decode_chunk(std::string(1, '\x05'), first, slots));  // no element
  std::string full(1, static_cast<char>(list::kSlots - 1));
  list::encode_slot(full, "a", 1, false);
  EXPECT_TRUE(list::decode_chunk(full, first, slots));
  list::encode_slot(full, "b", 1, false);  // past the last slot
  EXPECT_FALSE(list::decode_chunk(full, first, slots));
  EXPECT_EQ(list::chunk_of(list::kEmptyIndex), list::kEmptyIndex / list::kSlots);
  EXPECT_LT(list::chunk_part(list::chunk_of(~uint64_t{0})), list::big_part(0));
  // The metadata says which layout a list has.
  storage::CollectionMeta m, back;
  m.version = 5;
  m.chunked = true;
  ASSERT_TRUE(storage::CollectionMeta::decode(m.encode(), back));
  EXPECT_TRUE(back.chunked);
  m.chunked = false;
  ASSERT_TRUE(storage::CollectionMeta::decode(m.encode(), back));
  EXPECT_FALSE(back.chunked);
  EXPECT_EQ(m.encode().size(), 40u);
}

// Redis's rule for LINDEX / LSET, literally.
std::optional<uint64_t> reference_index(int64_t index, uint64_t size) {
  long double i = index;
  if (i < 0) i += static_cast<long double>(size);
  if (i < 0 || i >= static_cast<long double>(size)) return std::nullopt;
  return static_cast<uint64_t>(i);
}

TEST(ListEncoding, ResolveIndexCountsNegativesFromTheTail) {
  for (uint64_t size = 0; size <= 6; ++size) {
    for (int64_t index = -9; index <= 9; ++index) {
      uint64_t pos = 999;
      bool ok = list::resolve_index(index, size, pos);
      auto want = reference_index(index, size);
      ASSERT_EQ(ok, want.has_value()) << "index " << index << " size " << size;
      if (ok) {
        EXPECT_EQ(pos, *want) << "index " << index << " size " << size;
      }
    }
  }
  uint64_t pos = 0;
  EXPECT_FALSE(list::resolve_index(INT64_MIN, 5, pos));
  EXPECT_FALSE(list::resolve_index(INT64_MAX, 5, pos));
  ASSERT_TRUE(list::resolve_index(-5, 5, pos));
  EXPECT_EQ(pos, 0u);
  ASSERT_TRUE(list::resolve_index(-1, 1ull << 40, pos));
  EXPECT_EQ(pos, (1ull << 40) - 1);
  ASSERT_TRUE(list::resolve_index(INT64_MIN, 1ull << 63, pos));
  EXPECT_EQ(pos, 0u);
}

// LRANGE start end over a list of `size`: the positions it returns, by brute force.
std::vector<uint64_t> reference_range(int64_t start, int64_t end, uint64_t size) {
  auto len = static_cast<int64_t>(size);
  if (start < 0) start += len;
  if (end < 0) end += len;
  std::vector<uint64_t> out;
  for (int64_t p = 0; p < len; ++p)
    if (p >= start && p <= end) out.push_back(static_cast<uint64_t>(p));
  return out;
}

TEST(ListEncoding, ClampRangeMatchesRedisBounds) {
  for (uint64_t size = 0; size <= 6; ++size) {
    for (int64_t start = -9; start <= 9; ++start) {
      for (int64_t end = -9; end <= 9; ++end) {
        list::Span span = list::clamp_range(start, end, size);
        auto want = reference_range(start, end, size);
        ASSERT_EQ(span.count, want.size()) << start << ".." << end << " of " << size;
        if (!want.empty()) {
          EXPECT_EQ(span.first, want.front()) << start << ".." << end;
        }
      }
    }
  }
  // Extremes: no overflow, full clamping.
  EXPECT_EQ(list::clamp_range(INT64_MIN, INT64_MAX, 4), (list::Span{0, 4}));
  EXPECT_EQ(list::clamp_range(0, INT64_MIN, 4), (list::Span{}));
  EXPECT_EQ(list::clamp_range(INT64_MAX, INT64_MAX, 4), (list::Span{}));
  EXPECT_EQ(list::clamp_range(-2, -1, 1ull << 40), (list::Span{(1ull << 40) - 2, 2}));
  EXPECT_EQ(list::clamp_range(5, 2, 10), (list::Span{}));
  EXPECT_EQ(list::clamp_range(-100, 1, 10), (list::Span{0, 2}));
}

// ---------------------------------------------------------------------------------------------
// What the commands store.

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

  bool blocked() const { return static_cast<bool>(client_.pending_block); }
  // Runs the wait a blocking command left behind in the background, as the connection would;
  // `out` receives its reply and `done` turns true when it has.
  void await_block_in_background(std::string& out, bool& done) {
    auto wait = std::move(client_.pending_block);
    client_.pending_block = nullptr;
    asio::co_spawn(
        node_.io(),
        [wait = std::move(wait), &out, &done]() -> asio::awaitable<void> {
          co_await wait(out);
          done = true;
        },
        asio::detached);
  }

 private:
  core::Node& node_;
  core::Client& client_;
};

struct Stored {
  bool present = false;
  ValueType type = ValueType::String;
  storage::CollectionMeta meta;
  std::map<std::string, std::string> elements;  // part -> value (chunked: decoded, by index)
  size_t entries = 0;                           // sub-key entries actually stored
  std::string layout_error;                     // chunked: what does not match the layout
};

// A chunked list's stored entries as one entry per element (list::part(index) -> value);
// `error` names the first entry that is not exactly a chunk of [head, tail) or the
// out-of-line element of a big slot.
std::map<std::string, std::string> decode_chunks(const std::map<std::string, std::string>& raw,
                                                 const storage::CollectionMeta& m,
                                                 std::string& error) {
  std::map<std::string, std::string> out;
  std::map<uint64_t, bool> bigs;  // index -> its out-of-line entry was seen
  std::vector<list::ChunkSlot> slots;
  for (const auto& [part, value] : raw) {
    uint64_t number = 0, first = 0;
    if (list::index_of(part, number)) {
      if (!list::decode_chunk(value, first, slots)) error += "bad chunk; ";
      uint64_t index = list::chunk_start(number) + first;
      // A chunk holds exactly its share of [head, tail).
      uint64_t want_first = std::max(list::chunk_start(number), m.head);
      uint64_t want_end = std::min(list::chunk_start(number) + list::kSlots, m.tail);
      if (index != want_first || index + slots.size() != want_end)
        error += "chunk " + std::to_string(number) + " holds the wrong slots; ";
      for (const auto& slot : slots) {
        if (slot.big) {
          bigs[index];
          out[list::part(index)] = std::string(slot.size, '?');
        } else {
          out[list::part(index)] = std::string(slot.value);
        }
        ++index;
      }
    } else if (part.size() == 9 && part[0] == '\xff') {
      uint64_t index = storage::get_u64_be(part.data() + 1);
      auto it = bigs.find(index);
      if (it == bigs.end() || value.size() != out[list::part(index)].size())
        error += "stray out-of-line element at " + std::to_string(index) + "; ";
      else
        it->second = true;
      out[list::part(index)] = value;
    } else {
      error += "unknown part; ";
    }
  }
  for (const auto& [index, seen] : bigs)
    if (!seen) error += "big element missing at " + std::to_string(index) + "; ";
  return out;
}

std::map<std::string, std::string> elements_of(core::Node& node, std::string_view key,
                                               uint64_t version) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  std::map<std::string, std::string> out;
  std::string prefix;
  auto it = ks.sub_iterate(0, key, version, prefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    out[it->key().ToString().substr(prefix.size())] = it->value().ToString();
  return out;
}

Stored stored(core::Node& node, std::string_view key) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  core::Lookup l;
  ks.lookup(0, key, l);
  Stored s;
  s.present = l.live;
  if (!l.live) return s;
  s.type = l.record.type;
  if (s.type != ValueType::String) {
    EXPECT_TRUE(storage::CollectionMeta::decode(l.record.payload, s.meta)) << key;
    s.elements = elements_of(node, key, s.meta.version);
    s.entries = s.elements.size();
    if (s.type == ValueType::List && s.meta.chunked)
      s.elements = decode_chunks(s.elements, s.meta, s.layout_error);
  }
  return s;
}

// The stored list equals `model`: metadata consistent, elements exactly at [head, tail).
::testing::AssertionResult holds(core::Node& node, const std::string& key,
                                 const std::deque<std::string>& model) {
  Stored s = stored(node, key);
  if (model.empty()) {
    if (s.present) return ::testing::AssertionFailure() << key << " should not exist";
    return ::testing::AssertionSuccess();
  }
  if (!s.present || s.type != ValueType::List)
    return ::testing::AssertionFailure() << key << " is not a stored list";
  const auto& m = s.meta;
  if (m.tail - m.head != model.size() || m.size != model.size()) {
    return ::testing::AssertionFailure() << key << ": head " << m.head << " tail " << m.tail
                                         << " size " << m.size << ", model " << model.size();
  }
  if (!s.layout_error.empty())
    return ::testing::AssertionFailure() << key << ": " << s.layout_error;
  if (s.elements.size() != model.size()) {
    return ::testing::AssertionFailure()
           << key << ": " << s.elements.size() << " stored elements for " << model.size();
  }
  for (size_t i = 0; i < model.size(); ++i) {
    auto it = s.elements.find(list::part(m.head + i));
    if (it == s.elements.end())
      return ::testing::AssertionFailure() << key << ": no element at position " << i;
    if (it->second != model[i]) {
      return ::testing::AssertionFailure()
             << key << "[" << i << "] = " << it->second << ", model " << model[i];
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(ListEncoding, PushesGrowAroundTheBias) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  Args push_left = {"LPUSH", "l", "b", "a"};
  Args push_right = {"RPUSH", "l", "c", "d", "e"};
  Args pop_left = {"LPOP", "l"};
  std::vector<std::string> replies;
  Stored after_push, after_pop;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    Driver d(node);
    replies.push_back(co_await d.run(push_left));
    replies.push_back(co_await d.run(push_right));
    after_push = stored(node, "l");
    replies.push_back(co_await d.run(pop_left));
    after_pop = stored(node, "l");
  });
  EXPECT_EQ(replies[0], ":2\r\n");
  EXPECT_EQ(replies[1], ":5\r\n");
  EXPECT_EQ(replies[2], "$1\r\na\r\n");
  ASSERT_TRUE(after_push.present);
  EXPECT_EQ(after_push.type, ValueType::List);
  EXPECT_EQ(after_push.meta.head, list::kEmptyIndex - 2);
  EXPECT_EQ(after_push.meta.tail, list::kEmptyIndex + 3);
  EXPECT_EQ(after_push.meta.size, 5u);
  std::map<std::string, std::string> want = {{list::part(list::kEmptyIndex - 2), "a"},
                                             {list::part(list::kEmptyIndex - 1), "b"},
                                             {list::part(list::kEmptyIndex), "c"},
                                             {list::part(list::kEmptyIndex + 1), "d"},
                                             {list::part(list::kEmptyIndex + 2), "e"}};
  EXPECT_EQ(after_push.elements, want);
  EXPECT_EQ(after_pop.meta.head, list::kEmptyIndex - 1);
  EXPECT_EQ(after_pop.elements.size(), 4u);
  EXPECT_EQ(after_pop.elements.count(list::part(list::kEmptyIndex - 2)), 0u);
}

// Middle edits shift the shorter side; big trims move the kept run to a new version.
TEST(ListEncoding, MiddleEditsAndTrimsLeaveOnlyTheLiveRun) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  Args fill = {"RPUSH", "l"};
  std::deque<std::string> model;
  for (int i = 0; i < 400; ++i) {
    fill.push_back("v" + std::to_string(i));
    model.push_back(fill.back());
  }
  Args near_head = {"LINSERT", "l", "BEFORE", "v2", "x"};   // shifts 2 towards the head
  Args near_tail = {"LINSERT", "l", "AFTER", "v397", "y"};  // shifts 2 towards the tail
  Args rem_head = {"LREM", "l", "1", "v5"};                 // closes the gap from the head
  Args rem_tail = {"LREM", "l", "-1", "v390"};              // closes the gap from the tail
  Args trim_small = {"LTRIM", "l", "3", "-4"};              // point deletes
  Args trim_big = {"LTRIM", "l", "10", "14"};               // rebuild under a new version
  uint64_t version_before = 0;
  Stored after_small, after_big;
  std::deque<std::string> model_small, model_big;
  bool ok_insert = false, ok_remove = false;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    Driver d(node);
    co_await d.run(fill);
    co_await d.run(near_head);
    co_await d.run(near_tail);
    model.insert(model.begin() + 2, "x");
    model.insert(model.end() - 2, "y");
    ok_insert = holds(node, "l", model);
    co_await d.run(rem_head);
    co_await d.run(rem_tail);
    model.erase(std::find(model.begin(), model.end(), "v5"));
    model.erase(std::find(model.begin(), model.end(), "v390"));
    ok_remove = holds(node, "l", model);
    version_before = stored(node, "l").meta.version;
    co_await d.run(trim_small);
    model_small.assign(model.begin() + 3, model.end() - 3);
    after_small = stored(node, "l");
    co_await d.run(trim_big);
    model_big.assign(model_small.begin() + 10, model_small.begin() + 15);
    after_big = stored(node, "l");
  });
  EXPECT_TRUE(ok_insert);
  EXPECT_TRUE(ok_remove);
  EXPECT_EQ(after_small.meta.version, version_before);
  EXPECT_EQ(after_small.elements.size(), model_small.size());
  EXPECT_NE(after_big.meta.version, version_before);
  EXPECT_EQ(after_big.meta.head, list::kEmptyIndex);
  EXPECT_EQ(after_big.meta.size, 5u);
  EXPECT_TRUE(elements_of(h.node(), "l", version_before).empty());
  EXPECT_TRUE(holds(h.node(), "l", model_big));
}

// The model's side of the middle edits used below (distinct pivots, exact counts).
void apply(std::deque<std::string>& l, const Args& a) {
  if (a[0] == "LINSERT") {
    auto it = std::find(l.begin(), l.end(), a[3]);
    l.insert(a[2] == "AFTER" ? it + 1 : it, a[4]);
  } else if (a[0] == "LSET") {
    l[std::stoul(a[2])] = a[3];
  } else if (a[0] == "LREM") {
    long count = std::stol(a[2]);
    std::vector<size_t> hits;
    for (size_t i = 0; i < l.size(); ++i)
      if (l[i] == a[3]) hits.push_back(i);
    if (count < 0) std::reverse(hits.begin(), hits.end());
    if (count != 0 && hits.size() > static_cast<size_t>(std::labs(count)))
      hits.resize(std::labs(count));
    std::sort(hits.rbegin(), hits.rend());
    for (size_t i : hits) l.erase(l.begin() + static_cast<long>(i));
  } else if (a[0] == "LTRIM") {
    list::Span keep = list::clamp_range(std::stol(a[2]), std::stol(a[3]), l.size());
    std::deque<std::string> kept(l.begin() + static_cast<long>(keep.first),
                                 l.begin() + static_cast<long>(keep.first + keep.count));
    l.swap(kept);
  }
}

// Lists of several read chunks (512 elements): shifts, gap closing in both directions and a
// rebuild that each span chunk boundaries.
TEST(ListEncoding, EditsAcrossReadChunks) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  Args fill = {"RPUSH", "l"};
  std::deque<std::string> model;
  for (int i = 0; i < 3000; ++i) {
    fill.push_back("v" + std::to_string(i));
    model.push_back(fill.back());
  }
  std::vector<Args> steps = {
      {"LINSERT", "l", "BEFORE", "v1300", "x"},  // moves 1300 elements towards the head
      {"LINSERT", "l", "AFTER", "v1700", "y"},   // moves ~1300 towards the tail
      {"LSET", "l", "100", "dup"},
      {"LSET", "l", "1100", "dup"},
      {"LSET", "l", "2300", "dup"},
      {"LSET", "l", "2900", "dup"},
      {"LREM", "l", "0", "dup"},  // gaps at 100..2900: closed from the tail side
      {"LSET", "l", "1200", "two"},
      {"LSET", "l", "2950", "two"},
      {"LREM", "l", "-2", "two"},  // gaps at 1200 and 2950: closed from the head side
      {"LSET", "l", "40", "one"},
      {"LREM", "l", "1", "one"},
      {"LTRIM", "l", "1000", "1799"},  // keeps 800 of ~3000: rebuilt, two chunks
      {"LTRIM", "l", "1", "-2"},       // point deletes
  };
  std::string failure;
  uint64_t version_before_rebuild = 0;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    Driver d(node);
    co_await d.run(fill);
    for (const auto& step : steps) {
      if (step[0] == "LTRIM" && version_before_rebuild == 0)
        version_before_rebuild = stored(node, "l").meta.version;
      co_await d.run(step);
      apply(model, step);
      auto ok = holds(node, "l", model);
      if (!ok && failure.empty()) failure = step[0] + " " + step[2] + ": " + ok.message();
    }
  });
  EXPECT_EQ(failure, "");
  EXPECT_EQ(model.size(), 798u);
  EXPECT_NE(stored(h.node(), "l").meta.version, version_before_rebuild);
  EXPECT_TRUE(elements_of(h.node(), "l", version_before_rebuild).empty());
}

// A seeded mix of list writes on a few keys, checked against an in-memory model after every
// command (replies of the counting commands included).
class Model {
 public:
  explicit Model(uint64_t seed) : rng_(seed) {}

  // The next command; `expect` gets its reply when the model can tell it cheaply.
  Args next(std::string& expect) {
    expect.clear();
    std::string k = key();
    auto& l = lists_[k];
    switch (uniform(0, 11)) {
      case 0:
      case 1: {
        Args a = {chance(50) ? "LPUSH" : "RPUSH", k};
        for (int n = uniform(1, 4); n > 0; --n) {
          a.push_back(value());
          if (a[0] == "LPUSH")
            l.push_front(a.back());
          else
            l.push_back(a.back());
        }
        expect = ":" + std::to_string(l.size()) + "\r\n";
        return a;
      }
      case 2: {
        bool left = chance(50);
        int n = uniform(1, 3);
        for (int i = 0; i < n && !l.empty(); ++i) {
          if (left)
            l.pop_front();
          else
            l.pop_back();
        }
        return {left ? "LPOP" : "RPOP", k, std::to_string(n)};
      }
      case 3: {
        std::string pivot = value(), v = value();
        bool after = chance(50);
        auto it = std::find(l.begin(), l.end(), pivot);
        if (l.empty())
          expect = ":0\r\n";
        else if (it == l.end())
          expect = ":-1\r\n";
        else {
          l.insert(after ? it + 1 : it, v);
          expect = ":" + std::to_string(l.size()) + "\r\n";
        }
        return {"LINSERT", k, after ? "AFTER" : "BEFORE", pivot, v};
      }
      case 4: {
        std::string v = value();
        int count = uniform(-2, 2);
        int removed = 0;
        if (count >= 0) {
          for (auto it = l.begin(); it != l.end() && (count == 0 || removed < count);) {
            if (*it == v)
              it = l.erase(it), ++removed;
            else
              ++it;
          }
        } else {
          for (size_t i = l.size(); i > 0 && removed < -count; --i) {
            if (l[i - 1] == v) l.erase(l.begin() + static_cast<long>(i - 1)), ++removed;
          }
        }
        expect = ":" + std::to_string(removed) + "\r\n";
        return {"LREM", k, std::to_string(count), v};
      }
      case 5: {
        int start = uniform(-6, 6), end = uniform(-6, 6);
        list::Span span = list::clamp_range(start, end, l.size());
        std::deque<std::string> kept(l.begin() + static_cast<long>(span.first),
                                     l.begin() + static_cast<long>(span.first + span.count));
        l.swap(kept);
        expect = "+OK\r\n";
        return {"LTRIM", k, std::to_string(start), std::to_string(end)};
      }
      case 6: {
        int index = uniform(-5, 5);
        std::string v = value();
        uint64_t pos;
        if (l.empty())
          expect = "-ERR no such key\r\n";
        else if (!list::resolve_index(index, l.size(), pos))
          expect = "-ERR index out of range\r\n";
        else {
          l[pos] = v;
          expect = "+OK\r\n";
        }
        return {"LSET", k, std::to_string(index), v};
      }
      case 7: {
        std::string dst = key();
        bool from_left = chance(50), to_left = chance(50);
        if (!l.empty()) {
          std::string v = from_left ? l.front() : l.back();
          if (from_left)
            l.pop_front();
          else
            l.pop_back();
          auto& d = lists_[dst];
          if (to_left)
            d.push_front(v);
          else
            d.push_back(v);
        }
        return {"LMOVE", k, dst, from_left ? "LEFT" : "RIGHT", to_left ? "LEFT" : "RIGHT"};
      }
      case 8: {
        // A burst that makes later trims and pops big enough to take the rebuild path.
        Args a = {"RPUSH", k};
        for (int n = 0; n < 150; ++n) {
          a.push_back(value());
          l.push_back(a.back());
        }
        return a;
      }
      case 9: {
        uint64_t n = static_cast<uint64_t>(uniform(50, 200));
        for (uint64_t i = 0; i < n && !l.empty(); ++i) l.pop_front();
        return {"LMPOP", "1", k, "LEFT", "COUNT", std::to_string(n)};
      }
      case 10: {
        std::string other = key();
        bool left = chance(50);
        auto& o = lists_[other];
        std::string served;
        if (!l.empty())
          served = k;
        else if (!o.empty())
          served = other;
        if (!served.empty()) {
          auto& s = lists_[served];
          if (left)
            s.pop_front();
          else
            s.pop_back();
        }
        return {left ? "BLPOP" : "BRPOP", k, other, "0.01"};
      }
      default: {
        int start = uniform(-6, 6), end = uniform(-6, 6);
        list::Span span = list::clamp_range(start, end, l.size());
        expect = "*" + std::to_string(span.count) + "\r\n";
        for (uint64_t i = span.first; i < span.first + span.count; ++i)
          expect += "$" + std::to_string(l[i].size()) + "\r\n" + l[i] + "\r\n";
        return {"LRANGE", k, std::to_string(start), std::to_string(end)};
      }
    }
  }

  const std::map<std::string, std::deque<std::string>>& lists() const { return lists_; }

 private:
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(int percent) { return uniform(0, 99) < percent; }
  std::string key() { return "k" + std::to_string(uniform(0, 2)); }
  std::string value() { return std::string(1, static_cast<char>('a' + uniform(0, 4))); }

  std::mt19937_64 rng_;
  std::map<std::string, std::deque<std::string>> lists_;
};

std::vector<Args> run_model(NodeHarness& h, uint64_t seed, int steps, std::string& failure) {
  Model model(seed);
  std::vector<Args> script;
  std::vector<std::string> expects;
  for (int i = 0; i < steps; ++i) {
    std::string expect;
    script.push_back(model.next(expect));
    expects.push_back(expect);
  }
  // Replay the model's states alongside: recompute them by running the model again.
  Model again(seed);
  h.run(
      [&](core::Node& node) -> asio::awaitable<void> {
        Driver d(node);
        for (size_t i = 0; i < script.size() && failure.empty(); ++i) {
          std::string ignored;
          again.next(ignored);
          std::string reply = co_await d.run(script[i]);
          if (!expects[i].empty() && reply != expects[i]) {
            failure = "step " + std::to_string(i) + " " + script[i][0] + ": reply " + reply +
                      " expected " + expects[i];
          }
          for (const auto& [k, l] : again.lists()) {
            auto ok = holds(node, k, l);
            if (!ok && failure.empty())
              failure = "step " + std::to_string(i) + " " + script[i][0] + ": " + ok.message();
          }
        }
      },
      std::chrono::seconds(60));
  return script;
}

TEST(ListEncoding, SeededMixAgreesWithAModel) {
  for (uint64_t seed : {1u, 2u}) {
    ScratchDir tmp;
    NodeHarness h(tmp.path().string());
    std::string failure;
    run_model(h, seed, 1500, failure);
    EXPECT_EQ(failure, "") << "seed " << seed;
  }
}

// The log holds only deterministic, non-blocking commands (BLPOP -> LPOP, LMPOP -> LPOP n),
// and replaying it on a fresh node reaches the same digest.
TEST(ListEncoding, ReplayingTheLogReachesTheSameDigest) {
  ScratchDir tmp_a, tmp_b;
  std::string log, digest_a, failure;
  {
    NodeHarness a(tmp_a.path().string());
    run_model(a, 7, 1200, failure);
    log = whole_log(a.node());
    digest_a = digest_of(a.node());
  }
  EXPECT_EQ(failure, "");
  std::vector<Args> commands = parse_stream(log);
  ASSERT_GT(commands.size(), 100u);
  for (const auto& c : commands) {
    EXPECT_NE(c[0], "BLPOP");
    EXPECT_NE(c[0], "BRPOP");
    EXPECT_NE(c[0], "LMPOP");
  }
  NodeHarness b(tmp_b.path().string());
  std::vector<std::string> replies;
  b.run(
      [&](core::Node& node) -> asio::awaitable<void> {
        Driver d(node);
        for (const auto& c : commands) replies.push_back(co_await d.run(c));
      },
      std::chrono::seconds(60));
  for (size_t i = 0; i < replies.size(); ++i)
    EXPECT_NE(replies[i][0], '-') << commands[i][0] << ": " << replies[i];
  EXPECT_NE(digest_a, std::string(40, '0'));
  EXPECT_EQ(digest_of(b.node()), digest_a);
}

// Blocking commands are logged as their non-blocking forms, served at once (BLMOVE keeps
// the client's words) or after a wait (the retried command as it logs itself).
TEST(ListEncoding, BlockingFormsAreLoggedAsNonBlockingOnes) {
  ScratchDir tmp;
  NodeHarness h(tmp.path().string());
  std::vector<Args> at_once = {{"RPUSH", "a", "x", "y", "z"},
                               {"BLPOP", "nokey", "a", "0"},
                               {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"},
                               {"BLMPOP", "0", "1", "a", "RIGHT", "COUNT", "5"},
                               {"BRPOPLPUSH", "b", "a", "0"}};
  // (blocking command on an empty key, the push that serves it)
  std::vector<std::pair<Args, Args>> after_wait = {
      {{"BLPOP", "w1", "0"}, {"LPUSH", "w1", "v"}},
      {{"BLMOVE", "w2", "a", "RIGHT", "LEFT", "0"}, {"RPUSH", "w2", "q"}},
      {{"BLMPOP", "0", "1", "w3", "LEFT", "COUNT", "3"}, {"RPUSH", "w3", "1", "2"}},
      {{"BRPOPLPUSH", "w4", "a", "0"}, {"LPUSH", "w4", "k"}}};
  std::vector<std::string> replies;
  h.run([&](core::Node& node) -> asio::awaitable<void> {
    Driver d(node), pusher(node);
    for (const auto& args : at_once) replies.push_back(co_await d.run(args));
    for (const auto& [blocking, push] : after_wait) {
      replies.push_back(co_await d.run(blocking));
      EXPECT_TRUE(d.blocked()) << blocking[0];
      std::string out;
      bool done = false;
      d.await_block_in_background(out, done);
      co_await pusher.run(push);
      bool served = co_await unit::poll_until([&] { return done; }, std::chrono::seconds(5));
      EXPECT_TRUE(served) << blocking[0];
      replies.push_back(out);
    }
  });
  std::vector<std::string> want_replies = {":3\r\n",
                                           "*2\r\n$1\r\na\r\n$1\r\nx\r\n",
                                           "$1\r\ny\r\n",
                                           "*2\r\n$1\r\na\r\n*1\r\n$1\r\nz\r\n",
                                           "$1\r\ny\r\n",
                                           "",  // BLPOP w1: blocked
                                           "*2\r\n$2\r\nw1\r\n$1\r\nv\r\n",
                                           "",
                                           "$1\r\nq\r\n",
                                           "",
                                           "*2\r\n$2\r\nw3\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
                                           "",
                                           "$1\r\nk\r\n"};
  EXPECT_EQ(replies, want_replies);
  std::vector<Args> logged;
  for (auto& c : parse_stream(whole_log(h.node())))
    if (c[0] != "SELECT") logged.push_back(c);
  std::vector<Args> want_log = {{"RPUSH", "a", "x", "y", "z"},
                                {"LPOP", "a"},
                                {"LMOVE", "a", "b", "LEFT", "RIGHT"},
                                {"RPOP", "a", "1"},
                                {"RPOPLPUSH", "b", "a"},
                                {"LPUSH", "w1", "v"},
                                {"LPOP", "w1"},
                                {"RPUSH", "w2", "q"},
                                {"LMOVE", "w2", "a", "right", "left"},
                                {"RPUSH", "w3", "1", "2"},
                                {"LPOP", "w3", "3"},
                                {"LPUSH", "w4", "k"},
                                {"RPOPLPUSH", "w4", "a"}};
  EXPECT_EQ(logged, want_log);
}

}  // namespace
