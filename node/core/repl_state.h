// node/core/repl_state.h — the one owner of the replication state: replid, replid2, the
// second offset, master_repl_offset, the stream db, the role and the master's address.
// Everything else reads it (`get()`); only these methods change it, and each one writes meta
// in the same step: the write path stages the offset in its group's batch (S1) and applies it
// once that batch committed; a role or history change is written (synced) first and only then
// takes effect in memory; a full sync's new history is written with its dataset switch.
#pragma once

#include <rocksdb/write_batch_base.h>

#include <cstdint>
#include <string>

#include "storage/engine.h"
#include "storage/meta.h"

namespace basalt::core {

class ReplState {
 public:
  explicit ReplState(storage::Engine& engine) : engine_(engine) {}

  // Reads meta (throws storage::MetaError rather than guess); a fresh directory's new replid
  // is written at once. "" or why it could not be written.
  std::string load();

  const storage::ReplMeta& get() const { return meta_; }
  bool is_replica() const { return meta_.role != "master"; }

  // --- the write path ---
  // Puts the offset `new_offset` (and the stream db in effect there, if it changed; -1:
  // unknown) into `batch`, beside the group's data and log bytes.
  void stage_advance(rocksdb::WriteBatchBase& batch, uint64_t new_offset, int stream_db) const;
  // The batch holding that advance committed.
  void advanced(uint64_t new_offset, int stream_db);

  // --- role and history changes: durable first, then in effect; "" or an error reply ---
  // Follow host:port from here on (our history is kept until a sync says otherwise).
  std::string become_replica(const std::string& host, int port);
  // REPLICAOF NO ONE / failover: replid2 := replid, second offset := offset + 1, a new replid.
  std::string promote();
  // +CONTINUE <id>: our master's history moved on (it was promoted); ours becomes replid2.
  std::string follow_new_id(const std::string& id);
  // This history came from (or was served to) a peer.
  std::string mark_synced();

  // --- full sync ---
  // The state after loading a snapshot of history `replid` at `offset`; the caller writes it
  // (put_repl_meta) in the batch that switches the dataset, then calls adopt().
  storage::ReplMeta after_full_sync(const std::string& replid, uint64_t offset,
                                    int stream_db) const;
  void adopt(const storage::ReplMeta& meta) { meta_ = meta; }

 private:
  // Writes the role part of `next` (never the offset) synced; on success it takes effect.
  std::string write_role(const storage::ReplMeta& next);

  storage::Engine& engine_;
  storage::ReplMeta meta_;
};

}  // namespace basalt::core
