// node/commands/server/debug_cmd.cpp — DEBUG: the subcommands tests and tools use (SLEEP,
// SET-ACTIVE-EXPIRE, SET-DISABLE-DENY-SCRIPTS, DIGEST, DIGEST-VALUE, ERROR, LOG, PROTOCOL,
// RELOAD, HELP, and basalt's own COMPACT), refused unless enable-debug-command allows the
// client (as Redis 7). Like Redis, DEBUG checks each subcommand's name and argument count
// together, in one table below; the digests are computed in digest.cpp.
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/scripting/script_host.h"
#include "node/commands/server/digest.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"
#include "node/util/log.h"
#include "storage/compact.h"

namespace basalt::commands {

namespace {

// Stops the whole server, as Redis does: the event loop thread sleeps.
void debug_sleep(Context& c) {
  double secs = std::strtod(std::string(c.arg(2)).c_str(), nullptr);
  if (secs > 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(secs * 1e6)));
  }
  c.reply.ok();
}

// 0 stops the active expiry cycle only: as in Redis, a command that meets an expired key
// still deletes it (on a master; replicas never delete).
void debug_set_active_expire(Context& c) {
  c.node.keyspace().expire_cycle = std::atoi(std::string(c.arg(2)).c_str()) != 0;
  c.reply.ok();
}

// Lets scripts call commands flagged noscript (DEBUG, CLIENT, ...), as Redis's tests use it.
void debug_set_disable_deny_scripts(Context& c) {
  script_host(c.node).disable_deny_scripts = std::atoi(std::string(c.arg(2)).c_str()) != 0;
  c.reply.ok();
}

// A reply of each RESP3 type, as a RESP2 client gets it (basalt's clients speak RESP2), for
// client and script tests: the same values as Redis.
void debug_protocol(Context& c) {
  std::string_view type = c.arg(2);
  auto& r = c.reply;
  if (iequals(type, "string")) return r.bulk("Hello World");
  if (iequals(type, "integer")) return r.integer(12345);
  if (iequals(type, "double")) return r.double_bulk(3.141);
  if (iequals(type, "bignum")) return r.bulk("1234567999999999999999999999999999999");
  if (iequals(type, "null")) return r.null_bulk();
  if (iequals(type, "array") || iequals(type, "set")) {
    r.array(3);
    for (int j = 0; j < 3; ++j) r.integer(j);
    return;
  }
  if (iequals(type, "map")) {  // {0: false, 1: true, 2: false}, booleans as integers
    r.array(6);
    for (int j = 0; j < 3; ++j) {
      r.integer(j);
      r.integer(j == 1 ? 1 : 0);
    }
    return;
  }
  if (iequals(type, "attrib")) return r.bulk("Some real reply following the attribute");
  if (iequals(type, "push")) return r.error("ERR RESP2 is not supported by this command");
  if (iequals(type, "verbatim")) return r.bulk("This is a verbatim\nstring");
  if (iequals(type, "true")) return r.integer(1);
  if (iequals(type, "false")) return r.integer(0);
  r.error(
      "ERR Wrong protocol type name. Please use one of the following: "
      "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
}

void debug_error(Context& c) {
  c.reply.error(c.arg(2));
}

void debug_log(Context& c) {
  log::warn("DEBUG LOG: {}", c.arg(2));
  c.reply.ok();
}

// Redis saves and reloads its RDB; basalt's data is always on disk, so this flushes the
// memtables (unless NOSAVE) and the dataset stays as it is.
void debug_reload(Context& c) {
  bool save = true;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (iequals(c.arg(i), "NOSAVE"))
      save = false;
    else if (!iequals(c.arg(i), "MERGE") && !iequals(c.arg(i), "NOFLUSH")) {
      return c.reply.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
  }
  std::string error;
  if (save && !c.node.save(error))
    return c.reply.error("ERR Error trying to save the DB: " + error);
  c.reply.ok();
}

// basalt's own (Redis has no such subcommand): flushes the memtables and compacts the whole
// store, so that the data directory's size is the dataset's compacted size (bench_load.sh).
// Like DEBUG RELOAD it runs on the event loop: the server answers nothing else meanwhile.
void debug_compact(Context& c) {
  const rocksdb::Status s = storage::compact_all(c.node.engine());
  if (!s.ok()) {
    log::warn("DEBUG COMPACT failed: {}", s.ToString());
    return c.reply.error("ERR Error compacting the store: " + s.ToString());
  }
  log::info("DEBUG COMPACT: store compacted");
  c.reply.ok();
}

void debug_help(Context& c) {
  reply_help(c, {
                    "COMPACT",
                    "    Flush the memtables and compact the whole store (basalt only; blocks",
                    "    the server until done).",
                    "DIGEST",
                    "    Output a hex signature representing the current DB content.",
                    "DIGEST-VALUE <key> [<key> ...]",
                    "    Output a hex signature of the values of all the specified keys.",
                    "ERROR <string>",
                    "    Return a Redis protocol error with <string> as message. Useful for "
                    "clients",
                    "    unit tests to simulate Redis errors.",
                    "LOG <message>",
                    "    Write <message> to the server log.",
                    "PROTOCOL <type>",
                    "    Reply with a test value of the specified type. <type> can be: string,",
                    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                    "    true, false.",
                    "RELOAD [option ...]",
                    "    Flush the memtables to disk (basalt's data is always on disk).",
                    "SET-ACTIVE-EXPIRE <0|1>",
                    "    Setting it to 0 disables expiring keys (basalt: in the background and on",
                    "    access). Setting it to 1 reenables back the default.",
                    "SET-DISABLE-DENY-SCRIPTS <0|1>",
                    "    Enable or disable the ability of scripts to call commands flagged",
                    "    noscript (for tests only).",
                    "SLEEP <seconds>",
                    "    Stop the server for <seconds>. Decimals allowed.",
                });
}

struct DebugSub {
  std::string_view name;
  int arity;  // argc including DEBUG and the subcommand; negative: at least
  Handler handler;
};

constexpr DebugSub kDebugSubs[] = {
    {"help", 2, debug_help},
    {"sleep", 3, debug_sleep},
    {"set-active-expire", 3, debug_set_active_expire},
    {"set-disable-deny-scripts", 3, debug_set_disable_deny_scripts},
    {"digest", 2, debug_digest},
    {"digest-value", -2, debug_digest_value},
    {"error", 3, debug_error},
    {"log", 3, debug_log},
    {"protocol", 3, debug_protocol},
    {"reload", -2, debug_reload},
    {"compact", 2, debug_compact},
};

// (enable-debug-command is checked by the dispatcher for every kProtected command.)
void debug(Context& c) {
  size_t argc = c.argc();
  for (const auto& sub : kDebugSubs) {
    if (!iequals(c.arg(1), sub.name)) continue;
    bool arity_ok = sub.arity > 0 ? argc == static_cast<size_t>(sub.arity)
                                  : argc >= static_cast<size_t>(-sub.arity);
    if (!arity_ok) break;
    return sub.handler(c);
  }
  subcommand_syntax_error(c);
}

}  // namespace

void register_debug_command(Table& t) {
  t.add(row("debug", -2, kAdmin | kNoScript | kLoading | kStale | kProtected, debug)
            .doc("server", "A container for debugging commands"));
}

}  // namespace basalt::commands
