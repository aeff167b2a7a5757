// node/core/write_prefetch.cpp — the part of WritePipeline (write_pipeline.h) that warms the
// record cache for a group before it runs: with random keys each command's lookup reads a
// cache slot and then an entry nowhere near the last ones, two memory reads that wait one
// after the other, command after command. Asking for all the slots first and then for each
// entry (whose address the slot holds) lets those reads overlap. A hint only: a key that
// moves or a db that changes within the group costs a wasted fetch, never a wrong read.
#include "node/core/acl_categories.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "storage/codec.h"

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

}  // namespace basalt::core
