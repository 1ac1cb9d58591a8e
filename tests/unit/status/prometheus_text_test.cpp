#include "status/prometheus_text.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

TEST(PrometheusTextTest, WritesHelpAndTypeOncePerFamily) {
  PrometheusText out;
  out.Counter("edgesync_x_total", "Things.", 3, {{"kind", "model"}});
  out.Counter("edgesync_x_total", "Things.", 4, {{"kind", "dataset"}});
  out.Gauge("edgesync_y_bytes", "Size.", 1.5);
  EXPECT_EQ(out.text(),
            "# HELP edgesync_x_total Things.\n"
            "# TYPE edgesync_x_total counter\n"
            "edgesync_x_total{kind=\"model\"} 3\n"
            "edgesync_x_total{kind=\"dataset\"} 4\n"
            "# HELP edgesync_y_bytes Size.\n"
            "# TYPE edgesync_y_bytes gauge\n"
            "edgesync_y_bytes 1.5\n");
}

TEST(PrometheusTextTest, EscapesLabelValues) {
  PrometheusText out;
  out.Gauge("g", "h", 1, {{"peer", "a\"b\\c\nd"}});
  EXPECT_NE(out.text().find("g{peer=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << out.text();
}

TEST(PrometheusTextTest, HistogramHasCumulativeBucketsSumAndCount) {
  PrometheusText out;
  HistogramSample h{{0.5, 2}, {1, 3}, 4, 7.25};
  out.Histogram("edgesync_t_seconds", "Durations.", h);
  EXPECT_EQ(out.text(),
            "# HELP edgesync_t_seconds Durations.\n"
            "# TYPE edgesync_t_seconds histogram\n"
            "edgesync_t_seconds_bucket{le=\"0.5\"} 1\n"
            "edgesync_t_seconds_bucket{le=\"2\"} 3\n"
            "edgesync_t_seconds_bucket{le=\"+Inf\"} 4\n"
            "edgesync_t_seconds_sum 7.25\n"
            "edgesync_t_seconds_count 4\n");
}

TEST(PrometheusTextTest, NumbersUsePrometheusSpelling) {
  EXPECT_EQ(PrometheusNumber(42), "42");
  EXPECT_EQ(PrometheusNumber(0.1), "0.1");
  EXPECT_EQ(PrometheusNumber(1.0 / 0.0), "+Inf");
  EXPECT_EQ(PrometheusNumber(123456789012), "123456789012");
}

}  // namespace
}  // namespace edgesync
