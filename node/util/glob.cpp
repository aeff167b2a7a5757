// node/util/glob.cpp — see glob.h.
#include "node/util/glob.h"

#include <cctype>

namespace basalt::util {

namespace {
char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// `skip_longer` is Redis's skipLongerMatches: once the rest of the pattern after a '*' matched
// nowhere in the rest of the text, no earlier '*' can help by matching more, so every caller
// gives up at once (without it "a*a*a*...*b" against "aaa...a" takes exponential time).
bool match(const char* p, const char* pend, const char* s, const char* send, bool nocase, int depth,
           bool& skip_longer) {
  if (depth > 1000) return false;  // pathological patterns
  while (p < pend) {
    switch (*p) {
      case '*': {
        while (p + 1 < pend && p[1] == '*') ++p;
        if (p + 1 == pend) return true;
        for (const char* t = s; t <= send; ++t) {
          if (match(p + 1, pend, t, send, nocase, depth + 1, skip_longer)) return true;
          if (skip_longer) return false;
        }
        skip_longer = true;
        return false;
      }
      case '?':
        if (s == send) return false;
        ++s;
        break;
      case '[': {
        if (s == send) return false;
        ++p;
        bool negate = p < pend && *p == '^';
        if (negate) ++p;
        bool matched = false;
        while (p < pend && *p != ']') {
          if (*p == '\\' && p + 1 < pend) {
            ++p;
            if (fold(*p, nocase) == fold(*s, nocase)) matched = true;
          } else if (p + 2 < pend && p[1] == '-') {
            char lo = fold(p[0], nocase), hi = fold(p[2], nocase), c = fold(*s, nocase);
            if (lo > hi) std::swap(lo, hi);
            if (c >= lo && c <= hi) matched = true;
            p += 2;
          } else if (fold(*p, nocase) == fold(*s, nocase)) {
            matched = true;
          }
          ++p;
        }
        if (p == pend) --p;  // unterminated class: treat end as ']'
        if (negate) matched = !matched;
        if (!matched) return false;
        ++s;
        break;
      }
      case '\\':
        if (p + 1 < pend) ++p;
        [[fallthrough]];
      default:
        if (s == send || fold(*p, nocase) != fold(*s, nocase)) return false;
        ++s;
        break;
    }
    ++p;
  }
  return s == send;
}
}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  bool skip_longer = false;
  return match(pattern.data(), pattern.data() + pattern.size(), text.data(),
               text.data() + text.size(), nocase, 0, skip_longer);
}

}  // namespace basalt::util
