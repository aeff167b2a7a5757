// node/core/command_spec.h — what a command is to the shared parts: its table row (name, arity,
// flags, key positions, handler, docs). The rows themselves and their handlers live with the
// commands (node/commands/); the write pipeline, the stats and the connection read the flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace basalt::commands {
struct Context;  // what a handler runs with (node/commands/command.h)
}

namespace basalt::core {

// In their own namespace so a family of files can take them in with one using-directive.
namespace command_flags {
enum CommandFlag : uint32_t {
  kWrite = 1u << 0,     // changes data: runs in a write group and is refused on replicas
  kReadOnly = 1u << 1,  // reads data
  kAdmin = 1u << 2,
  kFast = 1u << 3,
  kStale = 1u << 4,  // allowed while a replica's link is down and stale data is off
  kLoading = 1u << 5,
  kNoScript = 1u << 6,
  kPubSub = 1u << 7,
  kDenyOom = 1u << 8,
  kNoAuth = 1u << 9,
  kBarrier = 1u << 10,  // must start a fresh write group (FLUSHDB, FLUSHALL)
  kInGroup = 1u << 11,  // not a write, but must run in order with writes (SELECT, ...)
  kSentinel = 1u << 12,
  kMayBlock = 1u << 13,      // may leave a wait for the connection (WAIT, PSYNC): ends a segment
  kExecGroup = 1u << 14,     // EXEC: runs its queued commands as one write group (also on replicas)
  kSkipSlowlog = 1u << 15,   // not in the slow log (EXEC: its commands are, one by one)
  kRunsInMulti = 1u << 16,   // runs at once inside MULTI instead of being queued (EXEC, WATCH, ...)
  kSubscribedOk = 1u << 17,  // a RESP2 client in subscribed mode may run it (SUBSCRIBE, PING, ...)
  kProtected = 1u << 18,     // refused unless enable-debug-command allows it (DEBUG)
  // Its inputs may be large (a *STORE, COPY, RENAME): above heavy-command-threshold elements
  // the write pipeline runs it as a heavy job, off the event loop (node/core/heavy_job.h).
  kMayBeHeavy = 1u << 19,
  // A read whose reply may be a whole collection or a huge range (HGETALL, LRANGE, KEYS, ...):
  // above heavy-command-threshold elements it runs off the event loop (node/core/heavy_read.h).
  // Other reads (GET, HGET, ...) skip that check altogether.
  kMayBeHeavyRead = 1u << 20,
  // Not a write, but runs in a write group, so that it is answered only once every write
  // before it is published: WATCH (a key it watches must not be read afterwards in a state
  // that a write it did not see as a change has already replaced: the write would be lost).
  kAfterWrites = 1u << 21,
};
}  // namespace command_flags
using namespace command_flags;

// ACL categories a row names explicitly (Redis's per-command "acl_categories"), as bits in
// Redis's order (node/core/acl_categories.h has the names and adds the implicit ones).
namespace acl_categories {
enum AclCategory : uint32_t {
  kCatKeyspace = 1u << 0,
  kCatRead = 1u << 1,
  kCatWrite = 1u << 2,
  kCatSet = 1u << 3,
  kCatSortedSet = 1u << 4,
  kCatList = 1u << 5,
  kCatHash = 1u << 6,
  kCatString = 1u << 7,
  kCatBitmap = 1u << 8,
  kCatHyperLogLog = 1u << 9,
  kCatGeo = 1u << 10,
  kCatStream = 1u << 11,
  kCatPubSub = 1u << 12,
  kCatAdmin = 1u << 13,
  kCatFast = 1u << 14,
  kCatSlow = 1u << 15,
  kCatBlocking = 1u << 16,
  kCatDangerous = 1u << 17,
  kCatConnection = 1u << 18,
  kCatTransaction = 1u << 19,
  kCatScripting = 1u << 20,
  // Not a category: the row is not in its group's family category (a "generic" command that
  // Redis does not put in @keyspace, ...).
  kNoFamilyCategory = 1u << 31,
};
}  // namespace acl_categories
using namespace acl_categories;

// Where a command's keys are (Redis's first key, last key, step; 0 0 0: no keys).
struct KeyPositions {
  int first = 0, last = 0, step = 0;
};

struct CommandSpec {
  std::string_view name;  // lowercase
  int arity = 0;          // Redis convention: N exact, -N at least N
  uint32_t flags = 0;     // CommandFlag bits
  void (*handler)(commands::Context&) = nullptr;
  KeyPositions keys;
  std::string_view group = "generic";
  std::string_view summary = "";
  // Container commands (CLIENT, CONFIG, ...): their subcommands, each named "container|sub"
  // (see node/commands/subcommand.h).
  const CommandSpec* subcommands = nullptr;
  size_t subcommand_count = 0;
  // A call's argument at this index counts the keys that follow it (ZUNION, SINTERCARD, LMPOP,
  // ...); 0: none.
  int numkeys_index = 0;
  // Explicit ACL categories (AclCategory bits); see node/core/acl_categories.h.
  uint32_t acl_categories = 0;
  // Arguments naming elements of the first key's collection (HSET's fields, SADD's members;
  // first, last (negative: from the end), step; 0: none). A hint only, for the write
  // pipeline's prefetch of the element cache (node/core/write_prefetch.cpp): a position that
  // names something else (ZADD's options) costs a wasted fetch, never a wrong read.
  KeyPositions elements = {};

  std::span<const CommandSpec> subs() const { return {subcommands, subcommand_count}; }
  bool has(uint32_t flag) const { return (flags & flag) != 0; }
  // The write pipeline runs it (writes, FLUSHDB-like barriers, EXEC).
  bool needs_write_group() const { return has(kWrite | kBarrier | kExecGroup | kAfterWrites); }
};

// Visits the indexes of the arguments `spec.elements` names in a call of `argc` arguments.
template <class Visit>
void visit_element_indexes(const CommandSpec& spec, size_t argc, Visit&& visit) {
  const KeyPositions& e = spec.elements;
  if (e.first <= 0 || e.step <= 0) return;
  const auto n = static_cast<long>(argc);
  const long last = e.last < 0 ? n + e.last : e.last;
  for (long k = e.first; k <= last && k < n; k += e.step) visit(static_cast<size_t>(k));
}

}  // namespace basalt::core
