// node/core/acl_selector.h — one ACL selector as Redis 7.0 has it: key patterns (~, %R~,
// %W~), channel patterns (&), and the commands it allows (a set of rows, built from +cmd,
// -cmd, +@category, +cmd|sub, ... applied in order). A user has a root selector and any
// number of `(...)` selectors (acl_user.h); a call is allowed if one of them allows all of it.
// It knows the command rows (to resolve names and categories), never the table itself.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "node/core/command_spec.h"
#include "node/core/key_specs.h"

namespace basalt::core::acl {

struct KeyPattern {
  std::string pattern;
  unsigned perms = kKeyAll;
};

// Why a call is refused, in Redis's order of relevance (ACL_DENIED_CMD < KEY < CHANNEL: with
// several selectors, the most relevant refusal is the one reported).
enum class Denial { None, Command, Key, Channel };
struct Verdict {
  Denial denial = Denial::None;
  size_t arg = 0;  // the refused key's or channel's index in argv
};

class Selector {
 public:
  explicit Selector(bool all_channels) : all_channels_(all_channels) {}

  // Applies one selector rule (keys, channels, commands). "" on success, else Redis's reason
  // ("Syntax error" for a rule that is not a selector rule).
  std::string apply(std::string_view rule, std::span<const CommandSpec> commands);

  // Redis's ACLDescribeSelector: "~* &* +@all", "%R~a resetchannels -@all +get".
  std::string describe(std::span<const CommandSpec> commands) const;
  std::string command_rules(std::span<const CommandSpec> commands) const;  // "+@all -flushall"
  std::string key_rules() const;                                           // "~* %R~foo"
  std::string channel_rules() const;                                       // "&*" or "&a &b"

  // Judges a call of `spec` (the subcommand's row for a container call) with `argv`. `keys`
  // caches the call's keys between the selectors of a user (filled on first need).
  Verdict check(const CommandSpec& spec, const CommandSpec* parent,
                std::span<const std::string_view> argv,
                std::optional<std::vector<KeyRef>>& keys) const;
  bool may_run(const CommandSpec& spec, const CommandSpec* parent,
               std::span<const std::string_view> argv) const;
  bool may_access_key(std::string_view key, unsigned perms) const;
  // A channel (PUBLISH, SUBSCRIBE), or a pattern (PSUBSCRIBE: it must be one of the
  // selector's patterns, literally, as in Redis 7.0).
  bool may_use_channel(std::string_view channel, bool is_pattern) const;

 private:
  void set_command(const CommandSpec& spec, bool allow);
  void set_category(uint32_t bit, std::span<const CommandSpec> commands, bool allow);
  void reset_commands(bool allow_all);

  bool all_keys_ = false;
  std::vector<KeyPattern> keys_;
  bool all_channels_ = false;
  std::vector<std::string> channels_;
  bool future_commands_ = false;  // +@all: commands added later are allowed too
  std::unordered_set<const CommandSpec*> allowed_;
  std::map<const CommandSpec*, std::vector<std::string>> first_args_;  // +select|0
};

// The keys of a call with what each needs: Redis's key specs for a command Redis has, else
// the row's key positions, read or write as the row's flags say.
std::vector<KeyRef> call_keys(const CommandSpec& spec, std::span<const std::string_view> argv);

}  // namespace basalt::core::acl
