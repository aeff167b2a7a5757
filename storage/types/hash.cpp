// storage/types/hash.cpp — see hash.h.
#include "storage/types/hash.h"

#include "storage/dataset_size.h"

namespace basalt::storage::types::hash {

bool get(const Collection& h, std::string_view field, std::string& value) {
  return h.has_version() && h.keys().sub_get(h.db(), h.key(), h.meta.version, field, value);
}

bool set(Collection& h, std::string_view field, std::string_view value) {
  std::string old;
  bool existed = get(h, field, old);
  h.keys().sub_put(h.db(), h.key(), h.meta.version, field, value);
  h.meta.bytes += element_bytes(field.size(), value.size());
  if (existed)
    h.meta.bytes -= element_bytes(field.size(), old.size());
  else
    ++h.meta.size;
  return !existed;
}

bool del(Collection& h, std::string_view field) {
  std::string value;
  if (h.meta.size == 0 || !get(h, field, value)) return false;
  h.keys().sub_delete(h.db(), h.key(), h.meta.version, field);
  ++h.meta.dead;
  --h.meta.size;
  h.meta.bytes -= element_bytes(field.size(), value.size());
  return true;
}

}  // namespace basalt::storage::types::hash
