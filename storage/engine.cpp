// storage/engine.cpp — RocksDB open/close, column families and tunables.
#include "storage/engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <filesystem>
#include <vector>

namespace basalt::storage {

namespace {
const char* kCfNames[] = {rocksdb::kDefaultColumnFamilyName.c_str(), "data", "expiry", "replog",
                          "meta"};

rocksdb::CompressionType compression_of(const std::string& name) {
  if (name == "none" || name == "no") return rocksdb::kNoCompression;
  if (name == "snappy") return rocksdb::kSnappyCompression;
  if (name == "zstd") return rocksdb::kZSTD;
  return rocksdb::kLZ4Compression;
}
}  // namespace

WalSync parse_wal_sync(const std::string& s, bool& ok) {
  ok = true;
  if (s == "always") return WalSync::Always;
  if (s == "everysec") return WalSync::EverySec;
  if (s == "no") return WalSync::No;
  ok = false;
  return WalSync::EverySec;
}

const char* wal_sync_name(WalSync mode) {
  switch (mode) {
    case WalSync::Always: return "always";
    case WalSync::EverySec: return "everysec";
    case WalSync::No: return "no";
  }
  return "everysec";
}

std::unique_ptr<Engine> Engine::open(const EngineOptions& options, std::string& error) {
  std::unique_ptr<Engine> engine(new Engine());
  engine->options_ = options;
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    error = "can't create data directory '" + options.dir + "': " + ec.message();
    return nullptr;
  }

  engine->cache_ = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = engine->cache_;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10, false));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;

  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = options.max_background_jobs;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = 4 * options.write_buffer_bytes;

  rocksdb::ColumnFamilyOptions data_options;
  data_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  data_options.write_buffer_size = options.write_buffer_bytes;
  data_options.compression = compression_of(options.compression);
  data_options.level_compaction_dynamic_level_bytes = true;

  rocksdb::ColumnFamilyOptions small_options;  // expiry, meta
  small_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  small_options.write_buffer_size = std::max<uint64_t>(options.write_buffer_bytes / 4, 4 << 20);

  rocksdb::ColumnFamilyOptions log_options = small_options;  // replication log: sequential
  log_options.compression = compression_of(options.compression);
  log_options.write_buffer_size = options.write_buffer_bytes;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kCount; ++i) {
    rocksdb::ColumnFamilyOptions cf = small_options;
    if (i == kData) cf = data_options;
    if (i == kLog) cf = log_options;
    descriptors.emplace_back(kCfNames[i], cf);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.dir, descriptors, &handles, &engine->db_);
  if (!s.ok()) {
    error = "can't open RocksDB in '" + options.dir + "': " + s.ToString();
    return nullptr;
  }
  for (int i = 0; i < kCount; ++i) engine->cfs_[i] = handles[i];
  return engine;
}

Engine::~Engine() {
  if (!db_) return;
  for (auto* cf : cfs_) {
    if (cf) db_->DestroyColumnFamilyHandle(cf);
  }
  db_->Close();
  delete db_;
}

rocksdb::Status Engine::write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  WalSync mode = wal_sync_.load(std::memory_order_relaxed);
  wo.sync = mode == WalSync::Always;
  return db_->Write(wo, batch);
}

rocksdb::Status Engine::sync_wal() { return db_->SyncWAL(); }

rocksdb::Status Engine::flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> all(cfs_ + 1, cfs_ + kCount);
  return db_->Flush(fo, all);
}

uint64_t Engine::block_cache_usage() const { return cache_ ? cache_->GetUsage() : 0; }

uint64_t Engine::memtable_usage() const {
  uint64_t total = 0;
  for (int i = 1; i < kCount; ++i) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cfs_[i], rocksdb::DB::Properties::kSizeAllMemTables, &v)) total += v;
  }
  return total;
}

uint64_t Engine::disk_usage() const {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(options_.dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

}  // namespace basalt::storage
