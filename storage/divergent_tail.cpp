// storage/divergent_tail.cpp — see divergent_tail.h.
#include "storage/divergent_tail.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace basalt::storage {

namespace {
bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}
}  // namespace

bool save_log_range(const ReplLog& log, uint64_t first, uint64_t last,
                    const std::filesystem::path& dir, const std::string& replid, DivergentTail& out,
                    std::string& error) {
  out = DivergentTail{};
  uint64_t held = log.first_offset();
  if (held == 0 || held > last) {
    out.complete = false;
    error =
        "the log no longer holds offsets " + std::to_string(first) + ".." + std::to_string(last);
    return false;
  }
  if (held > first) {
    out.complete = false;
    first = held;
  }
  out.from = first;
  out.to = last;
  out.file = dir / ("divergent-" + replid + "-" + std::to_string(first) + "-" +
                    std::to_string(last) + ".resp");
  std::filesystem::path tmp = out.file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = "can't create " + tmp.string() + ": " + std::strerror(errno);
    return false;
  }
  bool ok = true;
  std::string chunk;
  for (uint64_t at = first; ok && at <= last;) {
    chunk.clear();
    if (!log.read(at, last, 1 << 20, chunk) || chunk.empty()) {
      error = "can't read the log at offset " + std::to_string(at);
      ok = false;
      break;
    }
    if (chunk.size() > last - at + 1) chunk.resize(last - at + 1);
    if (!write_all(fd, chunk)) {
      error = "can't write " + tmp.string() + ": " + std::strerror(errno);
      ok = false;
    }
    at += chunk.size();
  }
  if (ok && ::fsync(fd) != 0) {
    error = "can't sync " + tmp.string() + ": " + std::strerror(errno);
    ok = false;
  }
  ::close(fd);
  std::error_code ec;
  if (ok) {
    std::filesystem::rename(tmp, out.file, ec);
    if (ec) {
      error = "can't rename " + tmp.string() + ": " + ec.message();
      ok = false;
    }
  }
  if (!ok) std::filesystem::remove(tmp, ec);
  return ok;
}

}  // namespace basalt::storage
