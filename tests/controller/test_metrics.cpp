#include "controller/metrics.h"

#include <gtest/gtest.h>

namespace sluice::controller {
namespace {

TEST(Metrics, CounterRendersHelpTypeAndLabelledSeries) {
  Registry r;
  Counter& c = r.counter("sluice_reconcile_total", "Reconciles by result.");
  c.inc({{"result", "ok"}});
  c.inc({{"result", "ok"}});
  c.inc({{"result", "error"}});
  EXPECT_EQ(r.render(),
            "# HELP sluice_reconcile_total Reconciles by result.\n"
            "# TYPE sluice_reconcile_total counter\n"
            "sluice_reconcile_total{result=\"error\"} 1\n"
            "sluice_reconcile_total{result=\"ok\"} 2\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  Histogram& h = r.histogram("d_seconds", "Durations.", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(r.render(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.10000000000000001\"} 1\n"
            "d_seconds_bucket{le=\"1\"} 3\n"
            "d_seconds_bucket{le=\"+Inf\"} 4\n"
            "d_seconds_sum 8.0500000000000007\n"
            "d_seconds_count 4\n");
  EXPECT_EQ(h.count(), 4u);
}

TEST(Metrics, GaugeReplaceAllDropsOldSeries) {
  Registry r;
  Gauge& g = r.gauge("executions", "By phase.");
  g.set(3, {{"phase", "Executing"}});
  g.replaceAll({{{{"phase", "Succeeded"}}, 2}});
  EXPECT_EQ(g.value({{"phase", "Executing"}}), 0);
  EXPECT_EQ(g.value({{"phase", "Succeeded"}}), 2);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Metrics, ExponentialBuckets) {
  EXPECT_EQ(exponentialBuckets(0.5, 2, 4), (std::vector<double>{0.5, 1, 2, 4}));
}

}  // namespace
}  // namespace sluice::controller
