// tests/support/differential.cpp — the machinery of differential tests against redis-server
// (see differential.h).
#include "tests/support/differential.h"

#include <sstream>
#include <utility>

namespace basalt::test {

std::string render_command(const Command& args, size_t max_arg_len) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    out += '"' + escape_bytes(a, max_arg_len) + '"';
  }
  return out;
}

std::string describe_mismatch(std::string_view why, std::string_view ours,
                              std::string_view theirs) {
  return std::string(why) + "\n    basalt: " + escape_bytes(ours, 1000) +
         "\n    redis:  " + escape_bytes(theirs, 1000);
}

// ---------------------------------------------------------------------------------------------
// ServerPair

ServerPair::ServerPair() {
  basalt_.start();
  redis_.start();
  ours_.emplace(basalt_.client());
  theirs_.emplace(redis_.client());
}

ServerPair::Replies ServerPair::send(const Command& args) {
  Replies r;
  r.ours = ours_->command_raw(args);
  r.theirs = theirs_->command_raw(args);
  return r;
}

std::string ServerPair::check(
    const Command& args,
    const std::function<std::string(const std::string& ours, const std::string& theirs)>& judge) {
  const Replies r = send(args);
  const std::string why = judge(r.ours, r.theirs);
  return why.empty() ? "" : describe_mismatch(why, r.ours, r.theirs);
}

std::string ServerPair::same(const Command& args) {
  return check(args, [](const std::string& ours, const std::string& theirs) {
    return ours == theirs ? "" : "replies differ";
  });
}

std::string ServerPair::same_all(const std::vector<Command>& commands) {
  std::string out;
  for (const Command& args : commands) {
    const std::string why = same(args);
    if (!why.empty()) out += render_command(args) + ": " + why + "\n";
  }
  return out;
}

ScanResult scan_all(RespClient& client, Command args, size_t cursor_at) {
  ScanResult out;
  for (int round = 0;; ++round) {
    if (round > 100'000) {
      out.error = "-scan did not terminate\r\n";
      return out;
    }
    const std::string raw = client.command_raw(args);
    const Reply r = parse_reply(raw);
    if (r.type == Reply::Error) {
      out.error = raw;
      return out;
    }
    if (r.type != Reply::Array || r.elements.size() != 2) {
      out.error = "-bad scan reply " + escape_bytes(raw) + "\r\n";
      return out;
    }
    for (const Reply& e : r.elements[1].elements) out.items.push_back(e.str);
    args.at(cursor_at) = r.elements[0].str;
    if (args[cursor_at] == "0") return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The runner's bookkeeping

namespace detail {

RunLog::RunLog(uint64_t seed, size_t history) : seed_(seed), history_(history) {}

void RunLog::agreed(int step, const Command& args) {
  ++counts_[args.empty() ? "" : args[0]];
  if (history_ == 0) return;
  if (recent_.size() == history_) recent_.erase(recent_.begin());
  recent_.push_back("#" + std::to_string(step) + " " + render_command(args));
}

RandomRunResult RunLog::mismatch(int step, const Command& args, const std::string& why) {
  std::ostringstream report;
  report << "seed " << seed_ << ", command #" << step << ": " << render_command(args) << "\n  "
         << why << "\n  preceding commands (oldest first):\n";
  for (const std::string& r : recent_) report << "    " << r << "\n";
  return result(report.str());
}

RandomRunResult RunLog::checkpoint_failed(int step, const std::string& what) {
  return result("seed " + std::to_string(seed_) + " after #" + std::to_string(step) + ":\n" + what);
}

RandomRunResult RunLog::finish() {
  return result("");
}

RandomRunResult RunLog::result(std::string report) {
  RandomRunResult r;
  r.report = std::move(report);
  r.counts = counts_;
  return r;
}

}  // namespace detail
}  // namespace basalt::test
