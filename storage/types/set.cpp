// storage/types/set.cpp — see set.h.
#include "storage/types/set.h"

#include <algorithm>
#include <set>

#include "storage/dataset_size.h"

namespace basalt::storage::types::set {

namespace {

bool has_member(const Collection& s, std::string_view member) {
  std::string unused;
  return s.keys().sub_get(s.db(), s.key(), s.meta.version, member, unused);
}

}  // namespace

bool contains(const Collection& s, std::string_view member) {
  return s.has_version() && has_member(s, member);
}

bool add(Collection& s, std::string_view member) {
  if (contains(s, member)) return false;
  s.keys().sub_put(s.db(), s.key(), s.meta.version, member, "");
  ++s.meta.size;
  s.meta.bytes += element_bytes(member.size(), 0);
  return true;
}

bool remove(Collection& s, std::string_view member) {
  if (s.meta.size == 0 || !contains(s, member)) return false;
  remove_present(s, member);
  return true;
}

void remove_present(Collection& s, std::string_view member) {
  s.keys().sub_delete(s.db(), s.key(), s.meta.version, member);
  ++s.meta.dead;
  --s.meta.size;
  s.meta.bytes -= element_bytes(member.size(), 0);
}

std::vector<std::string> intersect(std::vector<const Collection*> sets, uint64_t limit) {
  std::vector<std::string> out;
  for (const auto* s : sets) {
    if (!s->exists()) return out;
  }
  std::stable_sort(sets.begin(), sets.end(), [](const Collection* a, const Collection* b) {
    return a->meta.size < b->meta.size;
  });
  const Collection& smallest = *sets[0];
  smallest.for_each([&](std::string_view m, std::string_view) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j]->key() == smallest.key()) continue;
      if (!has_member(*sets[j], m)) return true;
    }
    out.emplace_back(m);
    return limit == 0 || out.size() < limit;
  });
  return out;
}

std::vector<std::string> unite(const std::vector<const Collection*>& sets) {
  std::set<std::string, std::less<>> all;
  for (const auto* s : sets) {
    if (!s->exists()) continue;
    s->for_each([&](std::string_view m, std::string_view) {
      if (all.find(m) == all.end()) all.emplace(m);
      return true;
    });
  }
  return {all.begin(), all.end()};
}

std::vector<std::string> subtract(const std::vector<const Collection*>& sets) {
  std::vector<std::string> out;
  const Collection& first = *sets[0];
  if (!first.exists()) return out;
  for (size_t j = 1; j < sets.size(); ++j) {
    if (sets[j]->key() == first.key()) return out;  // the same set: nothing is left
  }
  first.for_each([&](std::string_view m, std::string_view) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j]->exists() && has_member(*sets[j], m)) return true;
    }
    out.emplace_back(m);
    return true;
  });
  return out;
}

bool replace(KeyAccess& ks, uint16_t db, std::string_view key,
             const std::vector<std::string>& members) {
  Lookup old;
  ks.open_key(db, key, Access::Write, old);
  if (members.empty()) {
    if (!old.live) return false;
    ks.remove(db, key, old);
    return true;
  }
  CollectionMeta meta;
  meta.version = ks.new_version();
  meta.size = members.size();
  for (const auto& m : members) {
    ks.sub_put(db, key, meta.version, m, "");
    meta.bytes += element_bytes(m.size(), 0);
  }
  ks.put(db, key, ValueType::Set, 0, meta.encode(), old);
  return true;
}

}  // namespace basalt::storage::types::set
