// storage/engine.cpp — RocksDB open/close, column families and tunables.
#include "storage/engine.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/table.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "storage/codec.h"
#include "storage/memtable_hints.h"
#include "storage/memtable_rep.h"

namespace basalt::storage {

namespace {
// "default" is rocksdb::kDefaultColumnFamilyName, spelled out: that is a std::string of
// RocksDB's, and RocksDB is linked statically, so it may not be constructed yet when this
// array is (static initialisation order across objects is unspecified).
constexpr const char* kFixedCfNames[] = {"default", "replog", "meta"};
constexpr const char* kGenerationKey = "generation";

std::string gen_cf_name(const char* kind, uint64_t id) {
  return std::string(kind) + "." + std::to_string(id);
}

// "data.7" -> 7; 0 if the name is not a generation family.
uint64_t generation_of(const std::string& name) {
  for (const char* kind : {"data.", "expiry.", "sub."}) {
    std::string k(kind);
    if (name.rfind(k, 0) == 0) {
      try {
        return std::stoull(name.substr(k.size()));
      } catch (...) {
        return 0;
      }
    }
  }
  return 0;
}

// basalt drives recovery from write errors itself (DB::Resume with backoff, see
// StorageHealth): RocksDB's own recovery from a full disk waits until the free space
// exceeds every write buffer it may flush (64 MB and more by default), and while it waits
// a manual Resume is refused as busy.
class ManualRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    bg_error.PermitUncheckedError();
    *auto_recovery = false;
  }
};

// RocksDB counts into its thread-local perf context on every call unless told not to (basalt
// never reads those counters): off for the calling thread, once per thread.
void quiet_perf_counters() {
  thread_local bool done = false;
  if (done) return;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  done = true;
}

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
    case WalSync::Always:
      return "always";
    case WalSync::EverySec:
      return "everysec";
    case WalSync::No:
      return "no";
  }
  return "everysec";
}

std::unique_ptr<Engine> Engine::open(const EngineOptions& options, std::string& error) {
  quiet_perf_counters();  // the thread that opens the engine runs the event loop
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
  if (options.info_log) db_options.info_log = options.info_log;
  db_options.listeners.push_back(std::make_shared<ManualRecovery>());
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = 4 * options.write_buffer_bytes;
  // One writer at a time inserts into a memtable (the write pipeline's commits): basalt's
  // memtable skiplist takes no concurrent inserts.
  db_options.allow_concurrent_memtable_write = !options.basalt_memtable;
  auto memtables = make_memtable_factory(options.basalt_memtable);

  rocksdb::ColumnFamilyOptions data_options;
  data_options.memtable_factory = memtables;
  data_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  data_options.write_buffer_size = options.write_buffer_bytes;
  data_options.compression = compression_of(options.compression);
  data_options.level_compaction_dynamic_level_bytes = true;
  // The 4 MB memtables flush every few tens of thousands of writes; merging L0 into the
  // base level after every 8 flushes instead of 4 halves that work, which runs on the cores
  // the event loop and the clients share (A/B -P 16 -r 100000, 3 + 5 rounds: SET 1.17 / 1.01,
  // SADD 0.94 / 1.22, HSET 1.03 / 1.17, ZADD 1.12 / 0.97, GET 1.14). Reads check the filters of
  // up to 8 L0 files, pinned in the block cache.
  data_options.level0_file_num_compaction_trigger = 8;
  // Most writes look their key up first (to keep TTLs, counts and types right); a memtable
  // bloom filter answers "not there" for new keys without walking the skiplist.
  data_options.memtable_whole_key_filtering = true;
  data_options.memtable_prefix_bloom_size_ratio = 0.05;
  rocksdb::ColumnFamilyOptions sub_options = data_options;  // the element family's
  // Random-key writes walk far less of the memtable's skiplist with an insert hint (see
  // storage/memtable_hints.h): the data family's for records, the element family's for
  // elements, each leaving out the keys its range deletions begin with.
  // (basalt's skiplist takes no hints: the lookup of one per insert would be wasted.)
  if (!options.basalt_memtable) {
    data_options.memtable_insert_with_hint_prefix_extractor = make_record_hint();
    sub_options.memtable_insert_with_hint_prefix_extractor = make_element_hint();
  }

  rocksdb::ColumnFamilyOptions small_options;  // expiry, meta
  small_options.memtable_factory = memtables;
  small_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  small_options.write_buffer_size = std::max<uint64_t>(options.write_buffer_bytes / 4, 4 << 20);

  rocksdb::ColumnFamilyOptions log_options = small_options;  // replication log: sequential
  log_options.compression = compression_of(options.compression);
  log_options.write_buffer_size = options.write_buffer_bytes;

  engine->data_options_ = data_options;
  engine->small_options_ = small_options;
  engine->sub_options_ = sub_options;

  // Open every family that exists (generations included), plus the fixed ones.
  std::vector<std::string> existing;
  rocksdb::DB::ListColumnFamilies(db_options, options.dir, &existing);  // fails on a new dir
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kCount; ++i) {
    descriptors.emplace_back(kFixedCfNames[i], i == kLog ? log_options : small_options);
  }
  for (const auto& name : existing) {
    if (generation_of(name) == 0) continue;
    // The element family is created with its own options (see open_generation_cfs):
    // reopened with the small ones, it lost its memtable bloom filter and three quarters of
    // its write buffer after every restart.
    if (name.rfind("data.", 0) == 0)
      descriptors.emplace_back(name, data_options);
    else if (name.rfind("sub.", 0) == 0)
      descriptors.emplace_back(name, sub_options);
    else
      descriptors.emplace_back(name, small_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.dir, descriptors, &handles, &engine->db_);
  if (!s.ok()) {
    error = "can't open RocksDB in '" + options.dir + "': " + s.ToString();
    return nullptr;
  }
  for (int i = 0; i < kCount; ++i) engine->cfs_[i] = handles[i];

  // The active generation is recorded in meta; a new directory starts with generation 1.
  auto fail = [&](std::string why) {
    for (size_t i = kCount; i < handles.size(); ++i)
      engine->db_->DestroyColumnFamilyHandle(handles[i]);
    error = std::move(why);
    return nullptr;
  };
  uint64_t active = 1;
  std::string v;
  s = engine->db_->Get(rocksdb::ReadOptions(), engine->cfs_[kMeta], kGenerationKey, &v);
  if (s.ok() && v.size() == 8) {
    active = get_u64_be(v.data());
  } else if (!s.IsNotFound()) {
    // Guessing generation 1 here would drop the real dataset at the next step.
    return fail("can't read the active generation from '" + options.dir + "': " +
                (s.ok() ? "corrupt value (" + std::to_string(v.size()) + " bytes)" : s.ToString()));
  } else {
    for (const auto& name : existing) {
      if (generation_of(name) > 1) {
        return fail("the data directory '" + options.dir +
                    "' holds dataset generations but no record of the active one; refusing to "
                    "guess");
      }
    }
  }
  for (size_t i = kCount; i < handles.size(); ++i) {
    auto* h = handles[i];
    uint64_t g = generation_of(h->GetName());
    if (g != active) {
      engine->other_cfs_.push_back(h);  // a staged load that never became active
      continue;
    }
    if (h->GetName().rfind("data.", 0) == 0)
      engine->active_.data = h;
    else if (h->GetName().rfind("expiry.", 0) == 0)
      engine->active_.expiry = h;
    else
      engine->active_.sub = h;
  }
  engine->active_.id = active;
  if (!engine->open_generation_cfs(active, engine->active_, error)) return nullptr;
  for (auto* h : engine->other_cfs_) {
    engine->db_->DropColumnFamily(h);
    engine->db_->DestroyColumnFamilyHandle(h);
  }
  engine->other_cfs_.clear();
  std::string gen;
  put_u64_be(gen, active);
  engine->db_->Put(rocksdb::WriteOptions(), engine->cfs_[kMeta], kGenerationKey, gen);
  return engine;
}

bool Engine::open_generation_cfs(uint64_t id, Generation& g, std::string& error) {
  g.id = id;
  struct Want {
    const char* kind;
    rocksdb::ColumnFamilyHandle** slot;
    const rocksdb::ColumnFamilyOptions* options;
  } wants[] = {{"data", &g.data, &data_options_},
               {"expiry", &g.expiry, &small_options_},
               {"sub", &g.sub, &sub_options_}};
  for (auto& w : wants) {
    if (*w.slot) continue;
    rocksdb::Status s = db_->CreateColumnFamily(*w.options, gen_cf_name(w.kind, id), w.slot);
    if (!s.ok()) {
      error = "can't create column family " + gen_cf_name(w.kind, id) + ": " + s.ToString();
      return false;
    }
  }
  return true;
}

void Engine::close_generation(Generation& g, bool drop) {
  for (auto** h : {&g.data, &g.expiry, &g.sub}) {
    if (!*h) continue;
    if (drop) db_->DropColumnFamily(*h);
    db_->DestroyColumnFamilyHandle(*h);
    *h = nullptr;
  }
}

bool Engine::create_generation(Generation& out, std::string& error) {
  out = Generation{};
  return open_generation_cfs(active_.id + 1, out, error);
}

rocksdb::Status Engine::activate_generation(const Generation& staged, rocksdb::WriteBatch& batch) {
  std::string gen;
  put_u64_be(gen, staged.id);
  batch.Put(cfs_[kMeta], kGenerationKey, gen);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return s;
  Generation old = active_;
  active_ = staged;
  close_generation(old, true);
  return s;
}

void Engine::drop_generation(Generation& g) {
  close_generation(g, true);
}

Engine::~Engine() {
  if (!db_) return;
  close_generation(active_, false);
  for (auto* cf : cfs_) {
    if (cf) db_->DestroyColumnFamilyHandle(cf);
  }
  db_->Close();
  delete db_;
}

// DB::SyncWAL is not used: in Debian's RocksDB 7.8 it aborts the process (an assertion in
// WritableFileWriter) when called after a failed WAL append, e.g. on a full disk. A synced
// write goes through the write path, which refuses cleanly while the DB is in error.
rocksdb::Status Engine::write(rocksdb::WriteBatch* batch, bool sync) {
  quiet_perf_counters();  // (writes also come from the blocking pool's threads)
  rocksdb::WriteOptions wo;
  WalSync mode = wal_sync_.load(std::memory_order_relaxed);
  wo.sync = sync || mode == WalSync::Always;
  return db_->Write(wo, batch);
}

rocksdb::Status Engine::resume() {
  return db_->Resume();
}

rocksdb::Status Engine::flush() {
  rocksdb::FlushOptions fo;
  fo.wait = true;
  return db_->Flush(fo, live_families());
}

std::vector<rocksdb::ColumnFamilyHandle*> Engine::live_families() const {
  std::vector<rocksdb::ColumnFamilyHandle*> all(cfs_ + 1, cfs_ + kCount);
  all.push_back(active_.data);
  all.push_back(active_.expiry);
  all.push_back(active_.sub);
  return all;
}

uint64_t Engine::block_cache_usage() const {
  return cache_ ? cache_->GetUsage() : 0;
}

uint64_t Engine::memtable_usage() const {
  uint64_t total = 0;
  for (auto* cf : live_families()) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kSizeAllMemTables, &v)) total += v;
  }
  return total;
}

Engine::CompactionStats Engine::compaction_stats() const {
  CompactionStats out;
  for (auto* cf : live_families()) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &v))
      out.pending_compaction_bytes += v;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kCompactionPending, &v) && v)
      ++out.families_needing_compaction;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kLiveSstFilesSize, &v))
      out.live_sst_bytes += v;
  }
  uint64_t v = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &v))
    out.running_compactions = v;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &v)) out.writes_stopped = v;
  std::map<std::string, std::string> db_stats;
  if (db_->GetMapProperty(rocksdb::DB::Properties::kDBStats, &db_stats)) {
    auto it = db_stats.find("db.user_write_stall_micros");
    if (it != db_stats.end())
      out.write_stall_micros = std::strtoull(it->second.c_str(), nullptr, 10);
  }
  return out;
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
