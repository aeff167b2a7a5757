// node/config/config_file.cpp — reading the configuration: one directive (apply_directive),
// a redis.conf-style file (load_file, with its `user` lines kept for the ACL) and the command
// line (parse_args: `basalt [config-file] [--directive value ...]`).
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "node/config/config.h"
#include "node/protocol/request_parser.h"

namespace basalt::config {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

bool apply_directive(Config& config, const std::string& name, const std::string& value,
                     bool at_runtime, std::string& error) {
  const auto* entry = ConfigTable::instance().find(name);
  if (!entry) {
    error = "Bad directive or wrong number of arguments";
    return false;
  }
  if (at_runtime && !entry->mutable_at_runtime) {
    error = "can't set immutable config";
    return false;
  }
  return entry->set(config, value, error);
}

namespace {
// A `user` directive (config file or --user): kept for the ACL to apply at start.
bool add_user_line(Config& config, const std::string& value, std::string& error) {
  if (value.empty()) {
    error = "Bad directive or wrong number of arguments";
    return false;
  }
  config.user_lines.push_back(value);
  return true;
}

bool apply_line(Config& config, std::string line, std::string& error) {
  std::vector<protocol::ArgSpan> spans;
  if (!protocol::split_inline_args(line.data(), line.size(), spans)) {
    error = "Unbalanced quotes in configuration line";
    return false;
  }
  if (spans.empty()) return true;
  std::string name = lower(line.substr(spans[0].offset, spans[0].length));
  std::string value;
  for (size_t i = 1; i < spans.size(); ++i) {
    if (i > 1) value += ' ';
    value += line.substr(spans[i].offset, spans[i].length);
  }
  if (name == "include") return load_file(config, value, error);
  if (name == "user") return add_user_line(config, value, error);
  return apply_directive(config, name, value, false, error);
}
}  // namespace

bool load_file(Config& config, const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "Fatal error, can't open config file '" + path + "'";
    return false;
  }
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string why;
    if (!apply_line(config, line, why)) {
      error = "*** FATAL CONFIG FILE ERROR ***\nReading the configuration file, at line " +
              std::to_string(lineno) + "\n>>> '" + line + "'\n" + why;
      return false;
    }
  }
  return true;
}

ArgsOutcome parse_args(Config& config, int argc, char** argv, std::string& error) {
  int i = 1;
  if (argc >= 2) {
    std::string first = argv[1];
    if (first == "-h" || first == "--help") return ArgsOutcome::Help;
    if (first == "-v" || first == "--version") return ArgsOutcome::Version;
    if (first.rfind("--", 0) != 0) {
      std::error_code ec;
      auto abs = std::filesystem::absolute(first, ec);
      config.config_file = ec ? first : abs.string();
      if (!load_file(config, config.config_file, error)) return ArgsOutcome::Error;
      i = 2;
    }
  }
  while (i < argc) {
    std::string opt = argv[i];
    if (opt == "-h" || opt == "--help") return ArgsOutcome::Help;
    if (opt == "-v" || opt == "--version") return ArgsOutcome::Version;
    if (opt.rfind("--", 0) != 0 || opt.size() == 2) {
      error = "Unexpected argument '" + opt + "' (options look like --port 6380)";
      return ArgsOutcome::Error;
    }
    std::string name = lower(opt.substr(2));
    std::string value;
    int j = i + 1;
    for (; j < argc && std::string(argv[j]).rfind("--", 0) != 0; ++j) {
      if (j > i + 1) value += ' ';
      value += argv[j];
    }
    if (j == i + 1) {
      error = "Option '--" + name + "' needs a value";
      return ArgsOutcome::Error;
    }
    std::string why;
    if (name == "user" ? !add_user_line(config, value, why)
                       : !apply_directive(config, name, value, false, why)) {
      error = "Bad option '--" + name + " " + value + "': " + why;
      return ArgsOutcome::Error;
    }
    i = j;
  }
  return ArgsOutcome::Run;
}

}  // namespace basalt::config
