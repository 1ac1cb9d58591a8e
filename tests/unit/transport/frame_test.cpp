#include "transport/frame.h"

#include <gtest/gtest.h>

#include <string>

namespace edgesync::transport {
namespace {

std::string Encode(const FrameHeader& header, const std::string& payload) {
  const EncodedFrameHeader encoded = EncodeFrameHeader(header);
  return std::string(encoded.begin(), encoded.end()) + payload;
}

TEST(FrameTest, RoundTrip) {
  FrameHeader header;
  header.lane = Lane::kBulk;
  header.flags = kFrameFragment | kFrameLast;
  header.type = 0xDEADBEEF;
  header.payload_length = 5;
  const std::string bytes = Encode(header, "hello");
  auto frame = DecodeFrame(bytes, 1024);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  EXPECT_EQ(frame->header.lane, Lane::kBulk);
  EXPECT_TRUE(frame->header.fragment());
  EXPECT_TRUE(frame->header.last());
  EXPECT_EQ(frame->header.type, 0xDEADBEEF);
  EXPECT_EQ(frame->payload, "hello");
}

TEST(FrameTest, EmptyPayload) {
  FrameHeader header;
  auto frame = DecodeFrame(Encode(header, ""), 0);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->payload.size(), 0u);
}

TEST(FrameTest, RejectsOversizeLength) {
  FrameHeader header;
  header.payload_length = 2048;
  auto frame = DecodeFrame(Encode(header, std::string(2048, 'x')), 1024);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().code(), Status::Code::kTooLarge);
  EXPECT_NE(frame.status().message().find("exceeds limit 1024"), std::string::npos);
}

TEST(FrameTest, RejectsTruncatedHeaderAndPayload) {
  FrameHeader header;
  header.payload_length = 10;
  const std::string bytes = Encode(header, "0123456789");
  auto short_header = DecodeFrame(bytes.substr(0, 7), 1024);
  ASSERT_FALSE(short_header.ok());
  EXPECT_EQ(short_header.status().code(), Status::Code::kCorruption);
  auto short_payload = DecodeFrame(bytes.substr(0, bytes.size() - 1), 1024);
  ASSERT_FALSE(short_payload.ok());
  EXPECT_NE(short_payload.status().message().find("truncated"), std::string::npos);
}

TEST(FrameTest, RejectsTrailingBytes) {
  FrameHeader header;
  header.payload_length = 2;
  auto frame = DecodeFrame(Encode(header, "abc"), 1024);
  ASSERT_FALSE(frame.ok());
  EXPECT_NE(frame.status().message().find("trailing"), std::string::npos);
}

TEST(FrameTest, RejectsUnknownVersion) {
  FrameHeader header;
  std::string bytes = Encode(header, "");
  bytes[0] = 2;
  auto frame = DecodeFrame(bytes, 1024);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(frame.status().message().find("version 2"), std::string::npos);
}

TEST(FrameTest, RejectsUnknownLaneFlagsAndReservedByte) {
  FrameHeader header;
  const std::string good = Encode(header, "");
  std::string lane = good;
  lane[1] = 7;
  EXPECT_FALSE(DecodeFrame(lane, 16).ok());
  std::string flags = good;
  flags[2] = 0x10;
  EXPECT_FALSE(DecodeFrame(flags, 16).ok());
  std::string last_without_fragment = good;
  last_without_fragment[2] = kFrameLast;
  EXPECT_FALSE(DecodeFrame(last_without_fragment, 16).ok());
  std::string reserved = good;
  reserved[3] = 1;
  EXPECT_FALSE(DecodeFrame(reserved, 16).ok());
}

}  // namespace
}  // namespace edgesync::transport
