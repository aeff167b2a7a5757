// node/core/write_prefetch.cpp — the part of WritePipeline (write_pipeline.h) that warms the
// record cache for a group before it runs: with random keys each command's lookup reads a
// cache slot and then an entry nowhere near the last ones, two memory reads that wait one
// after the other, command after command. Asking for all the slots first and then for each
// entry (whose address the slot holds) lets those reads overlap. The element cache likewise,
// for the fields and members the commands name in collections whose record is cached (their
// element keys name the collection's version). A hint only: a key that moves, a db that
// changes or a collection the group replaces costs a wasted fetch, never a wrong read.
#include "node/core/acl_categories.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "storage/codec.h"
#include "storage/collection.h"
#include "storage/types/zset_encoding.h"

namespace basalt::core {

namespace {
// A group's first this many keys are fetched: further ones would push the first out again
// before their commands run.
constexpr size_t kMaxPrefetchedKeys = 256;
}  // namespace

void WritePipeline::prefetch_records(const std::vector<Job*>& jobs) {
  const RecordCache& cache = node_.keyspace().record_cache;
  if (!cache.enabled()) return;
  prefetch_hashes_.clear();
  // Stops (false) once kMaxPrefetchedKeys slots were asked for.
  auto ask_slot = [&](uint16_t db, std::string_view key) {
    storage::encode_data_key(prefetch_key_, db, key);
    const uint64_t hash = RecordCache::hash(prefetch_key_);
    cache.prefetch_slot(hash);
    prefetch_hashes_.push_back(hash);
    return prefetch_hashes_.size() < kMaxPrefetchedKeys;
  };
  bool room = true;
  for (size_t j = 0; room && j < jobs.size(); ++j) {
    const Job& job = *jobs[j];
    for (size_t i = job.first; room && i < job.last; ++i) {
      const CommandSpec* spec = spec_of(*job.batch, i);
      if (!spec) continue;
      auto argv = job.batch->command(i);
      room = acl::visit_key_indexes(*spec, argv,
                                    [&](size_t k) { return ask_slot(job.client->db, argv[k]); });
    }
  }
  for (uint64_t hash : prefetch_hashes_) cache.prefetch_entry(hash);
}

void WritePipeline::prefetch_elements(const std::vector<Job*>& jobs) {
  const KeyspaceShared& shared = node_.keyspace();
  const RecordCache& records = shared.record_cache;
  const ElementCache& elements = shared.element_cache;
  if (!elements.enabled() || !records.enabled()) return;
  prefetch_hashes_.clear();
  // The collection of the last command that named one (a pipeline names the same one again
  // and again): its db, key and element key prefix, or no prefix if it is not a cached
  // hash, set or sorted set.
  uint16_t last_db = 0;
  std::string_view last_key;
  bool known = false;
  auto collection = [&](uint16_t db, std::string_view key) {
    if (known && db == last_db && key == last_key) return !prefetch_prefix_.empty();
    known = true;
    last_db = db;
    last_key = key;
    prefetch_prefix_.clear();
    storage::encode_data_key(prefetch_key_, db, key);
    std::string_view raw;
    storage::RecordView record;
    storage::CollectionMeta::View meta;
    if (!records.peek(prefetch_key_, RecordCache::hash(prefetch_key_), raw) ||
        !storage::decode_record(raw, record) ||
        (record.type != storage::ValueType::Hash && record.type != storage::ValueType::Set &&
         record.type != storage::ValueType::ZSet) ||
        !storage::CollectionMeta::parse(record.payload, meta))
      return false;
    storage::encode_sub_prefix(prefetch_prefix_, db, key, meta.version);
    if (record.type == storage::ValueType::ZSet)
      prefetch_prefix_.push_back(storage::types::zset::kMemberTag);
    return true;
  };
  for (size_t j = 0; j < jobs.size() && prefetch_hashes_.size() < kMaxPrefetchedKeys; ++j) {
    const Job& job = *jobs[j];
    for (size_t i = job.first; i < job.last && prefetch_hashes_.size() < kMaxPrefetchedKeys; ++i) {
      const CommandSpec* spec = spec_of(*job.batch, i);
      if (!spec || spec->elements.first <= 0 || spec->keys.first <= 0) continue;
      auto argv = job.batch->command(i);
      const auto key_index = static_cast<size_t>(spec->keys.first);
      if (key_index >= argv.size() || !collection(job.client->db, argv[key_index])) continue;
      visit_element_indexes(*spec, argv.size(), [&](size_t k) {
        prefetch_key_.assign(prefetch_prefix_).append(argv[k]);
        const uint64_t hash = RecordCache::hash(prefetch_key_);
        elements.prefetch_slot(hash);
        prefetch_hashes_.push_back(hash);
      });
    }
  }
  for (uint64_t hash : prefetch_hashes_) elements.prefetch_entry(hash);
}

}  // namespace basalt::core
