// Internal to objectstore/: the Status for an S3 answer that is not a success. Messages name
// the object as s3://bucket/key and the credentials only by S3Credentials::ToString (never a
// secret); the server's own words are limited to its error code and message.
#pragma once

#include <string>

#include "base/status.h"
#include "objectstore/http_exchange.h"
#include "objectstore/s3_credentials.h"

namespace edgesync::objectstore {

// `target`: "s3://bucket/key"; `bucket` for "no such bucket" messages.
Status S3AnswerStatus(const HttpResponse& response, const std::string& target, const std::string& bucket,
                      const S3Credentials& credentials);

}  // namespace edgesync::objectstore
