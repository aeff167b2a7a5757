// tests/support/legacy_lists.cpp — see legacy_lists.h. expected() mirrors write_contents,
// write_before_kill and expected of tests/fixtures/make_legacy_lists.py.
#include "tests/support/legacy_lists.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>

#include "tests/support/process.h"

#ifndef BASALT_SOURCE_DIR
#error "BASALT_SOURCE_DIR must be defined (the source tree, for tests/fixtures)"
#endif

namespace basalt::test::legacy_lists {
namespace fs = std::filesystem;
namespace {

std::string wide(int i) {
  return "w-" + std::to_string(i) + "-" +
         std::string(static_cast<size_t>(257 + 13 * i), static_cast<char>('a' + i % 26));
}

std::string big_right(int i) {
  std::string e = "bR-" + std::to_string(i);
  if (i % 500 == 7) e += "-" + std::string(600, 'y');
  return e;
}

std::vector<std::string> numbered(const std::string& prefix, int from, int to, bool reversed) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
  if (reversed) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

Lists expected(Fixture fixture) {
  std::vector<std::string> shorts = numbered("s-", 1, 11, false);
  shorts[3] = "s-set";
  shorts.insert(shorts.begin() + 4, "s-ins");
  std::vector<std::string> big = numbered("bL-", 0, 1000, true);
  for (int i = 0; i < 4000; ++i) big.push_back(big_right(i));
  std::vector<std::string> mid =
      concat(numbered("mL-", 0, 500, true), numbered("mR-", 0, 2500, false));
  std::vector<std::string> db1 = numbered("d1L-", 0, 200, true);
  if (fixture == Fixture::Kill9) {
    big = concat(big, numbered("k9-", 0, 10, false));
    mid.insert(mid.begin(), "k9-m");
    shorts[0] = "k9-s";
    db1.pop_back();
  }
  std::vector<std::string> wides;
  for (int i = 0; i < 100; ++i) wides.push_back(wide(i));
  return {
      {{0, "list:short"}, shorts},
      {{0, "list:big"}, big},
      {{0, "list:mid"}, mid},
      {{0, "list:wide"}, wides},
      {{0, "list:ttl"}, numbered("t-", 0, 20, false)},
      {{1, "list:short"}, numbered("d1-", 0, 30, false)},
      {{1, "list:db1"}, db1},
  };
}

Unpacked::Unpacked(Fixture fixture) : tmp_("basalt-legacy-lists-") {
  const fs::path tarball =
      fs::path(BASALT_SOURCE_DIR) / "tests" / "fixtures" /
      (fixture == Fixture::Shutdown ? "legacy-lists-shutdown.tar.gz" : "legacy-lists-kill9.tar.gz");
  if (!fs::exists(tarball)) throw std::runtime_error("missing fixture " + tarball.string());
  Process tar({"tar", "-xzf", tarball.string(), "-C", tmp_.path().string()},
              tmp_.path() / "tar.log");
  const auto status = tar.wait_exit(std::chrono::seconds(60));
  if (status != 0) throw std::runtime_error("tar -xzf " + tarball.string() + " failed");
  std::ifstream state(tmp_.path() / "state.txt");
  std::string word;
  while (state >> word) {
    if (word == "replid") state >> replid_;
    if (word == "offset") state >> offset_;
    if (word == "commit") state >> word;
  }
  if (replid_.empty() || offset_ < 0) throw std::runtime_error("fixture without state.txt");
}

void Unpacked::install(const std::string& node, const ServerProcess& server) const {
  const fs::path from = tmp_.path() / node;
  if (!fs::is_directory(from)) throw std::runtime_error("fixture has no " + node + "/");
  fs::remove_all(server.data_dir());
  fs::copy(from, server.data_dir(), fs::copy_options::recursive);
}

}  // namespace basalt::test::legacy_lists
