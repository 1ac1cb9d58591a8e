#include "catalog/formats/csv_reader.h"

#include <cstddef>
#include <limits>
#include <string>

#include "catalog/formats/text_scan.h"

namespace edgesync::formats {
namespace {

constexpr size_t kNoColumn = std::numeric_limits<size_t>::max();

struct CsvCursor {
  std::string_view text;
  size_t pos = 0;
  uint64_t line = 1;
};

struct RecordInfo {
  uint64_t start_line = 0;
  size_t field_count = 0;
  std::string error;  // the first syntax problem in the record, if any
};

bool AtLineBreak(const CsvCursor& c) {
  const auto& t = c.text;
  return t[c.pos] == '\n' || (t[c.pos] == '\r' && c.pos + 1 < t.size() && t[c.pos + 1] == '\n');
}

// Consumes "\n" or "\r\n" at the cursor.
void SkipLineBreak(CsvCursor& c) {
  c.pos += c.text[c.pos] == '\r' ? 2 : 1;
  ++c.line;
}

// Reads the rest of a quoted field (the opening quote already consumed) into `field`.
void ReadQuotedField(CsvCursor& c, std::string& field, RecordInfo& info) {
  const uint64_t open_line = c.line;
  const auto& t = c.text;
  while (c.pos < t.size()) {
    const char ch = t[c.pos];
    if (ch == '"') {
      if (c.pos + 1 < t.size() && t[c.pos + 1] == '"') {
        field += '"';
        c.pos += 2;
        continue;
      }
      ++c.pos;
      // After the closing quote only a comma, a line break or the end may follow.
      if (c.pos < t.size() && t[c.pos] != ',' && !AtLineBreak(c)) {
        if (info.error.empty()) info.error = "unexpected character after a closing quote";
        while (c.pos < t.size() && t[c.pos] != ',' && !AtLineBreak(c)) field += t[c.pos++];
      }
      return;
    }
    if (ch == '\n') ++c.line;
    field += ch;
    ++c.pos;
  }
  if (info.error.empty())
    info.error = "unterminated quoted field (opened on line " + std::to_string(open_line) + ")";
}

void ReadPlainField(CsvCursor& c, std::string& field, RecordInfo& info) {
  const auto& t = c.text;
  while (c.pos < t.size() && t[c.pos] != ',' && !AtLineBreak(c)) {
    if (t[c.pos] == '"' && info.error.empty()) info.error = "quote character inside an unquoted field";
    field += t[c.pos++];
  }
}

// Reads the next record, calling on_field(index, value) for each field. Returns false at the
// end of the input. Blank lines between records are skipped.
template <typename OnField>
bool ReadRecord(CsvCursor& c, RecordInfo& info, OnField&& on_field) {
  while (c.pos < c.text.size() && AtLineBreak(c)) SkipLineBreak(c);
  if (c.pos >= c.text.size()) return false;
  info = RecordInfo{c.line, 0, {}};
  std::string field;
  for (;;) {
    field.clear();
    if (c.pos < c.text.size() && c.text[c.pos] == '"') {
      ++c.pos;
      ReadQuotedField(c, field, info);
    } else {
      ReadPlainField(c, field, info);
    }
    on_field(info.field_count++, std::string_view(field));
    if (c.pos >= c.text.size()) return true;
    if (c.text[c.pos] == ',') {
      ++c.pos;
      continue;
    }
    SkipLineBreak(c);
    return true;
  }
}

}  // namespace

void ParseCsv(std::string_view text, std::string_view file, std::string_view label_column,
              DatasetStats& stats) {
  CsvCursor cursor{StripBom(text)};
  RecordInfo header;
  size_t label_index = kNoColumn;
  const bool has_header = ReadRecord(cursor, header, [&](size_t index, std::string_view name) {
    if (label_index == kNoColumn && !label_column.empty() && name == label_column) label_index = index;
  });
  if (!has_header) {
    stats.AddProblem(file, 0, "empty file: no header record");
    return;
  }
  if (!header.error.empty()) stats.AddProblem(file, header.start_line, "header: " + header.error);
  if (!label_column.empty() && label_index == kNoColumn)
    stats.AddProblem(file, header.start_line, "no column named " + Excerpt(label_column) + " in the header");

  RecordInfo record;
  std::string label;
  bool has_label = false;
  while (ReadRecord(cursor, record, [&](size_t index, std::string_view value) {
    if (index == label_index) {
      label.assign(value);
      has_label = true;
    }
  })) {
    ++stats.samples;
    if (!record.error.empty()) stats.AddProblem(file, record.start_line, record.error);
    if (record.field_count != header.field_count)
      stats.AddProblem(file, record.start_line,
                       "record has " + std::to_string(record.field_count) + " fields, the header has " +
                           std::to_string(header.field_count));
    if (label_index != kNoColumn) {
      if (!has_label || label.empty())
        stats.AddProblem(file, record.start_line, "missing or empty label in column " + Excerpt(label_column));
      else
        stats.AddClass(label);
    }
    has_label = false;
  }
}

void ReadCsvDataset(const DatasetTree& tree, std::string_view label_column, DatasetStats& stats) {
  for (const TreeFile* file : tree.WithExtension(".csv")) {
    auto text = tree.Read(*file);
    if (!text.ok()) {
      stats.AddProblem(file->path, 0, text.status().message());
      continue;
    }
    ParseCsv(*text, file->path, label_column, stats);
  }
}

}  // namespace edgesync::formats
