// tests/unit/acl_user_test.cpp — the ACL rule parser and matcher (node/core/acl_user.h) against
// the real command table: rules applied in order and described as Redis 7.0 describes them
// (expected strings taken from redis-server 7.0), the command / key / channel verdicts, the
// error reasons, and the registry's all-or-nothing SETUSER and file round trip.
#include "node/core/acl_user.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/commands/subcommand.h"
#include "node/core/acl.h"
#include "node/core/acl_categories.h"

namespace basalt::core::acl {
namespace {

std::span<const CommandSpec> commands() {
  return commands::table().all();
}

User make(std::vector<std::string_view> rules) {
  User user("u", false);
  for (auto rule : rules) EXPECT_EQ(user.apply(rule, commands(), false), "") << rule;
  return user;
}

const CommandSpec& spec(std::string_view name) {
  const CommandSpec* top = commands::table().find(name.substr(0, name.find('|')));
  EXPECT_NE(top, nullptr) << name;
  if (name.find('|') == std::string_view::npos) return *top;
  const CommandSpec* sub = commands::find_subcommand(*top, name.substr(name.find('|') + 1));
  EXPECT_NE(sub, nullptr) << name;
  return *sub;
}

Verdict check(const User& user, std::vector<std::string_view> argv) {
  const CommandSpec& top = spec(argv[0]);
  if (top.subcommand_count > 0) {
    const CommandSpec* sub = commands::find_subcommand(top, argv[1]);
    return user.check(*sub, &top, argv);
  }
  return user.check(top, nullptr, argv);
}

TEST(AclUser, PasswordsAreSha256HexAndCheckedByHash) {
  EXPECT_EQ(sha256_hex("p1"), "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a");
  User user = make({"on", ">p1", ">p2", ">p1"});
  EXPECT_EQ(user.password_hashes().size(), 2u);  // the same password is kept once
  EXPECT_TRUE(user.accepts("p1"));
  EXPECT_TRUE(user.accepts("p2"));
  EXPECT_FALSE(user.accepts("p3"));
  EXPECT_EQ(user.apply("<p1", commands(), false), "");
  EXPECT_FALSE(user.accepts("p1"));
  EXPECT_EQ(user.apply("<p1", commands(), false),
            "The password you are trying to remove from the user does not exist");
  EXPECT_EQ(user.apply("#" + sha256_hex("p9"), commands(), false), "");
  EXPECT_TRUE(user.accepts("p9"));
  EXPECT_EQ(user.apply("!" + sha256_hex("p9"), commands(), false), "");
  EXPECT_FALSE(user.accepts("p9"));
  EXPECT_EQ(user.apply("#ABC", commands(), false),
            "The password hash must be exactly 64 characters and contain only lowercase "
            "hexadecimal characters");
  // off refuses every password; nopass accepts any; resetpass accepts none.
  EXPECT_EQ(user.apply("off", commands(), false), "");
  EXPECT_FALSE(user.accepts("p2"));
  EXPECT_EQ(user.apply("on", commands(), false), "");
  EXPECT_EQ(user.apply("nopass", commands(), false), "");
  EXPECT_TRUE(user.accepts("anything"));
  EXPECT_TRUE(user.password_hashes().empty());
  EXPECT_EQ(user.apply("resetpass", commands(), false), "");
  EXPECT_FALSE(user.accepts("anything"));
}

TEST(AclUser, CommandRulesAreDescribedAsRedisDoes) {
  // redis-server 7.0: ACL SETUSER bob on >p1 %R~foo* &ch +get -@all +@read -get
  //   +client|list +select|0 describes the commands as "-@all +@read" then the single
  //   differences (+client|list +select|0 -get, in its hash order; basalt: table order).
  User user("bob", false);
  for (std::string_view rule : {"on", ">p1", "%R~foo*", "&ch", "+get", "-@all", "+@read", "-get",
                                "+client|list", "+select|0"})
    ASSERT_EQ(user.apply(rule, commands(), false), "") << rule;
  EXPECT_EQ(user.root().command_rules(commands()), "-@all +@read +select|0 +client|list -get");
  EXPECT_EQ(user.describe(commands()),
            "on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a %R~foo* "
            "resetchannels &ch -@all +@read +select|0 +client|list -get");
  EXPECT_EQ(user.root().key_rules(), "%R~foo*");
  EXPECT_EQ(user.root().channel_rules(), "&ch");
  // The description is of what the user may run, not of the rules' history.
  ASSERT_EQ(user.apply("+GET", commands(), false), "");
  EXPECT_EQ(user.root().command_rules(commands()), "-@all +@read +select|0 +client|list");
  ASSERT_EQ(user.apply("-client", commands(), false), "");
  EXPECT_EQ(user.root().command_rules(commands()), "-@all +@read +select|0");
  ASSERT_EQ(user.apply("+@all", commands(), false), "");
  EXPECT_EQ(user.root().command_rules(commands()), "+@all");
  ASSERT_EQ(user.apply("-flushall", commands(), false), "");
  EXPECT_EQ(user.root().command_rules(commands()), "+@all -flushall");
  // A category that fits best is named (redis-server 7.0 gives the same).
  User t4 = make({"+get", "+set", "+publish", "-@all", "+get", "+@read", "-get", "+set"});
  EXPECT_EQ(t4.root().command_rules(commands()), "-@all +@read -get +set");
  User writer = make({"+@write"});
  EXPECT_EQ(writer.root().command_rules(commands()), "-@all +@write");
}

TEST(AclUser, KeyPatternsMergeAndDescribe) {
  // redis-server 7.0: %R~ then ~ then %rw~a %R~a ~b & -> "~ ~a ~b", "&".
  User user = make({"%R~", "~", "%rw~a", "%R~a", "~b", "&"});
  EXPECT_EQ(user.root().key_rules(), "~ ~a ~b");
  EXPECT_EQ(user.root().channel_rules(), "&");
  EXPECT_EQ(user.describe(commands()), "off ~ ~a ~b resetchannels & -@all");
}

TEST(AclUser, RuleErrorsAreRedisReasons) {
  User user("u", false);
  auto err = [&](std::string_view rule) { return user.apply(rule, commands(), false); };
  EXPECT_EQ(err("+nosuch"), "Unknown command or category name in ACL");
  EXPECT_EQ(err("+@nosuch"), "Unknown command or category name in ACL");
  EXPECT_EQ(err("+client|list|x"), "Allowing first-arg of a subcommand is not supported");
  EXPECT_EQ(err("+client|"), "Syntax error");
  EXPECT_EQ(err("%X~a"), "Syntax error");
  EXPECT_EQ(err("%RR~a"), "Syntax error");
  EXPECT_EQ(err("%~a"), "Syntax error");
  EXPECT_EQ(err("bogus"), "Syntax error");
  EXPECT_EQ(err("~a b"), "Syntax error");   // would break the ACL file's words
  EXPECT_EQ(err("&a\nb"), "Syntax error");  // would inject a line
  ASSERT_EQ(err("~*"), "");
  EXPECT_EQ(err("~a"),
            "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
            "not have any effect. Try 'resetkeys' to start with an empty list of patterns");
  ASSERT_EQ(err("allchannels"), "");
  EXPECT_EQ(err("&a"),
            "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
            "does not have any effect. Try 'resetchannels' to start with an empty list of "
            "channels");
}

TEST(AclUser, ChecksCommandsKeysAndChannels) {
  User user = make({"on", "nopass", "-@all", "+get", "+set", "+publish", "+psubscribe",
                    "+subscribe", "+select|0", "~a", "%R~r*", "%W~w*", "&ch*"});
  EXPECT_EQ(check(user, {"get", "a"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"get", "b"}).denial, Denial::Key);
  EXPECT_EQ(check(user, {"get", "b"}).arg, 1u);
  EXPECT_EQ(check(user, {"get", "r1"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"set", "r1", "v"}).denial, Denial::Key);  // read-only pattern
  EXPECT_EQ(check(user, {"set", "w1", "v"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"get", "w1"}).denial, Denial::Key);  // write-only pattern
  EXPECT_EQ(check(user, {"del", "a"}).denial, Denial::Command);
  EXPECT_EQ(check(user, {"publish", "chat", "m"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"publish", "other", "m"}).denial, Denial::Channel);
  EXPECT_EQ(check(user, {"subscribe", "ch1", "x"}).arg, 2u);
  // PSUBSCRIBE's patterns must be one of the user's patterns, literally (Redis 7.0).
  EXPECT_EQ(check(user, {"psubscribe", "ch*"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"psubscribe", "ch1*"}).denial, Denial::Channel);
  // First arguments: SELECT 0 only.
  EXPECT_EQ(check(user, {"select", "0"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"select", "1"}).denial, Denial::Command);
  // Commands without authentication needs (AUTH, HELLO, QUIT, RESET) are always allowed.
  EXPECT_EQ(check(user, {"auth", "x"}).denial, Denial::None);
}

TEST(AclUser, NumkeysCommandsHaveTheirKeysChecked) {
  User user = make({"on", "nopass", "+@all", "~a*"});
  EXPECT_EQ(check(user, {"zunion", "2", "a1", "a2"}).denial, Denial::None);
  Verdict v = check(user, {"zunion", "2", "a1", "b2"});
  EXPECT_EQ(v.denial, Denial::Key);
  EXPECT_EQ(v.arg, 3u);
  EXPECT_EQ(check(user, {"sintercard", "1", "zz"}).denial, Denial::Key);
  EXPECT_EQ(check(user, {"zunionstore", "a", "1", "bb"}).denial, Denial::Key);
}

TEST(AclUser, CategoriesFollowRedisIncludingContainers) {
  // As redis-server 7.0: +@slow allows a container (CLIENT is @slow) and so all of its
  // subcommands, CLIENT KILL included.
  User user = make({"on", "nopass", "-@all", "+@slow"});
  EXPECT_EQ(check(user, {"client", "kill", "id", "1"}).denial, Denial::None);
  EXPECT_EQ(check(user, {"get", "a"}).denial, Denial::Command);
  User reader = make({"on", "nopass", "-@all", "+@read", "~*"});
  EXPECT_EQ(check(reader, {"get", "a"}).denial, Denial::None);
  EXPECT_EQ(check(reader, {"set", "a", "1"}).denial, Denial::Command);
  EXPECT_EQ(check(reader, {"flushall"}).denial, Denial::Command);
  EXPECT_NE(categories_of(spec("flushall")) & kCatDangerous, 0u);
  EXPECT_NE(categories_of(spec("get")) & kCatString, 0u);
  EXPECT_EQ(category_bit("SortedSet"), static_cast<uint32_t>(kCatSortedSet));
  EXPECT_EQ(category_bit("nosuch"), 0u);
}

TEST(AclUser, ResetIsOffWithNothingAllowed) {
  User user = make({"on", "nopass", "+@all", "~*", "&*"});
  ASSERT_EQ(user.apply("reset", commands(), false), "");
  EXPECT_EQ(user.describe(commands()), "off sanitize-payload resetchannels -@all");
  ASSERT_EQ(user.apply("reset", commands(), true), "");  // acl-pubsub-default allchannels
  EXPECT_EQ(user.describe(commands()), "off sanitize-payload &* -@all");
}

TEST(AclRegistry, SetUserIsAllOrNothing) {
  Registry acl;
  config::Config config;
  std::string error;
  ASSERT_TRUE(acl.init(commands(), config, error)) << error;
  std::vector<std::string_view> bad = {"on", ">pw", "+nosuch"};
  EXPECT_EQ(acl.set_user("eve", bad),
            "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL");
  EXPECT_EQ(acl.find("eve"), nullptr);  // not created
  std::vector<std::string_view> good = {"on", ">pw", "+get", "~k"};
  ASSERT_EQ(acl.set_user("eve", good), "");
  EXPECT_EQ(acl.set_user("eve", bad).empty(), false);
  EXPECT_TRUE(acl.find("eve")->accepts("pw"));
  EXPECT_EQ(acl.find("eve")->root().command_rules(commands()),
            "-@all +get");  // unchanged by the failed call
  std::vector<std::string_view> none;
  EXPECT_EQ(acl.set_user("a b", none), "Usernames can't contain spaces or null characters");
}

TEST(AclRegistry, RequirepassIsTheDefaultUsersPassword) {
  Registry acl;
  config::Config config;
  config.requirepass = "secret";
  std::string error;
  ASSERT_TRUE(acl.init(commands(), config, error)) << error;
  EXPECT_FALSE(acl.default_user().nopass());
  EXPECT_TRUE(acl.default_user().accepts("secret"));
  acl.set_default_password("");
  EXPECT_TRUE(acl.default_user().nopass());
}

TEST(AclRegistry, UserLinesAndAclFileAreExclusive) {
  Registry acl;
  config::Config config;
  config.user_lines = {"alice on >pw +@all ~*"};
  std::string error;
  ASSERT_TRUE(acl.init(commands(), config, error)) << error;
  ASSERT_NE(acl.find("alice"), nullptr);
  EXPECT_TRUE(acl.find("alice")->accepts("pw"));
  config.aclfile = "/nonexistent/users.acl";
  EXPECT_FALSE(acl.init(commands(), config, error));
  EXPECT_NE(error.find("but not both"), std::string::npos) << error;
}

TEST(AclRegistry, FileRoundTrip) {
  auto dir =
      std::filesystem::temp_directory_path() / ("basalt-acl-unit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "users.acl").string();
  Registry acl;
  config::Config config;
  std::string error;
  ASSERT_TRUE(acl.init(commands(), config, error)) << error;
  std::vector<std::string_view> rules = {"on", ">pw", "%R~r*", "&news", "-@all", "+@read"};
  ASSERT_EQ(acl.set_user("carol", rules), "");
  ASSERT_EQ(acl.save_file(path), "");
  std::map<std::string, std::unique_ptr<User>, std::less<>> loaded;
  ASSERT_EQ(acl.read_file(path, loaded), "");
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.at("carol")->describe(commands()), acl.find("carol")->describe(commands()));
  EXPECT_EQ(loaded.at("default")->describe(commands()), "on nopass ~* &* +@all");
  // A bad line is reported with its place, and nothing is loaded.
  {
    std::ofstream o(path, std::ios::app);
    o << "user dave on +nosuch\n";
  }
  EXPECT_NE(acl.read_file(path, loaded).find("users.acl:3: Unknown command"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace basalt::core::acl
