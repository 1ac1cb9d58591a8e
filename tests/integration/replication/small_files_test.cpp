// A txt-index dataset of 10,000 small files (1-8 KiB) replicates completely to a second node.
#include <iostream>

#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class SmallFilesTest : public ClusterFixture {};

TEST_F(SmallFilesTest, TenThousandFileDatasetReplicatesCompletely) {
  fs::path ca = MakeCa("ca", "small");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca);
  Start(cloud);
  Start(edge, {&cloud});
  std::mt19937_64 rng(10000);
  fs::path src = root() / "dataset";
  WriteIndexedDataset(src, rng, 10000, 1024, 8192);
  auto start = std::chrono::steady_clock::now();
  // A hang guard, not a speed bound: ten thousand files take over a minute in sanitizer builds.
  ProcessResult put = Cli(edge, {"put", "dataset/hall-3/samples", src.string()}, std::chrono::minutes(5));
  ASSERT_EQ(put.exit_code, 0) << put.err;
  auto put_done = std::chrono::steady_clock::now();
  fs::path out;
  ASSERT_TRUE(WaitForGet(cloud, "dataset/hall-3/samples", &out, std::chrono::seconds(60)))
      << ReadFileText(cloud.log());
  using std::chrono::duration;
  std::cout << "put " << duration<double>(put_done - start).count() << " s, replicated and got "
            << duration<double>(std::chrono::steady_clock::now() - put_done).count() << " s"
            << std::endl;
  std::string why;
  EXPECT_TRUE(SameTree(src, out, &why)) << why;
}

}  // namespace
}  // namespace edgesync::testing
