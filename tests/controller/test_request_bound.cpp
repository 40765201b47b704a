// The arithmetic behind bench_operator --request-costs' throughput bound.
#include "request_bound.h"

#include <gtest/gtest.h>

namespace sluice::bench {
namespace {

RequestCost costOf(double apiserverMs, double etcdMs) {
  RequestCost c;
  c.apiserverMs.median = apiserverMs;
  c.etcdMs.median = etcdMs;
  return c;
}

TEST(RequestBound, OnlyRequestsBeyondTheCeilingsOneJobPerStepCount) {
  const std::map<std::string, RequestCost> costs = {{"POST jobs", costOf(2.0, 0.5)},
                                                    {"POST events", costOf(1.5, 0.5)},
                                                    {"PUT pipelineexecutions/status", costOf(6.0, 1.0)}};
  std::vector<std::string> unpriced;
  // 1 Job (the ceiling's too), 2 Events and half a status write per step.
  const double extra = extraCpuMsPerStep(
      {{"POST jobs", 1.0}, {"POST events", 2.0}, {"PUT pipelineexecutions/status", 0.5}}, costs, &unpriced);
  EXPECT_DOUBLE_EQ(extra, 2.0 * 2.0 + 0.5 * 7.0);
  EXPECT_TRUE(unpriced.empty());
  // A second Job per step is priced like any other request.
  EXPECT_DOUBLE_EQ(extraCpuMsPerStep({{"POST jobs", 2.0}}, costs, nullptr), 2.5);
}

TEST(RequestBound, RequestsWithoutAMeasuredCostAreNamedNotPricedAtZeroSilently) {
  std::vector<std::string> unpriced;
  const double extra = extraCpuMsPerStep({{"LIST pods", 0.001}, {"POST events", 1.0}},
                                         {{"POST events", costOf(1.0, 0.25)}}, &unpriced);
  EXPECT_DOUBLE_EQ(extra, 1.25);
  EXPECT_EQ(unpriced, std::vector<std::string>{"LIST pods"});
}

TEST(RequestBound, TheBoundIsTheCeilingsCpuOverItPlusTheExtra) {
  EXPECT_DOUBLE_EQ(throughputBound(10.0, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(throughputBound(10.0, 10.0), 0.5);
  EXPECT_DOUBLE_EQ(throughputBound(12.0, 4.0), 0.75);
  EXPECT_DOUBLE_EQ(throughputBound(10.0, -3.0), 1.0);  // never above the ceiling
  EXPECT_DOUBLE_EQ(throughputBound(0.0, 1.0), 0.0);    // no ceiling measured: no bound
}

}  // namespace
}  // namespace sluice::bench
