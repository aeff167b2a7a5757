// storage/engine.h — owns the RocksDB instance: opening it with its column families,
// the tunables, write options per wal-sync mode, and size/memory figures for INFO.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace basalt::storage {

enum class WalSync { Always, EverySec, No };

// A read the store could not answer (an I/O error, corruption). Never taken as "absent":
// whoever reads lets it end the command with an error, so no write builds on a guess.
class ReadError : public std::runtime_error {
 public:
  explicit ReadError(const rocksdb::Status& s) : std::runtime_error(s.ToString()) {}
};

// Throws ReadError unless `s` is OK or NotFound; true if found.
inline bool found(const rocksdb::Status& s) {
  if (s.ok()) return true;
  if (s.IsNotFound()) return false;
  throw ReadError(s);
}

struct EngineOptions {
  std::string dir;
  uint64_t block_cache_bytes = 256ull << 20;
  uint64_t write_buffer_bytes = 64ull << 20;
  std::string compression = "lz4";  // none|snappy|lz4|zstd
  bool basalt_memtable = true;      // storage/memtable_rep.h (else RocksDB's skiplist)
  int max_background_jobs = 2;
  // Where RocksDB's info log goes (null: its LOG file in the data directory).
  std::shared_ptr<rocksdb::Logger> info_log;
};

class Engine {
 public:
  // Opens (or creates) the database in options.dir. On failure returns null and sets error.
  static std::unique_ptr<Engine> open(const EngineOptions& options, std::string& error);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The dataset lives in a *generation*: a set of column families (data, expiry index,
  // collection sub-keys). A full sync loads into a new generation and switches to it with
  // one atomic meta write, so an interrupted load never touches the current dataset.
  struct Generation {
    uint64_t id = 0;
    rocksdb::ColumnFamilyHandle* data = nullptr;
    rocksdb::ColumnFamilyHandle* expiry = nullptr;
    rocksdb::ColumnFamilyHandle* sub = nullptr;
  };

  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* data_cf() const { return active_.data; }
  rocksdb::ColumnFamilyHandle* expiry_cf() const { return active_.expiry; }
  rocksdb::ColumnFamilyHandle* sub_cf() const { return active_.sub; }
  rocksdb::ColumnFamilyHandle* log_cf() const { return cfs_[kLog]; }
  rocksdb::ColumnFamilyHandle* meta_cf() const { return cfs_[kMeta]; }
  const Generation& active_generation() const { return active_; }
  // Every column family with data in it: the fixed ones but default, and the active
  // generation's (flush, manual compaction, memtable and compaction figures).
  std::vector<rocksdb::ColumnFamilyHandle*> live_families() const;

  // Creates an empty generation for staging (not yet active).
  bool create_generation(Generation& out, std::string& error);
  // Writes `batch` plus the switch to `staged` atomically, then drops the old generation.
  rocksdb::Status activate_generation(const Generation& staged, rocksdb::WriteBatch& batch);
  // Drops a staged generation that will not be used (an interrupted full sync).
  void drop_generation(Generation& g);

  // Applies one batch with the durability chosen by wal-sync; `sync` forces an fsync of
  // the WAL with it (the everysec sync rides on a write group: an empty batch syncs too).
  rocksdb::Status write(rocksdb::WriteBatch* batch, bool sync = false);
  // Asks RocksDB to leave the read-only state a failed write put it in (DB::Resume).
  rocksdb::Status resume();
  void set_wal_sync(WalSync mode) { wal_sync_.store(mode); }
  WalSync wal_sync() const { return wal_sync_.load(); }
  // Flushes all memtables to SST files (SAVE / BGSAVE / clean shutdown).
  rocksdb::Status flush();

  uint64_t block_cache_usage() const;
  uint64_t memtable_usage() const;
  // Compaction and write-stall figures RocksDB reports (its DB properties), for /metrics.
  struct CompactionStats {
    uint64_t pending_compaction_bytes = 0;  // estimated bytes compaction still has to rewrite
    uint64_t running_compactions = 0;
    uint64_t families_needing_compaction = 0;  // column families with a compaction pending
    uint64_t live_sst_bytes = 0;
    uint64_t write_stall_micros = 0;  // time user writes were delayed or stopped, cumulative
    bool writes_stopped = false;      // RocksDB stops writes right now
  };
  CompactionStats compaction_stats() const;
  uint64_t disk_usage() const;
  const EngineOptions& options() const { return options_; }

 private:
  enum { kDefault, kLog, kMeta, kCount };
  Engine() = default;
  bool open_generation_cfs(uint64_t id, Generation& out, std::string& error);
  void close_generation(Generation& g, bool drop);
  rocksdb::ColumnFamilyOptions data_options_, sub_options_, small_options_;
  Generation active_;
  std::vector<rocksdb::ColumnFamilyHandle*> other_cfs_;  // opened at start, then dropped
  EngineOptions options_;
  rocksdb::DB* db_ = nullptr;
  rocksdb::ColumnFamilyHandle* cfs_[kCount] = {};
  std::shared_ptr<rocksdb::Cache> cache_;
  std::atomic<WalSync> wal_sync_{WalSync::EverySec};
};

WalSync parse_wal_sync(const std::string& s, bool& ok);
const char* wal_sync_name(WalSync mode);

}  // namespace basalt::storage
