// node/server/fd_limit.h — fitting maxclients to the process's descriptor limit at start, as
// Redis's adjustOpenFilesLimit: maxclients + 32 reserved descriptors are needed; the soft
// RLIMIT_NOFILE is raised if it can be, else maxclients is lowered to what fits, with a log.
#pragma once

#include <string>

namespace basalt::config {
struct Config;
}

namespace basalt::server {

inline constexpr int kReservedFds = 32;  // Redis's CONFIG_MIN_RESERVED_FDS

// Adjusts the limit and config.maxclients. False (with `error`) if not even one client fits.
bool adjust_open_files_limit(config::Config& config, std::string& error);

}  // namespace basalt::server
