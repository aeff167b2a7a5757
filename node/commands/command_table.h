// node/commands/command_table.h — the table of all commands: data, filled by one
// registration function per command family.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "node/commands/command.h"

namespace basalt::commands {

class Table {
 public:
  Table();  // registers every family
  void add(const Spec& spec);
  // Case-insensitive lookup; null if unknown.
  const Spec* find(std::string_view name) const;
  const std::vector<Spec>& all() const { return specs_; }

 private:
  std::vector<Spec> specs_;
  std::unordered_map<std::string, size_t> index_;
};

// The table of every command, built once (it is data: it never changes while the node runs).
const Table& table();

// One per family (node/commands/<family>/).
void register_connection_commands(Table& t);
void register_string_commands(Table& t);
void register_bitmap_commands(Table& t);
void register_key_commands(Table& t);
void register_expire_commands(Table& t);
void register_server_commands(Table& t);
void register_replication_commands(Table& t);
void register_hashes_commands(Table& t);
void register_sets_commands(Table& t);
void register_lists_commands(Table& t);
void register_zsets_commands(Table& t);
void register_transactions_commands(Table& t);
void register_pubsub_commands(Table& t);
void register_scripting_commands(Table& t);
void register_function_commands(Table& t);

}  // namespace basalt::commands
