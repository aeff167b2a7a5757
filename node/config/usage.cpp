// node/config/usage.cpp — the text of `basalt --help`.
#include <string>

#include "node/config/config.h"

namespace basalt::config {

std::string usage() {
  return "Usage: basalt [/path/to/basalt.conf] [options]\n"
         "       basalt -v or --version\n"
         "       basalt -h or --help\n"
         "       basalt --commands     (the supported commands, as a markdown table)\n\n"
         "Options are any configuration directive, prefixed with '--':\n"
         "  --port 6379              TCP port for RESP clients (default 6379)\n"
         "  --bind 127.0.0.1         address to listen on (default 127.0.0.1)\n"
         "  --dir ./data             RocksDB data directory (default ./data)\n"
         "  --databases 16           number of logical databases\n"
         "  --wal-sync everysec      always | everysec | no\n"
         "  --replicaof \"host port\"  start as a replica\n"
         "  --tls-port 0             TCP port for RESP clients over TLS (0 = off; needs\n"
         "                           --tls-cert-file, --tls-key-file, --tls-ca-cert-file)\n"
         "  --http-port 0            admin HTTP API port (0 = off)\n"
         "  --http-token <secret>    bearer token the admin API requires (needed beyond "
         "loopback)\n\n"
         "Examples:\n"
         "  basalt --port 7777 --dir /var/lib/basalt\n"
         "  basalt /etc/basalt.conf --loglevel verbose\n";
}

}  // namespace basalt::config
