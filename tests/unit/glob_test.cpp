// tests/unit/glob_test.cpp — Redis-style glob matching.
#include "node/util/glob.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

using basalt::util::glob_match;

TEST(Glob, StarAndQuestion) {
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_TRUE(glob_match("*o", "hello"));
  EXPECT_FALSE(glob_match("*x", "hello"));
}

TEST(Glob, Classes) {
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
}

// Found by tests/fuzz/glob_fuzz.cpp against Redis 7.0's stringmatchlen: an empty text matches
// only the empty pattern (redis-server: SET "" 1; KEYS ** is empty, KEYS * lists "" through its
// all-keys shortcut, which basalt's KEYS and SCAN have too).
TEST(Glob, EmptyTextMatchesOnlyTheEmptyPattern) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("**", ""));
  EXPECT_FALSE(glob_match("*", "", true));
  EXPECT_TRUE(glob_match("*", "x"));
}

TEST(Glob, NoCase) {
  EXPECT_TRUE(glob_match("MAX*", "maxclients", true));
  // Found by glob_fuzz against Redis: an escaped byte in a class is compared exactly.
  EXPECT_FALSE(glob_match("*[;\\E", "he", true));
  EXPECT_TRUE(glob_match("*[;\\E", "hE", true));
  EXPECT_TRUE(glob_match("*[;E", "he", true));
  // A range is ordered, then folded: "[Z-a]" becomes z..a, which holds nothing.
  EXPECT_FALSE(glob_match("[Z-a]", "_", true));
  EXPECT_FALSE(glob_match("[Z-a]", "b", true));
  EXPECT_TRUE(glob_match("[Z-a]", "_", false));
  EXPECT_TRUE(glob_match("[a-Z]", "_", false));
  EXPECT_FALSE(glob_match("MAX*", "maxclients", false));
}

// keyspace.tcl "Regression for pattern matching long nested loops": without Redis's
// skipLongerMatches this takes exponential time (the suite's 120 s timeout, and the server
// stalled meanwhile). The ctest TIMEOUT bounds it if it regresses.
TEST(Glob, ManyStarsFailFast) {
  std::string key(40, 'a');
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "a*";
  EXPECT_FALSE(glob_match(pattern + "b", key));
  EXPECT_TRUE(glob_match(pattern + "a", key));
  EXPECT_TRUE(glob_match("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(glob_match("*a*b*c", "xxaxxcxxb"));
  EXPECT_TRUE(glob_match("a*", "a"));
  EXPECT_TRUE(glob_match("a**", "a"));
}

// Redis's stringmatchlen, recursive and exponential, as the reference for small inputs.
static bool reference_match(const char* p, const char* pend, const char* s, const char* send) {
  while (p < pend) {
    if (*p == '*') {
      for (const char* t = s; t <= send; ++t)
        if (reference_match(p + 1, pend, t, send)) return true;
      return false;
    }
    if (s == send) return false;
    if (*p == '?') {
    } else if (*p == '[') {
      ++p;
      bool negate = p < pend && *p == '^', matched = false;
      if (negate) ++p;
      for (; p < pend && *p != ']'; ++p) {
        if (*p == '\\' && p + 1 < pend) {
          matched |= *++p == *s;
        } else if (p + 2 < pend && p[1] == '-') {
          char lo = std::min(p[0], p[2]), hi = std::max(p[0], p[2]);
          matched |= *s >= lo && *s <= hi;
          p += 2;
        } else {
          matched |= *p == *s;
        }
      }
      if (p == pend) --p;
      if (matched == negate) return false;
    } else {
      if (*p == '\\' && p + 1 < pend) ++p;
      if (*p != *s) return false;
    }
    ++p;
    ++s;
  }
  return s == send;
}

// The linear matcher agrees with the reference on many small random patterns and texts over an
// alphabet that exercises every element ('*', '?', classes, ranges, negation, escapes).
TEST(Glob, AgreesWithReferenceOnRandomInputs) {
  const std::string pattern_alphabet = "ab*?[]^-\\";
  const std::string text_alphabet = "ab-]^\\*";
  uint32_t seed = 12345;
  auto next = [&seed](size_t n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  for (int round = 0; round < 200000; ++round) {
    std::string pattern, text;
    for (size_t i = next(9); i > 0; --i) pattern += pattern_alphabet[next(pattern_alphabet.size())];
    for (size_t i = next(9); i > 0; --i) text += text_alphabet[next(text_alphabet.size())];
    // Redis compares nothing for an empty text (see EmptyTextMatchesOnlyTheEmptyPattern).
    bool expected = text.empty() ? pattern.empty()
                                 : reference_match(pattern.data(), pattern.data() + pattern.size(),
                                                   text.data(), text.data() + text.size());
    ASSERT_EQ(glob_match(pattern, text), expected)
        << "pattern '" << pattern << "' text '" << text << "'";
  }
}

// Hostile inputs: each would take exponential time (or blow the stack) in a backtracking
// matcher. The ctest TIMEOUT is the hang detector; the results are checked too.
TEST(Glob, HostileInputsAreBounded) {
  std::string as(100000, 'a');
  std::string stars;
  for (int i = 0; i < 5000; ++i) stars += "a*";
  EXPECT_FALSE(glob_match(stars + "b", as));
  EXPECT_TRUE(glob_match(stars + "a", as));  // more than any recursion limit could follow
  EXPECT_FALSE(glob_match(std::string(20000, '*') + "b", as));
  std::string qs;
  for (int i = 0; i < 2000; ++i) qs += "*?";
  EXPECT_FALSE(glob_match(qs + "b", as));
  EXPECT_TRUE(glob_match(qs, as));
  std::string classes;
  for (int i = 0; i < 2000; ++i) classes += "*[a-c]";
  EXPECT_FALSE(glob_match(classes + "[^a]", as));
  EXPECT_TRUE(glob_match(classes, as));
  std::string escapes;
  for (int i = 0; i < 2000; ++i) escapes += "*\\a";
  EXPECT_FALSE(glob_match(escapes + "\\b", as));
  EXPECT_TRUE(glob_match(escapes, as, true));
}

TEST(Glob, EdgeCases) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_FALSE(glob_match("[a]", ""));
  EXPECT_TRUE(glob_match("[abc", "c"));     // unterminated class ends at the pattern's end
  EXPECT_TRUE(glob_match("a\\", "a\\"));    // a trailing backslash is literal
  EXPECT_TRUE(glob_match("[z-a]", "m"));    // a reversed range
  EXPECT_TRUE(glob_match("[\\]]", "]"));    // an escaped ']' inside a class
  EXPECT_FALSE(glob_match("*[^x]", "ax"));  // the last byte must not be 'x'
  EXPECT_TRUE(glob_match("*[^x]", "xa"));
  EXPECT_FALSE(glob_match("*[^x]", "x"));
  EXPECT_TRUE(glob_match("a*b*c*", "abc"));
  EXPECT_TRUE(glob_match("*ab", "aab"));
  EXPECT_TRUE(glob_match("*aab", "aaab"));
}
