// node/core/repl_state.cpp — see repl_state.h.
#include "node/core/repl_state.h"

#include <rocksdb/write_batch.h>

#include "node/util/log.h"

namespace basalt::core {

std::string ReplState::load() {
  meta_ = storage::load_repl_meta(engine_);
  if (meta_.has_history) return "";
  rocksdb::WriteBatch batch;
  storage::put_repl_meta(batch, engine_, meta_);
  rocksdb::Status s = engine_.write(&batch);
  return s.ok() ? "" : "can't write to the data directory: " + s.ToString();
}

void ReplState::stage_advance(rocksdb::WriteBatchBase& batch, uint64_t new_offset,
                              int stream_db) const {
  storage::put_offset(batch, engine_, new_offset);
  // The db in effect at the new offset: a replica resuming from here must apply the next
  // bytes in it (Redis persists the same as repl-stream-db).
  if (stream_db >= 0 && stream_db != meta_.stream_db)
    storage::put_stream_db(batch, engine_, stream_db);
}

void ReplState::advanced(uint64_t new_offset, int stream_db) {
  meta_.master_repl_offset = new_offset;
  if (stream_db >= 0) meta_.stream_db = stream_db;
}

std::string ReplState::write_role(const storage::ReplMeta& next) {
  rocksdb::WriteBatch batch;
  storage::put_role_meta(batch, engine_, next);
  rocksdb::Status s = engine_.write(&batch, true);
  if (!s.ok()) {
    log::error("persisting the replication state ({}) failed, keeping the old one: {}", next.role,
               s.ToString());
    return "ERR could not persist the new role, keeping the old one: " + s.ToString();
  }
  meta_ = next;
  return "";
}

std::string ReplState::become_replica(const std::string& host, int port) {
  storage::ReplMeta next = meta_;
  next.role = "replica";
  next.master_host = host;
  next.master_port = port;
  return write_role(next);
}

std::string ReplState::promote() {
  storage::ReplMeta next = meta_;
  next.replid2 = meta_.replid;
  next.second_replid_offset = static_cast<int64_t>(meta_.master_repl_offset) + 1;
  next.replid = storage::random_replid();
  next.role = "master";
  next.master_host.clear();
  next.master_port = 0;
  return write_role(next);
}

std::string ReplState::follow_new_id(const std::string& id) {
  storage::ReplMeta next = meta_;
  next.replid2 = meta_.replid;
  next.second_replid_offset = static_cast<int64_t>(meta_.master_repl_offset) + 1;
  next.replid = id;
  next.synced = true;
  return write_role(next);
}

std::string ReplState::mark_synced() {
  if (meta_.synced) return "";
  storage::ReplMeta next = meta_;
  next.synced = true;
  return write_role(next);
}

storage::ReplMeta ReplState::after_full_sync(const std::string& replid, uint64_t offset,
                                             int stream_db) const {
  storage::ReplMeta meta = meta_;
  meta.replid = replid;
  meta.replid2 = std::string(40, '0');
  meta.second_replid_offset = -1;
  meta.master_repl_offset = offset;
  meta.stream_db = stream_db;
  meta.synced = true;
  meta.has_history = true;
  return meta;
}

}  // namespace basalt::core
