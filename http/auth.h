// http/auth.h — who may use the admin API: with `http-token` set, a request must carry
// `Authorization: Bearer <token>` (compared in constant time); without one, only an API bound
// to loopback answers (a non-loopback bind refuses to start, and one that lost its token at
// run time answers 401).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace basalt::http {

// Why the request is refused (a 401 message), or nullopt if it may proceed.
// `authorization`: the request's Authorization header ("" if absent).
std::optional<std::string> auth_refusal(std::string_view authorization, const std::string& token,
                                        const std::string& bind);

// Why an admin API on `bind` with `token` must not start ("" if it may).
std::string startup_refusal(const std::string& bind, const std::string& token);

}  // namespace basalt::http
