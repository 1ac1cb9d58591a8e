// `edgesync put dataset/... --spec FILE` against a real daemon: the spec declares the csv label
// column and splits, and `show` gives the class histogram computed from that column.
#include <nlohmann/json.hpp>

#include "daemon_fixture.h"

namespace edgesync::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class DatasetPutTest : public DaemonFixture {
 protected:
  fs::path IrisDataset() {
    fs::path dir = root() / "iris";
    MakeFile(dir / "train.csv", "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n"
                                "6.3,6.0,virginica\n4.9,1.4,setosa\n");
    MakeFile(dir / "test.csv", "sepal,petal,species\n5.8,4.0,versicolor\n");
    return dir;
  }
};

TEST_F(DatasetPutTest, SpecNamesTheLabelColumnAndShowHasTheHistogram) {
  StartDaemon();
  fs::path spec = root() / "iris.json";
  MakeFile(spec, R"({"kind": "dataset", "format": "csv", "label_column": "species",
                     "splits": {"train": "train.csv", "test": "test.csv"}})");
  ProcessResult put = Cli({"put", "dataset/lab/iris", IrisDataset().string(), "--spec", spec.string(), "--strict"});
  ASSERT_EQ(put.exit_code, 0) << put.err;

  ProcessResult shown = Cli({"show", "dataset/lab/iris", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json show = json::parse(shown.out, nullptr, false);
  ASSERT_TRUE(show.is_object()) << shown.out;
  EXPECT_EQ(show["spec"]["label_column"], "species");
  EXPECT_EQ(show["spec"]["splits"], json({{"test", "test.csv"}, {"train", "train.csv"}}));
  EXPECT_EQ(show["spec"]["stats"]["samples"], 5);
  const json histogram = {{"setosa", 2}, {"versicolor", 2}, {"virginica", 1}};
  EXPECT_EQ(show["spec"]["stats"]["classes"], histogram);
  EXPECT_EQ(show["catalog"]["stats"]["classes"], histogram);

  ProcessResult human = Cli({"show", "dataset/lab/iris"});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("classes:  setosa 2, versicolor 2, virginica 1 (column species)\n"),
            std::string::npos)
      << human.out;
}

TEST_F(DatasetPutTest, UnknownOrInvalidSpecFieldsAreRefused) {
  StartDaemon();
  fs::path dataset = IrisDataset();
  auto put_with = [&](const std::string& spec_text, std::vector<std::string> extra = {}) {
    fs::path spec = root() / "spec.json";
    MakeFile(spec, spec_text);
    std::vector<std::string> args = {"put", "dataset/iris", dataset.string(), "--spec", spec.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cli(args);
  };
  ProcessResult unknown = put_with(R"({"label": "species"})");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("dataset spec: unknown field 'label' (known: kind, format, label_column, "
                             "splits, source)"),
            std::string::npos)
      << unknown.err;
  ProcessResult missing_split = put_with(R"({"splits": {"validation": "val.csv"}})");
  EXPECT_EQ(missing_split.exit_code, 1);
  EXPECT_NE(missing_split.err.find("field 'splits.validation' names 'val.csv', which is not a file of the dataset"),
            std::string::npos)
      << missing_split.err;
  ProcessResult contradiction = put_with(R"({"format": "csv"})", {"--format", "txt-index"});
  EXPECT_EQ(contradiction.exit_code, 1);
  EXPECT_NE(contradiction.err.find("--format txt-index contradicts the spec's format 'csv'"), std::string::npos)
      << contradiction.err;
  ProcessResult no_column = put_with(R"({"label_column": "kind"})", {"--strict"});
  EXPECT_EQ(no_column.exit_code, 1);
  EXPECT_NE(no_column.err.find("no column named 'kind' in the header"), std::string::npos) << no_column.err;
  EXPECT_EQ(Cli({"show", "dataset/iris"}).exit_code, 1) << "a refused put stored nothing";
}

}  // namespace
}  // namespace edgesync::testing
