// node/core/acl_categories.h — Redis's ACL command categories (@read, @write, @admin, ...) and
// the two facts ACL needs from a command's row: the categories it belongs to and where its keys
// are in a call. The categories are Redis's model: explicit ones in the row's data (Row::acl)
// plus the family's (the row's group) plus the implicit ones its flags give
// (write -> @write, readonly -> @read, admin -> @admin @dangerous, fast -> @fast else @slow,
// pubsub -> @pubsub, blocking -> @blocking).
#pragma once

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

}  // namespace basalt::core::acl
