#include "controller/cache_index.h"

#include <gtest/gtest.h>

#include "pipeline/cache_key.h"

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

// The settled index across reconciles: what settles is layered on, what
// changes or goes makes it anew, and a lookup sees exactly the entries of
// the executions listed now.
TEST(CacheIndex, TheSettledIndexFollowsWhatSettlesChangesAndGoes) {
  int reads = 0;
  // Each execution "ns/run-N" at version V has one entry with key "k-N", its
  // end time V (so a changed version shows in what a lookup finds).
  EntriesOf entries = [&](const std::string& key, const std::string& version) {
    ++reads;
    const std::string n = key.substr(key.find('-') + 1);
    return std::make_shared<const std::vector<CacheEntry>>(
        std::vector<CacheEntry>{{"k-" + n, key, "Train", {}, {}, std::stoll(version)}});
  };
  auto hit = [](const SettledIndex& s, const std::string& key) -> std::string {
    const CacheEntry* e = findCacheHit(*s.index, key, std::nullopt, 1000000);
    return e ? e->execution + "@" + std::to_string(e->endTime) : "";
  };
  std::vector<std::pair<std::string, std::string>> listed = {{"ns/run-1", "10"}, {"ns/run-2", "20"}};
  SettledIndex s = nextSettledIndex({}, listed, entries);
  EXPECT_EQ(s.layers, 0);
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(hit(s, "k-1"), "ns/run-1@10");

  listed.push_back({"ns/run-3", "30"});  // one more settles: a layer, one read
  s = nextSettledIndex(s, listed, entries);
  EXPECT_EQ(s.layers, 1);
  EXPECT_EQ(reads, 3);
  EXPECT_EQ(hit(s, "k-1"), "ns/run-1@10");
  EXPECT_EQ(hit(s, "k-3"), "ns/run-3@30");

  listed[0].second = "11";  // run-1 changed: built anew, the old entry gone
  s = nextSettledIndex(s, listed, entries);
  EXPECT_EQ(s.layers, 0);
  EXPECT_EQ(hit(s, "k-1"), "ns/run-1@11");

  listed.erase(listed.begin() + 1);  // run-2 deleted
  s = nextSettledIndex(s, listed, entries);
  EXPECT_EQ(s.layers, 0);
  EXPECT_EQ(hit(s, "k-2"), "") << "a deleted execution's entry must not serve";
  EXPECT_EQ(hit(s, "k-3"), "ns/run-3@30");

  for (int i = 0; i < kMaxSettledLayers; ++i) {  // many settle one by one: layers, then anew
    listed.push_back({"ns/run-" + std::to_string(100 + i), "5"});
    s = nextSettledIndex(s, listed, entries);
    EXPECT_EQ(s.layers, i + 1);
  }
  listed.push_back({"ns/run-200", "5"});
  s = nextSettledIndex(s, listed, entries);
  EXPECT_EQ(s.layers, 0) << "built anew after kMaxSettledLayers layers";
  EXPECT_EQ(s.index->size(), listed.size());
  for (const auto& [key, version] : listed)
    EXPECT_EQ(hit(s, "k-" + key.substr(key.find('-') + 1)), key + "@" + version) << key;
}

TEST(CacheIndex, IndexesOfPipelinesWithNoExecutionLeftAreDroppedButNeverTheOneAskedFor) {
  SettledIndexes indexes;
  SettledIndex some;
  some.index = std::make_shared<pipeline::CacheIndex>();
  indexes["ns/gone"] = SettledAt{3, some};
  indexes["ns/alive"] = SettledAt{5, some};
  indexes["ns/asked"] = SettledAt{7, some};
  // What Store::compacted_changes says now: "ns/gone" and "ns/asked" list
  // no execution any more.
  const std::map<std::string, uint64_t> now = {{"ns/alive", 9}};
  std::vector<std::string> askedAbout;
  dropSettledWithoutExecutions(indexes, "ns/asked", [&](const std::string& peers) {
    askedAbout.push_back(peers);
    auto it = now.find(peers);
    return it == now.end() ? uint64_t{0} : it->second;
  });
  EXPECT_EQ(indexes.count("ns/gone"), 0u);
  ASSERT_EQ(indexes.count("ns/alive"), 1u);
  EXPECT_EQ(indexes.at("ns/alive").changes, 5u);  // kept as it was: the next reconcile of it decides
  EXPECT_EQ(indexes.count("ns/asked"), 1u);       // being built right now
  EXPECT_EQ(askedAbout, (std::vector<std::string>{"ns/alive", "ns/gone"}));
}

}  // namespace
}  // namespace sluice::controller
