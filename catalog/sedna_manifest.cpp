#include "catalog/sedna_manifest.h"

#include <algorithm>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <cmath>

#include <yaml-cpp/yaml.h>

#include "catalog/model_spec.h"

namespace edgesync {

namespace {

constexpr const char* kApiVersion = "sedna.io/v1alpha1";

struct DocError {
  size_t index;
  Status Field(const std::string& field, const std::string& what) const {
    return Status::InvalidArgument("sedna document " + std::to_string(index) + ": field '" +
                                   field + "' " + what);
  }
};

Result<std::string> Scalar(const YAML::Node& parent, const char* name, const std::string& path,
                           bool required, const DocError& err) {
  const YAML::Node node = parent[name];
  if (!node.IsDefined() || node.IsNull()) {
    if (required) return err.Field(path + name, "is required");
    return std::string();
  }
  if (!node.IsScalar()) return err.Field(path + name, "must be a string");
  return node.Scalar();
}

Status StringMap(const YAML::Node& parent, const char* name, const std::string& path,
                 const DocError& err, std::map<std::string, std::string>* out) {
  const YAML::Node node = parent[name];
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return err.Field(path + name, "must be a map of strings");
  for (const auto& kv : node) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar())
      return err.Field(path + name, "must be a map of strings");
    (*out)[kv.first.Scalar()] = kv.second.Scalar();
  }
  return Status::Ok();
}

// The metadata.annotations of a document; ours (the edgesync.io/ prefix) must be in `known`,
// so a misspelt one is refused instead of ignored. Other annotations are left alone.
Status EdgesyncAnnotations(const YAML::Node& doc, const DocError& err,
                           std::initializer_list<const char*> known,
                           std::map<std::string, std::string>* out) {
  EDGESYNC_RETURN_IF_ERROR(StringMap(doc["metadata"], "annotations", "metadata.", err, out));
  for (const auto& entry : *out) {
    const std::string& name = entry.first;  // a plain reference: clang 14 cannot capture bindings
    if (!name.starts_with("edgesync.io/")) continue;
    if (std::none_of(known.begin(), known.end(), [&name = name](const char* k) { return name == k; })) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return err.Field("metadata.annotations." + name, "is not an edgesync.io annotation of this kind (known: " + list + ")");
    }
  }
  return Status::Ok();
}

Status ParseModelFields(const YAML::Node& doc, const DocError& err, SednaObject* o) {
  const YAML::Node spec = doc["spec"];
  const YAML::Node socs = spec["device_soc_versions"];
  if (socs.IsDefined() && !socs.IsNull()) {
    if (!socs.IsSequence()) return err.Field("spec.device_soc_versions", "must be a list of strings");
    for (const auto& s : socs) {
      if (!s.IsScalar()) return err.Field("spec.device_soc_versions", "must be a list of strings");
      o->device_soc_versions.push_back(s.Scalar());
    }
  }
  const YAML::Node status = doc["status"];
  if (status.IsDefined() && !status.IsNull() && !status.IsMap()) return err.Field("status", "must be a map");
  const YAML::Node metrics = status.IsDefined() && status.IsMap() ? status["metrics"] : YAML::Node();
  if (metrics.IsDefined() && !metrics.IsNull()) {
    if (!metrics.IsSequence()) return err.Field("status.metrics", "must be a list of {key, value}");
    for (const auto& m : metrics) {
      if (!m.IsMap()) return err.Field("status.metrics", "must be a list of {key, value}");
      auto key = Scalar(m, "key", "status.metrics[].", true, err);
      if (!key.ok()) return key.status();
      auto value = Scalar(m, "value", "status.metrics[].", true, err);
      if (!value.ok()) return value.status();
      const std::string field = "status.metrics." + *key;
      auto name_ok = ValidateMetricName(*key);
      if (!name_ok.ok()) return err.Field(field, name_ok.message());
      double v = 0;
      const std::string& s = *value;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
        return err.Field(field, "value '" + s + "' is not a finite number");
      o->metrics[*key] = v;
    }
  }
  std::map<std::string, std::string> annotations;
  EDGESYNC_RETURN_IF_ERROR(
      EdgesyncAnnotations(doc, err, {"edgesync.io/task", "edgesync.io/labels"}, &annotations));
  o->task = annotations["edgesync.io/task"];
  const std::string& labels = annotations["edgesync.io/labels"];
  for (size_t start = 0; start < labels.size();) {
    size_t pos = labels.find(',', start);
    if (pos == std::string::npos) pos = labels.size();
    if (pos > start) o->model_labels.push_back(labels.substr(start, pos - start));
    start = pos + 1;
  }
  return Status::Ok();
}

Result<SednaObject> ParseDocument(const YAML::Node& doc, const DocError& err) {
  if (!doc.IsMap()) return err.Field("(root)", "must be a map");
  auto api = Scalar(doc, "apiVersion", "", true, err);
  if (!api.ok()) return api.status();
  auto kind = Scalar(doc, "kind", "", true, err);
  if (!kind.ok()) return kind.status();
  if (*api != kApiVersion)
    return err.Field("apiVersion", "'" + *api + "' is not supported (expected " + kApiVersion + ")");
  SednaObject o;
  if (*kind == "Model") o.kind = SednaKind::kModel;
  else if (*kind == "Dataset") o.kind = SednaKind::kDataset;
  else return err.Field("kind", "'" + *kind + "' is not supported (expected Model or Dataset)");

  const YAML::Node metadata = doc["metadata"];
  if (!metadata.IsMap()) return err.Field("metadata", "is required and must be a map");
  auto name = Scalar(metadata, "name", "metadata.", true, err);
  if (!name.ok()) return name.status();
  auto ns = Scalar(metadata, "namespace", "metadata.", false, err);
  if (!ns.ok()) return ns.status();
  o.name = *name;
  o.ns = ns->empty() ? "default" : *ns;
  EDGESYNC_RETURN_IF_ERROR(StringMap(metadata, "labels", "metadata.", err, &o.labels));

  const YAML::Node spec = doc["spec"];
  if (!spec.IsMap()) return err.Field("spec", "is required and must be a map");
  auto url = Scalar(spec, "url", "spec.", true, err);
  if (!url.ok()) return url.status();
  auto format = Scalar(spec, "format", "spec.", true, err);
  if (!format.ok()) return format.status();
  o.url = *url;
  o.format = *format;
  if (o.kind == SednaKind::kDataset) {
    auto node = Scalar(spec, "nodeName", "spec.", true, err);
    if (!node.ok()) return node.status();
    auto cred = Scalar(spec, "credentialName", "spec.", false, err);
    if (!cred.ok()) return cred.status();
    o.node_name = *node;
    o.credential_name = *cred;
    std::map<std::string, std::string> annotations;
    EDGESYNC_RETURN_IF_ERROR(EdgesyncAnnotations(doc, err, {"edgesync.io/label-column"}, &annotations));
    if (auto column = annotations.find("edgesync.io/label-column"); column != annotations.end()) {
      if (column->second.empty())
        return err.Field("metadata.annotations.edgesync.io/label-column", "must not be empty");
      o.label_column = column->second;
    }
  } else {
    EDGESYNC_RETURN_IF_ERROR(ParseModelFields(doc, err, &o));
  }
  auto key = o.Key();
  if (!key.ok()) return Status::InvalidArgument("sedna document " + std::to_string(err.index) + ": " + key.status().message());
  return o;
}

// Walks the YAML events once before building nodes, refusing anchors and aliases (a manifest
// never needs them, and alias cycles make yaml-cpp's node graph leak), absurd nesting, and
// more events than the input can honestly hold: on some malformed inputs yaml-cpp 0.7 emits
// null events forever (found by fuzz_sedna), so the walk is cut off and the input refused.
class ManifestShapeCheck : public YAML::EventHandler {
 public:
  static constexpr int kMaxDepth = 64;
  struct Runaway {};  // thrown to leave yaml-cpp's event loop
  std::string problem;

  explicit ManifestShapeCheck(size_t input_bytes) : max_events_(4 * input_bytes + 256) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Check(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    Check(mark, YAML::NullAnchor);
    Refuse(mark);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    Check(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  void Close() {
    --depth_;
    Check(last_mark_, YAML::NullAnchor);
  }
  void Check(const YAML::Mark& mark, YAML::anchor_t anchor) {
    last_mark_ = mark;
    if (++events_ > max_events_) {
      problem = "the YAML parser does not terminate on this input (near line " + std::to_string(mark.line + 1) + ")";
      throw Runaway{};
    }
    if (anchor != YAML::NullAnchor) Refuse(mark);
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Check(mark, anchor);
    if (++depth_ > kMaxDepth && problem.empty())
      problem = "nesting deeper than " + std::to_string(kMaxDepth) + " levels at line " + std::to_string(mark.line + 1);
  }
  void Refuse(const YAML::Mark& mark) {
    if (problem.empty())
      problem = "YAML anchors and aliases are not supported (line " + std::to_string(mark.line + 1) + ")";
  }
  int depth_ = 0;
  size_t events_ = 0;
  size_t max_events_;
  YAML::Mark last_mark_;
};

constexpr size_t kMaxManifestBytes = 1u << 20;

}  // namespace

Result<ObjectKey> SednaObject::Key() const {
  return ObjectKey::Parse(std::string(kind == SednaKind::kModel ? "model/" : "dataset/") + ns +
                          "/" + name);
}

Result<std::vector<SednaObject>> ParseSednaManifests(std::string_view yaml_text) {
  if (yaml_text.size() > kMaxManifestBytes)
    return Status::InvalidArgument("sedna manifest is larger than 1 MiB");
  std::vector<YAML::Node> docs;
  try {
    std::stringstream events{std::string(yaml_text)};
    YAML::Parser parser(events);
    ManifestShapeCheck shape(yaml_text.size());
    try {
      while (shape.problem.empty() && parser.HandleNextDocument(shape)) {
      }
    } catch (const ManifestShapeCheck::Runaway&) {
    }
    if (!shape.problem.empty()) return Status::InvalidArgument("sedna manifest: " + shape.problem);
    docs = YAML::LoadAll(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string("sedna manifest is not valid YAML: ") + e.what());
  }
  std::vector<SednaObject> out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (docs[i].IsNull()) continue;
    try {
      auto o = ParseDocument(docs[i], DocError{i + 1});
      if (!o.ok()) return o.status();
      out.push_back(std::move(o).value());
    } catch (const YAML::Exception& e) {
      return Status::InvalidArgument("sedna document " + std::to_string(i + 1) + ": " + e.what());
    }
  }
  if (out.empty()) return Status::InvalidArgument("sedna manifest holds no documents");
  return out;
}

Result<std::filesystem::path> ResolveLocalUrl(std::string_view url,
                                              const std::filesystem::path& base_dir) {
  if (url.empty()) return Status::InvalidArgument("url is empty");
  size_t sep = url.find("://");
  std::string_view path = url;
  if (sep != std::string_view::npos) {
    std::string scheme(url.substr(0, sep));
    if (scheme != "file")
      return Status::Unsupported("url '" + std::string(url) + "': scheme '" + scheme +
                                 "' is not supported yet (only local paths and file://)");
    path = url.substr(sep + 3);
    if (path.starts_with("localhost/")) path.remove_prefix(9);
    if (!path.starts_with("/"))
      return Status::InvalidArgument("url '" + std::string(url) +
                                     "': file:// urls need an absolute path (file:///...)");
  }
  std::filesystem::path p(path);
  if (p.is_relative()) p = base_dir / p;
  return p.lexically_normal();
}

}  // namespace edgesync
