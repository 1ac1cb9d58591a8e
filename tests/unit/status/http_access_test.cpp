#include "status/http_access.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(HttpAccessTest, SplitsPathAndDecodesQuery) {
  EXPECT_EQ(TargetPath("/status?token=a"), "/status");
  EXPECT_EQ(TargetPath("/metrics"), "/metrics");
  EXPECT_EQ(QueryParameter("/status?x=1&token=a%2Bb%3D", "token"), "a+b=");
  EXPECT_EQ(QueryParameter("/status?x=1", "token"), std::nullopt);
  EXPECT_EQ(QueryParameter("/status", "token"), std::nullopt);
}

TEST(HttpAccessTest, TokenFromHeaderOrQuery) {
  EXPECT_TRUE(TokenAccepted("", "", std::nullopt));
  EXPECT_TRUE(TokenAccepted("s3cret", "Bearer s3cret", std::nullopt));
  EXPECT_TRUE(TokenAccepted("s3cret", "bearer s3cret", std::nullopt));
  EXPECT_TRUE(TokenAccepted("s3cret", "", std::string("s3cret")));
  EXPECT_FALSE(TokenAccepted("s3cret", "", std::nullopt));
  EXPECT_FALSE(TokenAccepted("s3cret", "Bearer s3cre", std::nullopt));
  EXPECT_FALSE(TokenAccepted("s3cret", "Bearer s3cret2", std::nullopt));
  EXPECT_FALSE(TokenAccepted("s3cret", "Basic s3cret", std::nullopt));
  EXPECT_FALSE(TokenAccepted("s3cret", "Bearer ", std::string("wrong")));
}

TEST(HttpAccessTest, DefaultOriginsAreTheStatusAddressItself) {
  auto origins = DefaultAllowedOrigins("10.0.0.5", 7780);
  EXPECT_EQ(origins, (std::vector<std::string>{"http://127.0.0.1:7780", "http://localhost:7780",
                                               "http://10.0.0.5:7780"}));
  EXPECT_EQ(DefaultAllowedOrigins("::1", 80).back(), "http://[::1]:80");
}

TEST(HttpAccessTest, OriginMustMatchExactly) {
  auto allowed = DefaultAllowedOrigins("127.0.0.1", 7780);
  EXPECT_TRUE(OriginAllowed("", allowed));  // not a browser
  EXPECT_TRUE(OriginAllowed("http://localhost:7780", allowed));
  EXPECT_TRUE(OriginAllowed("HTTP://LOCALHOST:7780/", allowed));
  EXPECT_FALSE(OriginAllowed("http://localhost:7781", allowed));
  EXPECT_FALSE(OriginAllowed("http://evil.example", allowed));
  EXPECT_FALSE(OriginAllowed("http://localhost:7780.evil.example", allowed));
  EXPECT_FALSE(OriginAllowed("null", allowed));
}

}  // namespace
}  // namespace edgesync
