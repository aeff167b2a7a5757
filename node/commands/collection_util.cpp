// node/commands/collection_util.cpp — see collection_util.h.
#include "node/commands/collection_util.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "node/protocol/numbers.h"
#include "node/util/glob.h"
#include "storage/codec.h"

namespace basalt::commands {

namespace {

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

bool status_or_reply(Context& c, types::Status status) {
  switch (status) {
    case types::Status::Ok:
      return true;
    case types::Status::WrongType:
      c.wrong_type();
      return false;
    case types::Status::Corrupt:
      c.reply.error("ERR corrupt collection record for this key");
      return false;
  }
  return false;
}

bool open_or_reply(Context& c, types::Collection& col, storage::ValueType type, Access access) {
  return status_or_reply(c, col.open(type, access));
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
  auto col = handle(c, key);
  if (!open_or_reply(c, col, shape.type, Access::Read)) return;
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
      count = std::min(count, kMaxScanCount);
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
  std::string body;
  protocol::ReplyBuilder out(body);
  size_t items = 0;
  types::ScanPage page = col.scan(shape.part_prefix, after, resume, count,
                                  [&](std::string_view part, std::string_view value) {
                                    if (has_pattern && !util::glob_match(pattern, part)) return;
                                    items += shape.emit(part, value, out);
                                  });
  bool more = page.more;
  uint64_t next =
      more ? c.ks.shared().scan_cursors.remember(c.db(), encode_cursor(key, page.last)) : 0;
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
