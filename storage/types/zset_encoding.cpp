// storage/types/zset_encoding.cpp — see zset_encoding.h.
#include "storage/types/zset_encoding.h"

#include <bit>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "storage/codec.h"

namespace basalt::storage::types::zset {

namespace {
constexpr uint64_t kSignBit = uint64_t{1} << 63;
}

uint64_t score_bits(double score) {
  if (score == 0) score = 0.0;  // -0.0 is 0.0
  auto bits = std::bit_cast<uint64_t>(score);
  return (bits & kSignBit) ? ~bits : bits ^ kSignBit;
}

double score_from_bits(uint64_t bits) {
  bits = (bits & kSignBit) ? bits ^ kSignBit : ~bits;
  return std::bit_cast<double>(bits);
}

void append_score(std::string& out, double score) {
  put_u64_be(out, score_bits(score));
}

double read_score(std::string_view eight_bytes) {
  if (eight_bytes.size() < 8) return 0;
  return score_from_bits(get_u64_be(eight_bytes.data()));
}

namespace {
// A part's bytes, written over `s` (what each kind of part below returns or keeps).
void write_member_part(std::string& s, std::string_view member) {
  s.clear();
  s.reserve(1 + member.size());
  s.push_back(kMemberTag);
  s.append(member);
}
void write_index_part(std::string& s, double score, std::string_view member) {
  s.clear();
  s.reserve(9 + member.size());
  s.push_back(kIndexTag);
  append_score(s, score);
  s.append(member);
}
}  // namespace

std::string member_part(std::string_view member) {
  std::string s;
  write_member_part(s, member);
  return s;
}

std::string index_part(double score, std::string_view member) {
  std::string s;
  write_index_part(s, score, member);
  return s;
}

std::string_view scratch_member_part(std::string_view member) {
  static thread_local std::string s;
  write_member_part(s, member);
  return s;
}

std::string_view scratch_index_part(double score, std::string_view member) {
  static thread_local std::string s;
  write_index_part(s, score, member);
  return s;
}

bool parse_index_part(std::string_view part, double& score, std::string_view& member) {
  if (part.size() < 9 || part[0] != kIndexTag) return false;
  score = read_score(part.substr(1, 8));
  member = part.substr(9);
  return true;
}

namespace {

// One bound as zslParseRange reads it with strtod.
bool parse_score_bound(std::string_view s, double& value, bool& exclusive) {
  exclusive = !s.empty() && s[0] == '(';
  if (exclusive) s.remove_prefix(1);
  std::string buf(s);
  if (std::memchr(buf.data(), '\0', buf.size())) buf.resize(std::strlen(buf.c_str()));
  char* end = nullptr;
  value = std::strtod(buf.c_str(), &end);
  return *end == '\0' && !std::isnan(value);
}

bool parse_lex_bound(std::string_view s, LexBound& out) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '+':
    case '-':
      if (s.size() != 1) return false;
      out.kind = s[0] == '+' ? LexBound::PosInf : LexBound::NegInf;
      out.exclusive = true;
      out.value.clear();
      return true;
    case '(':
    case '[':
      out.kind = LexBound::Value;
      out.exclusive = s[0] == '(';
      out.value.assign(s.substr(1));
      return true;
    default:
      return false;
  }
}

// sdscmplex between two bounds.
int compare_bounds(const LexBound& a, const LexBound& b) {
  if (a.kind == b.kind && a.kind != LexBound::Value) return 0;
  if (a.kind == LexBound::NegInf || b.kind == LexBound::PosInf) return -1;
  if (a.kind == LexBound::PosInf || b.kind == LexBound::NegInf) return 1;
  return compare_lex(a.value, b);
}

}  // namespace

bool parse_score_range(std::string_view min, std::string_view max, ScoreRange& out) {
  return parse_score_bound(min, out.min, out.minex) && parse_score_bound(max, out.max, out.maxex);
}

int compare_lex(std::string_view member, const LexBound& bound) {
  if (bound.kind == LexBound::NegInf) return 1;
  if (bound.kind == LexBound::PosInf) return -1;
  int c = member.compare(bound.value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool LexRange::always_empty() const {
  int c = compare_bounds(min, max);
  return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
}

bool parse_lex_range(std::string_view min, std::string_view max, LexRange& out) {
  return parse_lex_bound(min, out.min) && parse_lex_bound(max, out.max);
}

}  // namespace basalt::storage::types::zset
