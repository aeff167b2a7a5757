// node/core/command_batch.h — the commands parsed from one read of a connection: argument
// views into the connection's buffer, grouped per command, each with its table row looked up
// once when it was read (every later step reads the row, never the table). Reused across reads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "node/core/command_spec.h"

namespace basalt::core {

struct CommandBatch {
  std::vector<std::string_view> args;
  std::vector<std::pair<uint32_t, uint32_t>> commands;  // (first arg index, arg count)
  std::vector<const CommandSpec*> specs;                // per command; null: unknown name
  // For the stream from our master only: the exact bytes of each command, logged as is.
  std::vector<std::string_view> raw;

  size_t size() const { return commands.size(); }
  bool empty() const { return commands.empty(); }
  std::span<const std::string_view> command(size_t i) const {
    return {args.data() + commands[i].first, commands[i].second};
  }
  const CommandSpec* spec(size_t i) const { return specs[i]; }
  // Adds the command made of the last `count` arguments appended to `args`.
  void add_command(uint32_t count, const CommandSpec* row) {
    commands.emplace_back(static_cast<uint32_t>(args.size()) - count, count);
    specs.push_back(row);
  }
  void clear() {
    args.clear();
    commands.clear();
    specs.clear();
    raw.clear();
  }
};

}  // namespace basalt::core
