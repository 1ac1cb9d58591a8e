#include "objectstore/object_url.h"

#include <gtest/gtest.h>

namespace edgesync::objectstore {
namespace {

Status Refusal(std::string_view text) {
  Result<ObjectUrl> url = ObjectUrl::Parse(text);
  return url.ok() ? Status::Ok() : url.status();
}

TEST(ObjectUrlTest, S3BucketAndKey) {
  Result<ObjectUrl> url = ObjectUrl::Parse("s3://models-bucket/fleet/helmet%20v2/model.onnx");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_TRUE(url->is_s3());
  EXPECT_EQ(url->bucket(), "models-bucket");
  EXPECT_EQ(url->key(), "fleet/helmet v2/model.onnx");
  EXPECT_EQ(url->ToString(), "s3://models-bucket/fleet/helmet v2/model.onnx");
}

TEST(ObjectUrlTest, S3PrefixAndWholeBucket) {
  EXPECT_EQ(ObjectUrl::Parse("s3://bucket/datasets/")->key(), "datasets/");
  EXPECT_EQ(ObjectUrl::Parse("s3://bucket")->key(), "");
  EXPECT_EQ(ObjectUrl::Parse("S3://bucket/x")->bucket(), "bucket");
}

TEST(ObjectUrlTest, HttpsHostPortPathQuery) {
  Result<ObjectUrl> url =
      ObjectUrl::Parse("https://data.example.net:8443/sets/train.txt?X-Amz-Signature=abc");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->scheme(), ObjectUrl::Scheme::kHttps);
  EXPECT_EQ(url->host(), "data.example.net");
  EXPECT_EQ(url->port(), 8443);
  EXPECT_EQ(url->path(), "/sets/train.txt");
  EXPECT_EQ(url->query(), "X-Amz-Signature=abc");
  EXPECT_EQ(url->RequestUrl(), "https://data.example.net:8443/sets/train.txt?X-Amz-Signature=abc");
  // The query may be a presigned URL's signature: never in a log line.
  EXPECT_EQ(url->ToString(), "https://data.example.net:8443/sets/train.txt?…");
}

TEST(ObjectUrlTest, HttpDefaultsAndIpv6) {
  Result<ObjectUrl> url = ObjectUrl::Parse("http://127.0.0.1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->path(), "/");
  EXPECT_EQ(url->port(), 0);
  Result<ObjectUrl> v6 = ObjectUrl::Parse("http://[::1]:9000/a");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_EQ(v6->host(), "[::1]");
  EXPECT_EQ(v6->port(), 9000);
}

TEST(ObjectUrlTest, RefusesDotDotSegmentsHoweverSpelled) {
  for (const char* text :
       {"s3://bucket/a/../b", "s3://bucket/..", "s3://bucket/a/./b", "s3://bucket/a/%2e%2E/b",
        "https://host/a/../b", "https://host/%2E%2e/etc/passwd", "https://host/a/.."}) {
    Status status = Refusal(text);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("segment"), std::string::npos) << status.message();
  }
  // Dots inside a name are just names.
  EXPECT_TRUE(Refusal("s3://bucket/a/..b/c.d").ok());
}

TEST(ObjectUrlTest, RefusesControlCharacters) {
  for (std::string text :
       {std::string("s3://bucket/a\nb"), std::string("s3://bucket/a%0Ab"), std::string("https://host/a%00"),
        std::string("https://host/a\x7f"), std::string("s3://bucket/a\0b", 16)}) {
    Status status = Refusal(text);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("control character"), std::string::npos) << status.message();
    EXPECT_EQ(status.message().find('\n'), std::string::npos) << "the refusal echoes the control character";
  }
}

TEST(ObjectUrlTest, RefusesBadPercentEscapes) {
  for (const char* text : {"s3://bucket/a%2", "s3://bucket/a%zz", "https://host/a%", "https://host/a%4g"}) {
    Status status = Refusal(text);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("percent-escape"), std::string::npos) << status.message();
  }
}

TEST(ObjectUrlTest, RefusesBadBuckets) {
  EXPECT_NE(Refusal("s3:///key").message().find("no bucket"), std::string::npos);
  EXPECT_NE(Refusal("s3://").message().find("no bucket"), std::string::npos);
  for (const char* text :
       {"s3://ab/k", "s3://Upper/k", "s3://under_score/k", "s3://-dash/k", "s3://a..b/k"}) {
    Status status = Refusal(text);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("bucket name"), std::string::npos) << status.message();
  }
}

TEST(ObjectUrlTest, RefusesCredentialsWithoutEchoingThem) {
  for (const char* text :
       {"s3://AKIAXX:s3cr3t@bucket/key", "https://user:s3cr3t@host/path", "http://user@host/"}) {
    Status status = Refusal(text);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(status.message().find("credentials"), std::string::npos) << status.message();
  }
  // The refusal quotes the URL up to a '?', so a secret there is not echoed...
  EXPECT_EQ(Refusal("https://host/a%zz?sig=s3cr3t").message().find("s3cr3t"), std::string::npos);
}

TEST(ObjectUrlTest, RefusesOtherSchemesAndOddHttpForms) {
  EXPECT_EQ(Refusal("ftp://host/x").code(), Status::Code::kUnsupported);
  EXPECT_EQ(Refusal("/local/path").code(), Status::Code::kInvalidArgument);
  EXPECT_NE(Refusal("https://host/a#frag").message().find("fragment"), std::string::npos);
  EXPECT_NE(Refusal("https://host:0/").message().find("port"), std::string::npos);
  EXPECT_NE(Refusal("https://host:99999/").message().find("port"), std::string::npos);
  EXPECT_NE(Refusal("https://host:/").message().find("port"), std::string::npos);
  EXPECT_NE(Refusal("https:///path").message().find("no host"), std::string::npos);
  EXPECT_NE(Refusal("https://ho st/").message().find("host name"), std::string::npos);
  EXPECT_NE(Refusal("https://host/a b").message().find("percent-encoded"), std::string::npos);
}

TEST(ObjectUrlTest, AwsUriEncode) {
  EXPECT_EQ(AwsUriEncode("a b/c~d_e.f-g+h", true), "a%20b/c~d_e.f-g%2Bh");
  EXPECT_EQ(AwsUriEncode("a/b=c", false), "a%2Fb%3Dc");
  EXPECT_EQ(AwsUriEncode("\xc3\xa9", true), "%C3%A9");
}

}  // namespace
}  // namespace edgesync::objectstore
