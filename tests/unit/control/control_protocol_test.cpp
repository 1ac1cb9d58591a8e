#include "control/control_protocol.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using nlohmann::json;

TEST(ControlProtocolTest, ParsesRequests) {
  ControlRequest request;
  RequestParseError error;
  ASSERT_TRUE(ParseControlRequest(R"({"id":7,"method":"ls","params":{"prefix":"model/"}})",
                                  &request, &error));
  EXPECT_EQ(request.id, 7);
  EXPECT_EQ(request.method, "ls");
  EXPECT_EQ(request.params["prefix"], "model/");
  ASSERT_TRUE(ParseControlRequest(R"({"id":"a","method":"status"})", &request, &error));
  EXPECT_TRUE(request.params.is_object());
}

TEST(ControlProtocolTest, RejectsMalformedRequestsKeepingTheId) {
  ControlRequest request;
  RequestParseError error;
  EXPECT_FALSE(ParseControlRequest("not json", &request, &error));
  EXPECT_FALSE(ParseControlRequest("[1,2]", &request, &error));
  EXPECT_FALSE(ParseControlRequest(R"({"method":"ls"})", &request, &error));
  EXPECT_NE(error.message.find("id"), std::string::npos);
  error = {};
  EXPECT_FALSE(ParseControlRequest(R"({"id":3})", &request, &error));
  EXPECT_EQ(error.id, 3);
  EXPECT_FALSE(ParseControlRequest(R"({"id":3,"method":"ls","params":[]})", &request, &error));
  EXPECT_FALSE(ParseControlRequest(R"({"id":{"x":1},"method":"ls"})", &request, &error));
}

// Found by fuzz_control_request: a request whose params nest ~200k levels deep overflowed the
// daemon's stack when the params were copied out of the parsed line.
TEST(ControlProtocolTest, RejectsDeeplyNestedRequests) {
  const size_t levels = 200000;
  std::string line = R"({"id":4,"method":"ls","params":{"a":)" + std::string(levels, '[') +
                     std::string(levels, ']') + "}}";
  ControlRequest request;
  RequestParseError error;
  EXPECT_FALSE(ParseControlRequest(line, &request, &error));
  EXPECT_NE(error.message.find("nested too deeply"), std::string::npos);
}

TEST(ControlProtocolTest, EncodesOneLinePerMessage) {
  for (const std::string& line :
       {EncodeResult(1, {{"a", 1}}), EncodeError(1, "not_found", "no such key"),
        EncodeProgress(1, {{"done", 1}}), EncodeEvent(1, {{"x", "y\nz"}}),
        EncodeError(1, Status::InvalidArgument("bad"))}) {
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  }
  EXPECT_EQ(json::parse(EncodeError(2, Status::NotFound("k")))["error"]["code"], "not_found");
}

TEST(ControlProtocolTest, ResponsesRoundTrip) {
  auto result = ParseControlResponse(EncodeResult(4, {{"version", "abc"}}));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->kind, ControlResponse::Kind::kResult);
  EXPECT_EQ(result->body["version"], "abc");
  auto error = ParseControlResponse(EncodeError(4, "busy", "later"));
  EXPECT_EQ(error->kind, ControlResponse::Kind::kError);
  EXPECT_EQ(error->error_code, "busy");
  EXPECT_EQ(error->error_message, "later");
  EXPECT_EQ(ParseControlResponse(EncodeProgress(4, {{"done", 5}}))->kind,
            ControlResponse::Kind::kProgress);
  EXPECT_EQ(ParseControlResponse(EncodeEvent(4, {}))->kind, ControlResponse::Kind::kEvent);
  EXPECT_FALSE(ParseControlResponse("garbage").ok());
}

TEST(ControlProtocolTest, RequestEncodingParsesBack) {
  ControlRequest sent{9, "put", {{"key", "model/a"}}};
  ControlRequest received;
  RequestParseError error;
  std::string line = EncodeControlRequest(sent);
  ASSERT_TRUE(ParseControlRequest(line.substr(0, line.size() - 1), &received, &error));
  EXPECT_EQ(received.id, 9);
  EXPECT_EQ(received.params["key"], "model/a");
}

}  // namespace
}  // namespace edgesync
