// tests/support/differential.h — owns the machinery of differential tests, which send the same
// commands to basalt and to Debian's redis-server (RedisOracle) and compare the raw replies:
// the two servers with a client each (ServerPair), a seeded random source and a weighted choice
// among command generators (SeededRandom, WeightedChoice), whole SCAN-family iterations
// (scan_all), and the runner that sends N generated commands to both servers and reports the
// first mismatch with the seed, the step number and the commands before it (RandomRun).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "tests/support/resp_client.h"
#include "tests/support/servers.h"

namespace basalt::test {

using Command = std::vector<std::string>;

// `"SET" "k" "v"`: each argument quoted, escaped and cut at max_arg_len bytes (for messages).
std::string render_command(const Command& args, size_t max_arg_len = 80);

// `why`, then both raw replies escaped, one per line (for messages).
std::string describe_mismatch(std::string_view why, std::string_view ours, std::string_view theirs);

// ---------------------------------------------------------------------------------------------
// The two servers.

// A basalt server and a redis-server, both started on free loopback ports, with one client
// connected to each. Check RedisOracle::available() first (GTEST_SKIP without it).
class ServerPair {
 public:
  ServerPair();

  BasaltServer& basalt() { return basalt_; }
  RedisOracle& redis() { return redis_; }
  RespClient& ours() { return *ours_; }
  RespClient& theirs() { return *theirs_; }

  struct Replies {
    std::string ours, theirs;
  };
  // Sends args to both; their raw replies.
  Replies send(const Command& args);
  // Sends args to both and asks judge(ours, theirs) whether the raw replies agree: "" if they
  // do, else why not. Returns "" or describe_mismatch(why, ...).
  std::string check(
      const Command& args,
      const std::function<std::string(const std::string& ours, const std::string& theirs)>& judge);
  // check() requiring the raw replies to be equal byte for byte.
  std::string same(const Command& args);
  // same() for each command: "" if all agree, else each differing command and its mismatch.
  std::string same_all(const std::vector<Command>& commands);

 private:
  BasaltServer basalt_;
  RedisOracle redis_;
  std::optional<RespClient> ours_, theirs_;
};

// A whole SCAN / HSCAN / SSCAN / ZSCAN iteration: sends args (the cursor at args[cursor_at],
// normally "0") again with each cursor returned until it is "0". `items` holds every element
// received, in order. `error` is "" or, when the iteration stopped early, a one-line RESP error:
// the server's error reply as sent, or a description of a reply that is not [cursor, [elements]]
// or of an iteration that does not end.
struct ScanResult {
  std::vector<std::string> items;
  std::string error;
};
ScanResult scan_all(RespClient& client, Command args, size_t cursor_at);

// ---------------------------------------------------------------------------------------------
// Random commands.

// Seeded random choices for command generators (std::mt19937_64): the same seed gives the same
// choices. Not copyable: a copy would repeat the same choices.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  SeededRandom(const SeededRandom&) = delete;
  SeededRandom& operator=(const SeededRandom&) = delete;

  // Uniform in [lo, hi].
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(engine_); }
  // True with a probability of `percent` in 100.
  bool chance(int percent) { return uniform(0, 99) < percent; }
  // One of `items` (not empty), each as likely.
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(uniform(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  std::mt19937_64 engine_;
};

// A weighted choice among the command generators of a Generator (a class derived publicly from
// SeededRandom). Each option is a weight and a callable taking the generator: a member function
// pointer (`&Generator::set`, private ones too when the table is built inside the class) or a
// lambda. next() draws uniform(0, total weight - 1) from the generator and calls the option whose
// weight range holds the draw, so the order and weights of a table fix the command sequence of a
// seed.
template <class Generator, class Result>
class WeightedChoice {
 public:
  struct Option {
    int weight;
    std::function<Result(Generator&)> generate;
  };

  WeightedChoice(std::initializer_list<Option> options) : options_(options) {
    for (const Option& o : options_) {
      if (o.weight <= 0 || !o.generate) throw std::invalid_argument("WeightedChoice: bad option");
      total_ += o.weight;
    }
    if (options_.empty()) throw std::invalid_argument("WeightedChoice: no options");
  }

  Result next(Generator& generator) const {
    static_assert(std::is_base_of_v<SeededRandom, Generator>);
    int draw = generator.uniform(0, total_ - 1);
    for (const Option& o : options_) {
      if (draw < o.weight) return o.generate(generator);
      draw -= o.weight;
    }
    return options_.back().generate(generator);  // not reached: the draw is below the total
  }

 private:
  std::vector<Option> options_;
  int total_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The runner.

// A generated command and how its replies are compared: `Compare` is the test's own enum with
// an `Exact` value (the default).
template <class Compare>
struct ComparedStep {
  Command args;
  Compare compare = Compare::Exact;
};

// The command a generated step sends: the step itself if it is a Command, else its `args`.
inline const Command& command_of(const Command& step) {
  return step;
}
template <class Step>
const Command& command_of(const Step& step) {
  return step.args;
}

// What a RandomRun did.
struct [[nodiscard]] RandomRunResult {
  bool matched() const { return report.empty(); }
  // counts[name], 0 if never sent.
  int count(const std::string& name) const {
    const auto it = counts.find(name);
    return it == counts.end() ? 0 : it->second;
  }

  // "" if every command (and checkpoint) agreed; else the first mismatch: the seed, the step
  // number, the command, why (both replies) and the commands before it, oldest first.
  std::string report;
  std::map<std::string, int> counts;  // the commands that agreed, by name (args[0] as sent)
};

// A random differential run of `steps` commands. For each: next() makes the step (a Command, or
// a struct with the Command in `args` and how to compare its replies), check() sends it to both
// servers and returns "" if they agree, else why not (see ServerPair::check; an exception counts
// as a mismatch). Optionally, every `every` commands, checkpoint() compares more (e.g. the whole
// data sets): "" or what differs. The seed is the one the caller gave its generator; it is only
// reported. Usage:
//   const RandomRunResult run = RandomRun<Step>(seed, 2000, next, check).history(15).run();
//   ASSERT_TRUE(run.matched()) << run.report;
template <class Step>
class RandomRun {
 public:
  RandomRun(uint64_t seed, int steps, std::function<Step()> next,
            std::function<std::string(const Step&)> check)
      : seed_(seed), steps_(steps), next_(std::move(next)), check_(std::move(check)) {}

  // How many commands before a mismatch the report lists (default 12).
  RandomRun& history(size_t commands) {
    history_ = commands;
    return *this;
  }
  // After every `every` commands, compare() too ("" or what differs).
  RandomRun& checkpoint(int every, std::function<std::string()> compare) {
    checkpoint_every_ = every;
    checkpoint_ = std::move(compare);
    return *this;
  }

  // Runs it; stops at the first mismatch.
  RandomRunResult run() const;

 private:
  uint64_t seed_;
  int steps_;
  std::function<Step()> next_;
  std::function<std::string(const Step&)> check_;
  size_t history_ = 12;
  int checkpoint_every_ = 0;
  std::function<std::string()> checkpoint_;
};

namespace detail {

// A run's bookkeeping, kept out of the template: counts, the last commands, the reports.
class RunLog {
 public:
  RunLog(uint64_t seed, size_t history);
  void agreed(int step, const Command& args);
  RandomRunResult mismatch(int step, const Command& args, const std::string& why);
  RandomRunResult checkpoint_failed(int step, const std::string& what);
  RandomRunResult finish();

 private:
  RandomRunResult result(std::string report);

  uint64_t seed_;
  size_t history_;
  std::vector<std::string> recent_;  // oldest first, at most history_
  std::map<std::string, int> counts_;
};

}  // namespace detail

template <class Step>
RandomRunResult RandomRun<Step>::run() const {
  detail::RunLog log(seed_, history_);
  for (int i = 0; i < steps_; ++i) {
    const Step step = next_();
    const Command& args = command_of(step);
    std::string why;
    try {
      why = check_(step);
    } catch (const std::exception& e) {  // e.g. a malformed reply or a dropped connection
      why = std::string("exception: ") + e.what();
    }
    if (!why.empty()) return log.mismatch(i, args, why);
    log.agreed(i, args);
    if (checkpoint_every_ > 0 && (i + 1) % checkpoint_every_ == 0) {
      const std::string what = checkpoint_();
      if (!what.empty()) return log.checkpoint_failed(i, what);
    }
  }
  return log.finish();
}

}  // namespace basalt::test
