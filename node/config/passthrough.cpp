// node/config/passthrough.cpp — the redis.conf directives basalt accepts (so existing files
// load) but does not act on; CONFIG GET shows what was set.
#include "node/config/config.h"

namespace basalt::config {

const std::set<std::string>& passthrough_directives() {
  static const std::set<std::string> names = {"save",
                                              "appendonly",
                                              "appendfsync",
                                              "appendfilename",
                                              "appenddirname",
                                              "dbfilename",
                                              "daemonize",
                                              "supervised",
                                              "always-show-logo",
                                              "set-proc-title",
                                              "stop-writes-on-bgsave-error",
                                              "rdbcompression",
                                              "rdbchecksum",
                                              "lazyfree-lazy-eviction",
                                              "lazyfree-lazy-expire",
                                              "lazyfree-lazy-server-del",
                                              "replica-lazy-flush",
                                              "lazyfree-lazy-user-del",
                                              "io-threads",
                                              "latency-monitor-threshold",
                                              "notify-keyspace-events",
                                              "activerehashing",
                                              "repl-diskless-sync",
                                              "repl-diskless-sync-delay",
                                              "repl-diskless-load",
                                              "repl-disable-tcp-nodelay",
                                              "syslog-enabled",
                                              "syslog-ident",
                                              "aof-use-rdb-preamble",
                                              "unixsocket",
                                              "unixsocketperm",
                                              "enable-protected-configs",
                                              "jemalloc-bg-thread",
                                              "activedefrag",
                                              "dynamic-hz",
                                              "oom-score-adj",
                                              "no-appendfsync-on-rewrite",
                                              "auto-aof-rewrite-percentage",
                                              "auto-aof-rewrite-min-size",
                                              "aof-load-truncated",
                                              "aof-timestamp-enabled",
                                              "repl-backlog-ttl",
                                              "crash-log-enabled",
                                              "databases-compat"};
  return names;
}

}  // namespace basalt::config
