#include "objectstore/s3_config.h"

#include "objectstore/aws_profile.h"
#include "objectstore/object_url.h"

namespace edgesync::objectstore {

std::string S3Config::EndpointUrl() const {
  return std::string(https ? "https://" : "http://") + host + (port != 0 ? ":" + std::to_string(port) : "");
}

std::string S3Config::ToString() const {
  return EndpointUrl() + " (region " + region + ", " + (path_style ? "path style" : "virtual-hosted style") +
         ", " + credentials.ToString() + ")";
}

Result<S3Config> ResolveS3Config(const S3Settings& settings, const S3Environment& env) {
  Result<AwsProfile> profile = LoadAwsProfile(settings, env);
  if (!profile.ok()) return profile.status();
  S3Config config;

  for (const std::string& region :
       {settings.region, env.Get("AWS_REGION"), env.Get("AWS_DEFAULT_REGION"), profile->Get("region")}) {
    if (!region.empty()) {
      config.region = region;
      break;
    }
  }
  for (char c : config.region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument("S3 region '" + config.region +
                                     "' is not valid (expected e.g. eu-west-1)");
    }
  }

  std::string endpoint;
  for (const std::string& candidate : {settings.endpoint, env.Get("AWS_ENDPOINT_URL_S3"),
                                       env.Get("AWS_ENDPOINT_URL"), profile->Get("endpoint_url")}) {
    if (!candidate.empty()) {
      endpoint = candidate;
      break;
    }
  }
  bool custom_endpoint = !endpoint.empty();
  if (custom_endpoint) {
    Result<ObjectUrl> url = ObjectUrl::Parse(endpoint);
    if (!url.ok()) return url.status().WithContext("S3 endpoint");
    if (url->is_s3() || url->path() != "/" || !url->query().empty()) {
      return Status::InvalidArgument("S3 endpoint '" + url->ToString() +
                                     "' must be http(s)://host[:port] without a path");
    }
    config.https = url->scheme() == ObjectUrl::Scheme::kHttps;
    config.host = url->host();
    config.port = url->port();
  } else {
    config.host = "s3." + config.region + ".amazonaws.com";
  }

  std::string style = profile->Get("s3.addressing_style");
  if (settings.path_style.has_value()) {
    config.path_style = *settings.path_style;
  } else if (style == "path" || style == "virtual") {
    config.path_style = style == "path";
  } else {
    config.path_style = custom_endpoint;
  }

  Result<S3Credentials> credentials = ResolveS3Credentials(settings, env, *profile);
  if (!credentials.ok()) return credentials.status();
  config.credentials = std::move(*credentials);
  return config;
}

}  // namespace edgesync::objectstore
