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

TEST(RequestBound, TheHypotheticalControllersChangeOnlyWhatTheyNameFromTheTally) {
  const std::map<std::string, RequestCost> costs = {{"POST jobs", costOf(2.0, 0.0)},
                                                    {"POST events", costOf(1.0, 0.0)},
                                                    {"PUT pipelineexecutions/status", costOf(5.0, 0.0)},
                                                    {"PATCH pipelineexecutions", costOf(4.0, 0.0)}};
  // Per step of a 10-step execution: the Job, 2 step Events + 1 of the
  // execution's, half a status write, a tenth of a label patch.
  const std::map<std::string, double> tally = {{"POST jobs", 1.0},
                                               {"POST events", 2.1},
                                               {"PUT pipelineexecutions/status", 0.5},
                                               {"PATCH pipelineexecutions", 0.1},
                                               {"LIST pods", 0.001}};
  std::vector<std::string> unpriced;
  const RequestBounds b = boundsFor(tally, 10, costs, 10.0, &unpriced);
  // as sent: 2.1 x 1 + 0.5 x 5 + 0.1 x 4 = 5.0 ms more
  EXPECT_DOUBLE_EQ(b.asSent, 10.0 / 15.0);
  // status at start and end only: 0.2 x 5 instead of 0.5 x 5 -> 3.5
  EXPECT_DOUBLE_EQ(b.startEndStatusOnly, 10.0 / 13.5);
  // and no step Events: 0.1 x 1 + 1.0 + 0.4 = 1.5
  EXPECT_DOUBLE_EQ(b.withoutStepEvents, 10.0 / 11.5);
  // Jobs and 2 Events per step, nothing else: 2.0
  EXPECT_DOUBLE_EQ(b.stepEventsOnly, 10.0 / 12.0);
  EXPECT_EQ(unpriced, std::vector<std::string>{"LIST pods"});

  // A tally without Events or status writes gains none from the variants.
  const RequestBounds jobsOnly = boundsFor({{"POST jobs", 1.0}}, 10, costs, 10.0, nullptr);
  EXPECT_DOUBLE_EQ(jobsOnly.asSent, 1.0);
  EXPECT_DOUBLE_EQ(jobsOnly.withoutStepEvents, 10.0 / 11.0);  // the start + end writes it would add
  // No steps or no ceiling: no bound.
  EXPECT_DOUBLE_EQ(boundsFor(tally, 0, costs, 10.0, nullptr).asSent, 0.0);
  EXPECT_DOUBLE_EQ(boundsFor(tally, 10, costs, 0.0, nullptr).asSent, 0.0);
}

}  // namespace
}  // namespace sluice::bench
