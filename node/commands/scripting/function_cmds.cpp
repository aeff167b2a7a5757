// node/commands/scripting/function_cmds.cpp — FCALL, FCALL_RO and FUNCTION LOAD | DELETE |
// FLUSH | RESTORE | DUMP | LIST | STATS | KILL | HELP (Redis 7.0 replies and errors). The
// libraries are scripting::FunctionLibraries (in the ScriptHost); this file persists each
// change in the write group's batch (storage/function_store.h, so with the replication-log
// bytes of the command, S1) and propagates the changing commands verbatim, as Redis does.
// Every form runs in the write group (kExecGroup, as EVAL); the changing ones first pass the
// write checks a write command passes (READONLY on a replica, OOM, ...). At start-up and after
// a full sync the libraries are loaded from the store (load_stored_functions).
#include "node/commands/scripting/function_cmds.h"

#include <charconv>
#include <map>
#include <string>

#include "node/commands/command_table.h"
#include "node/commands/dispatcher.h"
#include "node/commands/scripting/script_host.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"
#include "node/scripting/function_dump.h"
#include "node/scripting/shebang.h"
#include "node/util/glob.h"
#include "node/util/log.h"
#include "storage/function_store.h"

namespace basalt::commands {

namespace {

using scripting::FunctionLibraries;

FunctionLibraries& libraries(Context& c) {
  return script_host(c.node).functions();
}

// The checks Redis makes before a command flagged `write` runs; false after replying.
bool may_write(Context& c, bool deny_oom) {
  uint32_t flags = kWrite | (deny_oom ? uint32_t{kDenyOom} : 0u);
  std::string refusal = state_refusal(c.node, c.replication, c.client, flags, false,
                                      script_host(c.node).over_maxmemory(c));
  if (refusal.empty()) return true;
  c.reply.error(refusal);
  return false;
}

std::map<std::string, std::string> snapshot(const FunctionLibraries& libs) {
  std::map<std::string, std::string> out;
  for (const auto& [name, lib] : libs.libraries()) out.emplace(name, lib.code);
  return out;
}

// Writes what changed since `before` into the group's batch.
void persist(Context& c, const std::map<std::string, std::string>& before) {
  auto& batch = *c.ks.batch();
  auto& engine = c.ks.engine();
  const auto& now = libraries(c).libraries();
  for (const auto& [name, code] : before)
    if (!now.count(name)) storage::delete_function_library(batch, engine, name);
  for (const auto& [name, lib] : now) {
    auto old = before.find(name);
    if (old == before.end() || old->second != lib.code)
      storage::put_function_library(batch, engine, name, lib.code);
  }
}

// Puts the libraries back as they were (a RESTORE that failed halfway).
void reload(FunctionLibraries& libs, const std::map<std::string, std::string>& codes) {
  libs.flush();
  for (const auto& [name, code] : codes) {
    std::string loaded;
    if (std::string error = libs.load(code, false, false, loaded); !error.empty())
      log::error("function library '{}' failed to load again: {}", name, error);
  }
}

void function_load(Context& c) {
  bool replace = false;
  size_t pos = 2;
  while (pos < c.argc() - 1) {
    std::string_view option = c.arg(pos++);
    if (iequals(option, "replace")) {
      replace = true;
      continue;
    }
    return c.reply.error("ERR Unknown option given: " + std::string(option));
  }
  if (!may_write(c, true)) return;
  auto& libs = libraries(c);
  auto before = snapshot(libs);
  std::string name;
  if (std::string error = libs.load(c.arg(pos), replace, !c.client.is_master_link, name);
      !error.empty())
    return c.reply.error(error);
  persist(c, before);
  c.propagate_as_is();
  c.reply.bulk(name);
}

void function_delete(Context& c) {
  if (!may_write(c, false)) return;
  auto& libs = libraries(c);
  auto before = snapshot(libs);
  if (!libs.remove(std::string(c.arg(2)))) return c.reply.error("ERR Library not found");
  persist(c, before);
  c.propagate_as_is();
  c.reply.ok();
}

void function_flush(Context& c) {
  if (c.argc() > 3) return subcommand_syntax_error(c);
  if (c.argc() == 3 && !iequals(c.arg(2), "sync") && !iequals(c.arg(2), "async"))
    return c.reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  if (!may_write(c, false)) return;
  auto& libs = libraries(c);
  auto before = snapshot(libs);
  libs.flush();  // ASYNC too: dropping the interpreter is quick
  persist(c, before);
  c.propagate_as_is();
  c.reply.ok();
}

void function_restore(Context& c) {
  if (c.argc() > 4) return subcommand_syntax_error(c);
  enum { kAppend, kReplace, kFlush } policy = kAppend;
  if (c.argc() == 4) {
    if (iequals(c.arg(3), "append")) {
      policy = kAppend;
    } else if (iequals(c.arg(3), "replace")) {
      policy = kReplace;
    } else if (iequals(c.arg(3), "flush")) {
      policy = kFlush;
    } else {
      return c.reply.error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  if (!may_write(c, true)) return;
  std::vector<std::string> codes;
  if (!scripting::parse_library_dump(c.arg(2), codes))
    return c.reply.error("ERR DUMP payload version or checksum are wrong");
  auto& libs = libraries(c);
  auto before = snapshot(libs);
  if (policy == kFlush) libs.flush();
  std::string error;
  for (const auto& code : codes) {
    std::string name;
    error = libs.load(code, policy == kReplace, false, name);
    if (error.empty()) continue;
    // RESTORE words a name clash as Redis's libraryJoin: no quotes around the name.
    constexpr std::string_view head = "ERR Library '", tail = "' already exists";
    if (error.starts_with(head) && error.ends_with(tail))
      error = "ERR Library " + error.substr(head.size(), error.size() - head.size() - tail.size()) +
              " already exists";
    break;
  }
  if (!error.empty()) {
    reload(libs, before);
    return c.reply.error(error);
  }
  persist(c, before);
  c.propagate_as_is();
  c.reply.ok();
}

void function_dump(Context& c) {
  std::vector<std::string_view> codes;
  for (const auto& [name, lib] : libraries(c).libraries()) codes.push_back(lib.code);
  c.reply.bulk(scripting::dump_libraries(codes));
}

void function_list(Context& c) {
  bool with_code = false;
  bool has_pattern = false;
  std::string_view pattern;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (!with_code && iequals(c.arg(i), "withcode")) {
      with_code = true;
      continue;
    }
    if (!has_pattern && iequals(c.arg(i), "libraryname")) {
      if (i >= c.argc() - 1) return c.reply.error("ERR library name argument was not given");
      pattern = c.arg(++i);
      has_pattern = true;
      continue;
    }
    return c.reply.error("ERR Unknown argument " + std::string(c.arg(i)));
  }
  std::vector<const scripting::FunctionLibrary*> shown;
  for (const auto& [name, lib] : libraries(c).libraries())
    if (!has_pattern || util::glob_match(pattern, name, false)) shown.push_back(&lib);
  c.reply.array(shown.size());
  for (const auto* lib : shown) {
    c.reply.array(with_code ? 8 : 6);
    c.reply.bulk("library_name");
    c.reply.bulk(lib->name);
    c.reply.bulk("engine");
    c.reply.bulk("LUA");
    c.reply.bulk("functions");
    c.reply.array(lib->functions.size());
    for (const auto& [name, fn] : lib->functions) {
      c.reply.array(6);
      c.reply.bulk("name");
      c.reply.bulk(fn.name);
      c.reply.bulk("description");
      if (fn.has_description) {
        c.reply.bulk(fn.description);
      } else {
        c.reply.null_bulk();
      }
      c.reply.bulk("flags");
      auto flags = scripting::flag_names(fn.flags);
      c.reply.array(flags.size());
      for (auto flag : flags) c.reply.simple(flag);
    }
    if (with_code) {
      c.reply.bulk("library_code");
      c.reply.bulk(lib->code);
    }
  }
}

void function_stats(Context& c) {
  auto& host = script_host(c.node);
  if (host.running_eval())
    return c.reply.error(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
  c.reply.array(4);
  c.reply.bulk("running_script");
  if (const auto* running = host.running_function()) {
    c.reply.array(6);
    c.reply.bulk("name");
    c.reply.bulk(running->name);
    c.reply.bulk("command");
    c.reply.array(running->command.size());
    for (const auto& arg : running->command) c.reply.bulk(arg);
    c.reply.bulk("duration_ms");
    auto since = c.node.script_busy().since();
    c.reply.integer(std::chrono::duration_cast<std::chrono::milliseconds>(
                        core::ScriptBusy::Clock::now() - since)
                        .count());
  } else {
    c.reply.null_bulk();
  }
  c.reply.bulk("engines");
  c.reply.array(2);
  c.reply.bulk("LUA");
  c.reply.array(4);
  c.reply.bulk("libraries_count");
  c.reply.integer(static_cast<int64_t>(host.functions().libraries().size()));
  c.reply.bulk("functions_count");
  c.reply.integer(static_cast<int64_t>(host.functions().function_count()));
}

void function_kill(Context& c) {
  if (std::string refusal = script_host(c.node).kill_function(); !refusal.empty())
    return c.reply.error(refusal);
  c.reply.ok();
}

void function_help(Context& c) {
  reply_help(
      c,
      {
          "LOAD [REPLACE] <FUNCTION CODE>",
          "    Create a new library with the given library name and code.",
          "DELETE <LIBRARY NAME>",
          "    Delete the given library.",
          "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
          "    Return general information on all the libraries:",
          "    * Library name",
          "    * The engine used to run the Library",
          "    * Library description",
          "    * Functions list",
          "    * Library code (if WITHCODE is given)",
          "    It also possible to get only function that matches a pattern using LIBRARYNAME "
          "argument.",
          "STATS",
          "    Return information about the current function running:",
          "    * Function name",
          "    * Command used to run the function",
          "    * Duration in MS that the function is running",
          "    If no function is running, return nil",
          "    In addition, returns a list of available engines.",
          "KILL",
          "    Kill the current running function.",
          "FLUSH [ASYNC|SYNC]",
          "    Delete all the libraries.",
          "    When called without the optional mode argument, the behavior is determined by the",
          "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
          "    * ASYNC: Asynchronously flush the libraries.",
          "    * SYNC: Synchronously flush the libraries.",
          "DUMP",
          "    Return a serialized payload representing the current libraries, can be restored "
          "using FUNCTION RESTORE command",
          "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
          "    Restore the libraries represented by the given payload, it is possible to give a "
          "restore policy to",
          "    control how to handle existing libraries (default APPEND):",
          "    * FLUSH: delete all existing libraries.",
          "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
          "abort.",
          "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
          "replace the old",
          "      libraries with the new libraries (notice that even on this option there is a "
          "chance of failure",
          "      in case of functions name collision with another library).",
      });
}

void fcall_generic(Context& c, bool read_only) {
  ScriptHost& host = script_host(c.node);
  const scripting::FunctionInfo* fn = host.functions().find(c.arg(1));
  if (!fn) return c.reply.error("ERR Function not found");
  long long numkeys = 0;
  std::string_view n = c.arg(2);
  auto parsed = std::from_chars(n.data(), n.data() + n.size(), numkeys);
  if (parsed.ec != std::errc() || parsed.ptr != n.data() + n.size())
    return c.reply.error("ERR Bad number of keys provided");
  if (numkeys > static_cast<long long>(c.argc() - 3))
    return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.reply.error("ERR Number of keys can't be negative");
  if (!(fn->flags & scripting::kNoWrites)) {
    if (read_only)
      return c.reply.error("ERR Can not execute a script with write flag using *_ro command.");
    uint32_t as = kWrite | ((fn->flags & scripting::kAllowOom) ? 0u : uint32_t{kDenyOom}) |
                  ((fn->flags & scripting::kAllowStale) ? uint32_t{kStale} : 0u);
    if (std::string refusal =
            state_refusal(c.node, c.replication, c.client, as, false, host.over_maxmemory(c));
        !refusal.empty())
      return c.reply.error(refusal);
  }
  host.run_function(c, *fn, static_cast<size_t>(numkeys), read_only);
}

void fcall(Context& c) {
  fcall_generic(c, false);
}
void fcall_ro(Context& c) {
  fcall_generic(c, true);
}

constexpr std::string_view kScripting = "scripting";
// Every subcommand runs in the container's write group; the changing ones check themselves
// (their kWrite / kDenyOom here are for ACL categories and COMMAND INFO).
constexpr uint32_t kFunctionBase = kNoScript | kStale;
const Spec kFunctionSubcommands[] = {
    row("function|load", -3, kFunctionBase | kWrite | kDenyOom, function_load)
        .doc(kScripting, "Create a function with the given arguments (name, code, description)"),
    row("function|delete", 3, kFunctionBase | kWrite, function_delete)
        .doc(kScripting, "Delete a function by name"),
    row("function|flush", -2, kFunctionBase | kWrite, function_flush)
        .doc(kScripting, "Deleting all functions"),
    row("function|restore", -3, kFunctionBase | kWrite | kDenyOom, function_restore)
        .doc(kScripting, "Restore all the functions on the given payload"),
    row("function|dump", 2, kFunctionBase, function_dump)
        .doc(kScripting, "Dump all functions into a serialized binary payload"),
    row("function|list", -2, kFunctionBase, function_list)
        .doc(kScripting, "List information about all the functions"),
    row("function|stats", 2, kFunctionBase, function_stats)
        .doc(kScripting,
             "Return information about the function currently running (name, "
             "description, duration)"),
    row("function|kill", 2, kFunctionBase, function_kill)
        .doc(kScripting, "Kill the function currently in execution."),
    row("function|help", 2, kLoading | kStale, function_help)
        .doc(kScripting, "Show helpful text about the different subcommands"),
};

}  // namespace

void load_stored_functions(core::Node& node) {
  auto& libs = script_host(node).functions();
  libs.flush();
  for (const auto& stored : storage::load_function_libraries(node.engine())) {
    std::string name;
    if (std::string error = libs.load(stored.code, false, false, name); !error.empty()) {
      ++script_host(node).function_load_failures;
      log::error(
          "function library '{}' stored on disk failed to load (FCALL of its functions "
          "will answer 'Function not found'): {}",
          stored.name, error);
    }
  }
  if (!libs.libraries().empty())
    log::info("{} function libraries loaded ({} functions)", libs.libraries().size(),
              libs.function_count());
}

void register_function_commands(Table& t) {
  constexpr uint32_t kFcall = kNoScript | kStale | kExecGroup | kSkipSlowlog;
  t.add(row("fcall", -3, kFcall, fcall).numkeys(2).doc(kScripting, "Invoke a function"));
  t.add(row("fcall_ro", -3, kFcall | kReadOnly, fcall_ro)
            .numkeys(2)
            .doc(kScripting, "Invoke a read-only function"));
  t.add(row("function", -2, kNoScript | kStale | kExecGroup, run_subcommand)
            .doc(kScripting, "A container for function commands")
            .subcommands(kFunctionSubcommands));
}

}  // namespace basalt::commands
