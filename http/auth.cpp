// http/auth.cpp — see auth.h.
#include "http/auth.h"

#include "node/util/ascii.h"
#include "node/util/loopback.h"
#include "node/util/secret.h"

namespace basalt::http {

std::optional<std::string> auth_refusal(std::string_view authorization, const std::string& token,
                                        const std::string& bind) {
  if (token.empty()) {
    if (util::is_loopback_host(bind)) return std::nullopt;
    return "http-token is not set and the admin API is bound beyond loopback";
  }
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size() ||
      !util::iequals(authorization.substr(0, kScheme.size()), kScheme)) {
    return "missing bearer token (Authorization: Bearer <http-token>)";
  }
  std::string_view given = authorization.substr(kScheme.size());
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
  if (!util::secrets_equal(given, token)) return "invalid bearer token";
  return std::nullopt;
}

std::string startup_refusal(const std::string& bind, const std::string& token) {
  if (!token.empty() || util::is_loopback_host(bind)) return "";
  return "refusing to start: the admin API would listen on " + bind +
         " (beyond loopback) without a token; set http-token <secret>, or bind it to 127.0.0.1 "
         "(http-bind), or turn it off (http-port 0)";
}

}  // namespace basalt::http
