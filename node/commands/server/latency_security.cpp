// node/commands/server/latency_security.cpp — LATENCY (basalt keeps no latency events: empty
// answers in Redis's shapes) and POST / HOST: (an HTTP request sent to the RESP port, as in
// a cross-protocol attack: logged and the connection closed, as Redis does).
#include <string>

#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/util/log.h"

namespace basalt::commands {

namespace {

void latency(Context& c) {
  std::string_view sub = c.arg(1);
  if (iequals(sub, "latest") && c.argc() == 2) return c.reply.array(0);
  if (iequals(sub, "history") && c.argc() == 3) return c.reply.array(0);
  if (iequals(sub, "histogram")) return c.reply.array(0);
  if (iequals(sub, "reset")) return c.reply.integer(0);
  if (iequals(sub, "doctor") && c.argc() == 2) {
    return c.reply.bulk(
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sleep tonight.\n");
  }
  if (iequals(sub, "help") && c.argc() == 2) {
    const char* lines[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the "
        "specified command names.",
        "HELP",
        "    Prints this help."};
    c.reply.array(std::size(lines));
    for (auto* line : lines) c.reply.simple(line);
    return;
  }
  subcommand_syntax_error(c);
}

void security_warning(Context& c) {
  log::warn(
      "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: "
      "commands to basalt (client {}). This is likely due to an attacker attempting to use "
      "Cross Protocol Scripting to compromise your node. Connection aborted.",
      c.client.addr);
  c.client.close_after_reply = true;
}

}  // namespace

void register_latency_and_security_commands(Table& t) {
  t.add(row("latency", -2, kAdmin | kNoScript | kLoading | kStale, latency)
            .doc("server", "A container for latency diagnostics commands"));
  t.add(row("post", -1, kNoAuth | kLoading | kStale, security_warning)
            .doc("server", "Refuse HTTP requests sent to the RESP port"));
  t.add(row("host:", -1, kNoAuth | kLoading | kStale, security_warning)
            .doc("server", "Refuse HTTP requests sent to the RESP port"));
}

}  // namespace basalt::commands
