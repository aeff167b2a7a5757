// node/commands/command_table.cpp — see command_table.h.
#include "node/commands/command_table.h"

#include <cctype>
#include <cstdint>

#include "node/core/keyspace.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

bool Context::db_index_or_reply(std::string_view arg, uint16_t& out) {
  int64_t n;
  if (!protocol::parse_i64(arg, n)) {
    not_integer();
    return false;
  }
  if (n < INT32_MIN || n > INT32_MAX) {
    reply.error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return false;
  }
  if (n < 0 || n >= static_cast<int64_t>(ks.databases())) {
    reply.error("ERR DB index is out of range");
    return false;
  }
  out = static_cast<uint16_t>(n);
  return true;
}

void Context::wrong_arity() {
  reply.error("ERR wrong number of arguments for '" + std::string(spec.name) + "' command");
}

Table::Table() {
  specs_.reserve(256);
  register_connection_commands(*this);
  register_string_commands(*this);
  register_bitmap_commands(*this);
  register_key_commands(*this);
  register_expire_commands(*this);
  register_server_commands(*this);
  register_replication_commands(*this);
  register_hashes_commands(*this);
  register_sets_commands(*this);
  register_lists_commands(*this);
  register_zsets_commands(*this);
  register_transactions_commands(*this);
  register_pubsub_commands(*this);
  register_scripting_commands(*this);
  register_function_commands(*this);
  for (size_t i = 0; i < specs_.size(); ++i) index_[std::string(specs_[i].name)] = i;
}

const Table& table() {
  static const Table the_table;
  return the_table;
}

void Table::add(const Spec& spec) {
  specs_.push_back(spec);
}

const Spec* Table::find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i)
    buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  auto it = index_.find(std::string(buf, name.size()));
  return it == index_.end() ? nullptr : &specs_[it->second];
}

}  // namespace basalt::commands
