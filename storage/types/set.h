// storage/types/set.h — the element operations of a set key and the set algebra. A set is a
// metadata record (CollectionMeta: version, member count) and one sub-key per member
// (part = member, value = ""), so a membership test or change touches one entry. Changes
// keep the count in step; the caller saves the metadata once at the end (Collection::save).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types/collection.h"

namespace basalt::storage::types::set {

inline Status open(Collection& s, Access access) {
  return s.open(ValueType::Set, access);
}
inline Status check(Collection& s) {
  return s.check(ValueType::Set);
}
inline void save(Collection& s) {
  s.save(ValueType::Set);
}

bool contains(const Collection& s, std::string_view member);
// Adds / removes one member (adding needs a version: ensure_version); true if it changed.
bool add(Collection& s, std::string_view member);
bool remove(Collection& s, std::string_view member);
// Removes a member this command has just read as present (SPOP's picks): no lookup.
void remove_present(Collection& s, std::string_view member);

// The algebra over opened sets (missing keys are empty sets), computed before anything is
// written. Members of every set (limit > 0: stop after that many): walks the smallest set
// and probes the others.
std::vector<std::string> intersect(std::vector<const Collection*> sets, uint64_t limit = 0);
// Members of any set, in byte order.
std::vector<std::string> unite(const std::vector<const Collection*>& sets);
// Members of the first set that are in none of the others.
std::vector<std::string> subtract(const std::vector<const Collection*>& sets);

// Replaces whatever `key` holds (any type, TTL dropped) with a set of `members` (distinct),
// or removes the key when there are none. True if anything changed.
bool replace(KeyAccess& ks, uint16_t db, std::string_view key,
             const std::vector<std::string>& members);

}  // namespace basalt::storage::types::set
