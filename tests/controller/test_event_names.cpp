// Events are named after the transition they record, so a transition the
// operator posts twice (re-planned after a crash before its status write,
// or by a new leader) is one Event.
#include <gtest/gtest.h>

#include "controller/event_recorder.h"
#include "fixtures_abalone.h"
#include "pipeline/plan_status.h"

namespace sluice::controller {
namespace {

using namespace sluice::pipeline;
using namespace sluice::pipeline::testing;

InvolvedObject execution(const std::string& name, const std::string& uid) {
  InvolvedObject o;
  o.kind = "PipelineExecution";
  o.namespace_ = "ml";
  o.name = name;
  o.uid = uid;
  return o;
}

TEST(TransitionEventName, TheSameTransitionGetsTheSameNameAndOthersDiffer) {
  const auto x = execution("abalone-first", "uid-1");
  const std::string started = transitionEventName(x, "StepStarted", "Train");
  EXPECT_EQ(started, transitionEventName(x, "StepStarted", "Train"));
  EXPECT_EQ(started.rfind("abalone-first.", 0), 0u) << started;
  EXPECT_EQ(started.size(), std::string("abalone-first.").size() + 16);
  EXPECT_NE(started, transitionEventName(x, "StepSucceeded", "Train"));
  EXPECT_NE(started, transitionEventName(x, "StepStarted", "Evaluate"));
  // A new execution of the same name (deleted and created again) is another object.
  EXPECT_NE(started, transitionEventName(execution("abalone-first", "uid-2"), "StepStarted", "Train"));
}

TEST(TransitionEventName, ALongNameIsCutToAValidName) {
  const std::string name = std::string(240, 'a') + "-" + std::string(12, 'b');  // 253 characters
  const std::string event = transitionEventName(execution(name, "u"), "ExecutionSucceeded", "");
  EXPECT_LE(event.size(), 253u);
  const std::string prefix = event.substr(0, event.find('.'));
  EXPECT_NE(prefix.back(), '-') << event;
  EXPECT_EQ(transitionEventName(execution(std::string(236, 'a') + "----------------", "u"), "R", "").find("-."),
            std::string::npos);
}

TEST(TransitionEvents, StepEventsNameTheirStepAndExecutionEventsNone) {
  Simulation sim(abalonePipeline(), makeExecution("x", kT0), kT0);
  sim.scripts["Evaluate"].properties = {{"mse", "4.3"}};
  sim.runToEnd();
  ASSERT_FALSE(sim.events.empty());
  bool sawStep = false, sawExecution = false;
  for (const auto& e : sim.events) {
    if (e.reason == "StepStarted" || e.reason == "StepSucceeded") {
      sawStep = true;
      EXPECT_NE(e.message.find("'" + e.step + "'"), std::string::npos) << e.reason << ": " << e.message;
    }
    if (e.reason == "ExecutionSucceeded") {
      sawExecution = true;
      EXPECT_EQ(e.step, "");
    }
  }
  EXPECT_TRUE(sawStep);
  EXPECT_TRUE(sawExecution);
}

}  // namespace
}  // namespace sluice::controller

namespace sluice::controller {
namespace {

using namespace sluice::pipeline;

ExecutionStatus withStep(StepPhase phase, const std::string& job, std::optional<std::string> start) {
  ExecutionStatus st;
  StepStatus s;
  s.name = "Train";
  s.phase = phase;
  s.jobName = job;
  s.startTime = std::move(start);
  st.steps.push_back(s);
  return st;
}

std::vector<std::string> reasons(const std::vector<PlanEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.reason + ":" + e.step);
  return out;
}

TEST(TransitionEvents, AStepThatRanWhileNoStatusSawItRunningStillGetsItsStartedEvent) {
  // The operator created the Job, was killed before the status write, and
  // found the pod already done when it came back.
  const auto events = transitionEvents(withStep(StepPhase::Pending, "", std::nullopt),
                                       withStep(StepPhase::Succeeded, "x-train-1", "2026-12-04T05:00:00Z"));
  EXPECT_EQ(reasons(events), (std::vector<std::string>{"StepStarted:Train", "StepSucceeded:Train"}));
  // Seen running before: no second StepStarted.
  EXPECT_EQ(reasons(transitionEvents(withStep(StepPhase::Executing, "x-train-1", "2026-12-04T05:00:00Z"),
                                     withStep(StepPhase::Succeeded, "x-train-1", "2026-12-04T05:00:00Z"))),
            std::vector<std::string>{"StepSucceeded:Train"});
  // A Job the server refused never started.
  EXPECT_EQ(reasons(transitionEvents(withStep(StepPhase::Pending, "", std::nullopt),
                                     withStep(StepPhase::Failed, "x-train-1", std::nullopt))),
            std::vector<std::string>{"StepFailed:Train"});
}

}  // namespace
}  // namespace sluice::controller
