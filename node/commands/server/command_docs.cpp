// node/commands/server/command_docs.cpp — COMMAND and its subcommands (COUNT, INFO, DOCS, LIST,
// GETKEYS, GETKEYSANDFLAGS, HELP): the command table described in Redis 7.0's reply shapes.
// What Redis keeps in per-command JSON files is derived from each Spec: the ACL categories by
// node/core/acl_categories.h, the key specs here from the key positions.
#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/core/acl_categories.h"
#include "node/core/node.h"
#include "node/util/glob.h"

namespace basalt::commands {

namespace {

// Redis's command flag names, in the order COMMAND INFO lists them ("sentinel" is not listed
// outside sentinel mode).
struct FlagName {
  uint32_t flag;
  std::string_view name;
};
constexpr FlagName kFlagNames[] = {
    {kWrite, "write"},     {kReadOnly, "readonly"}, {kDenyOom, "denyoom"},
    {kAdmin, "admin"},     {kPubSub, "pubsub"},     {kNoScript, "noscript"},
    {kLoading, "loading"}, {kStale, "stale"},       {kSkipSlowlog, "skip_slowlog"},
    {kFast, "fast"},       {kNoAuth, "no_auth"},
};

// ACL categories, in Redis's order (without the '@'): the rows' (node/core/acl_categories.h).
std::vector<std::string_view> acl_categories(const Spec& s) {
  uint32_t bits = core::acl::categories_of(s);
  std::vector<std::string_view> cats;
  for (size_t i = 0; i < core::acl::kCategoryCount; ++i)
    if (bits & (1u << i)) cats.push_back(core::acl::kCategoryNames[i]);
  return cats;
}

bool has_keys(const Spec& s) {
  return s.keys.first > 0;
}

// The key spec flags Redis gives a plain read or write of a key.
void key_flags(Context& c, const Spec& s) {
  bool write = s.flags & kWrite;
  c.reply.array(2);
  c.reply.simple(write ? "RW" : "RO");
  c.reply.simple("access");
}

// One key spec from (first, last, step): begin at index `first`, then a range.
void key_specs(Context& c, const Spec& s) {
  if (!has_keys(s)) return c.reply.array(0);
  c.reply.array(1);
  c.reply.array(6);
  c.reply.bulk("flags");
  key_flags(c, s);
  c.reply.bulk("begin_search");
  c.reply.array(4);
  c.reply.bulk("type");
  c.reply.bulk("index");
  c.reply.bulk("spec");
  c.reply.array(2);
  c.reply.bulk("index");
  c.reply.integer(s.keys.first);
  c.reply.bulk("find_keys");
  c.reply.array(4);
  c.reply.bulk("type");
  c.reply.bulk("range");
  c.reply.bulk("spec");
  c.reply.array(6);
  c.reply.bulk("lastkey");
  c.reply.integer(s.keys.last < 0 ? s.keys.last : s.keys.last - s.keys.first);
  c.reply.bulk("keystep");
  c.reply.integer(s.keys.step);
  c.reply.bulk("limit");
  c.reply.integer(0);
}

void command_entry(Context& c, const Spec& s) {
  c.reply.array(10);
  c.reply.bulk(s.name);
  c.reply.integer(s.arity);
  // A pure container (CLIENT, CONFIG) shows no flags of its own, as in Redis: its
  // subcommands carry them.
  uint32_t flags = s.handler == run_subcommand ? 0 : s.flags;
  size_t nflags = 0;
  for (const auto& f : kFlagNames) nflags += (flags & f.flag) ? 1 : 0;
  c.reply.array(nflags);
  for (const auto& f : kFlagNames) {
    if (flags & f.flag) c.reply.simple(f.name);
  }
  c.reply.integer(s.keys.first);
  c.reply.integer(s.keys.last);
  c.reply.integer(s.keys.step);
  auto cats = acl_categories(s);
  c.reply.array(cats.size());
  for (auto cat : cats) c.reply.simple("@" + std::string(cat));
  c.reply.array(0);  // tips
  key_specs(c, s);
  c.reply.array(s.subs().size());
  for (const Spec& sub : s.subs()) command_entry(c, sub);
}

// A RESP2 map: summary, since, group, complexity, arguments (and subcommands).
void command_doc(Context& c, const Spec& s) {
  bool container = !s.subs().empty();
  c.reply.array(container ? 12 : 10);
  c.reply.bulk("summary");
  c.reply.bulk(s.summary);
  c.reply.bulk("since");
  c.reply.bulk("1.0.0");
  c.reply.bulk("group");
  c.reply.bulk(s.group);
  c.reply.bulk("complexity");
  c.reply.bulk(container ? "Depends on subcommand." : "");
  c.reply.bulk("arguments");
  c.reply.array(0);
  if (container) {
    c.reply.bulk("subcommands");
    c.reply.array(s.subs().size() * 2);
    for (const Spec& sub : s.subs()) {
      c.reply.bulk(sub.name);
      command_doc(c, sub);
    }
  }
}

// "get", or "client|kill" for a subcommand; case-insensitive.
const Spec* lookup(const Table& table, std::string_view name) {
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return table.find(name);
  const Spec* container = table.find(name.substr(0, bar));
  return container ? find_subcommand(*container, name.substr(bar + 1)) : nullptr;
}

void command_all(Context& c) {
  const auto& all = table().all();
  c.reply.array(all.size());
  for (const Spec& s : all) command_entry(c, s);
}

void command_count(Context& c) {
  c.reply.integer(static_cast<int64_t>(table().all().size()));
}

void command_info(Context& c) {
  if (c.argc() == 2) return command_all(c);
  c.reply.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    const Spec* s = lookup(table(), c.arg(i));
    if (s)
      command_entry(c, *s);
    else
      c.reply.null_bulk();
  }
}

void command_docs(Context& c) {
  std::vector<const Spec*> found;
  if (c.argc() == 2) {
    for (const Spec& s : table().all()) found.push_back(&s);
  } else {
    for (size_t i = 2; i < c.argc(); ++i) {
      if (const Spec* s = lookup(table(), c.arg(i))) found.push_back(s);
    }
  }
  c.reply.array(found.size() * 2);
  for (const Spec* s : found) {
    c.reply.bulk(s->name);
    command_doc(c, *s);
  }
}

void command_list(Context& c) {
  enum { All, Module, AclCat, Pattern } filter = All;
  std::string_view arg;
  if (c.argc() == 5 && iequals(c.arg(2), "FILTERBY")) {
    arg = c.arg(4);
    if (iequals(c.arg(3), "MODULE"))
      filter = Module;
    else if (iequals(c.arg(3), "ACLCAT"))
      filter = AclCat;
    else if (iequals(c.arg(3), "PATTERN"))
      filter = Pattern;
    else
      return c.syntax_error();
  } else if (c.argc() != 2) {
    return c.syntax_error();
  }
  auto matches = [&](const Spec& s) {
    switch (filter) {
      case All:
        return true;
      case Module:
        return false;  // no modules
      case AclCat:
        for (auto cat : acl_categories(s)) {
          if (iequals(cat, arg)) return true;
        }
        return false;
      case Pattern:
        return util::glob_match(arg, s.name, true);
    }
    return false;
  };
  std::vector<std::string_view> names;
  for (const Spec& s : table().all()) {
    if (matches(s)) names.push_back(s.name);
    for (const Spec& sub : s.subs()) {
      if (matches(sub)) names.push_back(sub.name);
    }
  }
  c.reply.array(names.size());
  for (auto n : names) c.reply.bulk(n);
}

// The key positions of the command in argv[2..]; false (with the error replied) if none.
bool command_keys(Context& c, const Spec*& spec, std::vector<size_t>& keys) {
  std::span<const std::string_view> cmd = c.argv.subspan(2);
  spec = table().find(cmd[0]);
  if (spec && !spec->subs().empty() && cmd.size() >= 2) spec = find_subcommand(*spec, cmd[1]);
  if (!spec) {
    c.reply.error("ERR Invalid command specified");
    return false;
  }
  if (!has_keys(*spec) && spec->numkeys_index <= 0) {
    c.reply.error("ERR The command has no key arguments");
    return false;
  }
  int argc = static_cast<int>(cmd.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    c.reply.error("ERR Invalid number of arguments specified for command");
    return false;
  }
  // Fixed positions, then the ones a numkeys argument counts (ZUNIONSTORE, FCALL).
  for (size_t i : core::acl::key_indexes(*spec, cmd)) keys.push_back(i + 2);
  if (keys.empty()) {
    c.reply.error("ERR Invalid arguments specified for command");
    return false;
  }
  return true;
}

void command_getkeys(Context& c) {
  const Spec* spec;
  std::vector<size_t> keys;
  if (!command_keys(c, spec, keys)) return;
  c.reply.array(keys.size());
  for (size_t k : keys) c.reply.bulk(c.arg(k));
}

void command_getkeysandflags(Context& c) {
  const Spec* spec;
  std::vector<size_t> keys;
  if (!command_keys(c, spec, keys)) return;
  c.reply.array(keys.size());
  for (size_t k : keys) {
    c.reply.array(2);
    c.reply.bulk(c.arg(k));
    key_flags(c, *spec);
  }
}

void command_help(Context& c) {
  reply_help(c, {
                    "(no subcommand)",
                    "    Return details about all Redis commands.",
                    "COUNT",
                    "    Return the total number of commands in this Redis server.",
                    "LIST",
                    "    Return a list of all commands in this Redis server.",
                    "INFO [<command-name> ...]",
                    "    Return details about multiple Redis commands.",
                    "    If no command names are given, documentation details for all",
                    "    commands are returned.",
                    "DOCS [<command-name> ...]",
                    "    Return documentation details about multiple Redis commands.",
                    "    If no command names are given, documentation details for all",
                    "    commands are returned.",
                    "GETKEYS <full-command>",
                    "    Return the keys from a full Redis command.",
                    "GETKEYSANDFLAGS <full-command>",
                    "    Return the keys and the access flags from a full Redis command.",
                });
}

// COMMAND alone lists everything; otherwise a subcommand.
void command(Context& c) {
  if (c.argc() == 1) return command_all(c);
  run_subcommand(c);
}

constexpr uint32_t kSub = kLoading | kStale;
constexpr std::string_view kServer = "server";

const Spec kCommandSubcommands[] = {
    row("command|count", 2, kSub, command_count)
        .acl(kCatConnection)
        .doc(kServer, "Get total number of Redis commands"),
    row("command|info", -2, kSub, command_info)
        .acl(kCatConnection)
        .doc(kServer,
             "Get array of specific Redis command details, or all when no argument is given."),
    row("command|docs", -2, kSub, command_docs)
        .acl(kCatConnection)
        .doc(kServer, "Get array of specific Redis command documentation"),
    row("command|list", -2, kSub, command_list)
        .acl(kCatConnection)
        .doc(kServer, "Get an array of Redis command names"),
    row("command|getkeys", -4, kSub, command_getkeys)
        .acl(kCatConnection)
        .doc(kServer, "Extract keys given a full Redis command"),
    row("command|getkeysandflags", -4, kSub, command_getkeysandflags)
        .acl(kCatConnection)
        .doc(kServer, "Extract keys and access flags given a full Redis command"),
    row("command|help", 2, kSub, command_help)
        .acl(kCatConnection)
        .doc(kServer, "Show helpful text about the different subcommands"),
};

}  // namespace

void register_command_command(Table& t) {
  t.add(row("command", -1, kLoading | kStale | kSentinel, command)
            .acl(kCatConnection)
            .doc(kServer, "Get array of Redis command details")
            .subcommands(kCommandSubcommands));
}

}  // namespace basalt::commands
