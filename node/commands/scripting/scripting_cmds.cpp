// node/commands/scripting/scripting_cmds.cpp — EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
// LOAD | EXISTS | FLUSH | KILL | HELP (Redis 7.0 replies and errors). Every form runs in the
// write pipeline's group (kExecGroup, also on replicas, where a write inside answers
// READONLY). How a script runs: script_host.h.
#include <cctype>
#include <charconv>
#include <string>

#include "node/commands/command_table.h"
#include "node/commands/dispatcher.h"
#include "node/commands/scripting/script_host.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"
#include "node/scripting/sha1.h"
#include "node/scripting/shebang.h"

namespace basalt::commands {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Compiles and caches `body` unless it is cached; "" or Redis's error. `sha` receives its name.
std::string load_script(ScriptHost& host, std::string_view body, std::string& sha) {
  sha = scripting::sha1_hex(body);
  if (host.cache().find(sha)) return {};
  scripting::Shebang shebang = scripting::parse_shebang(body);
  if (!shebang.error.empty()) return shebang.error;
  std::string error = host.vm().create_function(sha, scripting::compilable_body(body));
  if (!error.empty()) return error;
  host.cache().add(sha, std::string(body), shebang.flags);
  return {};
}

void eval_generic(Context& c, bool by_sha, bool read_only) {
  ScriptHost& host = script_host(c.node);
  // As Redis: EVALSHA of an unknown script is NOSCRIPT before numkeys is looked at.
  if (by_sha && !host.cache().find(lower(c.arg(1))))
    return c.reply.error("NOSCRIPT No matching script. Please use EVAL.");
  long long numkeys = 0;
  std::string_view n = c.arg(2);
  auto parsed = std::from_chars(n.data(), n.data() + n.size(), numkeys);
  if (parsed.ec != std::errc() || parsed.ptr != n.data() + n.size()) return c.not_integer();
  if (numkeys > static_cast<long long>(c.argc() - 3))
    return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.reply.error("ERR Number of keys can't be negative");

  std::string sha;
  if (by_sha) {
    sha = lower(c.arg(1));
  } else if (std::string error = load_script(host, c.arg(1), sha); !error.empty()) {
    return c.reply.error(error);
  }
  uint32_t flags = host.cache().find(sha)->flags;
  bool writes = !read_only && (flags & scripting::kHasShebang) && !(flags & scripting::kNoWrites);
  if (writes) {
    // A script that declared it may write is judged before it runs, as a write command.
    uint32_t as = kWrite | ((flags & scripting::kAllowOom) ? 0u : uint32_t{kDenyOom}) |
                  ((flags & scripting::kAllowStale) ? uint32_t{kStale} : 0u);
    if (std::string refusal =
            state_refusal(c.node, c.replication, c.client, as, false, host.over_maxmemory(c));
        !refusal.empty())
      return c.reply.error(refusal);
  }
  host.run(c, sha, static_cast<size_t>(numkeys), read_only);
}

void eval(Context& c) {
  eval_generic(c, false, false);
}
void evalsha(Context& c) {
  eval_generic(c, true, false);
}
void eval_ro(Context& c) {
  eval_generic(c, false, true);
}
void evalsha_ro(Context& c) {
  eval_generic(c, true, true);
}

void script_load(Context& c) {
  std::string sha;
  if (std::string error = load_script(script_host(c.node), c.arg(2), sha); !error.empty())
    return c.reply.error(error);
  c.reply.bulk(sha);
}

void script_exists(Context& c) {
  auto& cache = script_host(c.node).cache();
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) c.reply.integer(cache.find(lower(c.arg(i))) ? 1 : 0);
}

void script_flush(Context& c) {
  if (c.argc() == 3 && !iequals(c.arg(2), "sync") && !iequals(c.arg(2), "async"))
    return c.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  if (c.argc() > 3) return c.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  script_host(c.node).flush();  // ASYNC too: dropping the interpreter is quick
  c.reply.ok();
}

void script_kill(Context& c) {
  if (std::string refusal = script_host(c.node).kill(); !refusal.empty())
    return c.reply.error(refusal);
  c.reply.ok();
}

void script_help(Context& c) {
  reply_help(
      c,
      {
          "EXISTS <sha1> [<sha1> ...]",
          "    Return information about the existence of the scripts in the script cache.",
          "FLUSH [ASYNC|SYNC]",
          "    Flush the Lua scripts cache. Very dangerous on replicas.",
          "    When called without the optional mode argument, the behavior is determined by the",
          "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
          "    * ASYNC: Asynchronously flush the scripts cache.",
          "    * SYNC: Synchronously flush the scripts cache.",
          "KILL",
          "    Kill the currently executing Lua script.",
          "LOAD <script>",
          "    Load a script into the scripts cache without executing it.",
      });
}

constexpr std::string_view kScripting = "scripting";
constexpr uint32_t kScriptBase = kNoScript | kStale;
const Spec kScriptSubcommands[] = {
    row("script|load", 3, kScriptBase, script_load)
        .doc(kScripting, "Load the specified Lua script into the script cache"),
    row("script|exists", -3, kScriptBase, script_exists)
        .doc(kScripting, "Check existence of scripts in the script cache"),
    row("script|flush", -2, kScriptBase, script_flush)
        .doc(kScripting, "Remove all the scripts from the script cache"),
    row("script|kill", 2, kScriptBase, script_kill)
        .doc(kScripting, "Kill the script currently in execution"),
    row("script|help", 2, kLoading | kStale, script_help)
        .doc(kScripting, "Show helpful text about the different subcommands"),
};

}  // namespace

void register_scripting_commands(Table& t) {
  // Every form runs in the write group (also on replicas) like EXEC: the script runs there on
  // the script thread (script_host.h); the _RO forms refuse writes.
  constexpr uint32_t kEval = kNoScript | kStale | kExecGroup | kSkipSlowlog;
  constexpr uint32_t kEvalRo = kNoScript | kStale | kExecGroup | kReadOnly | kSkipSlowlog;
  t.add(row("eval", -3, kEval, eval).doc(kScripting, "Execute a Lua script server side"));
  t.add(row("evalsha", -3, kEval, evalsha).doc(kScripting, "Execute a Lua script server side"));
  t.add(row("eval_ro", -3, kEvalRo, eval_ro)
            .doc(kScripting, "Execute a read-only Lua script server side"));
  t.add(row("evalsha_ro", -3, kEvalRo, evalsha_ro)
            .doc(kScripting, "Execute a read-only Lua script server side"));
  t.add(row("script", -2, kNoScript | kStale, run_subcommand)
            .doc(kScripting, "A container for Lua scripts management commands")
            .subcommands(kScriptSubcommands));
}

}  // namespace basalt::commands
