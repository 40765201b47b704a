// The executions a plan may look at: same Pipeline, same namespace, not itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "controller/execution_store.h"
#include "controller/plan_peers.h"
#include "controller/sluice_resources.h"
#include "kube/client.h"
#include "kube/informer.h"
#include "kube/store.h"

namespace sluice::controller {
namespace {

using web::json::value;

value executionJson(const std::string& ns, const std::string& name, const std::string& pipeline) {
  value v;
  v["metadata"]["namespace"] = value::string(ns);
  v["metadata"]["name"] = value::string(name);
  v["spec"]["pipelineRef"]["name"] = value::string(pipeline);
  return v;
}

TEST(PlanPeers, SamePipelineSameNamespaceOtherName) {
  pipeline::PipelineExecution self;
  self.metadata.namespace_ = "ml";
  self.metadata.name = "run-2";
  self.spec.pipelineRef = "abalone";
  EXPECT_TRUE(isPlanPeer(executionJson("ml", "run-1", "abalone"), self));
  EXPECT_FALSE(isPlanPeer(executionJson("ml", "run-2", "abalone"), self)) << "itself";
  EXPECT_FALSE(isPlanPeer(executionJson("other", "run-1", "abalone"), self)) << "another namespace";
  EXPECT_FALSE(isPlanPeer(executionJson("ml", "run-1", "linear"), self)) << "another pipeline";
  EXPECT_FALSE(isPlanPeer(value::object(), self)) << "not an execution at all";
}

// The peers of `self` as the reconciler read them before the index: every
// execution of the namespace, filtered.
// In order: the planner sees peers in this order (ties between equally new
// sources or cache entries must not change with the index).
std::vector<std::string> peersByScan(const kube::Store& store, const pipeline::PipelineExecution& self) {
  std::vector<std::string> names;
  for (const auto& o : store.by_namespace(self.metadata.namespace_))
    if (isPlanPeer(*o, self)) names.push_back(o->at("metadata").at("name").as_string());
  return names;
}

// ... and as it reads them now (execution_reconciler.cpp): the index's
// keys but its own, without reading an object.
std::vector<std::string> peersByIndex(const kube::Store& store, const pipeline::PipelineExecution& self) {
  std::vector<std::string> names;
  const std::string selfKey = self.metadata.namespace_ + "/" + self.metadata.name;
  for (const auto& [key, version] : store.versions_by_index(kIndexPlanPeers, planPeerIndexKey(self)))
    if (key != selfKey) names.push_back(key.substr(key.find('/') + 1));
  return names;
}

pipeline::PipelineExecution self(const std::string& ns, const std::string& name, const std::string& pipeline) {
  pipeline::PipelineExecution e;
  e.metadata.namespace_ = ns;
  e.metadata.name = name;
  e.spec.pipelineRef = pipeline;
  return e;
}

std::shared_ptr<const value> ptr(value v) { return std::make_shared<const value>(std::move(v)); }

TEST(PlanPeers, IndexKeyIsNamespaceAndPipelineEvenWhenMissing) {
  EXPECT_EQ(planPeerIndexKeys(executionJson("ml", "run-1", "abalone")), (std::vector<std::string>{"ml/abalone"}));
  EXPECT_EQ(planPeerIndexKeys(value::object()), (std::vector<std::string>{"/"}));
  EXPECT_EQ(planPeerIndexKey(self("ml", "run-1", "abalone")), "ml/abalone");
}

// The index is maintained by the store as objects come and go; after every
// change it must give the same peers as a scan from scratch, for each
// execution's point of view, including a Pipeline named like "a/b" and an
// execution with no pipelineRef at all.
TEST(PlanPeers, IndexGivesTheSamePeersAsANamespaceScanThroughAddUpdateDelete) {
  kube::Store store;
  store.add_index(kIndexPlanPeers, planPeerIndexKeys);
  const std::vector<pipeline::PipelineExecution> views = {
      self("ml", "x", "abalone"), self("ml", "x", "linear"), self("other", "x", "abalone"),
      self("ml", "x", "a/b"),     self("ml", "x", ""),       self("ml", "run-1", "abalone")};
  auto expectSame = [&](const std::string& when) {
    for (const auto& v : views)
      EXPECT_EQ(peersByIndex(store, v), peersByScan(store, v))
          << when << ", seen from " << v.metadata.namespace_ << "/" << v.metadata.name << " of '"
          << v.spec.pipelineRef << "'";
  };
  expectSame("empty");
  for (int i = 0; i < 20; ++i) {
    const std::string name = "run-" + std::to_string(i);
    store.upsert(ptr(executionJson(i % 5 == 0 ? "other" : "ml", name, i % 3 == 0 ? "linear" : "abalone")));
  }
  store.upsert(ptr(executionJson("ml", "slash", "a/b")));
  value noRef;
  noRef["metadata"]["namespace"] = value::string("ml");
  noRef["metadata"]["name"] = value::string("no-ref");
  store.upsert(ptr(noRef));
  expectSame("after adds");
  EXPECT_EQ(peersByIndex(store, self("ml", "x", "abalone")).size(), 11u) << "16 in ml, 5 of them linear";

  // An update that moves an execution to another Pipeline moves it in the index.
  store.upsert(ptr(executionJson("ml", "run-1", "linear")));
  store.upsert(ptr(executionJson("ml", "run-3", "abalone")));
  expectSame("after updates");
  auto has = [](const std::vector<std::string>& names, const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_TRUE(has(peersByIndex(store, self("ml", "x", "linear")), "run-1"));
  EXPECT_FALSE(has(peersByIndex(store, self("ml", "x", "abalone")), "run-1"));

  for (int i = 0; i < 20; i += 2) store.remove((i % 5 == 0 ? "other/run-" : "ml/run-") + std::to_string(i));
  store.remove("ml/no-ref");
  expectSame("after deletes");
  EXPECT_EQ(peersByIndex(store, self("ml", "x", "")).size(), 0u);
}

TEST(ExecutionStore, FinishedExecutionsAndTheirPhaseSummary) {
  auto withPhase = [](const std::string& phase) {
    value v = executionJson("ml", "run", "abalone");
    if (!phase.empty()) v["status"]["phase"] = value::string(phase);
    return v;
  };
  for (const char* done : {"Succeeded", "Failed", "Stopped"}) {
    EXPECT_TRUE(isFinishedExecution(withPhase(done))) << done;
    EXPECT_EQ(executionPhase(withPhase(done)), done);
  }
  for (const char* live : {"", "Pending", "Running", "Stopping"}) EXPECT_FALSE(isFinishedExecution(withPhase(live))) << live;
  EXPECT_EQ(executionPhase(withPhase("")), "Pending") << "no phase yet";
  EXPECT_FALSE(isFinishedExecution(value::object()));
}

// Compacted are the finished executions the reconciler would not write to:
// their status acknowledges their spec.
TEST(ExecutionStore, SettledIsFinishedWithTheSpecAcknowledged) {
  auto execution = [](const std::string& phase, int generation, int observed) {
    const std::string cond = R"(","lastTransitionTime":"2026-12-04T08:00:00Z","observedGeneration":)" + std::to_string(observed) + "}";
    return value::parse(R"({"apiVersion":"sluice.dev/v1alpha1","kind":"PipelineExecution",)"
                        R"("metadata":{"name":"r","namespace":"ml","generation":)" + std::to_string(generation) +
                        R"(},"spec":{"pipelineRef":{"name":"p"}},"status":{"phase":")" + phase +
                        R"(","observedGeneration":)" + std::to_string(observed) + R"(,"conditions":[)" +
                        R"({"type":"Succeeded","status":"True","reason":"Succeeded)" + cond + "," +
                        R"({"type":"Reconciling","status":"False","reason":"Succeeded)" + cond + "," +
                        R"({"type":"Stalled","status":"False","reason":"Succeeded)" + cond + "]}}");
  };
  EXPECT_TRUE(isSettledExecution(execution("Succeeded", 3, 3)));
  EXPECT_FALSE(isSettledExecution(execution("Succeeded", 4, 3))) << "a spec change not acknowledged yet";
  EXPECT_FALSE(isSettledExecution(execution("Executing", 3, 3))) << "running";
  value noConditions = execution("Failed", 3, 3);
  noConditions["status"]["conditions"] = value::array();
  EXPECT_FALSE(isSettledExecution(noConditions)) << "finished under an older operator: its conditions are still to be written";
  EXPECT_FALSE(isSettledExecution(value::object()));
}

// What the store compacts goes to the observer with the parse that decided
// it (the reconciler keeps its cache entries from it); nothing else does.
TEST(ExecutionStore, WhatTheStoreCompactsIsHandedOverWithItsParse) {
  kube::Config config;
  config.server = "https://127.0.0.1:1";  // never contacted: nothing is started
  auto client = kube::Client::create(config);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  kube::Informer executions(*client, executionsResource(), std::string());
  std::vector<std::string> handed;
  configureExecutionStore(executions, [&](const value& object, const pipeline::PipelineExecution& parsed) {
    EXPECT_EQ(kube::object_name(object), parsed.metadata.name);
    handed.push_back(parsed.metadata.name + "@" + parsed.status.steps.at(0).cacheKey);
  });
  auto execution = [](const std::string& name, const std::string& phase, const std::string& rv) {
    const std::string cond = R"(","lastTransitionTime":"2026-12-04T08:00:00Z","observedGeneration":1})";
    return value::parse(R"({"apiVersion":"sluice.dev/v1alpha1","kind":"PipelineExecution",)"
                        R"("metadata":{"name":")" + name + R"(","namespace":"ml","generation":1,"resourceVersion":")" + rv +
                        R"("},"spec":{"pipelineRef":{"name":"p"}},"status":{"phase":")" + phase +
                        R"(","observedGeneration":1,"conditions":[)" +
                        R"({"type":"Succeeded","status":"True","reason":"Succeeded)" + cond + "," +
                        R"({"type":"Reconciling","status":"False","reason":"Succeeded)" + cond + "," +
                        R"({"type":"Stalled","status":"False","reason":"Succeeded)" + cond + "]," +
                        R"("steps":[{"name":"Train","phase":"Succeeded","cacheKey":"sha256:aa","endTime":"2026-12-04T08:00:00Z"}]}})");
  };
  executions.assume(execution("running", "Executing", "5"));
  executions.assume(execution("done", "Succeeded", "6"));
  EXPECT_EQ(handed, (std::vector<std::string>{"done@sha256:aa"}));
  EXPECT_EQ(executions.store().compacted_count(), 1u);
}

}  // namespace
}  // namespace sluice::controller
