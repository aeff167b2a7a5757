// node/commands/subcommand.cpp — see subcommand.h.
#include "node/commands/subcommand.h"

#include <cctype>
#include <string>

namespace basalt::commands {

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}
}  // namespace

std::string_view subcommand_suffix(const Spec& sub) {
  size_t bar = sub.name.find('|');
  return bar == std::string_view::npos ? sub.name : sub.name.substr(bar + 1);
}

void subcommand_syntax_error(Context& c) {
  std::string msg = "ERR unknown subcommand or wrong number of arguments for '";
  msg.append(c.arg(1).substr(0, 128)).append("'. Try ").append(upper(c.arg(0))).append(" HELP.");
  c.reply.error(msg);
}

const Spec* find_subcommand(const Spec& container, std::string_view sub) {
  for (const Spec& s : container.subs()) {
    if (iequals(subcommand_suffix(s), sub)) return &s;
  }
  return nullptr;
}

void run_subcommand(Context& c) {
  const Spec* sub = c.argc() >= 2 ? find_subcommand(c.spec, c.arg(1)) : nullptr;
  if (!sub) {
    std::string msg = "ERR unknown subcommand '";
    msg += c.argc() >= 2 ? c.arg(1).substr(0, 128) : std::string_view();
    msg += "'. Try " + upper(c.spec.name) + " HELP.";
    return c.reply.error(msg);
  }
  Context sc{c.node, c.replication, c.client, c.ks, c.reply, c.argv, *sub};
  size_t argc = c.argc();
  if ((sub->arity > 0 && argc != static_cast<size_t>(sub->arity)) ||
      (sub->arity < 0 && argc < static_cast<size_t>(-sub->arity))) {
    return sc.wrong_arity();
  }
  c.client.last_command = sub->name;
  sub->handler(sc);
}

void reply_help(Context& c, std::initializer_list<std::string_view> lines) {
  c.reply.array(lines.size() + 3);
  c.reply.simple(upper(c.spec.name.substr(0, c.spec.name.find('|'))) +
                 " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) c.reply.simple(line);
  c.reply.simple("HELP");
  c.reply.simple("    Prints this help.");
}

}  // namespace basalt::commands
