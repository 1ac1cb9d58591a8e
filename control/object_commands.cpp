#include "control/object_commands.h"

#include <chrono>

#include "control/command_params.h"
#include "control/store_commands.h"
#include "control/transfer_progress.h"
#include "objectstore/object_url.h"
#include "remote/version_export.h"

namespace edgesync {
namespace {

using nlohmann::json;

Result<json> Export(Store& store, ObjectSources& sources, const json& params, CommandContext& context) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<std::string> url_text = RequireString(params, "url");
  if (!url_text.ok()) return url_text.status();
  Result<objectstore::ObjectUrl> url = objectstore::ObjectUrl::Parse(*url_text);
  if (!url.ok()) return url.status();
  if (!url->is_s3())
    return Status::InvalidArgument("export writes to s3:// URLs only, not " + url->ToString());
  const std::string version_id = OptionalString(params, "version");
  Result<VersionInfo> version = version_id.empty() ? store.Latest(*key) : store.GetVersion(*key, version_id);
  if (!version.ok()) return version.status().WithContext(key->str());
  Result<objectstore::ObjectStore*> s3 = sources.S3();
  if (!s3.ok()) return s3.status();

  const auto started = std::chrono::steady_clock::now();
  TransferProgress progress(context, "export");
  ExportOptions options{OptionalString(params, "part"), ReportingControl(progress, context)};
  Result<ExportResult> exported = ExportVersion(store, *version, *url, **s3, options);
  if (!exported.ok()) return exported.status();
  json result = VersionJson(*version);
  result["url"] = url->ToString();
  result["files"] = exported->files;
  result["uploaded"] = exported->uploaded;
  result["skipped"] = exported->skipped;
  result["bytes"] = exported->bytes;
  result["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

void RegisterObjectCommands(CommandDispatcher& dispatcher, Store& store, ObjectSources& sources) {
  dispatcher.Register("export", CommandLane::kBulk,
                      [&store, &sources](const json& params, CommandContext& context) {
                        return Export(store, sources, params, context);
                      });
}

}  // namespace edgesync
