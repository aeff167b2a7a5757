// node/config/fd_limit.h — fitting maxclients to the process's descriptor limit (at start, and
// when CONFIG SET raises it), as Redis's adjustOpenFilesLimit: maxclients + 32 reserved
// descriptors are needed; the soft RLIMIT_NOFILE is raised if it can be, else maxclients is
// lowered to what fits, with a log.
#pragma once

#include <string>

namespace basalt::config {

struct Config;

inline constexpr int kReservedFds = 32;  // Redis's CONFIG_MIN_RESERVED_FDS

// Adjusts the limit and config.maxclients. False (with `error`) if not even one client fits.
bool adjust_open_files_limit(Config& config, std::string& error);

// CONFIG SET maxclients: a raise the descriptor limit cannot hold fails as in Redis 7.0
// ("The operating system is not able to handle the specified number of clients, try with N",
// N = what fits). "" when `updated.maxclients` fits (the limit may have been raised for it).
std::string check_maxclients_raise(const Config& before, Config& updated);

}  // namespace basalt::config
