// storage/types/zset_encoding.h — how a sorted set lives in the sub column family, and the
// score / lex range specs its commands parse and its store walks.
//
// A sorted set is a metadata record (CollectionMeta: version, member count) and two
// entries per member:
//   'm' + member                   -> 8-byte encoded score   (score lookup by member)
//   's' + 8-byte encoded score + member -> ""                 (the index, in Redis order)
// The score encoding preserves order under bytewise comparison: the IEEE-754 bits, big-endian,
// with the sign bit flipped for positive numbers and every bit flipped for negative ones.
// -inf < negatives < 0 < positives < +inf; -0.0 is stored as 0.0 (Redis's compact encoding
// does the same), so equal scores always order by member bytes, as Redis orders them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::storage::types::zset {

inline constexpr char kMemberTag = 'm';
inline constexpr char kIndexTag = 's';

// The order-preserving 64-bit image of a score (never NaN) and back.
uint64_t score_bits(double score);
double score_from_bits(uint64_t bits);
// 8 bytes, big-endian.
void append_score(std::string& out, double score);
double read_score(std::string_view eight_bytes);

std::string member_part(std::string_view member);
std::string index_part(double score, std::string_view member);
// The same in a buffer of this thread's, one for each kind, valid until the next call for
// that kind on this thread: for a part passed straight to a read or a write, which copies it
// (a member of over 14 bytes cost an allocation per part).
std::string_view scratch_member_part(std::string_view member);
std::string_view scratch_index_part(double score, std::string_view member);
// Splits an index part (the part after the collection prefix, tag included).
bool parse_index_part(std::string_view part, double& score, std::string_view& member);

// A score interval as ZRANGEBYSCORE / ZCOUNT take it: "1.5", "(1.5", "-inf", "+inf".
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  bool gte_min(double v) const { return minex ? v > min : v >= min; }
  bool lte_max(double v) const { return maxex ? v < max : v <= max; }
  bool contains(double v) const { return gte_min(v) && lte_max(v); }
  // Ranges that can hold nothing whatever the set holds.
  bool always_empty() const { return min > max || (min == max && (minex || maxex)); }
};
// As Redis's zslParseRange (strtod rules: leading spaces and an empty string are accepted,
// NaN is not). False: reply "ERR min or max is not a float".
bool parse_score_range(std::string_view min, std::string_view max, ScoreRange& out);

// A member interval as ZRANGEBYLEX takes it: "[a", "(a", "-", "+".
struct LexBound {
  enum Kind { NegInf, Value, PosInf } kind = Value;
  std::string value;
  bool exclusive = false;
};
// <0, 0, >0 like memcmp, with "-" below and "+" above every member.
int compare_lex(std::string_view member, const LexBound& bound);
struct LexRange {
  LexBound min, max;
  bool gte_min(std::string_view m) const {
    int c = compare_lex(m, min);
    return min.exclusive ? c > 0 : c >= 0;
  }
  bool lte_max(std::string_view m) const {
    int c = compare_lex(m, max);
    return max.exclusive ? c < 0 : c <= 0;
  }
  bool contains(std::string_view m) const { return gte_min(m) && lte_max(m); }
  bool always_empty() const;
};
// False: reply "ERR min or max not valid string range item".
bool parse_lex_range(std::string_view min, std::string_view max, LexRange& out);

}  // namespace basalt::storage::types::zset
