// tests/unit/glob_test.cpp — Redis-style glob matching.
#include "node/util/glob.h"

#include <gtest/gtest.h>

using basalt::util::glob_match;

TEST(Glob, StarAndQuestion) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_FALSE(glob_match("h?llo", "hllo"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_TRUE(glob_match("*o", "hello"));
  EXPECT_FALSE(glob_match("*x", "hello"));
}

TEST(Glob, Classes) {
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
}

TEST(Glob, NoCase) {
  EXPECT_TRUE(glob_match("MAX*", "maxclients", true));
  EXPECT_FALSE(glob_match("MAX*", "maxclients", false));
}
