// node/core/acl_categories.cpp — see acl_categories.h.
#include "node/core/acl_categories.h"

#include <charconv>

#include "node/util/ascii.h"

namespace basalt::core::acl {

uint32_t category_bit(std::string_view name) {
  for (size_t i = 0; i < kCategoryCount; ++i)
    if (util::iequals(name, kCategoryNames[i])) return 1u << i;
  return 0;
}

namespace {
uint32_t bit(std::string_view name) {
  return category_bit(name);
}

// The family category of a row's group ("generic" commands are @keyspace).
uint32_t family_category(std::string_view group) {
  if (group == "generic") return bit("keyspace");
  if (group == "sorted_set") return bit("sortedset");
  if (group == "transactions") return bit("transaction");
  if (group == "set" || group == "list" || group == "hash" || group == "string" ||
      group == "bitmap" || group == "hyperloglog" || group == "geo" || group == "stream" ||
      group == "pubsub" || group == "connection" || group == "scripting")
    return bit(group);
  return 0;
}
}  // namespace

uint32_t categories_of(const CommandSpec& spec) {
  // A container (CLIENT, CONFIG, ...) has only its explicit categories and @slow, as in
  // Redis: its subcommands carry theirs.
  if (spec.subcommand_count > 0) return (spec.acl_categories & ~kNoFamilyCategory) | bit("slow");
  uint32_t cats = spec.acl_categories;
  if (!(spec.acl_categories & kNoFamilyCategory)) cats |= family_category(spec.group);
  cats &= ~kNoFamilyCategory;
  if (spec.has(kWrite)) cats |= bit("write");
  // Scripting commands are never @read, even the read-only ones (EVAL_RO), as in Redis.
  if (spec.has(kReadOnly) && !(cats & bit("scripting"))) cats |= bit("read");
  if (spec.has(kAdmin)) cats |= bit("admin") | bit("dangerous");
  if (spec.has(kPubSub)) cats |= bit("pubsub");
  if (spec.has(kFast)) cats |= bit("fast");
  if (!(cats & bit("fast"))) cats |= bit("slow");
  return cats;
}

std::vector<size_t> key_indexes(const CommandSpec& spec, std::span<const std::string_view> argv) {
  std::vector<size_t> out;
  visit_key_indexes(spec, argv, [&](size_t i) {
    out.push_back(i);
    return true;
  });
  return out;
}

}  // namespace basalt::core::acl
