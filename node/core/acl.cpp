// node/core/acl.cpp — see acl.h.
#include "node/core/acl.h"

#include <filesystem>
#include <fstream>

#include "node/protocol/request_parser.h"
#include "node/util/log.h"

namespace basalt::core::acl {

bool valid_user_name(std::string_view name) {
  for (char ch : name)
    if (ch == ' ' || ch == '\0' || ch == '\n' || ch == '\r' || ch == '\t') return false;
  return !name.empty();
}

namespace {
// Splits a line as redis.conf lines are split (quotes and escapes); false if unbalanced.
bool split_words(const std::string& line, std::vector<std::string>& out) {
  std::string copy = line;
  std::vector<protocol::ArgSpan> spans;
  if (!protocol::split_inline_args(copy.data(), copy.size(), spans)) return false;
  out.clear();
  for (const auto& s : spans) out.push_back(copy.substr(s.offset, s.length));
  return true;
}
}  // namespace

std::unique_ptr<User> Registry::fresh_default() const {
  auto user = std::make_unique<User>("default", all_channels_default_);
  for (std::string_view rule : {"+@all", "~*", "&*", "on", "nopass"})
    user->apply(rule, commands_, all_channels_default_);
  return user;
}

Registry::Registry() {
  users_["default"] = fresh_default();
}

bool Registry::init(std::span<const CommandSpec> commands, const config::Config& config,
                    std::string& error) {
  commands_ = commands;
  all_channels_default_ = config.acl_pubsub_default == "allchannels";
  users_.clear();
  users_["default"] = fresh_default();
  set_default_password(config.requirepass);
  if (!config.aclfile.empty() && !config.user_lines.empty()) {
    error =
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.";
    return false;
  }
  for (const auto& line : config.user_lines) {
    std::vector<std::string> words;
    if (!split_words(line, words) || words.empty()) {
      error = "Error in user declaration '" + line + "': Syntax error";
      return false;
    }
    if (!valid_user_name(words[0])) {
      error = "Error in user declaration '" + words[0] +
              "': Usernames can't contain spaces or null characters";
      return false;
    }
    std::vector<std::string_view> rules(words.begin() + 1, words.end());
    if (words[0] != "default" && find(words[0])) {
      error = "Error in user declaration '" + words[0] +
              "': Duplicate user found. A user can only be defined once in config files";
      return false;
    }
    std::string why = set_user(words[0], rules);
    if (!why.empty()) {
      error = "Error in user declaration '" + words[0] + "': " + why;
      return false;
    }
  }
  if (!config.aclfile.empty()) {
    // As Redis, the file must exist (an empty one is fine).
    std::map<std::string, std::unique_ptr<User>, std::less<>> loaded;
    std::string why = read_file(config.aclfile, loaded);
    if (!why.empty()) {
      error = "Aborting Redis startup because of ACL errors: " + why;
      return false;
    }
    replace_users(std::move(loaded));
  }
  return true;
}

User* Registry::find(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

std::string Registry::set_user(std::string_view name, std::span<const std::string_view> rules) {
  if (!valid_user_name(name)) return "Usernames can't contain spaces or null characters";
  User* existing = find(name);
  size_t unmatched = 0;
  auto merged = merge_selector_rules(rules, unmatched);
  if (!merged) {
    return "Unmatched parenthesis in acl selector starting at '" + std::string(rules[unmatched]) +
           "'.";
  }
  User copy = existing ? *existing : User(std::string(name), all_channels_default_);
  for (const std::string& rule : *merged) {
    std::string why = copy.apply(rule, commands_, all_channels_default_);
    if (!why.empty()) return "Error in ACL SETUSER modifier '" + rule + "': " + why;
  }
  if (existing)
    *existing = std::move(copy);
  else
    users_[std::string(name)] = std::make_unique<User>(std::move(copy));
  return {};
}

bool Registry::delete_user(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end() || name == "default") return false;
  users_.erase(it);
  return true;
}

void Registry::set_default_password(const std::string& requirepass) {
  User& user = default_user();
  user.apply("resetpass", commands_, all_channels_default_);
  if (requirepass.empty())
    user.apply("nopass", commands_, all_channels_default_);
  else
    user.apply(">" + requirepass, commands_, all_channels_default_);
}

std::vector<std::string> Registry::user_lines() const {
  std::vector<std::string> out;
  for (const auto& [name, user] : users_)
    out.push_back("user " + name + " " + user->describe(commands_));
  return out;
}

std::string Registry::read_file(
    const std::string& path, std::map<std::string, std::unique_ptr<User>, std::less<>>& out) const {
  std::ifstream in(path);
  if (!in) return "Error loading ACLs, opening file '" + path + "': cannot open it";
  out.clear();
  std::string errors;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string where = path + ":" + std::to_string(lineno) + ": ";
    std::vector<std::string> words;
    if (!split_words(line, words)) {
      errors += where + "unbalanced quotes in acl line. ";
      continue;
    }
    if (words.empty() || words[0] != "user" || words.size() < 2) {
      errors += where + "line should start with user keyword. ";
      continue;
    }
    if (!valid_user_name(words[1])) {
      errors += where + "Usernames can't contain spaces or null characters. ";
      continue;
    }
    if (out.count(words[1])) {
      errors += where + "Duplicate user '" + words[1] + "' found. ";
      continue;
    }
    std::vector<std::string_view> rules(words.begin() + 2, words.end());
    size_t unmatched = 0;
    auto merged = merge_selector_rules(rules, unmatched);
    if (!merged) {
      errors += where + "Unmatched parenthesis in selector definition.";
      continue;
    }
    auto user = std::make_unique<User>(words[1], all_channels_default_);
    bool ok = true;
    for (size_t i = 0; i < merged->size() && ok; ++i) {
      std::string why = user->apply((*merged)[i], commands_, all_channels_default_);
      if (!why.empty()) {
        errors += where + why + ". ";
        ok = false;
      }
    }
    if (ok) out[words[1]] = std::move(user);
  }
  if (!errors.empty()) return errors;
  if (!out.count("default")) out["default"] = fresh_default();
  return {};
}

void Registry::replace_users(std::map<std::string, std::unique_ptr<User>, std::less<>> users) {
  // The default user object stays where it is: clients hold it.
  *users_.at("default") = std::move(*users.at("default"));
  users.at("default") = std::move(users_.at("default"));
  users_ = std::move(users);
}

std::string Registry::save_file(const std::string& path) const {
  std::string tmp = path + ".tmp-save";
  {
    std::ofstream o(tmp, std::ios::trunc);
    if (!o) return "Opening temp ACL file for ACL SAVE: can't open '" + tmp + "'";
    for (const auto& line : user_lines()) {
      // describe() never yields a line break (names and patterns cannot hold one); refuse
      // rather than write a second line if that ever changed.
      if (line.find_first_of("\r\n") != std::string::npos) return "refusing to write a line break";
      o << line << '\n';
    }
    o.flush();
    if (!o) return "Writing ACL file for ACL SAVE: write failed";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return "Renaming ACL file for ACL SAVE: " + ec.message();
  return {};
}

void Registry::log(std::string reason, std::string context, std::string object,
                   std::string username, std::string client_info, uint64_t now_ms,
                   int64_t max_len) {
  // Redis looks at the 10 newest entries for one to count this in.
  size_t looked = 0;
  for (auto it = log_.begin(); it != log_.end() && looked < 10; ++it, ++looked) {
    if (it->reason == reason && it->context == context && it->object == object &&
        it->username == username && now_ms - it->created_ms <= 60000) {
      // Counted in that entry, which moves to the head (newest first), as Redis.
      LogEntry entry = std::move(*it);
      log_.erase(it);
      ++entry.count;
      entry.created_ms = now_ms;
      entry.client_info = std::move(client_info);
      log_.push_front(std::move(entry));
      return;
    }
  }
  log_.push_front({1, std::move(reason), std::move(context), std::move(object), std::move(username),
                   now_ms, std::move(client_info)});
  trim_log(max_len);
}

void Registry::trim_log(int64_t max_len) {
  while (!log_.empty() && static_cast<int64_t>(log_.size()) > max_len) log_.pop_back();
}

}  // namespace basalt::core::acl
