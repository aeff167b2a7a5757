// node/commands/command.h — what a command is: its table entry (name, arity, flags, key
// positions, handler) and the context a handler runs with, including the shared error replies.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "node/core/client.h"
#include "node/core/command_spec.h"
#include "node/core/keyspace.h"
#include "node/protocol/reply.h"
#include "node/util/ascii.h"

namespace basalt::core {
class Node;
}
namespace basalt::replication {
class Replication;
}

namespace basalt::commands {

// The flags and the row shape are the shared parts' (node/core/command_spec.h): the write
// pipeline and the connection read them; this family of files fills the rows.
using namespace core::command_flags;
using namespace core::acl_categories;
using Spec = core::CommandSpec;
struct Context;
using Handler = void (*)(Context&);

// A row of the command table, its parts named where they are not Redis's usual four
// (name, arity, flags, handler):
//   row("hset", -4, W | kFast, hset).keys(1, 1, 1).doc("hash", "Set the values of hash fields")
struct Row : Spec {
  constexpr Row(std::string_view name_, int arity_, uint32_t flags_, Handler handler_) {
    name = name_;
    arity = arity_;
    flags = flags_;
    handler = handler_;
  }
  // Where its keys are (Redis's first key, last key, step).
  constexpr Row keys(int first, int last, int step) const {
    Row r = *this;
    r.Spec::keys = {first, last, step};
    return r;
  }
  // Where the elements of the first key's collection are (CommandSpec::elements).
  constexpr Row elements(int first, int last, int step) const {
    Row r = *this;
    r.Spec::elements = {first, last, step};
    return r;
  }
  // Keys counted by the argument at `index` (ZUNION numkeys key ...).
  constexpr Row numkeys(int index) const {
    Row r = *this;
    r.numkeys_index = index;
    return r;
  }
  // ACL categories beyond the ones its flags and group give (kCatDangerous, kCatBlocking, ...;
  // kNoFamilyCategory leaves the group's out).
  constexpr Row acl(uint32_t categories) const {
    Row r = *this;
    r.acl_categories = categories;
    return r;
  }
  // COMMAND DOCS / the README list: its group and one line on what it does.
  constexpr Row doc(std::string_view group_, std::string_view summary_) const {
    Row r = *this;
    r.group = group_;
    r.summary = summary_;
    return r;
  }
  // A container command (CLIENT, CONFIG, ...): its subcommands, named "container|sub".
  template <size_t N>
  constexpr Row subcommands(const Spec (&subs)[N]) const {
    Row r = *this;
    r.Spec::subcommands = subs;
    r.subcommand_count = N;
    return r;
  }
};
constexpr Row row(std::string_view name, int arity, uint32_t flags, Handler handler) {
  return Row(name, arity, flags, handler);
}

struct Context {
  core::Node& node;
  replication::Replication& replication;
  core::Client& client;
  core::Keyspace& ks;
  protocol::ReplyBuilder& reply;
  std::span<const std::string_view> argv;
  const Spec& spec;

  size_t argc() const { return argv.size(); }
  std::string_view arg(size_t i) const { return argv[i]; }
  uint16_t db() const { return client.db; }
  uint64_t now_ms() const { return ks.now_ms(); }

  // Looks a key up for reading, counting keyspace hits and misses as Redis does.
  void read_key(std::string_view key, core::Lookup& out) {
    ks.open_key(db(), key, storage::types::Access::Read, out);
  }
  void write_lookup(std::string_view key, core::Lookup& out) {
    ks.open_key(db(), key, storage::types::Access::Write, out);
  }

  // Logs the command exactly as received.
  void propagate_as_is() { ks.propagate(db(), argv); }
  template <size_t N>
  void propagate(const std::string_view (&args)[N]) {
    ks.propagate(db(), args);
  }
  void propagate(std::span<const std::string_view> args) { ks.propagate(db(), args); }

  // The errors every family shares, worded as Redis words them.
  void syntax_error() { reply.error("ERR syntax error"); }
  void wrong_type() {
    reply.error("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
  void not_integer() { reply.error("ERR value is not an integer or out of range"); }
  void not_float() { reply.error("ERR value is not a valid float"); }
  void wrong_arity();
  // A database index argument (SELECT, MOVE, COPY ... DB): an int, then one of ours; false
  // after replying Redis's error otherwise.
  bool db_index_or_reply(std::string_view arg, uint16_t& out);
};

// Case-insensitive equality for option words ("EX", "nx", ...).
using util::iequals;

}  // namespace basalt::commands
