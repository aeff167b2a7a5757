// tests/unit/stream_inspect.h — looks at what an in-process core::Node wrote: its whole
// replication log, that log split back into commands, and the DEBUG DIGEST of its dataset.
// Shared by the encoding, expiry and write-pipeline unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/commands/server/digest.h"
#include "node/core/keyspace.h"
#include "node/core/node.h"
#include "node/protocol/request_parser.h"
#include "storage/meta.h"
#include "storage/repl_log.h"

namespace basalt::unit {

// The whole replication log, from offset 1 up to the node's master_repl_offset. A log that no
// longer (or not yet) covers that range fails the test, unless the caller takes the outcome in
// `ok`.
inline std::string whole_log(core::Node& node, bool* ok = nullptr) {
  std::string out;
  const bool good = node.repl_log().read(1, node.repl().master_repl_offset, 1ull << 30, out);
  if (ok != nullptr) {
    *ok = good;
  } else {
    EXPECT_TRUE(good) << "the replication log does not cover offsets 1.."
                      << node.repl().master_repl_offset;
  }
  return out;
}

// Splits a RESP stream of commands (a replication log) into argument vectors (the parser works
// on its own copy). Bytes that do not parse as whole commands fail the test.
inline std::vector<std::vector<std::string>> parse_stream(std::string bytes) {
  std::vector<std::vector<std::string>> out;
  protocol::RequestParser parser;
  size_t pos = 0;
  while (pos < bytes.size()) {
    parser.reset();
    auto result = parser.parse(bytes.data() + pos, bytes.size() - pos);
    EXPECT_EQ(result, protocol::RequestParser::Result::Complete) << "at byte " << pos;
    if (result != protocol::RequestParser::Result::Complete) break;
    std::vector<std::string> args;
    for (const auto& span : parser.spans())
      args.emplace_back(bytes.data() + pos + span.offset, span.length);
    out.push_back(std::move(args));
    pos += parser.consumed();
  }
  return out;
}

// DEBUG DIGEST of the node's committed dataset.
inline std::string digest_of(core::Node& node) {
  core::Keyspace ks(node.keyspace(), core::unix_time_ms());
  return commands::dataset_digest(ks);
}

}  // namespace basalt::unit
