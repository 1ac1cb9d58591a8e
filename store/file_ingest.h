// IngestFile and IngestStream: read one file (or stream) once, splitting it into content-defined
// chunks and computing its SHA-256 in the same pass (on a second thread for large files).
//
// Memory stays bounded (two read blocks) whatever the file size. Thread-compatible: each call
// is independent.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "store/byte_stream.h"
#include "store/chunker.h"
#include "store/manifest.h"
#include "base/status.h"

namespace edgesync {

// Receives each chunk in file order; the bytes are valid only during the call.
using ChunkSink = std::function<Status(const ChunkId&, std::string_view)>;

// Returns the file's manifest entry (path, size, mode, chunks, sha256).
Result<FileEntry> IngestFile(const std::filesystem::path& source, const std::string& path,
                             uint32_t mode, const Chunker& chunker, const ChunkSink& sink);

// The same for bytes pushed by `stream` (an object read from S3 or an https URL): copied into
// the same two blocks, so memory stays bounded however the stream slices its bytes. A stream
// failure ends the ingest with that status.
Result<FileEntry> IngestStream(const ByteStream& stream, const std::string& path, uint32_t mode,
                               const Chunker& chunker, const ChunkSink& sink);

}  // namespace edgesync
