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

TEST(CacheIndex, EntriesOfOneExecutionFromItsJsonAreWhatTheIndexTakesFromIt) {
  PipelineExecution producer;
  producer.metadata.name = "run-1";
  producer.status.steps = {step("Train", StepPhase::Succeeded, "sha256:aa", "2026-11-01T00:00:00Z"),
                           step("Eval", StepPhase::Failed, "sha256:bb", "2026-11-01T00:00:00Z")};
  web::json::value json;
  json["apiVersion"] = web::json::value::string("sluice.dev/v1alpha1");
  json["kind"] = web::json::value::string("PipelineExecution");
  json["metadata"]["name"] = web::json::value::string("run-1");
  json["metadata"]["namespace"] = web::json::value::string("ml");
  json["spec"]["pipelineRef"]["name"] = web::json::value::string("abalone");
  json["status"] = toJson(producer.status);

  const auto entries = cacheEntriesOf(json);
  const auto direct = buildCacheIndex({&producer});
  ASSERT_EQ(entries.value.size(), 1u);
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(entries.value[0].key, direct[0].key);
  EXPECT_EQ(entries.value[0].execution, "run-1");
  EXPECT_EQ(entries.value[0].step, "Train");
  EXPECT_EQ(entries.value[0].endTime, direct[0].endTime);
  ASSERT_EQ(entries.value[0].outputs.size(), 1u);
  EXPECT_EQ(entries.value[0].outputs[0].uri, direct[0].outputs[0].uri);

  // Whatever a user or the server put there, never a throw: no entries.
  EXPECT_TRUE(cacheEntriesOf(web::json::value::parse(R"({"status":{"steps":7}})")).value.empty());
  EXPECT_TRUE(cacheEntriesOf(web::json::value::string("x")).value.empty());
}

}  // namespace
}  // namespace sluice::controller
