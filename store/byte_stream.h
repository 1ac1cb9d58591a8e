// ByteStream: the bytes of one input that is not a local file (an object in S3, an https URL),
// pushed in order into a sink. A put ingests it like a file (store/file_ingest.h).
#pragma once

#include <functional>
#include <string_view>

#include "base/status.h"

namespace edgesync {

// Pushes every byte in order into `sink` and returns when the input ends or fails; a non-ok
// status from `sink` ends the stream with that status. Each call reads from the start (a
// dataset's annotation files are read once for statistics, then again by the put).
using ByteStream = std::function<Status(const std::function<Status(std::string_view)>& sink)>;

}  // namespace edgesync
