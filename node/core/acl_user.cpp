// node/core/acl_user.cpp — see acl_user.h. Follows Redis 7.0's acl.c (ACLSetUser,
// ACLDescribeUser, ACLMergeSelectorArguments, ACLCheckAllUserCommandPerm).
#include "node/core/acl_user.h"

#include <openssl/evp.h>

#include <algorithm>

#include "node/protocol/request_parser.h"
#include "node/util/ascii.h"
#include "node/util/secret.h"

namespace basalt::core::acl {

namespace {

constexpr std::string_view kSyntax = "Syntax error";
constexpr std::string_view kNoSuchPassword =
    "The password you are trying to remove from the user does not exist";
constexpr std::string_view kBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";

bool valid_hash(std::string_view h) {
  return h.size() == 64 && std::all_of(h.begin(), h.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
         });
}

// The password hash a password rule names: the SHA-256 of the clear text after '>' or '<',
// or the hash itself after '#' or '!' ("" if that is not a valid hash).
std::string password_hash(std::string_view op) {
  const std::string_view rest = op.substr(1);
  if (op[0] == '>' || op[0] == '<') return sha256_hex(rest);
  return valid_hash(rest) ? std::string(rest) : std::string();
}

// A selector's rules, split as Redis's sdssplitargs (quotes and escapes); none if unbalanced.
std::vector<std::string> split_rules(std::string_view body) {
  std::string copy(body);
  std::vector<protocol::ArgSpan> spans;
  std::vector<std::string> out;
  if (!protocol::split_inline_args(copy.data(), copy.size(), spans)) return out;
  for (const auto& s : spans) out.push_back(copy.substr(s.offset, s.length));
  return out;
}

// Relevance of a refusal (Redis's ACL_DENIED_* values).
int rank(Denial d) {
  switch (d) {
    case Denial::Command:
      return 1;
    case Denial::Key:
      return 2;
    case Denial::Channel:
      return 4;
    case Denial::None:
      break;
  }
  return 0;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::optional<std::vector<std::string>> merge_selector_rules(
    std::span<const std::string_view> rules, size_t& unmatched) {
  std::vector<std::string> out;
  std::optional<std::string> open;
  size_t open_at = 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string_view rule = rules[i];
    if (!open && !rule.empty() && rule.front() == '(' && rule.back() != ')') {
      open = std::string(rule);
      open_at = i;
      continue;
    }
    if (open) {
      *open += " ";
      *open += rule;
      if (!rule.empty() && rule.back() == ')') {
        out.push_back(std::move(*open));
        open.reset();
      }
      continue;
    }
    out.emplace_back(rule);
  }
  if (open) {
    unmatched = open_at;
    return std::nullopt;
  }
  return out;
}

User::User(std::string name, bool all_channels_by_default)
    : name_(std::move(name)), root_(all_channels_by_default) {}

std::string User::apply(std::string_view op, std::span<const CommandSpec> commands,
                        bool all_channels_by_default) {
  using util::iequals;
  if (iequals(op, "on")) {
    enabled_ = true;
  } else if (iequals(op, "off")) {
    enabled_ = false;
  } else if (iequals(op, "skip-sanitize-payload")) {
    sanitize_ = 2;
  } else if (iequals(op, "sanitize-payload")) {
    sanitize_ = 1;
  } else if (iequals(op, "nopass")) {
    nopass_ = true;
    passwords_.clear();
  } else if (iequals(op, "resetpass")) {
    nopass_ = false;
    passwords_.clear();
  } else if (!op.empty() && (op[0] == '>' || op[0] == '#')) {
    const std::string hash = password_hash(op);
    if (hash.empty()) return std::string(kBadHash);
    if (std::find(passwords_.begin(), passwords_.end(), hash) == passwords_.end())
      passwords_.push_back(hash);
    nopass_ = false;
  } else if (!op.empty() && (op[0] == '<' || op[0] == '!')) {
    const std::string hash = password_hash(op);
    if (hash.empty()) return std::string(kBadHash);
    auto it = std::find(passwords_.begin(), passwords_.end(), hash);
    if (it == passwords_.end()) return std::string(kNoSuchPassword);
    passwords_.erase(it);
  } else if (op.size() >= 2 && op.front() == '(' && op.back() == ')') {
    // A selector: its rules start from nothing (but acl-pubsub-default's channels).
    Selector selector(all_channels_by_default);
    for (const auto& rule : split_rules(op.substr(1, op.size() - 2))) {
      std::string why = selector.apply(rule, commands);
      if (!why.empty()) return why;
    }
    selectors_.push_back(std::move(selector));
  } else if (iequals(op, "clearselectors")) {
    selectors_.clear();
  } else if (iequals(op, "reset")) {
    for (std::string_view rule : {"resetpass", "resetkeys", "resetchannels"})
      apply(rule, commands, all_channels_by_default);
    if (all_channels_by_default) apply("allchannels", commands, all_channels_by_default);
    apply("off", commands, all_channels_by_default);
    apply("sanitize-payload", commands, all_channels_by_default);
    apply("clearselectors", commands, all_channels_by_default);
    apply("-@all", commands, all_channels_by_default);
  } else if (!op.empty() && op[0] == '(') {
    return std::string(kSyntax);
  } else {
    return root_.apply(op, commands);
  }
  return {};
}

bool User::accepts(std::string_view password) const {
  if (!enabled_) return false;
  if (nopass_) return true;
  std::string hash = sha256_hex(password);
  bool match = false;
  // Every hash is compared (no early exit), each in constant time.
  for (const auto& h : passwords_) match |= util::secrets_equal(h, hash);
  return match;
}

std::vector<std::string> User::flags() const {
  std::vector<std::string> out;
  out.emplace_back(enabled_ ? "on" : "off");
  if (nopass_) out.emplace_back("nopass");
  if (sanitize_ == 2) out.emplace_back("skip-sanitize-payload");
  if (sanitize_ == 1) out.emplace_back("sanitize-payload");
  return out;
}

std::string User::describe(std::span<const CommandSpec> commands) const {
  std::string out;
  for (const auto& f : flags()) out += f + " ";
  for (const auto& h : passwords_) out += "#" + h + " ";
  out += root_.describe(commands);
  for (const auto& s : selectors_) out += " (" + s.describe(commands) + ")";
  return out;
}

Verdict User::check(const CommandSpec& spec, const CommandSpec* parent,
                    std::span<const std::string_view> argv) const {
  std::optional<std::vector<KeyRef>> keys;  // computed once, for every selector
  Verdict verdict = root_.check(spec, parent, argv, keys);
  if (verdict.denial == Denial::None) return verdict;
  for (const auto& s : selectors_) {
    Verdict v = s.check(spec, parent, argv, keys);
    if (v.denial == Denial::None) return v;
    if (rank(v.denial) > rank(verdict.denial) ||
        (v.denial == verdict.denial && v.arg > verdict.arg))
      verdict = v;
  }
  return verdict;
}

bool User::may_use_channel(std::string_view channel, bool is_pattern) const {
  if (root_.may_use_channel(channel, is_pattern)) return true;
  return std::any_of(selectors_.begin(), selectors_.end(),
                     [&](const Selector& s) { return s.may_use_channel(channel, is_pattern); });
}

}  // namespace basalt::core::acl
