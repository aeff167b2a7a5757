// node/commands/server/config_cmd.cpp — CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the one
// directive table (config::ConfigTable), with Redis 7.0's replies. CONFIG SET of several
// directives is all-or-nothing, as in Redis.
#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/config/config.h"
#include "node/core/node.h"
#include "node/util/glob.h"

namespace basalt::commands {

namespace {

using config::ConfigTable;

void config_get(Context& c) {
  const auto& table = ConfigTable::instance();
  // Name as replied, and its entry; a name is listed once even if several patterns match.
  std::vector<std::pair<std::string, const ConfigTable::Entry*>> matches;
  auto seen = [&](std::string_view name) {
    for (const auto& m : matches) {
      if (iequals(m.first, name)) return true;
    }
    return false;
  };
  for (size_t i = 2; i < c.argc(); ++i) {
    std::string pattern(c.arg(i));
    if (pattern.find_first_of("[*?") == std::string::npos) {
      // A plain name (or alias) is replied as given, like Redis.
      const auto* e = table.find(pattern);
      if (e && !seen(pattern)) matches.emplace_back(pattern, e);
      continue;
    }
    for (const auto& e : table.entries()) {
      if (util::glob_match(pattern, e.name, true) && !seen(e.name)) {
        matches.emplace_back(e.name, &e);
      }
    }
    for (const auto& [alias, name] : ConfigTable::aliases()) {
      if (util::glob_match(pattern, alias, true) && !seen(alias)) {
        matches.emplace_back(alias, table.find(name));
      }
    }
  }
  c.reply.array(matches.size() * 2);
  for (const auto& [name, e] : matches) {
    c.reply.bulk(name);
    c.reply.bulk(e->get(c.node.config()));
  }
}

void config_set(Context& c) {
  if (c.argc() % 2 != 0) return c.syntax_error();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 2; i < c.argc(); i += 2) pairs.emplace_back(c.arg(i), c.arg(i + 1));
  std::vector<std::string> changed;
  std::string error =
      config::set_directives(c.node.config(), pairs, changed,
                             [&c](const config::Config& updated, const std::string& name) {
                               return c.node.check_config(updated, name);
                             });
  if (!error.empty()) return c.reply.error(error);
  for (const auto& name : changed) c.node.on_config_changed(name);
  c.reply.ok();
}

void config_resetstat(Context& c) {
  c.node.stats() = core::Stats{};
  auto& ks = c.node.keyspace();
  ks.expired_keys = 0;
  ks.evicted_keys = 0;
  ks.keyspace_hits = 0;
  ks.keyspace_misses = 0;
  c.reply.ok();
}

void config_rewrite(Context& c) {
  std::string error;
  if (!config::rewrite_file(c.node.config(), c.node.acl().user_lines(), error))
    return c.reply.error("ERR " + error);
  c.reply.ok();
}

void config_help(Context& c) {
  reply_help(c, {
                    "GET <pattern>",
                    "    Return parameters matching the glob-like <pattern> and their values.",
                    "SET <directive> <value>",
                    "    Set the configuration <directive> to <value>.",
                    "RESETSTAT",
                    "    Reset statistics reported by the INFO command.",
                    "REWRITE",
                    "    Rewrite the configuration file.",
                });
}

constexpr uint32_t kSub = kAdmin | kNoScript | kLoading | kStale;
constexpr std::string_view kServer = "server";

const Spec kConfigSubcommands[] = {
    row("config|get", -3, kSub, config_get)
        .doc(kServer, "Get the values of configuration parameters"),
    row("config|set", -4, kSub, config_set)
        .doc(kServer, "Set configuration parameters to the given values"),
    row("config|resetstat", 2, kSub, config_resetstat).doc(kServer, "Reset the stats"),
    row("config|rewrite", 2, kSub, config_rewrite)
        .doc(kServer, "Rewrite the configuration file with the in memory configuration"),
    row("config|help", 2, kLoading | kStale, config_help)
        .doc(kServer, "Show helpful text about the different subcommands"),
};

}  // namespace

void register_config_command(Table& t) {
  // The container's flags are what dispatch checks (auth, stale data): those of every
  // subcommand.
  t.add(row("config", -2, kLoading | kStale, run_subcommand)
            .doc(kServer, "A container for server configuration commands")
            .subcommands(kConfigSubcommands));
}

}  // namespace basalt::commands
