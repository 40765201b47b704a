// The executions a plan may look at: same Pipeline, same namespace, not itself.
#include <gtest/gtest.h>

#include "controller/plan_peers.h"

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

}  // namespace
}  // namespace sluice::controller
