// tests/integration/status_page_test.cpp — the status page (GET /) in a real headless browser
// (Debian's chromium; skipped when it is not installed): served without the token, it takes the
// token from #token=..., shows the replica of a real master, and once that replica falls behind
// (SIGSTOP, resumed on every exit path) shows the raised alert; without a token it asks for one.
// With BASALT_STATUS_SCREENSHOT=<file.png> it also writes a screenshot of the lagging state
// (how docs/status-page.png is made).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/ports.h"
#include "tests/support/resp_client.h"
#include "tests/support/servers.h"
#include "tests/support/setups.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace basalt::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = kAlertToken;  // alert_master_args's

std::string chromium_binary() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

// Runs headless chromium on `url` (a fresh profile in `profile`, so sessionStorage starts
// empty), bounded by `timeout`; `mode` is "--dump-dom" or "--screenshot=<file>". Returns what
// it printed on stdout (the DOM after the page's scripts ran for 6 s of virtual time).
std::string run_chromium(const std::string& url, const std::filesystem::path& profile,
                         const std::string& mode) {
  std::filesystem::create_directories(profile);
  const std::filesystem::path out = profile / "stdout.html";
  const std::string cmd = "timeout -k 5 90 " + chromium_binary() +
                          " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
                          " --no-first-run --disable-extensions --hide-scrollbars"
                          " --user-data-dir=" +
                          profile.string() + " --window-size=1280,900 --virtual-time-budget=6000 " +
                          mode + " '" + url + "' > " + out.string() + " 2>" +
                          (profile / "stderr.txt").string();
  const int rc = std::system(cmd.c_str());
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  if (rc != 0) ADD_FAILURE() << "chromium exited with " << rc << ": " << cmd;
  return ss.str();
}

// SIGSTOPs a server for the scope; SIGCONT on every exit.
struct Paused {
  explicit Paused(ServerProcess& s) : server(s) { ok = server.process().signal(SIGSTOP); }
  ~Paused() {
    if (ok) server.process().signal(SIGCONT);
  }
  ServerProcess& server;
  bool ok = false;
};

TEST(StatusPage, ShowsTheReplicaAndItsLagAlertInAHeadlessBrowser) {
  if (chromium_binary().empty()) GTEST_SKIP() << "chromium is not installed";
  const int http = free_port();
  MasterAndReplica pair(alert_master_args(http));
  RespClient m = pair.master.client();
  RespClient r = pair.replica.client();
  ASSERT_TRUE(wait_for_master_link(r, 20s));
  ASSERT_TRUE(m.command({"SET", "k", "v"}).is_status("OK"));
  ASSERT_TRUE(wait_for_same_offset(m, r, 20s));
  const std::string replica = "127.0.0.1:" + std::to_string(pair.replica.port());

  // The page itself needs no token and holds no data; the data endpoints do need it.
  HttpResponse page = http_request(http, "GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>basalt status</title>"), std::string::npos);
  EXPECT_EQ(page.body.find(std::to_string(pair.replica.port())), std::string::npos);
  EXPECT_EQ(http_request(http, "GET", "/alerts").status, 401);
  EXPECT_EQ(http_request(http, "POST", "/").status, 405);

  const std::string url = "http://127.0.0.1:" + std::to_string(http) + "/";
  TempDir profiles;
  {
    // Without a token the page asks for one (and shows no data).
    std::string dom = run_chromium(url, profiles.path() / "no-token", "--dump-dom");
    EXPECT_NE(dom.find("id=\"login\" style=\"display: flex;\""), std::string::npos) << dom;
    EXPECT_EQ(dom.find("data-loaded=\"yes\""), std::string::npos);
  }
  {
    std::string dom =
        run_chromium(url + "#token=" + kToken, profiles.path() / "healthy", "--dump-dom");
    EXPECT_NE(dom.find("data-loaded=\"yes\""), std::string::npos) << dom;
    EXPECT_NE(dom.find("<tr data-replica=\"" + replica + "\" class=\"\">"), std::string::npos)
        << dom;
    EXPECT_NE(dom.find("no active alert"), std::string::npos);
    EXPECT_NE(dom.find("<td>db0</td><td>1</td>"), std::string::npos) << dom;
  }

  Paused paused(pair.replica);
  ASSERT_TRUE(paused.ok);
  const std::string value(1000, 'x');
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(m.command({"SET", "key:" + std::to_string(i), value}).is_status("OK"));
  }
  ASSERT_TRUE(wait_until(
      [&] {
        HttpResponse a = http_request(http, "GET", "/alerts", kToken);
        return a.body.find("\"replica_lag_seconds\"") != std::string::npos &&
               a.body.find("\"replica_lag_bytes\"") != std::string::npos;
      },
      20s));
  std::string dom =
      run_chromium(url + "#token=" + kToken, profiles.path() / "lagging", "--dump-dom");
  EXPECT_NE(dom.find("<tr data-replica=\"" + replica + "\" class=\"lagging\">"), std::string::npos)
      << dom;
  EXPECT_NE(dom.find("<li class=\"alert active\" data-alert=\"replica_lag_bytes\" data-replica=\"" +
                     replica + "\">"),
            std::string::npos)
      << dom;
  EXPECT_NE(dom.find("2 alert(s)"), std::string::npos);

  if (const char* shot = std::getenv("BASALT_STATUS_SCREENSHOT")) {
    // A little throughput for the chart first.
    for (int i = 0; i < 2000; ++i) m.command({"SET", "load:" + std::to_string(i), "v"});
    run_chromium(url + "#token=" + kToken, profiles.path() / "shot",
                 std::string("--screenshot=") + shot);
    EXPECT_TRUE(std::filesystem::exists(shot));
  }
}

}  // namespace
}  // namespace basalt::test
