// http/status_page.h — GET /: the status page (http/status_page.html: HTML, CSS and JS in one
// file, no external assets), compiled into the binary at build time by scripts/embed_text.cmake.
// It holds no data: it is served without the token and asks the API for everything (with the
// token, which it asks for once and keeps in sessionStorage).
#pragma once

#include <string_view>

#include "http/response.h"

namespace basalt::http {

extern const std::string_view kStatusPageHtml;  // generated from http/status_page.html

Response status_page_view();

}  // namespace basalt::http
