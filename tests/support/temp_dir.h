// tests/support/temp_dir.h — owns temporary directories for tests: TempDir creates a fresh
// directory under /tmp and removes it, with everything inside, when it goes out of scope.
#pragma once

#include <filesystem>
#include <string>

namespace basalt::test {

class TempDir {
 public:
  // Creates /tmp/<prefix>XXXXXX (mkdtemp). Throws std::runtime_error on failure.
  explicit TempDir(const std::string& prefix = "basalt-test-");
  // Removes the directory recursively (also read-only subtrees); never throws.
  ~TempDir();

  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Moving transfers ownership; the moved-from object owns nothing and removes nothing.
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  // Absolute path of the directory (empty after being moved from or released).
  const std::filesystem::path& path() const { return path_; }

  // Gives up ownership: the directory is left on disk (e.g. to inspect it after a failure).
  std::filesystem::path release() noexcept;

 private:
  std::filesystem::path path_;
};

}  // namespace basalt::test
