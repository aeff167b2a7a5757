// tests/unit/secret_test.cpp — util::secrets_equal: equal exactly when the bytes are equal
// (prefixes, extensions, empty strings, embedded NULs, one differing byte anywhere).
#include "node/util/secret.h"

#include <gtest/gtest.h>

#include <string>

using basalt::util::secrets_equal;

TEST(Secret, EqualOnlyWhenSame) {
  EXPECT_TRUE(secrets_equal("", ""));
  EXPECT_TRUE(secrets_equal("secret", "secret"));
  EXPECT_FALSE(secrets_equal("secret", ""));
  EXPECT_FALSE(secrets_equal("", "secret"));
  EXPECT_FALSE(secrets_equal("secret", "secre"));
  EXPECT_FALSE(secrets_equal("secret", "secret!"));
  EXPECT_FALSE(secrets_equal("secret", "Secret"));
  EXPECT_TRUE(secrets_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(secrets_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  const std::string long_secret(4096, 'k');
  for (size_t i = 0; i < long_secret.size(); i += 97) {
    std::string other = long_secret;
    other[i] = 'j';
    EXPECT_FALSE(secrets_equal(long_secret, other)) << "differs at " << i;
  }
  EXPECT_TRUE(secrets_equal(long_secret, std::string(4096, 'k')));
}
