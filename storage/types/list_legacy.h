// storage/types/list_legacy.h — the list operations (list.h) for lists stored in the layout
// that came before chunks: one sub-key entry per element (8-byte storage index -> element;
// list_encoding.h). list.cpp sends a list here while its metadata says it is not chunked,
// so data directories written before chunks keep working; such a list is converted to
// chunks by its first write when it is small (list.cpp, kConvertMaximum).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types/list.h"

namespace basalt::storage::types::list::legacy {

void push(List& l, End end, std::string_view value);
void pop(List& l, End end, uint64_t n, const std::function<void(std::string_view)>& f);
std::string get(const List& l, uint64_t position);
void set(List& l, uint64_t position, std::string_view value);
void read(const List& l, uint64_t position, uint64_t n, bool forward,
          const std::function<bool(uint64_t position, std::string_view element)>& f);
void insert(List& l, uint64_t position, std::string_view value);
void remove(List& l, const std::vector<uint64_t>& positions);
void trim(List& l, Span keep);

}  // namespace basalt::storage::types::list::legacy
