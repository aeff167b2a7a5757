// node/commands/connection/client_cmd.cpp — CLIENT and its subcommands (ID, SETNAME, GETNAME, LIST,
// INFO, KILL, UNBLOCK, NO-EVICT, NO-TOUCH, GETREDIR, HELP), with Redis 7.0's replies and CLIENT
// LIST lines.
#include <spdlog/fmt/fmt.h>

#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/families.h"
#include "node/commands/subcommand.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"

namespace basalt::commands {

bool valid_client_name(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

namespace {

using core::Client;

enum class ClientType { Normal, Replica, Master, PubSub };

ClientType client_type(const Client& cl) {
  if (cl.is_master_link) return ClientType::Master;
  if (cl.is_replica) return ClientType::Replica;
  if (cl.subscriptions > 0) return ClientType::PubSub;
  return ClientType::Normal;
}

// Redis's getClientTypeByName; false for an unknown name.
bool parse_client_type(std::string_view name, ClientType& out) {
  if (iequals(name, "normal"))
    out = ClientType::Normal;
  else if (iequals(name, "slave") || iequals(name, "replica"))
    out = ClientType::Replica;
  else if (iequals(name, "pubsub"))
    out = ClientType::PubSub;
  else if (iequals(name, "master"))
    out = ClientType::Master;
  else
    return false;
  return true;
}

void unknown_type(Context& c, std::string_view name) {
  c.reply.error("ERR Unknown client type '" + std::string(name) + "'");
}

std::string flags_of(const Client& cl) {
  std::string f;
  if (cl.is_replica) f += 'S';
  if (cl.is_master_link) f += 'M';
  if (cl.is_monitor) f += 'O';
  if (cl.subscriptions > 0) f += 'P';
  if (cl.in_multi) f += 'x';
  if (cl.close_after_reply) f += 'c';
  if (f.empty()) f = "N";
  return f;
}

std::string info_line(Context& c, const Client& cl) {
  return client_info_line(cl, &cl == &c.client ? c.argv : std::span<const std::string_view>{});
}

void client_id(Context& c) {
  c.reply.integer(static_cast<int64_t>(c.client.id));
}

void client_setname(Context& c) {
  if (!valid_client_name(c.arg(2))) {
    return c.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
  }
  c.client.name = c.arg(2);
  c.reply.ok();
}

void client_getname(Context& c) {
  if (c.client.name.empty()) return c.reply.null_bulk();
  c.reply.bulk(c.client.name);
}

void client_info(Context& c) {
  c.reply.bulk(info_line(c, c.client) + "\n");
}

void client_list(Context& c) {
  const auto& clients = c.node.clients();
  std::string out;
  if (c.argc() == 4 && iequals(c.arg(2), "TYPE")) {
    ClientType type;
    if (!parse_client_type(c.arg(3), type)) return unknown_type(c, c.arg(3));
    for (const auto& [id, cl] : clients) {
      if (client_type(*cl) == type) out += info_line(c, *cl) + "\n";
    }
  } else if (c.argc() > 3 && iequals(c.arg(2), "ID")) {
    for (size_t j = 3; j < c.argc(); ++j) {
      int64_t id;
      if (!protocol::parse_i64(c.arg(j), id)) return c.reply.error("ERR Invalid client ID");
      auto it = clients.find(static_cast<uint64_t>(id));
      if (it != clients.end()) out += info_line(c, *it->second) + "\n";
    }
  } else if (c.argc() != 2) {
    return c.syntax_error();
  } else {
    for (const auto& [id, cl] : clients) out += info_line(c, *cl) + "\n";
  }
  c.reply.bulk(out);
}

void client_kill(Context& c) {
  std::string_view addr, laddr;
  bool has_addr = false, has_laddr = false, has_type = false;
  ClientType type = ClientType::Normal;
  uint64_t id = 0;
  const core::acl::User* user = nullptr;
  bool skipme = true;
  bool old_form = c.argc() == 3;
  if (old_form) {
    addr = c.arg(2);
    has_addr = true;
    skipme = false;  // with the old form a client can kill itself
  } else {
    for (size_t i = 2; i < c.argc(); i += 2) {
      bool more = i + 1 < c.argc();
      std::string_view opt = c.arg(i);
      if (iequals(opt, "ID") && more) {
        int64_t n;
        if (!protocol::parse_i64(c.arg(i + 1), n) || n < 1) {
          return c.reply.error("ERR client-id should be greater than 0");
        }
        id = static_cast<uint64_t>(n);
      } else if (iequals(opt, "TYPE") && more) {
        if (!parse_client_type(c.arg(i + 1), type)) return unknown_type(c, c.arg(i + 1));
        has_type = true;
      } else if (iequals(opt, "ADDR") && more) {
        addr = c.arg(i + 1);
        has_addr = true;
      } else if (iequals(opt, "LADDR") && more) {
        laddr = c.arg(i + 1);
        has_laddr = true;
      } else if (iequals(opt, "USER") && more) {
        user = c.node.acl().find(c.arg(i + 1));
        if (!user) return c.reply.error("ERR No such user '" + std::string(c.arg(i + 1)) + "'");
      } else if (iequals(opt, "SKIPME") && more) {
        if (iequals(c.arg(i + 1), "yes"))
          skipme = true;
        else if (iequals(c.arg(i + 1), "no"))
          skipme = false;
        else
          return c.syntax_error();
      } else {
        return c.syntax_error();
      }
    }
  }
  // Collect first: killing only closes sockets, but keep the iteration independent of it.
  std::vector<Client*> victims;
  bool kill_self = false;
  for (const auto& [cid, cl] : c.node.clients()) {
    if (has_addr && cl->addr != addr) continue;
    if (has_laddr && cl->laddr != laddr) continue;
    if (has_type && client_type(*cl) != type) continue;
    if (user && cl->user != user) continue;
    if (id != 0 && cl->id != id) continue;
    if (cl.get() == &c.client) {
      if (skipme) continue;
      kill_self = true;
    } else {
      victims.push_back(cl.get());
    }
  }
  for (Client* v : victims) {
    if (v->kill) v->kill();
  }
  size_t killed = victims.size() + (kill_self ? 1 : 0);
  if (old_form) {
    if (killed == 0)
      c.reply.error("ERR No such client");
    else
      c.reply.ok();
  } else {
    c.reply.integer(static_cast<int64_t>(killed));
  }
  // Our own connection closes only after this reply is sent.
  if (kill_self) c.client.close_after_reply = true;
}

// CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a blocking pop's wait as its timeout would, or
// with an -UNBLOCKED error. (WAIT is not a key wait: it is not unblocked, as a client that
// is not blocked.)
void client_unblock(Context& c) {
  bool error = false;
  if (c.argc() == 4) {
    if (iequals(c.arg(3), "error")) {
      error = true;
    } else if (!iequals(c.arg(3), "timeout")) {
      return c.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  } else if (c.argc() != 3) {
    return subcommand_syntax_error(c);
  }
  int64_t id;
  if (!protocol::parse_i64(c.arg(2), id)) return c.not_integer();
  bool unblocked = id > 0 && c.node.blocking().unblock_client(static_cast<uint64_t>(id), error);
  c.reply.integer(unblocked ? 1 : 0);
}

// NO-EVICT (no client eviction in basalt) and NO-TOUCH (Redis 7.2; basalt keeps no LRU):
// accepted and ignored.
void client_on_off(Context& c) {
  if (iequals(c.arg(2), "on") || iequals(c.arg(2), "off")) return c.reply.ok();
  c.syntax_error();
}

void client_getredir(Context& c) {
  c.reply.integer(-1);
}

void client_help(Context& c) {
  reply_help(c, {
                    "GETNAME",
                    "    Return the name of the current connection.",
                    "GETREDIR",
                    "    Return the client ID we are redirecting to when tracking is enabled.",
                    "ID",
                    "    Return the ID of the current connection.",
                    "INFO",
                    "    Return information about the current client connection.",
                    "KILL <ip:port>",
                    "    Kill connection made from <ip:port>.",
                    "KILL <option> <value> [<option> <value> [...]]",
                    "    Kill connections. Options are:",
                    "    * ADDR (<ip:port>|<unixsocket>:0)",
                    "      Kill connections made from the specified address",
                    "    * LADDR (<ip:port>|<unixsocket>:0)",
                    "      Kill connections made to specified local address",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Kill connections by type.",
                    "    * USER <username>",
                    "      Kill connections authenticated by <username>.",
                    "    * SKIPME (YES|NO)",
                    "      Skip killing current connection (default: yes).",
                    "LIST [options ...]",
                    "    Return information about client connections. Options:",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Return clients of specified type.",
                    "SETNAME <name>",
                    "    Assign the name <name> to the current connection.",
                    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                    "    Unblock the specified blocked client.",
                    "NO-EVICT (ON|OFF)",
                    "    Protect current client connection from eviction.",
                    "NO-TOUCH (ON|OFF)",
                    "    Will not touch LRU/LFU stats when this mode is on.",
                });
}

constexpr uint32_t kSub = kNoScript | kLoading | kStale;
constexpr std::string_view kConn = "connection";

const Spec kClientSubcommands[] = {
    row("client|id", 2, kSub, client_id)
        .doc(kConn, "Returns the client ID for the current connection"),
    row("client|setname", 3, kSub, client_setname).doc(kConn, "Set the current connection name"),
    row("client|getname", 2, kSub, client_getname).doc(kConn, "Get the current connection name"),
    row("client|info", 2, kSub, client_info)
        .doc(kConn, "Returns information about the current client connection."),
    row("client|list", -2, kAdmin | kSub, client_list)
        .doc(kConn, "Get the list of client connections"),
    row("client|kill", -3, kAdmin | kSub, client_kill)
        .doc(kConn, "Kill the connection of a client"),
    row("client|unblock", -3, kAdmin | kSub, client_unblock)
        .doc(kConn, "Unblock a client blocked in a blocking command from a different connection"),
    row("client|no-evict", 3, kAdmin | kSub, client_on_off)
        .doc(kConn, "Set client eviction mode for the current connection"),
    row("client|no-touch", 3, kSub | kFast, client_on_off)
        .doc(kConn,
             "Controls whether commands sent by the client will alter the LRU/LFU of the keys they "
             "access."),
    row("client|getredir", 2, kSub, client_getredir)
        .doc(kConn, "Get tracking notifications redirection client ID if any"),
    row("client|help", 2, kLoading | kStale, client_help)
        .doc(kConn, "Show helpful text about the different subcommands"),
};

}  // namespace

void register_client_command(Table& t) {
  // The container's flags are what dispatch checks (auth, stale data): those of every
  // subcommand.
  t.add(row("client", -2, kLoading | kStale, run_subcommand)
            .doc(kConn, "A container for client connection commands")
            .subcommands(kClientSubcommands));
}

// One CLIENT LIST line (without the newline), fields as Redis 7.0 prints them. Figures basalt
// does not track per client (reply buffer internals, sharded pub/sub) are given as a client
// with none of them would show.
std::string client_info_line(const Client& cl, std::span<const std::string_view> argv) {
  uint64_t now = core::unix_time_ms();
  size_t argv_mem = 0;
  for (auto a : argv) argv_mem += a.size();
  size_t qbuf = cl.query_buffer_bytes;
  size_t qbuf_free = qbuf < 16 * 1024 ? 16 * 1024 - qbuf : 0;
  size_t omem = cl.output_buffer_bytes;
  size_t tot_mem = 1024 + qbuf + qbuf_free + argv_mem + omem + cl.name.size();
  auto secs = [now](uint64_t since_ms) { return since_ms < now ? (now - since_ms) / 1000 : 0; };
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub=0 "
      "multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 "
      "omem={} tot-mem={} events=r cmd={} user={} redir=-1 resp={}",
      cl.id, cl.addr, cl.laddr, cl.fd, cl.name, secs(cl.created_ms), secs(cl.last_interaction_ms),
      flags_of(cl), cl.db, cl.subscriptions - cl.pattern_subscriptions, cl.pattern_subscriptions,
      cl.in_multi ? static_cast<int64_t>(cl.multi_queue.size()) : int64_t{-1}, qbuf, qbuf_free,
      argv_mem, omem, tot_mem, cl.last_command,
      cl.user ? std::string_view(cl.user->name()) : std::string_view("default"),
      cl.protocol_version);
}

}  // namespace basalt::commands
