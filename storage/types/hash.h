// storage/types/hash.h — the element operations of a hash key. A hash is a metadata record
// (CollectionMeta: version, field count) and one sub-key per field (part = field, value = the
// field's value), so a single-field read or write touches one entry. Every operation keeps
// the count in step; the caller saves the metadata once at the end (Collection::save).
#pragma once

#include <string>
#include <string_view>

#include "storage/types/collection.h"

namespace basalt::storage::types::hash {

// Opens `h` as a hash (see Collection::open).
inline Status open(Collection& h, Access access) {
  return h.open(ValueType::Hash, access);
}
inline void save(Collection& h) {
  h.save(ValueType::Hash);
}

// The value of `field`; false if the hash (or the field) is missing.
bool get(const Collection& h, std::string_view field, std::string& value);
// Sets one field (the hash must have a version: ensure_version); true if it is new.
bool set(Collection& h, std::string_view field, std::string_view value);
// Deletes one field; true if it was there.
bool del(Collection& h, std::string_view field);

}  // namespace basalt::storage::types::hash
