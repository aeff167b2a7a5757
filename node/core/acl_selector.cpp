// node/core/acl_selector.cpp — see acl_selector.h. Follows Redis 7.0's acl.c (ACLSetSelector,
// ACLDescribeSelector, ACLDescribeSelectorCommandRules, ACLSelectorCheckCmd).
#include "node/core/acl_selector.h"

#include <algorithm>
#include <cctype>

#include "node/core/acl_categories.h"
#include "node/util/ascii.h"
#include "node/util/glob.h"

namespace basalt::core::acl {

namespace {

constexpr std::string_view kSyntax = "Syntax error";
constexpr std::string_view kUnknown = "Unknown command or category name in ACL";
constexpr std::string_view kKeysAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not "
    "have any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kChannelsAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr std::string_view kSubFirstArg = "Allowing first-arg of a subcommand is not supported";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

bool has_spaces(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) {
    return std::isspace(static_cast<unsigned char>(ch)) || ch == '\0';
  });
}

// Redis's ACLLookupCommand: "get" or "client|list" (any case); null if unknown.
const CommandSpec* lookup(std::string_view name, std::span<const CommandSpec> commands) {
  size_t bar = name.find('|');
  std::string_view top = name.substr(0, bar);
  for (const CommandSpec& spec : commands) {
    if (!util::iequals(spec.name, top)) continue;
    if (bar == std::string_view::npos) return &spec;
    for (const CommandSpec& sub : spec.subs())
      if (util::iequals(sub.name, name)) return &sub;
    return nullptr;
  }
  return nullptr;
}

std::string pattern_string(const KeyPattern& k) {
  std::string prefix = k.perms == kKeyAll ? "~" : k.perms == kKeyRead ? "%R~" : "%W~";
  return prefix + k.pattern;
}

}  // namespace

std::vector<KeyRef> call_keys(const CommandSpec& spec, std::span<const std::string_view> argv) {
  // A command basalt runs as one row where Redis has subcommands (OBJECT ENCODING, ...):
  // the subcommand's specs.
  if (spec.subcommand_count == 0 && argv.size() >= 2 &&
      spec.name.find('|') == std::string_view::npos) {
    if (auto refs = key_refs(std::string(spec.name) + "|" + lower(argv[1]), argv))
      return std::move(*refs);
  }
  if (auto refs = key_refs(spec.name, argv)) return std::move(*refs);
  // A command Redis 7.0 does not have: the row's positions, read or write as a whole.
  unsigned perms = spec.has(kWrite) ? kKeyWrite : kKeyRead;
  std::vector<KeyRef> out;
  for (size_t i : key_indexes(spec, argv)) out.push_back({i, perms});
  return out;
}

void Selector::reset_commands(bool allow_all) {
  allowed_.clear();
  first_args_.clear();
  future_commands_ = allow_all;
}

void Selector::set_command(const CommandSpec& spec, bool allow) {
  auto set = [&](const CommandSpec* s) {
    if (allow)
      allowed_.insert(s);
    else
      allowed_.erase(s);
  };
  set(&spec);
  first_args_.erase(&spec);
  for (const CommandSpec& sub : spec.subs()) set(&sub);
}

void Selector::set_category(uint32_t bit, std::span<const CommandSpec> commands, bool allow) {
  for (const CommandSpec& spec : commands) {
    if (categories_of(spec) & bit) set_command(spec, allow);
    for (const CommandSpec& sub : spec.subs())
      if (categories_of(sub) & bit) set_command(sub, allow);
  }
}

std::string Selector::apply(std::string_view op, std::span<const CommandSpec> commands) {
  using util::iequals;
  if (iequals(op, "allkeys") || op == "~*") {
    all_keys_ = true;
    keys_.clear();
  } else if (iequals(op, "resetkeys")) {
    all_keys_ = false;
    keys_.clear();
  } else if (!op.empty() && (op[0] == '~' || op[0] == '%')) {
    if (all_keys_) return std::string(kKeysAfterAll);
    unsigned perms = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      bool tilde = false;
      for (; offset < op.size(); ++offset) {
        char ch = static_cast<char>(std::toupper(static_cast<unsigned char>(op[offset])));
        if (ch == 'R' && !(perms & kKeyRead)) {
          perms |= kKeyRead;
        } else if (ch == 'W' && !(perms & kKeyWrite)) {
          perms |= kKeyWrite;
        } else if (op[offset] == '~') {
          ++offset;
          tilde = true;
          break;
        } else {
          return std::string(kSyntax);
        }
      }
      if (!perms || !tilde) return std::string(kSyntax);
    } else {
      perms = kKeyAll;
    }
    std::string_view pattern = op.substr(offset);
    if (has_spaces(pattern)) return std::string(kSyntax);
    if (pattern == "*" && perms == kKeyAll) {
      all_keys_ = true;
      keys_.clear();
    } else {
      auto it = std::find_if(keys_.begin(), keys_.end(),
                             [&](const KeyPattern& k) { return k.pattern == pattern; });
      if (it == keys_.end())
        keys_.push_back({std::string(pattern), perms});
      else
        it->perms |= perms;
    }
  } else if (iequals(op, "allchannels") || op == "&*") {
    all_channels_ = true;
    channels_.clear();
  } else if (iequals(op, "resetchannels")) {
    all_channels_ = false;
    channels_.clear();
  } else if (!op.empty() && op[0] == '&') {
    if (all_channels_) return std::string(kChannelsAfterAll);
    std::string_view pattern = op.substr(1);
    if (has_spaces(pattern)) return std::string(kSyntax);
    if (std::find(channels_.begin(), channels_.end(), pattern) == channels_.end())
      channels_.emplace_back(pattern);
  } else if (iequals(op, "allcommands") || iequals(op, "+@all")) {
    reset_commands(true);
    for (const CommandSpec& spec : commands) set_command(spec, true);
  } else if (iequals(op, "nocommands") || iequals(op, "-@all")) {
    reset_commands(false);
  } else if (op.size() > 1 && (op[0] == '+' || op[0] == '-') && op[1] == '@') {
    uint32_t bit = category_bit(op.substr(2));
    if (!bit) return std::string(kUnknown);
    set_category(bit, commands, op[0] == '+');
  } else if (op.size() > 1 && op[0] == '+' && op.find('|') == std::string_view::npos) {
    const CommandSpec* spec = lookup(op.substr(1), commands);
    if (!spec) return std::string(kUnknown);
    set_command(*spec, true);
  } else if (op.size() > 1 && op[0] == '+') {
    std::string_view body = op.substr(1);
    size_t bar = body.rfind('|');
    std::string_view sub = body.substr(bar + 1);
    const CommandSpec* spec = lookup(body.substr(0, bar), commands);
    if (!spec) return std::string(kUnknown);
    if (spec->name.find('|') != std::string_view::npos) return std::string(kSubFirstArg);
    if (sub.empty()) return std::string(kSyntax);
    if (spec->subcommand_count > 0) {
      const CommandSpec* subspec = lookup(body, commands);
      if (!subspec) return std::string(kUnknown);
      set_command(*subspec, true);
    } else {
      // The first argument of a command with no subcommands (+select|0): Redis's
      // allowed_firstargs.
      auto& args = first_args_[spec];
      std::string arg = lower(sub);
      if (std::find(args.begin(), args.end(), arg) == args.end()) args.push_back(arg);
    }
  } else if (op.size() > 1 && op[0] == '-') {
    const CommandSpec* spec = lookup(op.substr(1), commands);
    if (!spec) return std::string(kUnknown);
    set_command(*spec, false);
  } else {
    return std::string(kSyntax);
  }
  return {};
}

// Redis 7.0's ACLDescribeSelectorCommandRules: start from +@all or -@all, then greedily add
// (or remove) the category that best fits the commands still to describe, then the single
// commands (and first arguments) that differ. Redis walks its commands in hash order, which a
// random seed makes differ from run to run; basalt walks its table in order.
std::string Selector::command_rules(std::span<const CommandSpec> commands) const {
  const bool additive = !future_commands_;
  std::string out = additive ? "-@all" : "+@all";
  Selector fake(false);
  fake.apply(additive ? "-@all" : "+@all", commands);
  std::unordered_set<const CommandSpec*> temp = allowed_;
  bool applied[kCategoryCount] = {};
  while (true) {
    int best = -1;
    unsigned long min_diff = ~0ul, max_same = 0;
    for (size_t j = 0; j < kCategoryCount; ++j) {
      if (applied[j]) continue;
      unsigned long on = 0, off = 0;
      for (const CommandSpec& spec : commands) {
        if (!(categories_of(spec) & (1u << j))) continue;
        ++(temp.contains(&spec) ? on : off);
      }
      unsigned long diff = additive ? off : on, same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = static_cast<int>(j);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    applied[best] = true;
    uint32_t bit = 1u << best;
    fake.set_category(bit, commands, additive);
    // The commands of the category are accounted for: count them as the other way.
    for (const CommandSpec& spec : commands) {
      bool in = (categories_of(spec) & bit) != 0;
      if (in) {
        if (additive)
          temp.erase(&spec);
        else
          temp.insert(&spec);
        for (const CommandSpec& sub : spec.subs()) {
          if (additive)
            temp.erase(&sub);
          else
            temp.insert(&sub);
        }
      }
      for (const CommandSpec& sub : spec.subs()) {
        if (!(categories_of(sub) & bit)) continue;
        if (additive)
          temp.erase(&sub);
        else
          temp.insert(&sub);
      }
    }
    out += std::string(additive ? " +@" : " -@") + std::string(kCategoryNames[best]);
  }
  for (const CommandSpec& spec : commands) {
    bool user_bit = allowed_.contains(&spec);
    if (user_bit != fake.allowed_.contains(&spec)) {
      out += std::string(user_bit ? " +" : " -") + std::string(spec.name);
      fake.set_command(spec, user_bit);
    }
    for (const CommandSpec& sub : spec.subs()) {
      bool sub_bit = allowed_.contains(&sub);
      if (sub_bit != fake.allowed_.contains(&sub)) {
        out += std::string(sub_bit ? " +" : " -") + std::string(sub.name);
        fake.set_command(sub, sub_bit);
      }
    }
    if (!user_bit) {
      auto it = first_args_.find(&spec);
      if (it != first_args_.end())
        for (const auto& arg : it->second) out += " +" + std::string(spec.name) + "|" + arg;
    }
  }
  return out;
}

std::string Selector::key_rules() const {
  if (all_keys_) return "~*";
  std::string out;
  for (const auto& k : keys_) {
    if (!out.empty()) out += ' ';
    out += pattern_string(k);
  }
  return out;
}

std::string Selector::channel_rules() const {
  if (all_channels_) return "&*";
  std::string out;
  for (const auto& ch : channels_) {
    if (!out.empty()) out += ' ';
    out += "&" + ch;
  }
  return out;
}

std::string Selector::describe(std::span<const CommandSpec> commands) const {
  std::string out;
  if (all_keys_) {
    out += "~* ";
  } else {
    for (const auto& k : keys_) out += pattern_string(k) + " ";
  }
  if (all_channels_) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const auto& ch : channels_) out += "&" + ch + " ";
  }
  out += command_rules(commands);
  return out;
}

bool Selector::may_run(const CommandSpec& spec, const CommandSpec* parent,
                       std::span<const std::string_view> argv) const {
  if (spec.has(kNoAuth) || allowed_.contains(&spec)) return true;
  // +select|0: the command is allowed with that first argument.
  if (!parent && argv.size() >= 2) {
    auto it = first_args_.find(&spec);
    if (it != first_args_.end())
      for (const auto& arg : it->second)
        if (util::iequals(arg, argv[1])) return true;
  }
  return false;
}

bool Selector::may_access_key(std::string_view key, unsigned perms) const {
  if (all_keys_) return true;
  for (const auto& k : keys_) {
    if ((k.perms & perms) != perms) continue;
    if (util::glob_match(k.pattern, key)) return true;
  }
  return false;
}

bool Selector::may_use_channel(std::string_view channel, bool is_pattern) const {
  if (all_channels_) return true;
  for (const auto& pattern : channels_) {
    if (is_pattern ? pattern == channel : util::glob_match(pattern, channel)) return true;
  }
  return false;
}

Verdict Selector::check(const CommandSpec& spec, const CommandSpec* parent,
                        std::span<const std::string_view> argv,
                        std::optional<std::vector<KeyRef>>& keys) const {
  if (!may_run(spec, parent, argv)) return {Denial::Command, 0};
  // Keys: each as its key spec says (%R~ for a read, %W~ for a write, both for both).
  if (!all_keys_) {
    if (!keys) keys = call_keys(spec, argv);
    for (const KeyRef& ref : *keys)
      if (!may_access_key(argv[ref.index], ref.perms)) return {Denial::Key, ref.index};
  }
  // Channels: (S)PUBLISH's channel, (S|P)SUBSCRIBE's channels or patterns.
  if (!all_channels_) {
    std::string_view name = spec.name;
    if ((name == "publish" || name == "spublish") && argv.size() >= 2 &&
        !may_use_channel(argv[1], false))
      return {Denial::Channel, 1};
    if (name == "subscribe" || name == "ssubscribe" || name == "psubscribe") {
      for (size_t i = 1; i < argv.size(); ++i)
        if (!may_use_channel(argv[i], name == "psubscribe")) return {Denial::Channel, i};
    }
  }
  return {};
}

}  // namespace basalt::core::acl
