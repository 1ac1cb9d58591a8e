#include "objectstore/s3_xml.h"

#include <pugixml.hpp>

#include <sstream>

namespace edgesync::objectstore {
namespace {

std::string Clean(std::string text, size_t limit) {
  std::string out;
  for (char c : text) {
    if (out.size() >= limit) break;
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  return out;
}

Status NotTheAnswer(const std::string& what, const char* expected) {
  return Status::IoError(what + ": the server's answer is not " + expected);
}

}  // namespace

S3ErrorBody ParseS3Error(const std::string& body) {
  pugi::xml_document doc;
  S3ErrorBody error;
  if (!doc.load_buffer(body.data(), body.size())) return error;
  pugi::xml_node root = doc.child("Error");
  error.code = Clean(root.child_value("Code"), 64);
  error.message = Clean(root.child_value("Message"), 200);
  return error;
}

Result<ListPage> ParseListObjectsV2(const std::string& body, const std::string& what) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return NotTheAnswer(what, "a ListBucketResult document");
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return NotTheAnswer(what, "a ListBucketResult document");
  ListPage page;
  for (pugi::xml_node contents : root.children("Contents")) {
    ObjectInfo info;
    info.key = contents.child_value("Key");
    info.size = contents.child("Size").text().as_ullong();
    info.etag = contents.child_value("ETag");
    info.last_modified = contents.child_value("LastModified");
    page.objects.push_back(std::move(info));
  }
  if (std::string(root.child_value("IsTruncated")) == "true") {
    page.next_continuation_token = root.child_value("NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      return Status::IoError(what + ": a truncated listing without a continuation token");
    }
  }
  return page;
}

Result<std::string> ParseUploadId(const std::string& body, const std::string& what) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (id.empty()) return NotTheAnswer(what, "an InitiateMultipartUploadResult with an UploadId");
  return id;
}

Result<std::string> ParseCompleteMultipartUpload(const std::string& body, const std::string& what) {
  pugi::xml_document doc;
  doc.load_buffer(body.data(), body.size());
  if (pugi::xml_node error = doc.child("Error")) {
    return Status::IoError(what + ": completing the upload failed: " + Clean(error.child_value("Code"), 64) +
                           ": " + Clean(error.child_value("Message"), 200));
  }
  pugi::xml_node result = doc.child("CompleteMultipartUploadResult");
  if (!result) return NotTheAnswer(what, "a CompleteMultipartUploadResult document");
  return std::string(result.child_value("ETag"));
}

std::string CompleteMultipartUploadXml(const std::vector<CompletedPart>& parts) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  for (const CompletedPart& part : parts) {
    pugi::xml_node node = root.append_child("Part");
    node.append_child("PartNumber").text().set(part.part_number);
    node.append_child("ETag").text().set(part.etag.c_str());
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

}  // namespace edgesync::objectstore
