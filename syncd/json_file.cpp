#include "syncd/json_file.h"

#include "base/json_depth.h"
#include "transport/identity.h"

namespace edgesync {

Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return nlohmann::json::object();
  auto text = transport::ReadTextFile(file);
  if (!text.ok()) return text.status();
  nlohmann::json parsed = JsonDepthWithin(*text) ? nlohmann::json::parse(*text, nullptr, false)
                                                 : nlohmann::json(nlohmann::json::value_t::discarded);
  if (!parsed.is_object()) return Status::Corruption(file.string() + " is not a JSON object");
  return parsed;
}

Status ReplaceJsonFile(const std::filesystem::path& file, const nlohmann::json& value) {
  const std::filesystem::path temp = file.string() + ".tmp";
  EDGESYNC_RETURN_IF_ERROR(transport::WriteTextFile(temp, value.dump(1) + "\n", true));
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) return Status::IoError("cannot replace " + file.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace edgesync
