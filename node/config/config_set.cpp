// node/config/config_set.cpp — CONFIG SET of several directives, all-or-nothing (see
// set_directives in config.h); shared by the CONFIG command and the admin API's POST /config.
#include "node/config/config.h"
#include "node/config/fd_limit.h"

namespace basalt::config {

std::string set_directives(Config& config,
                           const std::vector<std::pair<std::string, std::string>>& pairs,
                           std::vector<std::string>& changed, const ConfigCheck& check) {
  const auto& table = ConfigTable::instance();
  std::vector<const ConfigTable::Entry*> entries;
  std::string unknown, error, error_arg;
  for (const auto& [name, value] : pairs) {
    const auto* e = table.find(name);
    if (!e) {
      if (unknown.empty()) unknown = name;
      continue;
    }
    if (!e->mutable_at_runtime) {
      error = "can't set immutable config";
      error_arg = name;
    }
    for (const auto* prev : entries) {
      if (prev == e) {
        error = "duplicate parameter";
        error_arg = name;
      }
    }
    entries.push_back(e);
  }
  if (!unknown.empty()) {
    return "ERR Unknown option or number of arguments for CONFIG SET - '" + unknown + "'";
  }
  auto failed = [](const std::string& arg, const std::string& why) {
    return "ERR CONFIG SET failed (possibly related to argument '" + arg + "') - " + why;
  };
  if (!error.empty()) return failed(error_arg, error);
  // Set all on a copy; the caller sees either every new value or none.
  Config updated = config;
  for (size_t j = 0; j < entries.size(); ++j) {
    if (!entries[j]->set(updated, pairs[j].second, error)) return failed(pairs[j].first, error);
  }
  // tls-port's check binds the new port (a side effect): it runs after every other check.
  std::vector<size_t> order;
  for (size_t j = 0; j < entries.size(); ++j)
    if (entries[j]->name != "tls-port") order.push_back(j);
  for (size_t j = 0; j < entries.size(); ++j)
    if (entries[j]->name == "tls-port") order.push_back(j);
  for (size_t j : order) {
    if (entries[j]->name == "maxclients") {
      error = check_maxclients_raise(config, updated);
      if (!error.empty()) return failed(pairs[j].first, error);
    }
    if (check) {
      error = check(updated, entries[j]->name);
      if (!error.empty()) return failed(pairs[j].first, error);
    }
  }
  config = std::move(updated);
  changed.clear();
  for (const auto* e : entries) changed.push_back(e->name);
  return "";
}

}  // namespace basalt::config
