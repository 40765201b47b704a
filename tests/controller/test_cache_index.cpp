#include "controller/cache_index.h"

#include <gtest/gtest.h>

namespace sluice::controller {
namespace {

using namespace sluice::pipeline;

StepStatus step(const std::string& name, StepPhase phase, const std::string& key, const std::string& end) {
  StepStatus s;
  s.name = name;
  s.phase = phase;
  s.cacheKey = key;
  if (!end.empty()) s.endTime = end;
  s.outputs = {{"model", "s3://b/p/ns/pl/" + name + "/model/", std::nullopt, ""}};
  return s;
}

TEST(CacheIndex, OnlyStepsThatReallyRanAndSucceededWithAKey) {
  PipelineExecution producer;
  producer.metadata.name = "run-1";
  producer.status.steps = {step("Train", StepPhase::Succeeded, "sha256:aa", "2026-11-01T00:00:00Z"),
                           step("Eval", StepPhase::Failed, "sha256:bb", "2026-11-01T00:00:00Z"),
                           step("NoKey", StepPhase::Succeeded, "", "2026-11-01T00:00:00Z"),
                           step("NoEnd", StepPhase::Succeeded, "sha256:cc", "")};
  PipelineExecution consumer;
  consumer.metadata.name = "run-2";
  StepStatus hit = step("Train", StepPhase::Succeeded, "sha256:aa", "2026-11-20T00:00:00Z");
  hit.cacheHitExecution = "run-1";
  StepStatus reused = step("Train", StepPhase::Succeeded, "sha256:aa", "2026-11-21T00:00:00Z");
  reused.reusedFromExecution = "run-1";
  consumer.status.steps = {hit, reused};

  auto index = buildCacheIndex({&producer, &consumer});
  ASSERT_EQ(index.size(), 1u) << "hits and reuses must not renew the producer's age";
  EXPECT_EQ(index[0].key, "sha256:aa");
  EXPECT_EQ(index[0].execution, "run-1");
  EXPECT_EQ(index[0].step, "Train");
  EXPECT_EQ(index[0].endTime, *parseRfc3339("2026-11-01T00:00:00Z"));
  ASSERT_EQ(index[0].outputs.size(), 1u);
}

}  // namespace
}  // namespace sluice::controller
