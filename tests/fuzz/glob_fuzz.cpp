// tests/fuzz/glob_fuzz.cpp — fuzzes util::glob_match (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET).
// Invariants: on small inputs it agrees with a port of Redis 7.0's stringmatchlen (the
// reference semantics, exponential without its skipLongerMatches cut, so only small inputs);
// on any input it returns within the libFuzzer timeout (linear, no recursion).
#include <fuzzer/FuzzedDataProvider.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "node/util/glob.h"

namespace {

// Redis 7.0 util.c stringmatchlen_impl, kept as close to the C as C++ allows (pattern and
// string are NUL-terminated like sds strings, which the original reads past its lengths).
int redis_match(const char* pattern, int patternLen, const char* string, int stringLen, int nocase,
                int* skipLongerMatches) {
  while (patternLen && stringLen) {
    switch (pattern[0]) {
      case '*':
        while (patternLen && pattern[1] == '*') {
          pattern++;
          patternLen--;
        }
        if (patternLen == 1) return 1;
        while (stringLen) {
          if (redis_match(pattern + 1, patternLen - 1, string, stringLen, nocase,
                          skipLongerMatches))
            return 1;
          if (*skipLongerMatches) return 0;
          string++;
          stringLen--;
        }
        *skipLongerMatches = 1;
        return 0;
      case '?':
        string++;
        stringLen--;
        break;
      case '[': {
        int negate, match;
        pattern++;
        patternLen--;
        negate = pattern[0] == '^';
        if (negate) {
          pattern++;
          patternLen--;
        }
        match = 0;
        while (1) {
          if (pattern[0] == '\\' && patternLen >= 2) {
            pattern++;
            patternLen--;
            if (pattern[0] == string[0]) match = 1;
          } else if (pattern[0] == ']') {
            break;
          } else if (patternLen == 0) {
            pattern--;
            patternLen++;
            break;
          } else if (patternLen >= 3 && pattern[1] == '-') {
            int start = pattern[0];
            int end = pattern[2];
            int c = string[0];
            if (start > end) {
              int t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = tolower(start);
              end = tolower(end);
              c = tolower(c);
            }
            pattern += 2;
            patternLen -= 2;
            if (c >= start && c <= end) match = 1;
          } else {
            if (!nocase) {
              if (pattern[0] == string[0]) match = 1;
            } else {
              if (tolower((int)pattern[0]) == tolower((int)string[0])) match = 1;
            }
          }
          pattern++;
          patternLen--;
        }
        if (negate) match = !match;
        if (!match) return 0;
        string++;
        stringLen--;
        break;
      }
      case '\\':
        if (patternLen >= 2) {
          pattern++;
          patternLen--;
        }
        [[fallthrough]];
      default:
        if (!nocase) {
          if (pattern[0] != string[0]) return 0;
        } else {
          if (tolower((int)pattern[0]) != tolower((int)string[0])) return 0;
        }
        string++;
        stringLen--;
        break;
    }
    pattern++;
    patternLen--;
    if (stringLen == 0) {
      while (*pattern == '*') {
        pattern++;
        patternLen--;
      }
      break;
    }
  }
  if (patternLen == 0 && stringLen == 0) return 1;
  return 0;
}

bool reference(const std::string& pattern, const std::string& text, bool nocase) {
  int skip = 0;
  return redis_match(pattern.c_str(), static_cast<int>(pattern.size()), text.c_str(),
                     static_cast<int>(text.size()), nocase ? 1 : 0, &skip) != 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool nocase = in.ConsumeBool();
  const std::string pattern = in.ConsumeRandomLengthString(1024);
  const std::string text = in.ConsumeRemainingBytesAsString();
  const bool got = basalt::util::glob_match(pattern, text, nocase);
  // The reference reads a NUL-terminated pattern (a NUL inside stops its '*' skipping), and
  // with nocase it feeds negative chars (bytes >= 0x80) to the C library's tolower, whose
  // answer for them is glibc's table quirk: compare only where the two mean the same thing.
  auto ascii = [](const std::string& s) {
    for (unsigned char c : s) {
      if (c >= 0x80) return false;
    }
    return true;
  };
  if (pattern.size() <= 24 && text.size() <= 24 && pattern.find('\0') == std::string::npos &&
      text.find('\0') == std::string::npos && (!nocase || (ascii(pattern) && ascii(text)))) {
    const bool want = reference(pattern, text, nocase);
    if (got != want) {
      std::fprintf(stderr, "glob_match(\"%s\", \"%s\", nocase=%d) = %d, Redis says %d\n",
                   pattern.c_str(), text.c_str(), nocase, got, want);
      std::abort();
    }
  }
  return 0;
}
