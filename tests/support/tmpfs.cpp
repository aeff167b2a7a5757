// tests/support/tmpfs.cpp — see tmpfs.h.
#include "tests/support/tmpfs.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace basalt::test {

TmpfsMount::TmpfsMount(uint64_t bytes) : dir_("basalt-tmpfs-") {
  std::string options = "size=" + std::to_string(bytes);
  if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
    mounted_ = true;
  } else {
    why_ = std::string("mount tmpfs on ") + dir_.path().string() + ": " + std::strerror(errno);
  }
}

TmpfsMount::~TmpfsMount() {
  if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
}

uint64_t TmpfsMount::free_bytes() const {
  struct statvfs st {};
  if (::statvfs(dir_.path().c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

void TmpfsMount::fill_leaving(uint64_t leave) {
  std::ofstream out(dir_.path() / "ballast", std::ios::binary | std::ios::app);
  std::vector<char> chunk(64 * 1024, 'b');
  while (free_bytes() > leave + chunk.size()) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    out.flush();
    if (!out) break;
  }
  uint64_t rest = free_bytes() > leave ? free_bytes() - leave : 0;
  if (rest > 0)
    out.write(chunk.data(), static_cast<std::streamsize>(std::min<uint64_t>(rest, chunk.size())));
}

void TmpfsMount::drain() {
  std::error_code ec;
  std::filesystem::remove(dir_.path() / "ballast", ec);
}

}  // namespace basalt::test
