// tests/integration/admin_openapi_test.cpp — http/openapi.json against the real API: every
// documented operation answers with a documented status (GET; POST with a malformed body, its
// example when harmless, or none), and its JSON body fits the documented schema (required fields
// present, JSON types as documented, no undocumented fields where the schema closes the object); on
// a master and on a replica.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/openapi_check.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kToken = "openapi-token";

// `path` with each {param} replaced by the parameter's example.
std::string concrete(const std::string& path, const json::object& op) {
  std::string out = path;
  if (!op.contains("parameters")) return out;
  for (const auto& p : op.at("parameters").as_array()) {
    std::string name(p.at("name").as_string());
    std::string example(p.at("example").as_string());
    auto pos = out.find("{" + name + "}");
    if (pos != std::string::npos) out.replace(pos, name.size() + 2, example);
  }
  return out;
}

// `r` has a status `op` documents, and a body fitting that response's schema.
void check_answer(const json::value& doc, const json::object& op, const HttpResponse& r) {
  const auto& responses = op.at("responses").as_object();
  const std::string status = std::to_string(r.status);
  EXPECT_TRUE(responses.contains(status)) << "undocumented status " << status << ": " << r.body;
  if (!responses.contains(status)) return;
  json::value response = responses.at(status);
  if (response.as_object().contains("$ref")) {
    std::string ref(response.at("$ref").as_string());
    response = doc.at_pointer(ref.substr(1));
  }
  const auto& content = response.at("content").as_object();
  EXPECT_EQ(content.size(), 1u);
  if (content.size() != 1) return;
  const std::string type(content.begin()->key());
  EXPECT_EQ(r.headers.at("content-type").rfind(type, 0), 0u) << r.headers.at("content-type");
  if (type == "application/json") {
    json::value body = json::parse(r.body);
    EXPECT_EQ(check_schema(doc, content.at(type).at("schema"), body), "") << r.body;
  } else {
    EXPECT_FALSE(r.body.empty());
  }
}

// The body a POST is checked with: its example when marked "x-check-example" (a harmless
// write), none when it takes none, else a malformed one (answered 400: nothing changes).
std::string post_body(const json::object& op) {
  if (!op.contains("requestBody")) return "";
  if (op.contains("x-check-example")) {
    return json::serialize(op.at("requestBody").at("content").at("application/json").at("example"));
  }
  return "{";
}

// Checks every documented operation (GET, POST) on the admin API at `port`; returns how many
// were checked.
int check_all_paths(const json::value& doc, int port, const std::string& node) {
  int checked = 0;
  for (const auto& [path_key, item] : doc.at("paths").as_object()) {
    const std::string path(path_key);
    for (const auto& [method_key, op_value] : item.as_object()) {
      const std::string method = method_key == "get" ? "GET" : "POST";
      const json::object& op = op_value.as_object();
      const std::string url = concrete(path, op);
      const std::string body = method == "POST" ? post_body(op) : "";
      HttpResponse r = http_request(port, method, url, kToken, body);
      SCOPED_TRACE(node + " " + method + " " + url);
      check_answer(doc, op, r);
      // Every path but the public ones documents (and answers) 401 without the token.
      const bool is_public = op.contains("security") && op.at("security").as_array().empty();
      EXPECT_EQ(http_request(port, method, url, "", body).status, is_public ? r.status : 401);
      if (!is_public) {
        EXPECT_TRUE(op.at("responses").as_object().contains("401"));
      }
      HttpResponse wrong = http_request(port, "DELETE", url, kToken);
      EXPECT_EQ(wrong.status, 405);
      check_answer(doc, op, wrong);
      ++checked;
    }
  }
  return checked;
}

TEST(AdminOpenApi, EveryDocumentedPathAnswersAsDocumented) {
  json::value doc = load_json_file(std::string(BASALT_SOURCE_DIR) + "/http/openapi.json");
  ASSERT_EQ(doc.at("openapi").as_string().subview().substr(0, 2), "3.");
  const int master_http = free_port();
  const int replica_http = free_port();
  MasterAndReplica pair({"--http-port", std::to_string(master_http), "--http-token", kToken},
                        {"--http-port", std::to_string(replica_http), "--http-token", kToken});
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));
  EXPECT_EQ(check_all_paths(doc, master_http, "master"), 16);
  EXPECT_EQ(check_all_paths(doc, replica_http, "replica"), 16);

  // The documented error shapes: 404 on an unknown section or directive.
  HttpResponse missing = http_request(master_http, "GET", "/config/nosuch", kToken);
  EXPECT_EQ(
      check_schema(doc, doc.at_pointer("/components/schemas/Error"), json::parse(missing.body)),
      "");
  // A replica whose master is gone answers /ready 503 with the Ready schema.
  pair.master.kill9();
  HttpResponse ready;
  ASSERT_TRUE(wait_until(
      [&] {
        ready = http_request(replica_http, "GET", "/ready", kToken);
        return ready.status == 503;
      },
      20s));
  EXPECT_EQ(check_schema(doc, doc.at_pointer("/components/schemas/Ready"), json::parse(ready.body)),
            "");
}

}  // namespace
}  // namespace basalt::test
