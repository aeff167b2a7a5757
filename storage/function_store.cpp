// storage/function_store.cpp — see function_store.h.
#include "storage/function_store.h"

#include <memory>
#include <stdexcept>

#include "storage/codec.h"

namespace basalt::storage {

namespace {

constexpr uint16_t kFunctionsDb = 0xffff;
constexpr std::string_view kLibraryTag{"\x00lib\x00", 5};
constexpr char kVersion = 1;

std::string library_key(std::string_view name) {
  std::string key = data_key(kFunctionsDb, kLibraryTag);
  key.append(name);
  return key;
}

}  // namespace

bool is_function_library_key(std::string_view raw_key) {
  return raw_key.starts_with(library_key(""));
}

void put_function_library(rocksdb::WriteBatchBase& batch, Engine& engine, std::string_view name,
                          std::string_view code) {
  std::string value(1, kVersion);
  value.append(code);
  batch.Put(engine.data_cf(), library_key(name), value);
}

void delete_function_library(rocksdb::WriteBatchBase& batch, Engine& engine,
                             std::string_view name) {
  batch.Delete(engine.data_cf(), library_key(name));
}

std::vector<StoredLibrary> load_function_libraries(Engine& engine) {
  std::vector<StoredLibrary> out;
  const std::string prefix = library_key("");
  std::unique_ptr<rocksdb::Iterator> it(
      engine.db()->NewIterator(rocksdb::ReadOptions(), engine.data_cf()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view value(it->value().data(), it->value().size());
    if (value.empty() || value[0] != kVersion)
      throw std::runtime_error(
          "function library entry of an unknown version (written by a "
          "newer basalt?)");
    out.push_back({it->key().ToString().substr(prefix.size()), std::string(value.substr(1))});
  }
  if (!it->status().ok()) throw ReadError(it->status());
  return out;
}

}  // namespace basalt::storage
