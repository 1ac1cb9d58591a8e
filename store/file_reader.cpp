#include "store/file_reader.h"

#include <algorithm>
#include <cstring>

namespace edgesync {

Result<size_t> FileReader::Read(char* buffer, size_t capacity) {
  size_t copied = 0;
  while (copied < capacity) {
    if (offset_ == chunk_.size()) {
      if (next_chunk_ == file_.chunks.size()) {
        if (!verified_) {
          if (sha_.FinishHex() != file_.sha256) {
            return Status::Corruption("file '" + file_.path + "' does not match its SHA-256");
          }
          verified_ = true;
        }
        break;
      }
      const ChunkRef& ref = file_.chunks[next_chunk_++];
      EDGESYNC_RETURN_IF_ERROR(chunks_.Get(ref.id, &chunk_).WithContext("file '" + file_.path + "'"));
      if (chunk_.size() != ref.size) {
        return Status::Corruption("file '" + file_.path + "': chunk " + ref.id.Hex() + " has the wrong size");
      }
      sha_.Update(chunk_.data(), chunk_.size());
      offset_ = 0;
      continue;
    }
    const size_t take = std::min(capacity - copied, chunk_.size() - offset_);
    std::memcpy(buffer + copied, chunk_.data() + offset_, take);
    offset_ += take;
    copied += take;
  }
  return copied;
}

}  // namespace edgesync
