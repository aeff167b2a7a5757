// node/util/glob.cpp — see glob.h.
//
// Every pattern element other than '*' ('?', a class, an escaped or plain byte) matches exactly
// one byte, so the classic two-pointer matcher is exact: walk pattern and text together; at a
// '*' remember where it was and let it match nothing; on a mismatch go back to the last '*' and
// let it swallow one more byte. Only the last '*' is ever revisited (an earlier one could only
// move the later elements further right, which the last one already tries), so the time is at
// most O(pattern * text) and there is no recursion: no input can make it exponential or deep.
#include "node/util/glob.h"

#include <cctype>
#include <utility>

namespace basalt::util {

namespace {
char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches the one element at *p (not a '*') against byte c; *p moves past the element.
// The semantics are Redis's stringmatchlen: in a class, '\' escapes the next byte (compared
// exactly, even with nocase), "a-z" is a
// range (either order), an unterminated class ends at the end of the pattern; a trailing '\'
// is a literal backslash.
bool match_one(const char*& p, const char* pend, char c, bool nocase) {
  switch (*p) {
    case '?':
      ++p;
      return true;
    case '[': {
      ++p;
      bool negate = p < pend && *p == '^';
      if (negate) ++p;
      bool matched = false;
      while (p < pend && *p != ']') {
        if (*p == '\\' && p + 1 < pend) {
          ++p;
          // Exact even with nocase, as in Redis's stringmatchlen (found by glob_fuzz).
          if (*p == c) matched = true;
        } else if (p + 2 < pend && p[1] == '-') {
          // Ordered first, folded after (Redis's order: "[Z-a]" with nocase matches nothing).
          char lo = p[0], hi = p[2];
          if (lo > hi) std::swap(lo, hi);
          lo = fold(lo, nocase);
          hi = fold(hi, nocase);
          const char f = fold(c, nocase);
          if (f >= lo && f <= hi) matched = true;
          p += 2;
        } else if (fold(*p, nocase) == fold(c, nocase)) {
          matched = true;
        }
        ++p;
      }
      if (p < pend) ++p;  // the ']'
      return negate ? !matched : matched;
    }
    case '\\':
      if (p + 1 < pend) ++p;
      [[fallthrough]];
    default: {
      bool same = fold(*p, nocase) == fold(c, nocase);
      ++p;
      return same;
    }
  }
}
}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  // Redis's stringmatchlen compares nothing when the text is empty: only an empty pattern
  // matches it ("*" does not; KEYS * and SCAN without MATCH list the empty key through their
  // own all-keys shortcut, as in Redis). Found by tests/fuzz/glob_fuzz.cpp.
  if (text.empty()) return pattern.empty();
  const char* p = pattern.data();
  const char* const pend = p + pattern.size();
  const char* s = text.data();
  const char* const send = s + text.size();
  const char* star_p = nullptr;  // the pattern just after the last '*' seen
  const char* star_s = nullptr;  // where that '*' match ends for now
  while (s < send) {
    if (p < pend && *p == '*') {
      while (p < pend && *p == '*') ++p;
      if (p == pend) return true;  // a trailing '*' matches the rest
      star_p = p;
      star_s = s;
      continue;
    }
    const char* next = p;
    if (p < pend && match_one(next, pend, *s, nocase)) {
      p = next;
      ++s;
      continue;
    }
    if (!star_p) return false;
    p = star_p;  // the last '*' takes one more byte
    s = ++star_s;
  }
  while (p < pend && *p == '*') ++p;
  return p == pend;
}

}  // namespace basalt::util
