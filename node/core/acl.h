// node/core/acl.h — the node's ACL: its users (the default user always exists; requirepass is
// its password), the ACL LOG, and the users' lives outside the node (`user` lines in the config
// file, the aclfile, ACL SAVE / LOAD). Judging a call is the user's (acl_user.h); the
// dispatcher asks once per command, in its gates.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/config/config.h"
#include "node/core/acl_user.h"
#include "node/core/command_spec.h"

namespace basalt::core::acl {

// One ACL LOG entry (Redis 7.0's fields).
struct LogEntry {
  uint64_t count = 1;
  std::string reason;   // "command", "key", "channel", "auth"
  std::string context;  // "toplevel", "multi"
  std::string object;   // the command, key or channel refused ("AUTH" for auth)
  std::string username;
  uint64_t created_ms = 0;  // last update (age-seconds counts from it, as Redis)
  std::string client_info;  // CLIENT LIST line of the client, at the time
};

class Registry {
 public:
  // A default user exists from the start (it knows no command until init()).
  Registry();
  // The users from the config: the default user (with requirepass), then the config file's
  // `user` lines or the aclfile (not both, as Redis). False with a message on error.
  bool init(std::span<const CommandSpec> commands, const config::Config& config,
            std::string& error);

  User* find(std::string_view name);
  User& default_user() { return *users_.at("default"); }
  // Sorted by name (ACL USERS / LIST order).
  const std::map<std::string, std::unique_ptr<User>, std::less<>>& users() const { return users_; }

  // ACL SETUSER: every rule applies or none does (the user is created if new). "" or Redis's
  // error reply without the leading "ERR ".
  std::string set_user(std::string_view name, std::span<const std::string_view> rules);
  // ACL DELUSER of one user (never "default"): false if there is none. Its row is gone after.
  bool delete_user(std::string_view name);

  // requirepass: the default user's only password ("" = nopass), as Redis's
  // ACLUpdateDefaultUserPassword.
  void set_default_password(const std::string& requirepass);
  // acl-pubsub-default: whether new users (and reset) start with allchannels.
  void set_all_channels_default(bool all) { all_channels_default_ = all; }

  // "user <name> <rules>" per user, by name: ACL LIST, ACL SAVE and CONFIG REWRITE.
  std::vector<std::string> user_lines() const;
  // Reads an ACL file into a fresh set of users (the default user starts as
  // "on nopass ~* &* +@all" unless the file sets it). "" with `out` filled, or why not.
  std::string read_file(const std::string& path,
                        std::map<std::string, std::unique_ptr<User>, std::less<>>& out) const;
  // Switches to users read by read_file; the default user keeps its address (its clients
  // stay), every other user is new (the caller disconnects their clients, as Redis).
  void replace_users(std::map<std::string, std::unique_ptr<User>, std::less<>> users);
  // Writes user_lines() to `path` atomically (a temporary file renamed over it).
  std::string save_file(const std::string& path) const;

  // ACL LOG: an entry like a recent one (same reason, context, object, user, within 60 s) is
  // counted in it instead of added; at most `max_len` entries, newest first.
  void log(std::string reason, std::string context, std::string object, std::string username,
           std::string client_info, uint64_t now_ms, int64_t max_len);
  const std::deque<LogEntry>& log_entries() const { return log_; }
  void reset_log() { log_.clear(); }
  void trim_log(int64_t max_len);

  std::span<const CommandSpec> commands() const { return commands_; }

 private:
  std::unique_ptr<User> fresh_default() const;
  std::span<const CommandSpec> commands_;
  bool all_channels_default_ = false;
  std::map<std::string, std::unique_ptr<User>, std::less<>> users_;
  std::deque<LogEntry> log_;
};

// User names cannot hold spaces or NULs (they are words in ACL LIST and the files).
bool valid_user_name(std::string_view name);

}  // namespace basalt::core::acl
