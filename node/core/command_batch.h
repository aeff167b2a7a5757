// node/core/command_batch.h — the commands parsed from one read of a connection: argument
// views into the connection's buffer, grouped per command. Reused across reads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace basalt::core {

struct CommandBatch {
  std::vector<std::string_view> args;
  std::vector<std::pair<uint32_t, uint32_t>> commands;  // (first arg index, arg count)
  // For the stream from our master only: the exact bytes of each command, logged as is.
  std::vector<std::string_view> raw;

  size_t size() const { return commands.size(); }
  bool empty() const { return commands.empty(); }
  std::span<const std::string_view> command(size_t i) const {
    return {args.data() + commands[i].first, commands[i].second};
  }
  void clear() {
    args.clear();
    commands.clear();
    raw.clear();
  }
};

}  // namespace basalt::core
