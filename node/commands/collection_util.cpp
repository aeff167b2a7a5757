// node/commands/collection_util.cpp — see collection_util.h.
#include "node/commands/collection_util.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <random>
#include <unordered_set>

#include "node/protocol/numbers.h"
#include "node/util/glob.h"
#include "storage/codec.h"

namespace basalt::commands {

namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

uint64_t uniform_below(uint64_t n) {  // n > 0
  return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng());
}

std::string_view strip(const rocksdb::Slice& key, size_t prefix) {
  return {key.data() + prefix, key.size() - prefix};
}

// Collects the elements at `positions` (sorted, distinct) in one pass.
std::vector<Element> elements_at(Context& c, std::string_view key, uint64_t version,
                                 const std::vector<uint64_t>& positions) {
  std::vector<Element> out;
  out.reserve(positions.size());
  size_t next = 0;
  uint64_t index = 0;
  for_each_element(c, key, version, [&](std::string_view part, std::string_view value) {
    if (index++ == positions[next]) {
      out.emplace_back(part, value);
      if (++next == positions.size()) return false;
    }
    return true;
  });
  return out;
}

// Redis parses scan cursors with strtoul (base 10): an optional sign, digits, no leading
// space, no overflow; "" is cursor 0 and "-1" wraps around.
bool parse_scan_cursor(std::string_view s, uint64_t& out) {
  out = 0;
  if (s.empty()) return true;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return false;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char ch = s[i];
    if (ch < '0' || ch > '9') return false;
    auto d = static_cast<uint64_t>(ch - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = negative ? 0 - v : v;
  return true;
}

// What a collection scan cursor remembers in the shared cursor table: the key it belongs
// to and the last element part returned. A cursor of another key (or a SCAN cursor) does
// not decode for this key, and the scan starts over.
constexpr std::string_view kCursorTag{"\0coll", 5};

std::string encode_cursor(std::string_view key, std::string_view part) {
  std::string s(kCursorTag);
  storage::put_u64_be(s, key.size());
  s.append(key);
  s.append(part);
  return s;
}

bool decode_cursor(std::string_view s, std::string_view key, std::string& part) {
  if (!s.starts_with(kCursorTag) || s.size() < kCursorTag.size() + 8) return false;
  s.remove_prefix(kCursorTag.size());
  uint64_t n = storage::get_u64_be(s.data());
  s.remove_prefix(8);
  if (n != key.size() || !s.starts_with(key)) return false;
  part.assign(s.substr(n));
  return true;
}

}  // namespace

bool open_collection(Context& c, std::string_view key, storage::ValueType type, Collection& out,
                     Access access) {
  if (access == Access::Read)
    c.read_key(key, out.lookup);
  else
    c.write_lookup(key, out.lookup);
  return check_collection(c, type, out);
}

bool check_collection(Context& c, storage::ValueType type, Collection& out) {
  out.meta = storage::CollectionMeta{};
  if (!out.lookup.live) return true;
  if (out.lookup.record.type != type) {
    c.wrong_type();
    return false;
  }
  if (!storage::CollectionMeta::decode(out.lookup.record.payload, out.meta)) {
    c.reply.error("ERR corrupt collection record for this key");
    return false;
  }
  return true;
}

void ensure_version(Context& c, Collection& col) {
  if (col.exists()) return;
  col.meta = storage::CollectionMeta{};
  col.meta.version = c.ks.new_version();
}

void save_collection(Context& c, std::string_view key, storage::ValueType type,
                     const Collection& col) {
  if (col.meta.size == 0) {
    c.ks.remove(c.db(), key, col.lookup);
    return;
  }
  c.ks.put(c.db(), key, type, col.expire_at_ms(), col.meta.encode(), col.lookup);
}

void for_each_element(Context& c, std::string_view key, uint64_t version,
                      const std::function<bool(std::string_view, std::string_view)>& f,
                      std::string_view part_prefix) {
  std::string prefix;
  auto it = c.ks.sub_iterate(c.db(), key, version, prefix);
  prefix.append(part_prefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!f(strip(it->key(), prefix.size()),
           std::string_view(it->value().data(), it->value().size())))
      break;
  }
}

std::vector<Element> random_elements(Context& c, std::string_view key, uint64_t version,
                                     uint64_t size, uint64_t count, bool unique) {
  std::vector<Element> out;
  if (size == 0 || count == 0) return out;
  if (unique && count >= size) {
    out.reserve(size);
    for_each_element(c, key, version, [&](std::string_view part, std::string_view value) {
      out.emplace_back(part, value);
      return true;
    });
    return out;
  }
  if (unique) {
    // Floyd's sampling: `count` distinct positions, each subset equally likely.
    std::unordered_set<uint64_t> chosen;
    chosen.reserve(count);
    for (uint64_t j = size - count; j < size; ++j) {
      uint64_t t = uniform_below(j + 1);
      if (!chosen.insert(t).second) chosen.insert(j);
    }
    std::vector<uint64_t> positions(chosen.begin(), chosen.end());
    std::sort(positions.begin(), positions.end());
    out = elements_at(c, key, version, positions);
    std::shuffle(out.begin(), out.end(), rng());
    return out;
  }
  count = std::min(count, kMaxRandomPicks);
  // Draws with repeats. Few draws from a big collection: fetch just the drawn positions;
  // otherwise read the whole (comparatively small) collection once.
  std::vector<Element> pool;
  std::vector<uint64_t> draws;
  if (count < size / 2) {
    draws.reserve(count);
    for (uint64_t i = 0; i < count; ++i) draws.push_back(uniform_below(size));
    std::vector<uint64_t> positions = draws;
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
    pool = elements_at(c, key, version, positions);
    if (pool.size() != positions.size()) return out;  // metadata and elements disagree
    out.reserve(count);
    for (uint64_t d : draws) {
      auto at = std::lower_bound(positions.begin(), positions.end(), d) - positions.begin();
      out.push_back(pool[static_cast<size_t>(at)]);
    }
    return out;
  }
  pool = random_elements(c, key, version, size, size, true);
  if (pool.empty()) return out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) out.push_back(pool[uniform_below(pool.size())]);
  return out;
}

bool picks_within_limit_or_reply(Context& c, uint64_t picks) {
  if (picks <= kMaxRandomPicks) return true;
  c.reply.error("ERR value is out of range, at most " + std::to_string(kMaxRandomPicks) +
                " random picks with repeats are served");
  return false;
}

bool random_count_or_reply(Context& c, std::string_view arg, int64_t& out) {
  if (!protocol::parse_i64(arg, out)) {
    c.not_integer();
    return false;
  }
  if (out == INT64_MIN) {
    c.reply.error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return false;
  }
  return true;
}

bool positive_count_or_reply(Context& c, std::string_view arg, int64_t& out) {
  if (!protocol::parse_i64(arg, out) || out < 0) {
    c.reply.error("ERR value is out of range, must be positive");
    return false;
  }
  return true;
}

void scan_collection(Context& c, const ScanShape& shape) {
  uint64_t cursor;
  if (!parse_scan_cursor(c.arg(2), cursor)) return c.reply.error("ERR invalid cursor");
  std::string_view key = c.arg(1);
  Collection col;
  if (!open_collection(c, key, shape.type, col, Access::Read)) return;
  if (!col.exists()) {
    c.reply.array(2);
    c.reply.bulk("0");
    c.reply.array(0);
    return;
  }
  int64_t count = 10;
  std::string_view pattern;
  bool has_pattern = false;
  for (size_t i = 3; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) return c.syntax_error();
    if (iequals(c.arg(i), "count")) {
      if (!protocol::parse_i64(c.arg(i + 1), count)) return c.not_integer();
      if (count < 1) return c.syntax_error();
    } else if (iequals(c.arg(i), "match")) {
      pattern = c.arg(i + 1);
      has_pattern = pattern != "*";
    } else {
      return c.syntax_error();
    }
  }

  std::string after;
  bool resume = false;
  if (cursor != 0) {
    auto remembered = c.ks.shared().scan_cursors.resume_after(c.db(), cursor);
    resume = remembered && decode_cursor(*remembered, key, after);
  }
  std::string prefix;
  auto it = c.ks.sub_iterate(c.db(), key, col.meta.version, prefix);
  prefix.append(shape.part_prefix);
  std::string start = prefix + after;
  it->Seek(start);
  if (resume && it->Valid() && it->key() == rocksdb::Slice(start)) it->Next();

  std::string body;
  protocol::ReplyBuilder out(body);
  size_t items = 0;
  int64_t visited = 0;
  std::string last;
  for (; it->Valid() && it->key().starts_with(prefix) && visited < count; it->Next()) {
    ++visited;
    std::string_view part = strip(it->key(), prefix.size());
    last.assign(part);
    if (has_pattern && !util::glob_match(pattern, part)) continue;
    items += shape.emit(part, std::string_view(it->value().data(), it->value().size()), out);
  }
  bool more = it->Valid() && it->key().starts_with(prefix);
  uint64_t next = more ? c.ks.shared().scan_cursors.remember(c.db(), encode_cursor(key, last)) : 0;
  c.reply.array(2);
  c.reply.bulk(std::to_string(next));
  c.reply.array(items);
  c.reply.raw(body);
}

bool parse_multi_pop_or_reply(Context& c, size_t numkeys_at, std::string_view first_word,
                              std::string_view second_word, MultiPopArgs& out) {
  int64_t numkeys;
  if (!protocol::parse_i64(c.arg(numkeys_at), numkeys) || numkeys <= 0) {
    c.reply.error("ERR numkeys should be greater than 0");
    return false;
  }
  size_t where_at = numkeys_at + 1;
  if (static_cast<uint64_t>(numkeys) >= c.argc() - where_at) {
    c.syntax_error();
    return false;
  }
  where_at += static_cast<size_t>(numkeys);
  out.keys = c.argv.subspan(numkeys_at + 1, static_cast<size_t>(numkeys));
  if (iequals(c.arg(where_at), first_word)) {
    out.second = false;
  } else if (iequals(c.arg(where_at), second_word)) {
    out.second = true;
  } else {
    c.syntax_error();
    return false;
  }
  bool have_count = false;
  for (size_t i = where_at + 1; i < c.argc(); ++i) {
    if (!have_count && iequals(c.arg(i), "count") && i + 1 < c.argc()) {
      int64_t count;
      if (!protocol::parse_i64(c.arg(++i), count) || count <= 0) {
        c.reply.error("ERR count should be greater than 0");
        return false;
      }
      out.count = static_cast<uint64_t>(count);
      have_count = true;
    } else {
      c.syntax_error();
      return false;
    }
  }
  return true;
}

}  // namespace basalt::commands
