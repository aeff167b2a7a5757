// tests/fuzz/inline_split_fuzz.cpp — fuzzes split_inline_args (inline requests, and every line
// of a config file), Redis's sdssplitargs rules.
// Invariants: spans are in order, inside the line, and never overlap; each argument quoted as
// Redis's sdscatrepr does (util::append_repr, what CONFIG REWRITE writes) and joined by
// spaces splits back to the same arguments.
#include <string>
#include <vector>

#include "node/protocol/request_parser.h"
#include "node/util/repr.h"
#include "tests/fuzz/fuzz_check.h"

using basalt::protocol::ArgSpan;
using basalt::protocol::split_inline_args;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string line(reinterpret_cast<const char*>(data), size);
  std::vector<ArgSpan> spans;
  if (!split_inline_args(line.data(), line.size(), spans)) return 0;
  std::vector<std::string> args;
  size_t end = 0;
  for (const auto& s : spans) {
    FUZZ_CHECK(s.offset >= end && s.offset + s.length <= size, "span order and bounds");
    end = s.offset + s.length;
    args.push_back(line.substr(s.offset, s.length));
  }
  std::string quoted;
  for (const auto& a : args) {
    if (!quoted.empty()) quoted += ' ';
    basalt::util::append_repr(quoted, a);
  }
  std::vector<ArgSpan> again;
  FUZZ_CHECK(split_inline_args(quoted.data(), quoted.size(), again), "quoted line splits");
  FUZZ_CHECK(again.size() == args.size(), "same argument count after quoting");
  for (size_t i = 0; i < args.size(); ++i) {
    FUZZ_CHECK(quoted.substr(again[i].offset, again[i].length) == args[i],
               "same argument after quoting");
  }
  return 0;
}
