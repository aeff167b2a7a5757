// node/core/acl_user.h — one ACL user as Redis 7.0 has it: on/off, passwords (SHA-256 hex),
// its root selector (key, channel and command rules: acl_selector.h) and its `(...)`
// selectors. It applies rules (ACL SETUSER, `user` lines), describes itself as ACL LIST /
// GETUSER do, and judges one call (allowed if one selector allows all of it).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/acl_selector.h"
#include "node/core/command_spec.h"

namespace basalt::core::acl {

// SHA-256 of `data` as 64 lowercase hex digits (how passwords are kept).
std::string sha256_hex(std::string_view data);

// Redis's ACLMergeSelectorArguments: rules split by spaces ("(~x", "+get)") joined back into
// one "(~x +get)" per selector. nullopt with `unmatched` set to the index of the rule that
// opens a selector never closed.
std::optional<std::vector<std::string>> merge_selector_rules(
    std::span<const std::string_view> rules, size_t& unmatched);

class User {
 public:
  explicit User(std::string name, bool all_channels_by_default);

  const std::string& name() const { return name_; }
  bool enabled() const { return enabled_; }
  bool nopass() const { return nopass_; }
  const std::vector<std::string>& password_hashes() const { return passwords_; }
  const Selector& root() const { return root_; }
  const std::vector<Selector>& selectors() const { return selectors_; }

  // Applies one rule (a selector is one rule: "(~x +get)"). "" on success, else Redis's reason
  // ("Syntax error", ...); on failure the user may be half changed: apply rules to a copy
  // (ACL SETUSER is all or nothing). `commands`: every top-level row;
  // `all_channels_by_default`: acl-pubsub-default allchannels.
  std::string apply(std::string_view rule, std::span<const CommandSpec> commands,
                    bool all_channels_by_default);

  // Whether `password` (clear text) opens this user (it is on; nopass or a matching hash).
  bool accepts(std::string_view password) const;

  // ACL LIST's line without "user <name> ": "on nopass ~* &* +@all (~x resetchannels ...)".
  std::string describe(std::span<const CommandSpec> commands) const;
  // GETUSER's flags; the root selector's parts are root().command_rules() etc.
  std::vector<std::string> flags() const;

  // Judges a call of `spec` (the subcommand's row for a container call) with `argv`: allowed
  // if a selector allows it; else the most relevant refusal (Redis's
  // ACLCheckAllUserCommandPerm: a channel over a key over a command, then the later argument).
  Verdict check(const CommandSpec& spec, const CommandSpec* parent,
                std::span<const std::string_view> argv) const;
  // A channel or pattern some selector allows (whether a subscription survives new rules).
  bool may_use_channel(std::string_view channel, bool is_pattern) const;

 private:
  std::string name_;
  bool enabled_ = false;
  bool nopass_ = false;
  int sanitize_ = 0;  // 1: sanitize-payload, 2: skip-sanitize-payload (shown, not acted on)
  std::vector<std::string> passwords_;
  Selector root_;
  std::vector<Selector> selectors_;
};

}  // namespace basalt::core::acl
