// DatasetDeclaration: what a user states about a dataset when putting it, as opposed to the
// statistics computed from its files: the format, the csv label column, named split files and
// where the dataset came from.
//
// Read from a `put dataset/... --spec FILE` document, e.g.
//   {"kind": "dataset", "format": "csv", "label_column": "species",
//    "splits": {"train": "train.csv", "test": "test.csv"}}
// or built from a Sedna Dataset (docs/sedna.md). Unknown fields are refused so that a typo
// does not pass silently. Plain value type; needs external synchronization.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

struct DatasetSource {
  std::string url;              // as given (a Sedna spec.url)
  std::string node_name;        // Sedna spec.nodeName
  std::string credential_name;  // Sedna spec.credentialName
  bool empty() const { return url.empty() && node_name.empty() && credential_name.empty(); }
  bool operator==(const DatasetSource&) const = default;
};

struct DatasetDeclaration {
  std::string format;        // one of formats::kDatasetFormatNames; empty = detect from the files
  std::string label_column;  // csv only: header name of the column holding the class label
  std::map<std::string, std::string> splits;  // split name (a-z 0-9 - _) -> file of the dataset
  DatasetSource source;

  // Errors are InvalidArgument naming the field: "dataset spec: field 'splits.train' ...".
  static Result<DatasetDeclaration> Parse(std::string_view json_text);
  static Result<DatasetDeclaration> FromJson(const nlohmann::json& j);

  // Checks that every split names one of `files` (relative '/'-separated paths).
  Status ValidateSplitFiles(const std::set<std::string>& files) const;

  bool operator==(const DatasetDeclaration&) const = default;
};

// Reads the declared fields that a stored dataset spec shares with a declaration
// (`label_column`, `splits`, `source`), ignoring every other field. `what` prefixes errors.
Status ReadDeclaredDatasetFields(const nlohmann::json& j, const std::string& what,
                                 DatasetDeclaration* out);

// Adds the non-empty declared fields (not `format`) to a spec object.
void WriteDeclaredDatasetFields(const DatasetDeclaration& declared, nlohmann::json& j);

}  // namespace edgesync
