// http/status_page.cpp — see status_page.h.
#include "http/status_page.h"

namespace basalt::http {

Response status_page_view() {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::string(kStatusPageHtml);
  // The page's own script and style only; it talks to this origin alone.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'unsafe-inline'; style-src "
                         "'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; "
                         "form-action 'none'; frame-ancestors 'none'");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace basalt::http
