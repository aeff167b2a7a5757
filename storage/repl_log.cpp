// storage/repl_log.cpp — append, read and trim of the on-disk replication log.
#include "storage/repl_log.h"

#include <memory>

#include "storage/codec.h"

namespace basalt::storage {

void ReplLog::append(rocksdb::WriteBatchBase& batch, uint64_t first_offset,
                     std::string_view bytes) {
  batch.Put(engine_.log_cf(), log_key(first_offset), rocksdb::Slice(bytes.data(), bytes.size()));
}

uint64_t ReplLog::first_offset() const {
  std::unique_ptr<rocksdb::Iterator> it(
      engine_.db()->NewIterator(rocksdb::ReadOptions(), engine_.log_cf()));
  it->SeekToFirst();
  if (!it->Valid() || it->key().size() != 8) return 0;
  return get_u64_be(it->key().data());
}

bool ReplLog::read(uint64_t from, uint64_t end_offset, size_t max_bytes, std::string& out) const {
  if (from > end_offset) return from == end_offset + 1;
  std::unique_ptr<rocksdb::Iterator> it(
      engine_.db()->NewIterator(rocksdb::ReadOptions(), engine_.log_cf()));
  std::string key = log_key(from);
  it->SeekForPrev(key);
  if (!it->Valid()) return false;
  uint64_t entry_start = get_u64_be(it->key().data());
  if (entry_start + it->value().size() <= from) return false;  // gap: not covered
  size_t added = 0;
  uint64_t pos = from;
  while (it->Valid() && added < max_bytes && pos <= end_offset) {
    entry_start = get_u64_be(it->key().data());
    if (entry_start > pos) return false;  // hole in the log
    rocksdb::Slice v = it->value();
    size_t skip = static_cast<size_t>(pos - entry_start);
    size_t take = v.size() - skip;
    out.append(v.data() + skip, take);
    added += take;
    pos += take;
    it->Next();
  }
  return true;
}

rocksdb::Status ReplLog::trim_before(uint64_t keep_from) {
  std::unique_ptr<rocksdb::Iterator> it(
      engine_.db()->NewIterator(rocksdb::ReadOptions(), engine_.log_cf()));
  it->SeekForPrev(log_key(keep_from));
  if (!it->Valid()) return rocksdb::Status::OK();
  // The entry found may still hold bytes >= keep_from; keep it and drop all before it.
  std::string end(it->key().data(), it->key().size());
  return engine_.db()->DeleteRange(rocksdb::WriteOptions(), engine_.log_cf(), log_key(0), end);
}

}  // namespace basalt::storage
