// node/core/repl_stream.h — the replication stream of one write group: write commands as
// RESP, with a SELECT whenever the database changes, exactly as Redis propagates them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "node/protocol/reply.h"

namespace basalt::core {

class ReplStream {
 public:
  // Appends `args` as one command applied in database `db`.
  void append(uint16_t db, std::span<const std::string_view> args) {
    if (db != selected_db_) {
      std::string n = std::to_string(db);
      std::string_view select[] = {"SELECT", n};
      protocol::append_multibulk(bytes_, select);
      selected_db_ = db;
    }
    protocol::append_multibulk(bytes_, args);
  }
  // Appends bytes received from our master, exactly as they came. Whatever db they
  // selected, our own next command must select again.
  void append_raw(std::string_view bytes) {
    bytes_.append(bytes);
    selected_db_ = -1;
  }
  // A command outside any db (PING, REPLCONF GETACK), as Redis sends them.
  void append_command(std::span<const std::string_view> args) {
    protocol::append_multibulk(bytes_, args);
  }
  const std::string& bytes() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }
  void clear() { bytes_.clear(); }
  // Rolls back to a saved size (a failed transaction) and the db that was selected then.
  void truncate(size_t size, int selected_db) {
    bytes_.resize(size);
    selected_db_ = selected_db;
  }
  int selected_db() const { return selected_db_; }
  // Forget the selected db so the next command re-selects (after a restart or new link).
  void reset_selected_db() { selected_db_ = -1; }

 private:
  std::string bytes_;
  int selected_db_ = -1;
};

}  // namespace basalt::core
