// node/core/keyspace.h — the commands' view of the data: typed lookups with logical expiry,
// and (inside a write group) writes that keep the expiry index, the per-db key counts and the
// replication stream in step with the data, all in one RocksDB batch (invariant S1). It is
// the storage::types::KeyAccess the type stores (storage/types/) work through.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/access_tracker.h"
#include "node/core/element_cache.h"
#include "node/core/element_memo.h"
#include "node/core/record_cache.h"
#include "node/core/repl_stream.h"
#include "node/core/scan_cursors.h"
#include "node/core/watch_registry.h"
#include "storage/engine.h"
#include "storage/record.h"
#include "storage/types/key_access.h"
#include "storage/types/pop_pool.h"
#include "storage/types/walk_debt.h"

namespace basalt::core {

// A key's record as one view looked it up (defined with the stores' view of the keyspace).
using Lookup = storage::types::Lookup;

// A key eviction may pick (node/core/eviction.h); expire_at_ms: the expiry index entry it was
// sampled from (volatile policies).
struct EvictionCandidate {
  uint16_t db = 0;
  std::string key;
  uint64_t expire_at_ms = 0;
};

// State shared by every view: committed key counts and counters the views update.
struct KeyspaceShared {
  storage::Engine* engine = nullptr;
  std::vector<uint64_t> key_counts;     // committed, per db
  std::vector<uint64_t> expire_counts;  // committed keys with a TTL, per db
  // Committed logical dataset bytes per db (storage/dataset_size.h): INFO used_memory, what
  // maxmemory caps.
  std::vector<uint64_t> dataset_bytes;
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;  // keys deleted to get under maxmemory (node/core/eviction.h)
  // When commands last used keys, and how often (LRU / LFU eviction policies).
  AccessTracker access;
  // Where eviction sampling goes on: per db in the data family, and in the expiry index.
  std::vector<std::string> eviction_cursors;
  std::string eviction_cursors_volatile;
  // Redis's eviction pool: the best LRU / LFU candidates earlier samplings left over, ranked
  // again with each new sample (so one sample of only hot keys does not evict a hot key).
  std::vector<EvictionCandidate> eviction_pool;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  ScanCursors scan_cursors;
  uint64_t last_version = 0;
  // False on replicas: they never delete on their own (neither on access nor in the cycle).
  bool active_expiry = true;
  // The periodic expiry cycle (DEBUG SET-ACTIVE-EXPIRE): off, a master still deletes an
  // expired key when a command meets it, as Redis does.
  bool expire_cycle = true;
  // Called when a read-only view meets an expired key (the node queues its deletion).
  std::function<void(uint16_t, std::string_view)> on_expired_read;
  // WATCH: told about every key a write view changes (null: the registry is not wired).
  WatchRegistry* watches = nullptr;
  // Committed top-level records (see record_cache.h); filled by reads, updated by
  // Keyspace::publish_to_cache after each committed group.
  RecordCache record_cache;
  // Committed collection elements (the sub family), by encoded element key, and the
  // collections it holds completely (element_cache.h): filled by the element lookups of write
  // groups and readers on the loop, updated by Keyspace::publish_to_cache from each committed
  // group's element records and created and dropped collections, emptied wherever the record
  // cache is (a flush, a rollback, a full sync's dataset switch) and after every heavy job.
  // An element key names its collection's version, and a version that dies
  // (Keyspace::drop_elements) is never handed out again while the cache lives (last_version
  // is raised past it), so the entries of a deleted or replaced collection are never read.
  ElementCache element_cache;
  // The element reads of the write group running now (element_memo.h).
  ElementMemo element_memo;
  // SPOP's pools of random picks (storage/types/pop_pool.h), kept by the loop's write views.
  storage::types::PopPools pop_pools;
  // What walks crossed of collections' tombstones (storage/types/walk_debt.h): every view
  // charges it, on the loop and off it (it locks); write views consult it in save().
  storage::types::WalkDebts walk_debts;
  // While a group's write is in flight (node/core/write_inflight.cpp): the store as it was
  // before it, which read-only views read (the record cache holds that state too; the store
  // may already hold the group in flight, which is not published yet). Null otherwise.
  std::shared_ptr<const rocksdb::Snapshot> published_snapshot;
  rocksdb::ReadOptions published_reads;
};

class Keyspace final : public storage::types::KeyAccess {
 public:
  // A read-only view straight on the database.
  Keyspace(KeyspaceShared& shared, uint64_t now_ms);
  // A writable view inside a write group.
  Keyspace(KeyspaceShared& shared, uint64_t now_ms, rocksdb::WriteBatchWithIndex& batch,
           ReplStream& stream);
  Keyspace(Keyspace&&) = default;
  // Keeps the group's record nodes for the next groups (see spare_records).
  ~Keyspace() override;

  bool writable() const { return batch_ != nullptr; }
  // The master's stream is applied as is: keys the replica holds are live even if their
  // time has passed (the master's DEL is on its way), and nothing is propagated from
  // commands (the received bytes are logged instead).
  void set_master_stream_mode(bool on) { master_stream_ = on; }
  // Off on replicas for local writes: a replica's stream is its master's stream.
  void set_propagation(bool on) { propagation_ = on; }
  bool propagation() const { return propagation_; }
  // A heavy job's private view, used off the event loop: commands must not touch node
  // state (blocked clients are woken by the job once it commits).
  void set_off_loop(bool on) { off_loop_ = on; }
  bool off_loop() const { return off_loop_; }
  // Read-only views: read through `snapshot` (a heavy read's consistent view, taken on the
  // loop; node/core/heavy_read.h) and never through the record cache.
  void set_snapshot(const rocksdb::Snapshot* snapshot) {
    snapshot_ = snapshot;
    snapshot_reads_.snapshot = snapshot;
  }
  uint64_t now_ms() const { return now_ms_; }
  size_t databases() const { return shared_.key_counts.size(); }
  // A write view whose group runs while the group before it is being written (the commit
  // in flight, node/core/write_inflight.cpp): `prior` is the pipeline's slot for that
  // group's view. While it holds one, this view reads that group's records and elements
  // before the caches and the store (which may not hold them yet), iterators overlay them
  // too, and counts add its deltas; once the slot is emptied (the group was published to the
  // caches and counts) reads go on as in any view.
  void chain_after(const std::optional<Keyspace>* prior) { prior_ = prior; }

  // Reads `key`. In a writable view with active expiry, an expired key is deleted first
  // (and DEL propagated), so callers of writable views see present == live.
  void lookup(uint16_t db, std::string_view key, Lookup& out);
  // lookup(), and for Access::Read a keyspace hit or miss counted, as commands count reads.
  void open_key(uint16_t db, std::string_view key, storage::types::Access access,
                Lookup& out) override;
  // True if the key was seen expired by a read-only view (the caller may ask for deletion).
  bool saw_expired() const { return saw_expired_; }
  // The key's stored record as this view sees it, expired or not (nothing is deleted).
  void peek(uint16_t db, std::string_view key, Lookup& out) { read_raw(db, key, out); }

  // Writes (writable views only). `old` must be the lookup of the same key in this view.
  void put(uint16_t db, std::string_view key, storage::ValueType type, uint64_t expire_at_ms,
           std::string_view payload, const Lookup& old) override;
  void remove(uint16_t db, std::string_view key, const Lookup& old) override;
  // Deletes every key of `db` (FLUSHDB) or of all dbs (db < 0, FLUSHALL).
  void flush(int db);
  // Deletes `key` if it is expired (active expiry and expire-on-access). True if deleted.
  bool expire_if_needed(uint16_t db, std::string_view key);

  // Collection elements (sub column family), addressed by (db, key, version, element part).
  bool sub_get(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
               std::string& value) override;
  void sub_put(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
               std::string_view value, PartReads reads = PartReads::ByPart) override;
  void sub_delete(uint16_t db, std::string_view key, uint64_t version, std::string_view part,
                  PartReads reads = PartReads::ByPart) override;
  // An iterator over the elements of (db, key, version); `prefix` receives the prefix to
  // strip and to stop at (it->key().starts_with(prefix)).
  std::unique_ptr<rocksdb::Iterator> sub_iterate(uint16_t db, std::string_view key,
                                                 uint64_t version, std::string& prefix) override;
  std::unique_ptr<rocksdb::Iterator> sub_iterate_within(uint16_t db, std::string_view key,
                                                        uint64_t version, std::string& prefix,
                                                        std::string_view lower,
                                                        std::string_view upper) override;
  // A fresh version for a new collection (never reused for the same key).
  uint64_t new_version() override;
  storage::types::PopPools* pop_pools() override {
    return batch_ && !off_loop_ ? &shared_.pop_pools : nullptr;
  }
  storage::types::WalkDebts* walk_debts() override { return &shared_.walk_debts; }
  // Copies the value of `src` (a live lookup of src_key in src_db), elements included, to
  // dst_key in dst_db, replacing `dst_old`; keeps the TTL.
  void copy_value(uint16_t src_db, std::string_view src_key, const Lookup& src, uint16_t dst_db,
                  std::string_view dst_key, const Lookup& dst_old);

  // The expiry index (expire_at_ms, db, key), seeing this group's writes in a writable view.
  std::unique_ptr<rocksdb::Iterator> iterate_expiry();

  // Set by the command runner before a command runs: the node is over maxmemory and
  // eviction could not get it under (deny-oom commands are then refused).
  void set_out_of_memory(bool oom) { out_of_memory_ = oom; }
  bool out_of_memory() const { return out_of_memory_; }

  // A point to return to if a command fails halfway (writable views only).
  // Save points nest (a command inside a transaction inside a master's MULTI): each is
  // rolled back or released before the one taken before it.
  struct SavePoint {
    size_t stream_size = 0;
    int stream_db = -1;
    size_t depth = 0;           // its copy of the deltas is saved_deltas_[depth]
    size_t undo_size = 0;       // undo_ entries taken before it
    uint64_t outer_serial = 0;  // the serial of the save point it is nested in (0: none)
  };
  SavePoint save_point();
  void rollback(const SavePoint& point);
  void release(const SavePoint& point);

  void propagate(uint16_t db, std::span<const std::string_view> args);
  template <size_t N>
  void propagate(uint16_t db, const std::string_view (&args)[N]) {
    propagate(db, std::span<const std::string_view>(args, N));
  }

  uint64_t dbsize(uint16_t db) const;
  // Iterates the data column family for keys of `db` (seeing this group's writes in a
  // writable view; a db flushed in this group shows only what was written after the flush).
  std::unique_ptr<rocksdb::Iterator> iterate(uint16_t db);

  // Per-db count changes of this group, applied by the pipeline after a successful write.
  const std::vector<int64_t>& count_deltas() const { return count_deltas_; }
  const std::vector<int64_t>& expire_deltas() const { return expire_deltas_; }
  const std::vector<int64_t>& bytes_deltas() const { return bytes_deltas_; }
  // The dataset's logical bytes as this view sees them (committed, plus this group's writes).
  uint64_t dataset_bytes() const;
  // After the group's batch is written: the record cache takes the final state of every key
  // the group wrote, the element cache that of every cached element it wrote (or both are
  // emptied, after a flush or a rollback).
  void publish_to_cache();
  rocksdb::WriteBatchWithIndex* batch() { return batch_; }
  // True if the group has something to commit (the batch, or top-level records not yet in it).
  bool has_writes() const { return pending_ || (batch_ && batch_->GetWriteBatch()->Count() > 0); }
  // Before the group's batch is written: appends the top-level records the group wrote and
  // kept back (each key once, in its final state) to `into`, the batch being committed.
  void stage_records(rocksdb::WriteBatch& into);
  // Records (top-level and elements) this group wrote, each key once.
  size_t written_count() const { return written_.size() + sub_written_.size(); }
  // Visits the encoded data keys this view wrote (storage/codec.h decode_data_key); false,
  // visiting none, when it cannot tell (after a rollback the group writes through the index
  // and keeps no list: the caller must assume any key may have changed).
  template <class Visit>
  bool for_each_written(Visit&& visit) const {
    if (through_index_) return false;
    for (const auto& entry : written_) visit(std::string_view(entry.first));
    return true;
  }
  ReplStream* stream() { return stream_; }
  storage::Engine& engine() { return *shared_.engine; }
  KeyspaceShared& shared() { return shared_; }

 private:
  void read_raw(uint16_t db, std::string_view key, Lookup& out);
  // The committed state of the element whose encoded key is in key_buf_: the element cache,
  // else the database (which then fills the cache).
  bool read_committed_element(std::string& value);
  void delete_stored(uint16_t db, std::string_view key, const Lookup& old);
  // Drops the elements of a collection record being deleted or replaced.
  void drop_elements(uint16_t db, std::string_view key, const storage::RecordView& old);
  // Puts the group's records into the batch's index, for an iterator over the batch.
  void index_records();
  void touch(uint16_t db, std::string_view key, bool expiry = false) {
    if (shared_.watches && !shared_.watches->empty()) shared_.watches->touch(db, key, expiry);
  }

  // The options every read of the database uses (the snapshot, if any).
  // A read-only view reads the published state while a write is in flight (views on the
  // loop never outlive a drain; longer reads take their own snapshot).
  const rocksdb::ReadOptions& read_options() const {
    if (snapshot_) return snapshot_reads_;
    if (!batch_ && shared_.published_snapshot) return shared_.published_reads;
    return default_reads();
  }
  // Built once: a point lookup per command should not construct (and destroy) the struct.
  static const rocksdb::ReadOptions& default_reads() {
    static const rocksdb::ReadOptions options;
    return options;
  }

  KeyspaceShared& shared_;
  uint64_t now_ms_;
  const std::optional<Keyspace>* prior_ = nullptr;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  rocksdb::ReadOptions snapshot_reads_;
  rocksdb::WriteBatchWithIndex* batch_ = nullptr;
  ReplStream* stream_ = nullptr;
  uint64_t memo_stamp_ = 0;  // a write view's stamp in shared_.element_memo
  std::vector<int64_t> count_deltas_;
  std::vector<int64_t> expire_deltas_;  // keys with a TTL gained (lost) per db
  std::vector<int64_t> bytes_deltas_;   // dataset bytes gained (lost) per db
  std::vector<bool> flushed_;           // dbs flushed in this group: read from the batch only
  // What this group wrote to the data family (top-level records) and to the sub family
  // (elements), by encoded key, as it stands now: reads of those keys, and the record cache
  // at publish, take it from here. They reach the batch at the commit (stage_records), or
  // through its index when an iterator over the batch needs them (index_records): indexing
  // every write, and reading it back through the index, cost a SET or an HSET about a third
  // of its instructions.
  struct GroupRecord {
    bool present = false;       // false: deleted
    bool indexed = false;       // the batch's index has this state
    bool pending = false;       // kept back: not in the batch yet (stage_records)
    uint64_t saved_serial = 0;  // the save point whose undo_ already holds its earlier state
    bool walked_only = false;   // an element never read by its part (PartReads::WalkedOnly)
    std::string value;
  };
  using GroupRecords = std::map<std::string, GroupRecord, std::less<>>;
  // The group in flight this view is chained on (see chain_after), or null.
  const Keyspace* prior() const { return prior_ && prior_->has_value() ? &**prior_ : nullptr; }
  // After a rollback (reads go through the batch's index): the records of the group in
  // flight this view has not written are put into the batch too, so that its reads see them.
  void copy_prior_into_batch();
  // `prior`'s record of `key` in its map `records` (written_ or sub_written_), or null.
  static const GroupRecord* prior_written(const Keyspace* prior, GroupRecords Keyspace::*records,
                                          const std::string& key) {
    if (prior == nullptr) return nullptr;
    const GroupRecords& map = prior->*records;
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  }

  void write_entry(GroupRecords& records, rocksdb::ColumnFamilyHandle* cf, bool present,
                   std::string_view value, bool walked_only = false);
  // Map nodes of finished groups' records, kept for the groups that follow, per thread (the
  // loop's views, a heavy job's): a write takes one (with the key and value buffers it
  // holds) instead of allocating a node, a key and a value.
  static std::vector<GroupRecords::node_type>& spare_records();
  // A new record at key_buf_ (`hint`: where it goes), on a spare node if there is one.
  static GroupRecords::iterator new_record(GroupRecords& records, GroupRecords::iterator hint,
                                           const std::string& key);
  static void keep_spare(GroupRecords& records);
  void erase_range(GroupRecords& records, std::string_view begin, std::string_view end);
  // Keeps `slot`'s state (or its absence) for a rollback to the innermost save point.
  void save_for_undo(GroupRecords& records, GroupRecords::iterator slot, bool inserted);
  GroupRecords written_;
  GroupRecords sub_written_;
  bool index_behind_ = false;  // some record above is not yet in the batch's index
  // Records (top-level and elements) are kept back from the batch until the commit
  // (stage_records), so a key a group writes many times (LPUSH, HSET on one key: its metadata
  // record; a list's end chunk) costs one memtable insert. Undo log of written_ and
  // sub_written_ for rollbacks (kept only inside save points).
  struct Undo {
    bool element = false;  // of sub_written_ (else of written_)
    std::string key;
    bool existed = false;
    GroupRecord before;
  };
  // The first undo_size_ entries are in use; the rest are kept for reuse, so their strings
  // keep their capacity (a write inside a save point then allocates nothing here).
  std::vector<Undo> undo_;
  size_t undo_size_ = 0;
  uint64_t serial_ = 0;       // the innermost save point's serial (0: none taken)
  uint64_t last_serial_ = 0;  // serials handed out
  bool pending_ = false;      // some record of written_ is pending
  // After a rollback the maps no longer match the batch (whose index RocksDB rebuilt from
  // what remains): from then on the group writes through the index and reads from it.
  bool through_index_ = false;
  // The save points' copies of the per-db deltas, reused (a write command takes one).
  std::vector<std::vector<int64_t>> saved_deltas_;
  size_t save_depth_ = 0;
  bool clear_cache_ = false;  // a flush or a rollback: the cache is emptied at publish
  // Versions new_version() handed out in this view, and the collections put() created with
  // them (sub prefixes) minus those dropped again in the group; the versions the group ended
  // that earlier groups created.
  std::vector<uint64_t> new_versions_;
  std::vector<std::string> created_collections_;
  std::vector<std::string> dropped_collections_;
  // Records a new collection put() writes (a version other than the key's before), if this
  // view handed its version out.
  void note_created(uint16_t db, std::string_view key, uint64_t version);
  std::string key_buf_;
  std::string record_buf_;
  bool saw_expired_ = false;
  bool master_stream_ = false;
  bool propagation_ = true;
  bool out_of_memory_ = false;
  bool off_loop_ = false;
};

}  // namespace basalt::core
