// node/core/acl_categories.h — Redis's ACL command categories (@read, @write, @admin, ...) and
// the two facts ACL needs from a command's row: the categories it belongs to and where its keys
// are in a call. The categories are Redis's model: explicit ones in the row's data (Row::acl)
// plus the family's (the row's group) plus the implicit ones its flags give
// (write -> @write, readonly -> @read, admin -> @admin @dangerous, fast -> @fast else @slow,
// pubsub -> @pubsub, blocking -> @blocking).
#pragma once

#include <charconv>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "node/core/command_spec.h"

namespace basalt::core::acl {

// In Redis's order (ACL CAT lists them so).
constexpr std::string_view kCategoryNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
constexpr size_t kCategoryCount = std::size(kCategoryNames);

// The bit of a category name ("read", no '@', any case); 0 if there is no such category.
uint32_t category_bit(std::string_view name);

// Every category `spec` belongs to, as bits in kCategoryNames order.
uint32_t categories_of(const CommandSpec& spec);

// The indexes in `argv` of the keys a call of `spec` names (its key positions, then the keys a
// numkeys argument counts, Row::numkeys), in argument order. Bounded by argv's size.
std::vector<size_t> key_indexes(const CommandSpec& spec, std::span<const std::string_view> argv);
// The same, visited without allocating: visit(index) returns false to stop. False if stopped.
template <class Visit>
bool visit_key_indexes(const CommandSpec& spec, std::span<const std::string_view> argv,
                       Visit&& visit) {
  const int argc = static_cast<int>(argv.size());
  if (spec.keys.first > 0) {
    int last = spec.keys.last < 0 ? argc + spec.keys.last : spec.keys.last;
    int step = spec.keys.step > 0 ? spec.keys.step : 1;
    for (int i = spec.keys.first; i <= last && i < argc; i += step)
      if (!visit(static_cast<size_t>(i))) return false;
  }
  if (spec.numkeys_index > 0 && spec.numkeys_index < argc) {
    std::string_view n = argv[static_cast<size_t>(spec.numkeys_index)];
    long long count = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    if (ec == std::errc() && end == n.data() + n.size() && count > 0) {
      for (long long i = 0; i < count && spec.numkeys_index + 1 + i < argc; ++i)
        if (!visit(static_cast<size_t>(spec.numkeys_index + 1 + i))) return false;
    }
  }
  return true;
}

}  // namespace basalt::core::acl
