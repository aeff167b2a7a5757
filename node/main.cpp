// node/main.cpp — the `basalt` binary: parse options, open the data directory, listen, run.
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "http/admin_server.h"
#include "node/app/node_app.h"
#include "node/commands/command_table.h"
#include "node/config/config.h"
#include "node/config/fd_limit.h"
#include "node/core/node.h"
#include "node/server/server.h"
#include "node/util/log.h"

namespace {

int run(basalt::config::Config config) {
  namespace asio = boost::asio;
  std::string error;
  if (!basalt::config::adjust_open_files_limit(config, error)) {
    basalt::log::error("{}", error);
    std::fprintf(stderr, "basalt: %s\n", error.c_str());
    return 1;
  }
  asio::io_context io(1);
  auto app = std::make_unique<basalt::app::NodeApp>(io, std::move(config));
  if (!app->open(error)) {
    basalt::log::error("{}", error);
    std::fprintf(stderr, "basalt: %s\n", error.c_str());
    return 1;
  }
  basalt::core::Node* node = &app->node();
  basalt::server::Server server(*node);
  if (!server.listen(error)) {
    basalt::log::error("{}", error);
    std::fprintf(stderr, "basalt: %s\n", error.c_str());
    return 1;
  }
  node->set_tls_port_mover(
      [&server](int port, std::string& why) { return server.change_tls_port(port, why); });
  basalt::http::AdminServer admin(*app);
  if (node->config().http_port != 0 && !admin.listen(error)) {
    basalt::log::error("{}", error);
    std::fprintf(stderr, "basalt: %s\n", error.c_str());
    return 1;
  }
  node->add_shutdown_hook([&server, &admin] {
    server.stop();
    admin.stop();
  });
  if (!node->config().pidfile.empty()) {
    std::ofstream(node->config().pidfile) << getpid() << '\n';
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([node](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    basalt::log::warn("received {}, scheduling shutdown...", sig == SIGINT ? "SIGINT" : "SIGTERM");
    node->shutdown(false);
  });

  app->start();
  server.start();
  admin.start();
  basalt::log::info("basalt {} ready to accept connections on {} port {}{}", BASALT_VERSION,
                    node->config().bind, node->config().port,
                    node->config().tls_port
                        ? " and tls-port " + std::to_string(node->config().tls_port)
                        : std::string());
  io.run();
  if (!node->config().pidfile.empty()) std::remove(node->config().pidfile.c_str());
  return 0;
}

}  // namespace

// `basalt --commands`: the supported commands as a markdown table, generated from the
// command table (the README's list is this output; a test keeps them equal).
int print_commands() {
  basalt::commands::Table table;
  std::vector<const basalt::commands::Spec*> specs;
  for (const auto& spec : table.all()) specs.push_back(&spec);
  std::sort(specs.begin(), specs.end(), [](auto* a, auto* b) {
    return a->group != b->group ? a->group < b->group : a->name < b->name;
  });
  std::printf("| group | command | arity | summary |\n|---|---|---:|---|\n");
  for (const auto* spec : specs) {
    std::string name(spec->name);
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    std::printf("| %.*s | %s | %d | %.*s |\n", static_cast<int>(spec->group.size()),
                spec->group.data(), name.c_str(), spec->arity,
                static_cast<int>(spec->summary.size()), spec->summary.data());
  }
  return 0;
}

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  if (argc == 2 && std::string(argv[1]) == "--commands") return print_commands();
  basalt::config::Config config;
  std::string error;
  switch (basalt::config::parse_args(config, argc, argv, error)) {
    case basalt::config::ArgsOutcome::Help:
      std::fputs(basalt::config::usage().c_str(), stdout);
      return 0;
    case basalt::config::ArgsOutcome::Version:
      std::printf("basalt v=%s (Redis-compatible; RESP2, replication log on RocksDB)\n",
                  BASALT_VERSION);
      return 0;
    case basalt::config::ArgsOutcome::Error:
      std::fprintf(stderr, "basalt: %s\nRun 'basalt --help' for the options.\n", error.c_str());
      return 1;
    case basalt::config::ArgsOutcome::Run:
      break;
  }
  if (!basalt::log::init(config.logfile, config.loglevel, error)) {
    std::fprintf(stderr, "basalt: %s\n", error.c_str());
    return 1;
  }
  try {
    return run(std::move(config));
  } catch (const std::exception& e) {
    basalt::log::error("fatal: {}", e.what());
    std::fprintf(stderr, "basalt: fatal: %s\n", e.what());
    return 1;
  }
}
