// tests/support/tmpfs.h — owns small tmpfs mounts for disk-full tests: a TempDir with a tmpfs
// of a given size mounted on it (unmounted on destruction), and a ballast file that fills it
// to a chosen free space and can be removed to give the space back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/temp_dir.h"

namespace basalt::test {

class TmpfsMount {
 public:
  // Mounts a tmpfs of `bytes` on a fresh temp dir. Check mounted() (false when the process
  // may not mount, e.g. an unprivileged container; why() says why).
  explicit TmpfsMount(uint64_t bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  const std::filesystem::path& path() const { return dir_.path(); }

  // Free bytes on the mount now.
  uint64_t free_bytes() const;
  // Writes a ballast file that leaves about `leave` bytes free (the file grows until then).
  void fill_leaving(uint64_t leave);
  // Deletes the ballast file: the space comes back.
  void drain();

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string why_;
};

}  // namespace basalt::test
