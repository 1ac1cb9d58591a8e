#include "checkout/json_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edgesync {

Status ReplaceJsonFile(const std::filesystem::path& path, const nlohmann::json& value) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  const std::string text = value.dump(2) + "\n";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot write " + temp.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const bool synced = written == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Status::IoError("cannot write " + temp.string() + ": " + std::strerror(errno));
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status::IoError("cannot replace " + path.string() + ": " + ec.message());
  const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::NotFound(path.string() + " does not exist");
    return Status::IoError("cannot read " + path.string());
  }
  std::stringstream text;
  text << in.rdbuf();
  auto value = nlohmann::json::parse(text.str(), nullptr, false);
  if (value.is_discarded()) return Status::Corruption(path.string() + " is not JSON");
  return value;
}

Result<nlohmann::json> ReadJsonObjectFile(const std::filesystem::path& path) {
  Result<nlohmann::json> read = ReadJsonFile(path);
  if (read.status().IsNotFound()) return nlohmann::json::object();
  if (!read.ok()) return read.status();
  if (!read->is_object()) return Status::Corruption(path.string() + " is not a JSON object");
  return read;
}

}  // namespace edgesync
