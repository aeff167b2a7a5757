// tests/fuzz/fuzz_check.h — FUZZ_CHECK(cond, what): an invariant a fuzz target asserts; on
// failure it prints what broke and aborts, which libFuzzer reports as a crash with the input.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "invariant failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   what);                                                                     \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
