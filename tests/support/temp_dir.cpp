// tests/support/temp_dir.cpp — owns temporary directories for tests (see temp_dir.h).
#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace basalt::test {
namespace fs = std::filesystem;
namespace {

// Gives the owner rwx on every directory of the tree so remove_all can descend into and empty
// directories a test made read-only. Never follows symlinks.
void make_tree_writable(const fs::path& p) noexcept {
  try {
    std::error_code ec;
    if (fs::symlink_status(p, ec).type() != fs::file_type::directory || ec) return;
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::add, ec);
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      make_tree_writable(it->path());
    }
  } catch (...) {
    // Best effort only.
  }
}

void remove_tree(const fs::path& p) noexcept {
  if (p.empty()) return;
  try {
    std::error_code ec;
    fs::remove_all(p, ec);
    if (!ec) return;
    make_tree_writable(p);
    fs::remove_all(p, ec);
  } catch (...) {
    // A destructor must not throw; a leftover directory under /tmp is harmless.
  }
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
  std::string templ = (fs::path("/tmp") / (prefix + "XXXXXX")).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    throw std::runtime_error("TempDir: mkdtemp(" + templ + ") failed: " + std::strerror(errno));
  }
  path_ = fs::path(buf.data());
}

TempDir::~TempDir() {
  remove_tree(path_);
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, fs::path())) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove_tree(path_);
    path_ = std::exchange(other.path_, fs::path());
  }
  return *this;
}

fs::path TempDir::release() noexcept {
  return std::exchange(path_, fs::path());
}

}  // namespace basalt::test
