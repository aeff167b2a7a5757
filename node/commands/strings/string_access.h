// node/commands/strings/string_access.h — what the string commands (strings.cpp) and the bitmap
// commands (bitmaps.cpp) share: looking a key up as a string with Redis's WRONGTYPE rule,
// and the proto-max-bulk-len limit on a string's size.
#pragma once

#include <cstdint>
#include <string_view>

#include "node/commands/command.h"
#include "node/core/node.h"

namespace basalt::commands {

// Looks `key` up (for_read: counting keyspace hits / misses); replies WRONGTYPE and returns
// false if it holds something other than a string. A missing key is fine (l.live is false).
inline bool string_or_reply(Context& c, std::string_view key, core::Lookup& l,
                            bool for_read = true) {
  if (for_read)
    c.read_key(key, l);
  else
    c.write_lookup(key, l);
  if (l.live && l.record.type != storage::ValueType::String) {
    c.wrong_type();
    return false;
  }
  return true;
}

// Whether a string of size + append bytes stays within proto-max-bulk-len (else replies).
inline bool check_length(Context& c, uint64_t size, uint64_t append) {
  if (size + append > static_cast<uint64_t>(c.node.config().proto_max_bulk_len)) {
    c.reply.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

}  // namespace basalt::commands
