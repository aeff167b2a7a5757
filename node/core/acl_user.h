// node/core/acl_user.h — one ACL user as Redis 7.0 has it: on/off, passwords (SHA-256 hex),
// key patterns (~, %R~, %W~), channel patterns (&), and the commands it may run (a set of
// rows, built from +cmd, -cmd, +@category, +cmd|sub, ... applied in order). It applies rules
// (ACL SETUSER, `user` lines), describes itself as ACL LIST / GETUSER do, and judges one call.
// It knows the command rows (to resolve names and categories), never the table itself.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "node/core/command_spec.h"

namespace basalt::core::acl {

// SHA-256 of `data` as 64 lowercase hex digits (how passwords are kept).
std::string sha256_hex(std::string_view data);

enum KeyPermission : unsigned { kKeyRead = 1, kKeyWrite = 2, kKeyAll = 3 };

struct KeyPattern {
  std::string pattern;
  unsigned perms = kKeyAll;
};

// Why a call is refused.
enum class Denial { None, Command, Key, Channel };
struct Verdict {
  Denial denial = Denial::None;
  size_t arg = 0;  // the refused key's or channel's index in argv
};

class User {
 public:
  explicit User(std::string name, bool all_channels_by_default);

  const std::string& name() const { return name_; }
  bool enabled() const { return enabled_; }
  bool nopass() const { return nopass_; }
  const std::vector<std::string>& password_hashes() const { return passwords_; }

  // Applies one rule. "" on success, else Redis's reason ("Syntax error", ...); on failure the
  // user may be half changed: apply rules to a copy (ACL SETUSER is all or nothing).
  // `commands`: every top-level row; `all_channels_by_default`: acl-pubsub-default allchannels.
  std::string apply(std::string_view rule, std::span<const CommandSpec> commands,
                    bool all_channels_by_default);

  // Whether `password` (clear text) opens this user (it is on; nopass or a matching hash).
  bool accepts(std::string_view password) const;

  // ACL LIST's line without "user <name> ": "on nopass ~* &* +@all".
  std::string describe(std::span<const CommandSpec> commands) const;
  // GETUSER's parts.
  std::vector<std::string> flags() const;
  std::string command_rules(std::span<const CommandSpec> commands) const;  // "+@all -flushall"
  std::string key_rules() const;                                           // "~* %R~foo"
  std::string channel_rules() const;                                       // "&*" or "&a &b"

  // Judges a call of `spec` (the subcommand's row for a container call) with `argv`.
  Verdict check(const CommandSpec& spec, const CommandSpec* parent,
                std::span<const std::string_view> argv) const;
  bool may_run(const CommandSpec& spec, const CommandSpec* parent,
               std::span<const std::string_view> argv) const;
  bool may_access_key(std::string_view key, unsigned perms) const;
  // A channel (PUBLISH, SUBSCRIBE), or a pattern (PSUBSCRIBE: it must be one of the user's
  // patterns, literally, as in Redis 7.0).
  bool may_use_channel(std::string_view channel, bool is_pattern) const;

 private:
  void set_command(const CommandSpec& spec, bool allow);
  void set_category(uint32_t bit, std::span<const CommandSpec> commands, bool allow);
  void reset_commands(bool allow_all);

  std::string name_;
  bool enabled_ = false;
  bool nopass_ = false;
  int sanitize_ = 0;  // 1: sanitize-payload, 2: skip-sanitize-payload (shown, not acted on)
  std::vector<std::string> passwords_;
  bool all_keys_ = false;
  std::vector<KeyPattern> keys_;
  bool all_channels_ = false;
  std::vector<std::string> channels_;
  bool future_commands_ = false;  // +@all: commands added later are allowed too
  std::unordered_set<const CommandSpec*> allowed_;
  std::map<const CommandSpec*, std::vector<std::string>> first_args_;  // +select|0
};

}  // namespace basalt::core::acl
