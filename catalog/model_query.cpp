#include "catalog/model_query.h"

#include <charconv>
#include <cmath>

#include "catalog/model_spec.h"

namespace edgesync {

namespace {

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t pos = text.find(',', start);
    if (pos == std::string_view::npos) pos = text.size();
    if (pos > start) out.emplace_back(text.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

Result<double> ParseNumber(std::string_view text, const std::string& what) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return Status::InvalidArgument(what + ": '" + std::string(text) + "' is not a finite number");
  return v;
}

}  // namespace

const char* CompareOpName(CompareOp op) {
  switch (op) {
    case CompareOp::kGreaterEqual: return ">=";
    case CompareOp::kLessEqual: return "<=";
    case CompareOp::kGreater: return ">";
    case CompareOp::kLess: return "<";
  }
  return "?";
}

bool MetricCondition::Matches(double value) const {
  switch (op) {
    case CompareOp::kGreaterEqual: return value >= threshold;
    case CompareOp::kLessEqual: return value <= threshold;
    case CompareOp::kGreater: return value > threshold;
    case CompareOp::kLess: return value < threshold;
  }
  return false;
}

Result<MetricCondition> MetricCondition::Parse(std::string_view text) {
  size_t pos = text.find_first_of("<>");
  if (pos == std::string_view::npos)
    return Status::InvalidArgument("metric condition '" + std::string(text) +
                                   "' needs an operator: >=, <=, > or <");
  MetricCondition c;
  c.metric = std::string(text.substr(0, pos));
  bool greater = text[pos] == '>';
  bool equal = pos + 1 < text.size() && text[pos + 1] == '=';
  c.op = greater ? (equal ? CompareOp::kGreaterEqual : CompareOp::kGreater)
                 : (equal ? CompareOp::kLessEqual : CompareOp::kLess);
  EDGESYNC_RETURN_IF_ERROR(ValidateMetricName(c.metric).WithContext(
      "metric condition '" + std::string(text) + "'"));
  auto v = ParseNumber(text.substr(pos + (equal ? 2 : 1)),
                       "metric condition '" + std::string(text) + "'");
  if (!v.ok()) return v.status();
  c.threshold = *v;
  return c;
}

Result<ModelQuery> ModelQuery::Parse(const std::vector<std::string>& args) {
  ModelQuery q;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i], value;
    if (!flag.starts_with("--"))
      return Status::InvalidArgument("query: unexpected word '" + flag + "' (flags start with --)");
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else {
      if (i + 1 >= args.size()) return Status::InvalidArgument("query: " + flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--task") {
      q.task = value;
    } else if (flag == "--labels-all") {
      auto l = SplitList(value);
      q.labels_all.insert(q.labels_all.end(), l.begin(), l.end());
    } else if (flag == "--labels-any") {
      auto l = SplitList(value);
      q.labels_any.insert(q.labels_any.end(), l.begin(), l.end());
    } else if (flag == "--meta") {
      auto eq = value.find('=');
      if (eq == std::string::npos || eq == 0)
        return Status::InvalidArgument("query: --meta '" + value + "' must be key=value");
      q.metadata[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (flag == "--metric") {
      auto c = MetricCondition::Parse(value);
      if (!c.ok()) return c.status().WithContext("query");
      q.metrics.push_back(*c);
    } else if (flag == "--order") {
      EDGESYNC_RETURN_IF_ERROR(ValidateMetricName(value).WithContext("query: --order"));
      q.order_by = value;
    } else if (flag == "--limit") {
      size_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size())
        return Status::InvalidArgument("query: --limit '" + value + "' is not a non-negative integer");
      q.limit = n;
    } else if (flag == "--prefix") {
      q.key_prefix = value;
    } else {
      return Status::InvalidArgument("query: unknown flag '" + flag + "'");
    }
  }
  return q;
}

Result<ModelQuery> ModelQuery::ParseText(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) return Status::InvalidArgument("query: unterminated quote");
  if (in_word) words.push_back(std::move(word));
  return Parse(words);
}

}  // namespace edgesync
