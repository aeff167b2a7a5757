// node/expiry/active_expiry.cpp — see active_expiry.h.
#include "node/expiry/active_expiry.h"

#include <boost/asio/post.hpp>
#include <memory>
#include <string>
#include <vector>

#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "storage/codec.h"

namespace basalt::expiry {

namespace {
constexpr size_t kMaxKeysPerCycle = 2000;
}

void ActiveExpiry::cycle() {
  auto& shared = node_.keyspace();
  if (in_flight_ || !shared.active_expiry || !shared.expire_cycle || node_.shutting_down()) return;
  auto& engine = node_.engine();
  uint64_t now = core::unix_time_ms();

  std::string upper;
  storage::put_u64_be(upper, now + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(engine.db()->NewIterator(ro, engine.expiry_cf()));
  std::vector<std::string> due;
  for (it->SeekToFirst(); it->Valid() && due.size() < kMaxKeysPerCycle; it->Next()) {
    due.emplace_back(it->key().data(), it->key().size());
  }
  if (due.empty()) return;
  bool more = due.size() == kMaxKeysPerCycle;
  in_flight_ = true;
  node_.pipeline().post([this, due = std::move(due), more](core::Keyspace& ks) {
    in_flight_ = false;
    auto& engine = ks.engine();
    for (const auto& entry : due) {
      uint64_t at = 0;
      uint16_t db = 0;
      std::string_view key;
      if (!storage::decode_expiry_key(entry, at, db, key) || db >= ks.databases()) {
        ks.batch()->Delete(engine.expiry_cf(), entry);
        continue;
      }
      core::Lookup l;
      // The index may be stale (key deleted, flushed or given another TTL): then the
      // entry alone goes; the key itself is deleted only when its own expiry says so.
      ks.peek(db, key, l);
      bool matches = l.present && l.record.expire_at_ms == at;
      if (!matches) {
        ks.batch()->Delete(engine.expiry_cf(), entry);
      } else {
        // Deleting the key drops its index entry; if it is not due after all (the clock
        // stepped back), the entry stays for a later cycle.
        ks.expire_if_needed(db, key);
      }
    }
    // Keep going while there is a backlog, once this group has committed.
    if (more) boost::asio::post(node_.io(), [this] { cycle(); });
  });
}

}  // namespace basalt::expiry
