// node/commands/strings/bitmaps.cpp — the bitmap commands on string values: SETBIT, GETBIT, BITCOUNT,
// BITPOS (with BYTE|BIT ranges) and BITOP AND|OR|XOR|NOT, with Redis 7.0's replies, errors
// and argument order. Bit 0 is the most significant bit of the first byte. A write rewrites
// the whole value (one RocksDB entry per key) and is logged as received.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/strings/string_access.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

namespace {

using core::Lookup;
using storage::ValueType;

// A bit offset argument: 0 .. proto-max-bulk-len * 8 - 1.
bool bit_offset_or_reply(Context& c, std::string_view arg, uint64_t& out) {
  int64_t n;
  if (!protocol::parse_i64(arg, n) || n < 0 ||
      (static_cast<uint64_t>(n) >> 3) >=
          static_cast<uint64_t>(c.node.config().proto_max_bulk_len)) {
    c.reply.error("ERR bit offset is not an integer or out of range");
    return false;
  }
  out = static_cast<uint64_t>(n);
  return true;
}

bool bit_at(std::string_view s, uint64_t bit) {
  uint64_t byte = bit >> 3;
  if (byte >= s.size()) return false;
  return (static_cast<unsigned char>(s[byte]) >> (7 - (bit & 7))) & 1;
}

void setbit(Context& c) {
  uint64_t offset;
  if (!bit_offset_or_reply(c, c.arg(2), offset)) return;
  std::string_view v = c.arg(3);
  if (v != "0" && v != "1") return c.reply.error("ERR bit is not an integer or out of range");
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l, false)) return;
  std::string value(l.live ? l.record.payload : std::string_view());
  size_t byte = static_cast<size_t>(offset >> 3);
  if (value.size() <= byte) value.resize(byte + 1, '\0');
  auto mask = static_cast<unsigned char>(1u << (7 - (offset & 7)));
  auto& b = reinterpret_cast<unsigned char&>(value[byte]);
  bool old = b & mask;
  if (v == "1")
    b |= mask;
  else
    b &= static_cast<unsigned char>(~mask);
  c.ks.put(c.db(), c.arg(1), ValueType::String, l.live ? l.record.expire_at_ms : 0, value, l);
  c.propagate_as_is();
  c.reply.integer(old ? 1 : 0);
}

void getbit(Context& c) {
  uint64_t offset;
  if (!bit_offset_or_reply(c, c.arg(2), offset)) return;
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l)) return;
  c.reply.integer(l.live && bit_at(l.record.payload, offset) ? 1 : 0);
}

// A start..end range of BITCOUNT / BITPOS in bits, after Redis's conversions: negative
// indexes from the end, clamping, BYTE ranges widened to whole bytes. Empty if first > last.
struct BitRange {
  int64_t first = 0, last = -1;
};

BitRange to_bits(int64_t start, int64_t end, bool in_bits, int64_t len_bytes) {
  int64_t total = in_bits ? len_bytes * 8 : len_bytes;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return {};
  return in_bits ? BitRange{start, end} : BitRange{start * 8, end * 8 + 7};
}

// Parses an optional BYTE|BIT word; replies a syntax error for anything else.
bool unit_or_reply(Context& c, std::string_view arg, bool& in_bits) {
  if (iequals(arg, "bit")) {
    in_bits = true;
  } else if (iequals(arg, "byte")) {
    in_bits = false;
  } else {
    c.syntax_error();
    return false;
  }
  return true;
}

uint64_t count_bits(std::string_view s, BitRange r) {
  if (r.first > r.last) return 0;
  uint64_t count = 0;
  auto first_byte = static_cast<size_t>(r.first >> 3), last_byte = static_cast<size_t>(r.last >> 3);
  for (size_t i = first_byte; i <= last_byte; ++i) {
    auto byte = static_cast<unsigned char>(s[i]);
    if (i == first_byte) byte &= static_cast<unsigned char>(0xff >> (r.first & 7));
    if (i == last_byte) byte &= static_cast<unsigned char>(0xff << (7 - (r.last & 7)));
    count += static_cast<uint64_t>(std::popcount(byte));
  }
  return count;
}

// BITCOUNT key [start end [BYTE|BIT]]. As Redis 7.0, a missing key answers 0 before the
// arguments are checked.
void bitcount(Context& c) {
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l)) return;
  if (!l.live) return c.reply.integer(0);
  std::string_view s = l.record.payload;
  auto len = static_cast<int64_t>(s.size());
  BitRange range{0, len * 8 - 1};
  if (c.argc() == 4 || c.argc() == 5) {
    int64_t start, end;
    if (!protocol::parse_i64(c.arg(2), start) || !protocol::parse_i64(c.arg(3), end))
      return c.not_integer();
    bool in_bits = false;
    if (c.argc() == 5 && !unit_or_reply(c, c.arg(4), in_bits)) return;
    if (start < 0 && end < 0 && start > end) return c.reply.integer(0);
    range = to_bits(start, end, in_bits, len);
  } else if (c.argc() != 2) {
    return c.syntax_error();
  }
  c.reply.integer(static_cast<int64_t>(count_bits(s, range)));
}

// BITPOS key bit [start [end [BYTE|BIT]]]: the first bit set to `bit` in the range. A
// missing key is all zeros; looking for 0 without an end reports the first bit after the
// string (it is zero-padded), with an end given -1.
void bitpos(Context& c) {
  int64_t bit;
  if (!protocol::parse_i64(c.arg(2), bit)) return c.not_integer();
  if (bit != 0 && bit != 1) return c.reply.error("ERR The bit argument must be 1 or 0.");
  Lookup l;
  if (!string_or_reply(c, c.arg(1), l)) return;
  if (!l.live) return c.reply.integer(bit ? -1 : 0);
  std::string_view s = l.record.payload;
  auto len = static_cast<int64_t>(s.size());
  BitRange range{0, len * 8 - 1};
  bool end_given = false;
  if (c.argc() >= 4 && c.argc() <= 6) {
    int64_t start, end = -1;
    if (!protocol::parse_i64(c.arg(3), start)) return c.not_integer();
    bool in_bits = false;
    if (c.argc() == 6 && !unit_or_reply(c, c.arg(5), in_bits)) return;
    if (c.argc() >= 5) {
      if (!protocol::parse_i64(c.arg(4), end)) return c.not_integer();
      end_given = true;
    }
    range = to_bits(start, end, in_bits, len);
  } else if (c.argc() != 3) {
    return c.syntax_error();
  }
  if (range.first > range.last) return c.reply.integer(-1);
  for (int64_t i = range.first; i <= range.last; ++i) {
    // Whole bytes that cannot match are skipped at once.
    if ((i & 7) == 0 && i + 7 <= range.last) {
      auto byte = static_cast<unsigned char>(s[static_cast<size_t>(i >> 3)]);
      if (byte == (bit ? 0x00 : 0xff)) {
        i += 7;
        continue;
      }
    }
    if (bit_at(s, static_cast<uint64_t>(i)) == (bit == 1)) return c.reply.integer(i);
  }
  if (bit == 1 || end_given) return c.reply.integer(-1);
  c.reply.integer(range.last + 1);
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]: missing sources are empty strings (zeros up to
// the longest source); an empty result deletes destkey. Replies the result's length.
void bitop(Context& c) {
  std::string_view op = c.arg(1);
  enum { And, Or, Xor, Not } kind;
  if (iequals(op, "and"))
    kind = And;
  else if (iequals(op, "or"))
    kind = Or;
  else if (iequals(op, "xor"))
    kind = Xor;
  else if (iequals(op, "not"))
    kind = Not;
  else
    return c.syntax_error();
  if (kind == Not && c.argc() != 4)
    return c.reply.error("ERR BITOP NOT must be called with a single source key.");
  std::vector<std::string> sources;
  size_t longest = 0;
  for (size_t i = 3; i < c.argc(); ++i) {
    Lookup l;
    c.write_lookup(c.arg(i), l);
    if (l.live && l.record.type != ValueType::String) return c.wrong_type();
    sources.emplace_back(l.live ? l.record.payload : std::string_view());
    longest = std::max(longest, sources.back().size());
  }
  std::string result(longest, '\0');
  for (size_t j = 0; j < longest; ++j) {
    auto byte_of = [&](const std::string& src) {
      return j < src.size() ? static_cast<unsigned char>(src[j]) : static_cast<unsigned char>(0);
    };
    unsigned char acc = byte_of(sources[0]);
    if (kind == Not) acc = static_cast<unsigned char>(~acc);
    for (size_t k = 1; k < sources.size(); ++k) {
      unsigned char b = byte_of(sources[k]);
      acc = kind == And ? (acc & b) : kind == Or ? (acc | b) : static_cast<unsigned char>(acc ^ b);
    }
    result[j] = static_cast<char>(acc);
  }
  Lookup dest;
  c.write_lookup(c.arg(2), dest);
  if (longest > 0) {
    c.ks.put(c.db(), c.arg(2), ValueType::String, 0, result, dest);
    c.propagate_as_is();
  } else if (dest.live) {
    c.ks.remove(c.db(), c.arg(2), dest);
    c.propagate_as_is();
  }
  c.reply.integer(static_cast<int64_t>(longest));
}

}  // namespace

void register_bitmap_commands(Table& t) {
  constexpr std::string_view G = "bitmap";
  t.add(row("setbit", 4, kWrite | kDenyOom, setbit)
            .keys(1, 1, 1)
            .doc(G, "Set or clear one bit of a string"));
  t.add(
      row("getbit", 3, kReadOnly | kFast, getbit).keys(1, 1, 1).doc(G, "Get one bit of a string"));
  t.add(row("bitcount", -2, kReadOnly, bitcount)
            .keys(1, 1, 1)
            .doc(G, "Count the set bits of a string"));
  t.add(
      row("bitpos", -3, kReadOnly, bitpos).keys(1, 1, 1).doc(G, "Find the first bit set or clear"));
  t.add(row("bitop", -4, kWrite | kDenyOom, bitop)
            .keys(2, -1, 1)
            .doc(G, "Bitwise operations between strings, stored in a key"));
}

}  // namespace basalt::commands
