// tests/unit/acl_selector_test.cpp — Redis 7.0's key specs (node/core/key_specs.h: which
// arguments are keys and whether each is read or written) and ACL selectors
// (node/core/acl_selector.h, acl_user.h): rule merging, `(...)` selectors, their descriptions
// and the most relevant refusal among several selectors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/commands/command_table.h"
#include "node/core/acl_user.h"
#include "node/core/key_specs.h"

namespace basalt::core::acl {
namespace {

using Refs = std::vector<std::pair<size_t, unsigned>>;

Refs refs(std::vector<std::string_view> argv) {
  auto out = key_refs(argv[0], argv);
  EXPECT_TRUE(out.has_value()) << argv[0];
  Refs r;
  if (out)
    for (const auto& k : *out) r.emplace_back(k.index, k.perms);
  return r;
}

constexpr unsigned R = kKeyRead, W = kKeyWrite, RW = kKeyRead | kKeyWrite;

TEST(KeySpecs, KeysAndTheirPermissionsAsRedis) {
  EXPECT_EQ(refs({"get", "k"}), (Refs{{1, R}}));
  EXPECT_EQ(refs({"set", "k", "v"}), (Refs{{1, W}}));
  EXPECT_EQ(refs({"set", "k", "v", "GET"}), (Refs{{1, RW}}));
  EXPECT_EQ(refs({"bitfield", "k", "GET", "u8", "0"}), (Refs{{1, R}}));
  EXPECT_EQ(refs({"bitfield", "k", "SET", "u8", "0", "1"}), (Refs{{1, RW}}));
  EXPECT_EQ(refs({"exists", "a", "b"}), (Refs{{1, 0}, {2, 0}}));
  EXPECT_EQ(refs({"lmove", "a", "b", "LEFT", "RIGHT"}), (Refs{{1, RW}, {2, W}}));
  EXPECT_EQ(refs({"mset", "a", "1", "b", "2"}), (Refs{{1, W}, {3, W}}));
  EXPECT_EQ(refs({"zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"}),
            (Refs{{1, W}, {3, R}, {4, R}}));
  EXPECT_EQ(refs({"eval", "s", "1", "a", "x"}), (Refs{{3, RW}}));
  EXPECT_EQ(refs({"xread", "COUNT", "1", "STREAMS", "a", "b", "0", "0"}), (Refs{{4, R}, {5, R}}));
  EXPECT_EQ(refs({"sort", "a", "BY", "w*", "STORE", "d"}), (Refs{{1, R}, {5, W}}));
  EXPECT_EQ(refs({"sort_ro", "a", "BY", "w*"}), (Refs{{1, R}}));
  EXPECT_EQ(refs({"object|encoding", "encoding", "k"}), (Refs{{2, 0}}));
  EXPECT_EQ(refs({"ping"}), Refs{});
  // A numkeys that is no number: no keys (the command refuses the call).
  EXPECT_EQ(refs({"zunionstore", "d", "x", "a"}), Refs{});
  EXPECT_FALSE(key_refs("nosuchcommand", std::vector<std::string_view>{"nosuchcommand"}));
}

TEST(AclSelectors, RulesSplitOverArgumentsAreMerged) {
  std::vector<std::string_view> rules = {"on", "(~x", "+get)", "(~y)", "+set"};
  size_t unmatched = 99;
  auto merged = merge_selector_rules(rules, unmatched);
  ASSERT_TRUE(merged);
  EXPECT_EQ(*merged, (std::vector<std::string>{"on", "(~x +get)", "(~y)", "+set"}));
  std::vector<std::string_view> open = {"on", "(~x", "+get"};
  EXPECT_FALSE(merge_selector_rules(open, unmatched));
  EXPECT_EQ(unmatched, 1u);
}

TEST(AclSelectors, DescribedAndJudgedAsRedis) {
  // A span over the table's rows (the user keeps pointers to them), not a copy.
  std::span<const CommandSpec> rows = commands::table().all();
  User user("u", false);
  for (std::string_view rule : {"on", "nopass", "~k*", "+get", "(%R~r* +@read)", "(~w* +set)"})
    ASSERT_EQ(user.apply(rule, rows, false), "") << rule;
  EXPECT_EQ(user.describe(rows),
            "on nopass ~k* resetchannels -@all +get (%R~r* resetchannels -@all +@read) "
            "(~w* resetchannels -@all +set)");
  EXPECT_EQ(user.apply("(on)", rows, false), "Syntax error");
  const CommandSpec* get = commands::table().find("get");
  const CommandSpec* set = commands::table().find("set");
  std::vector<std::string_view> get_r = {"get", "r1"}, get_x = {"get", "x"},
                                set_r = {"set", "r1", "v"}, set_w = {"set", "w1", "v"};
  EXPECT_EQ(user.check(*get, nullptr, get_r).denial, Denial::None);
  EXPECT_EQ(user.check(*set, nullptr, set_w).denial, Denial::None);
  // Every selector refuses: a key refusal (root, read selector) wins over a command one.
  Verdict v = user.check(*get, nullptr, get_x);
  EXPECT_EQ(v.denial, Denial::Key);
  EXPECT_EQ(v.arg, 1u);
  EXPECT_EQ(user.check(*set, nullptr, set_r).denial, Denial::Key);
  ASSERT_EQ(user.apply("clearselectors", rows, false), "");
  EXPECT_EQ(user.check(*set, nullptr, set_w).denial, Denial::Command);
  EXPECT_TRUE(user.selectors().empty());
}

}  // namespace
}  // namespace basalt::core::acl
