// tests/fuzz/config_fuzz.cpp — fuzzes the config file parser (node/config: load_file, every
// directive's value parser) with redis.conf-like text.
// Invariants: a file either loads or fails with a Redis-style message; after a load, every
// directive's value as CONFIG GET shows it sets back to itself (what CONFIG REWRITE relies on:
// it writes these values and the node reads them at the next start).
// `include` lines are dropped: they read other files (an include of /dev/zero never ends),
// which is the operator's choice, not an input to fuzz.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "node/config/config.h"
#include "node/util/log.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

const std::string& scratch_file() {
  static const std::string path = [] {
    char name[] = "/tmp/basalt-config-fuzz-XXXXXX";
    int fd = mkstemp(name);
    if (fd >= 0) close(fd);
    spdlog::set_level(spdlog::level::off);  // directives log their effects
    return std::string(name);
  }();
  return path;
}

bool mentions_include(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("include") != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (mentions_include(text)) return 0;
  {
    std::ofstream out(scratch_file(), std::ios::trunc | std::ios::binary);
    out << text;
  }
  basalt::config::Config config;
  std::string error;
  if (!basalt::config::load_file(config, scratch_file(), error)) {
    FUZZ_CHECK(!error.empty(), "a refused file says why");
    return 0;
  }
  for (const auto& e : basalt::config::ConfigTable::instance().entries()) {
    const std::string value = e.get(config);
    basalt::config::Config copy = config;
    std::string why;
    const bool set = e.set(copy, value, why);
    if (!set) std::fprintf(stderr, "%s '%s': %s\n", e.name.c_str(), value.c_str(), why.c_str());
    FUZZ_CHECK(set, "a directive's shown value sets again");
    FUZZ_CHECK(e.get(copy) == value, "and reads back the same");
  }
  return 0;
}
