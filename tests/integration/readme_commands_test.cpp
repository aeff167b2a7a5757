// tests/integration/readme_commands_test.cpp — the README's command list is the output of
// `basalt --commands` (the command table), so it can't drift from what the node supports.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace {

std::string run_commands_listing() {
  std::string out;
  FILE* pipe = popen((std::string(BASALT_BINARY) + " --commands").c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(Readme, CommandListMatchesTheCommandTable) {
  std::ifstream in(std::string(BASALT_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream text;
  text << in.rdbuf();
  std::string readme = text.str();
  const std::string begin = "<!-- commands:begin -->\n", end = "<!-- commands:end -->";
  auto b = readme.find(begin);
  auto e = readme.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  std::string listed = readme.substr(b + begin.size(), e - b - begin.size());
  std::string generated = run_commands_listing();
  ASSERT_GT(generated.size(), 1000u);
  EXPECT_EQ(listed, generated) << "run scripts/gen_commands.sh to refresh the README";
  for (const char* cmd : {"| GET |", "| HSET |", "| ZADD |", "| BLPOP |", "| PSYNC |", "| EXEC |"})
    EXPECT_NE(generated.find(cmd), std::string::npos) << cmd;
}

}  // namespace
