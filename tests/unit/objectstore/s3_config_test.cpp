#include "objectstore/s3_config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process_runner.h"
#include "tests/support/temp_dir.h"

namespace edgesync::objectstore {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET";
constexpr char kToken[] = "FwoGZXIvYXdzSESSIONTOKEN";

class S3ConfigTest : public ::testing::Test {
 protected:
  S3ConfigTest() {
    env_.home = home_.path().string();
    std::filesystem::create_directories(home_ / ".aws");
  }

  void WriteAws(const std::string& name, const std::string& text) {
    testing::WriteFileText(home_ / ".aws" / name, text);
  }

  S3Config Resolve(const S3Settings& settings = {}) {
    Result<S3Config> config = ResolveS3Config(settings, env_);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return {};
    EXPECT_EQ(config->ToString().find(kSecret), std::string::npos) << config->ToString();
    EXPECT_EQ(config->ToString().find(kToken), std::string::npos) << config->ToString();
    return *config;
  }

  Status Refusal(const S3Settings& settings = {}) {
    Result<S3Config> config = ResolveS3Config(settings, env_);
    EXPECT_FALSE(config.ok());
    if (config.ok()) return Status::Ok();
    EXPECT_EQ(config.status().message().find(kSecret), std::string::npos) << config.status().message();
    return config.status();
  }

  testing::TempDir home_;
  S3Environment env_;
};

TEST_F(S3ConfigTest, NothingConfiguredMeansAwsUnsigned) {
  S3Config config = Resolve();
  EXPECT_TRUE(config.https);
  EXPECT_EQ(config.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(config.region, "us-east-1");
  EXPECT_FALSE(config.path_style);
  EXPECT_TRUE(config.credentials.anonymous());
}

TEST_F(S3ConfigTest, EnvironmentVariables) {
  env_.vars = {{"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
               {"AWS_SECRET_ACCESS_KEY", kSecret},
               {"AWS_SESSION_TOKEN", kToken},
               {"AWS_DEFAULT_REGION", "eu-central-1"},
               {"AWS_ENDPOINT_URL", "http://127.0.0.1:9000"}};
  S3Config config = Resolve();
  EXPECT_EQ(config.credentials.access_key_id, "AKIAENVEXAMPLE1234");
  EXPECT_EQ(config.credentials.secret_access_key, kSecret);
  EXPECT_EQ(config.credentials.session_token, kToken);
  EXPECT_EQ(config.region, "eu-central-1");
  EXPECT_FALSE(config.https);
  EXPECT_EQ(config.host, "127.0.0.1");
  EXPECT_EQ(config.port, 9000);
  EXPECT_TRUE(config.path_style) << "a configured endpoint defaults to path style";
  EXPECT_EQ(config.credentials.ToString(), "access key …1234 with a session token from the environment");

  env_.vars["AWS_REGION"] = "eu-west-3";                         // AWS_REGION wins over AWS_DEFAULT_REGION
  env_.vars["AWS_ENDPOINT_URL_S3"] = "https://rgw.example.net";  // the S3-specific one wins
  config = Resolve();
  EXPECT_EQ(config.region, "eu-west-3");
  EXPECT_EQ(config.EndpointUrl(), "https://rgw.example.net");
}

TEST_F(S3ConfigTest, DefaultProfileFromTheAwsFiles) {
  WriteAws("credentials",
           std::string("[default]\naws_access_key_id = AKIAFILEEXAMPLE9999\naws_secret_access_key = ") +
               kSecret + "\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n");
  WriteAws("config", "[default]\nregion = ap-south-1\n");
  S3Config config = Resolve();
  EXPECT_EQ(config.credentials.access_key_id, "AKIAFILEEXAMPLE9999");
  EXPECT_EQ(config.region, "ap-south-1");
  EXPECT_EQ(config.host, "s3.ap-south-1.amazonaws.com");
  EXPECT_NE(config.credentials.source.find(".aws/credentials [default]"), std::string::npos);
}

TEST_F(S3ConfigTest, EnvironmentKeysWinOverTheFiles) {
  WriteAws("credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n");
  env_.vars = {{"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", kSecret}};
  EXPECT_EQ(Resolve().credentials.access_key_id, "AKIAENV");
}

TEST_F(S3ConfigTest, NamedProfileInBothFiles) {
  WriteAws("credentials",
           std::string("[edge]\naws_access_key_id = AKIAEDGE\naws_secret_access_key = ") + kSecret + "\n");
  WriteAws("config",
           "[profile edge]\nregion = us-west-2\nendpoint_url = https://minio.example.net:9443\n"
           "s3 =\n  addressing_style = virtual\n");
  env_.vars = {{"AWS_PROFILE", "edge"}};
  S3Config config = Resolve();
  EXPECT_EQ(config.credentials.access_key_id, "AKIAEDGE");
  EXPECT_EQ(config.region, "us-west-2");
  EXPECT_EQ(config.EndpointUrl(), "https://minio.example.net:9443");
  EXPECT_FALSE(config.path_style) << "s3.addressing_style = virtual";
}

TEST_F(S3ConfigTest, KeysInTheConfigFile) {
  WriteAws("config", std::string("[profile cfg]\naws_access_key_id = AKIACFG\naws_secret_access_key = ") +
                         kSecret + "\n");
  S3Config config = Resolve(S3Settings{.profile = "cfg"});
  EXPECT_EQ(config.credentials.access_key_id, "AKIACFG");
  EXPECT_NE(config.credentials.source.find("[profile cfg]"), std::string::npos);
}

TEST_F(S3ConfigTest, SettingsOverrideEverything) {
  env_.vars = {{"AWS_ACCESS_KEY_ID", "AKIAENV"},
               {"AWS_SECRET_ACCESS_KEY", "envsecret"},
               {"AWS_REGION", "eu-west-1"},
               {"AWS_ENDPOINT_URL", "https://env.example.net"},
               {"AWS_PROFILE", "nonexistent"}};
  testing::TempDir etc;
  testing::WriteFileText(
      etc / "s3-credentials",
      std::string("[daemon]\naws_access_key_id = AKIADAEMON\naws_secret_access_key = ") + kSecret + "\n");
  S3Settings settings{.endpoint = "http://10.0.0.5:7480",
                      .region = "rgw-zone",
                      .path_style = false,
                      .credentials_file = (etc / "s3-credentials").string(),
                      .profile = "daemon"};
  S3Config config = Resolve(settings);
  EXPECT_EQ(config.EndpointUrl(), "http://10.0.0.5:7480");
  EXPECT_EQ(config.region, "rgw-zone");
  EXPECT_FALSE(config.path_style);
  EXPECT_EQ(config.credentials.access_key_id, "AKIADAEMON")
      << "the configured file wins over the environment";
}

TEST_F(S3ConfigTest, ClearRefusals) {
  EXPECT_EQ(Refusal(S3Settings{.profile = "ghost"}).code(), Status::Code::kNotFound);
  EXPECT_NE(Refusal(S3Settings{.profile = "ghost"}).message().find("profile 'ghost'"), std::string::npos);

  Status missing_file = Refusal(S3Settings{.credentials_file = "/nonexistent/creds"});
  EXPECT_NE(missing_file.message().find("/nonexistent/creds"), std::string::npos) << missing_file.message();

  EXPECT_NE(Refusal(S3Settings{.endpoint = "http://host:9000/some/path"}).message().find("without a path"),
            std::string::npos);
  EXPECT_EQ(Refusal(S3Settings{.endpoint = "ftp://host"}).code(), Status::Code::kUnsupported);
  EXPECT_NE(Refusal(S3Settings{.region = "eu west"}).message().find("region"), std::string::npos);

  env_.vars = {{"AWS_SECRET_ACCESS_KEY", kSecret}};
  Status half = Refusal();
  EXPECT_NE(half.message().find("sets AWS_SECRET_ACCESS_KEY but not AWS_ACCESS_KEY_ID"), std::string::npos)
      << half.message();

  env_.vars.clear();
  WriteAws("credentials", std::string("[default]\naws_secret_access_key = ") + kSecret + "\nbroken line\n");
  Status broken = Refusal();
  EXPECT_NE(broken.message().find("line 3"), std::string::npos) << broken.message();
}

TEST_F(S3ConfigTest, ConfiguredCredentialsFileWithoutKeysIsAnError) {
  testing::TempDir etc;
  testing::WriteFileText(etc / "creds", "[default]\nregion = x\n");
  Status status = Refusal(S3Settings{.credentials_file = (etc / "creds").string()});
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("no keys"), std::string::npos) << status.message();
}

TEST_F(S3ConfigTest, FromProcessReadsOnlyAwsVariables) {
  setenv("AWS_REGION", "sa-east-1", 1);
  S3Environment env = S3Environment::FromProcess();
  unsetenv("AWS_REGION");
  EXPECT_EQ(env.Get("AWS_REGION"), "sa-east-1");
  EXPECT_EQ(env.Get("PATH"), "");
}

}  // namespace
}  // namespace edgesync::objectstore
