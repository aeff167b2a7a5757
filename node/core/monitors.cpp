// node/core/monitors.cpp — see monitors.h.
#include "node/core/monitors.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <chrono>

#include "node/core/client.h"
#include "node/core/redaction.h"
#include "node/util/repr.h"

namespace basalt::core {

void Monitors::add(Client& c) {
  if (std::find(clients_.begin(), clients_.end(), &c) == clients_.end()) clients_.push_back(&c);
  c.is_monitor = true;
}

void Monitors::remove(Client& c) {
  std::erase(clients_, &c);
  c.is_monitor = false;
}

void Monitors::feed(const Client& from, uint16_t db, std::span<const std::string_view> argv,
                    const OutputLimitCheck& check) {
  if (clients_.empty()) return;
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string line = fmt::format("+{}.{:06} [{} {}] ", now / 1000000, now % 1000000, db,
                                 from.is_master_link ? std::string("master") : from.addr);
  for (size_t i = 0; i < argv.size(); ++i) {
    if (i > 0) line += ' ';
    util::append_repr(line, is_secret_argument(argv, i) ? std::string_view("(redacted)") : argv[i]);
  }
  line += "\r\n";
  // Copy: a monitor closed for its limit leaves the list.
  std::vector<Client*> monitors = clients_;
  for (Client* m : monitors) push_to_client(*m, line, check);
}

}  // namespace basalt::core
