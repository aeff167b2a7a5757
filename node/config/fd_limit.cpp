// node/config/fd_limit.cpp — see fd_limit.h. Log texts follow Redis 7.0's.
#include "node/config/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "node/config/config.h"
#include "node/util/log.h"

namespace basalt::config {

bool adjust_open_files_limit(Config& config, std::string& error) {
  const rlim_t wanted = static_cast<rlim_t>(config.maxclients) + kReservedFds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == -1) {
    log::warn(
        "Unable to obtain the current NOFILE limit ({}), assuming 1024 and setting the max "
        "clients configuration accordingly.",
        std::strerror(errno));
    config.maxclients = std::min(config.maxclients, 1024 - kReservedFds);
    return true;
  }
  const rlim_t old_limit = limit.rlim_cur;
  if (old_limit >= wanted) return true;
  // Try the full need, then less and less (16 at a time), as Redis does.
  rlim_t best = wanted;
  int set_error = 0;
  while (best > old_limit) {
    // Past the hard limit only with CAP_SYS_RESOURCE.
    const rlimit next{best, std::max(limit.rlim_max, best)};
    if (setrlimit(RLIMIT_NOFILE, &next) == 0) break;
    set_error = errno;
    if (best < 16) {
      best = old_limit;
      break;
    }
    best -= 16;
  }
  best = std::max(best, old_limit);
  if (best >= wanted) {
    log::info("Increased maximum number of open files to {} (it was originally set to {}).",
              static_cast<unsigned long long>(wanted), static_cast<unsigned long long>(old_limit));
    return true;
  }
  if (best <= static_cast<rlim_t>(kReservedFds)) {
    error = "Your current 'ulimit -n' of " + std::to_string(best) +
            " is not enough for the server to start. Please increase your open file limit to at "
            "least " +
            std::to_string(kReservedFds + 1) + ". Exiting.";
    return false;
  }
  const int requested = config.maxclients;
  config.maxclients = static_cast<int>(best) - kReservedFds;
  log::warn("You requested maxclients of {} requiring at least {} max file descriptors.", requested,
            static_cast<unsigned long long>(wanted));
  log::warn("Server can't set maximum open files to {} because of OS error: {}.",
            static_cast<unsigned long long>(wanted), std::strerror(set_error));
  log::warn(
      "Current maximum open files is {}. maxclients has been reduced to {} to compensate for low "
      "ulimit. If you need higher maxclients increase 'ulimit -n'.",
      static_cast<unsigned long long>(best), config.maxclients);
  return true;
}

std::string check_maxclients_raise(const Config& before, Config& updated) {
  if (updated.maxclients <= before.maxclients) return "";
  const int requested = updated.maxclients;
  std::string error;
  if (!adjust_open_files_limit(updated, error) || updated.maxclients < requested) {
    log::warn(
        "Failed applying new configuration. Possibly related to new maxclients setting. "
        "Restoring previous settings.");
    return "The operating system is not able to handle the specified number of clients, try "
           "with " +
           std::to_string(updated.maxclients);
  }
  return "";
}

}  // namespace basalt::config
