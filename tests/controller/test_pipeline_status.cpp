// The Pipeline's status (pipelineStatus, pure): Ready and Stalled, which
// kstatus reads as Current for a valid Pipeline and Failed for an invalid
// one, with the problems in the message and stable transition times.
#include <gtest/gtest.h>

#include "controller/pipeline_reconciler.h"

namespace sluice::controller {
namespace {

using web::json::value;

const pipeline::UnixSeconds kNow = 1795000000;

value pipelineObject(const std::string& steps, int64_t generation = 2) {
  return value::parse(R"({"apiVersion":"sluice.dev/v1alpha1","kind":"Pipeline",)"
                      R"("metadata":{"name":"p","namespace":"ml","generation":)" +
                      std::to_string(generation) + R"(},"spec":{"steps":)" + steps + "}}");
}

const char* kValidSteps = R"([{"name":"A","container":{"image":"busybox"}}])";
const char* kCyclicSteps =
    R"([{"name":"A","dependsOn":["B"],"container":{"image":"busybox"}},)"
    R"({"name":"B","dependsOn":["A"],"container":{"image":"busybox"}}])";

const value* conditionOf(const value& status, const std::string& type) {
  for (const auto& c : status.at("conditions").as_array())
    if (c.at("type").as_string() == type) return &c;
  return nullptr;
}

TEST(PipelineStatus, AValidPipelineIsReadyAndNotStalled) {
  const value st = pipelineStatus(pipelineObject(kValidSteps), value::object(), kNow);
  EXPECT_EQ(st.at("observedGeneration").as_number().to_int64(), 2);
  const value* ready = conditionOf(st, "Ready");
  const value* stalled = conditionOf(st, "Stalled");
  ASSERT_TRUE(ready && stalled);
  EXPECT_EQ(ready->at("status").as_string(), "True");
  EXPECT_EQ(stalled->at("status").as_string(), "False");
  EXPECT_EQ(stalled->at("reason").as_string(), "Valid");
  EXPECT_EQ(stalled->at("observedGeneration").as_number().to_int64(), 2);
}

TEST(PipelineStatus, AnInvalidPipelineIsStalledWithItsProblems) {
  const value st = pipelineStatus(pipelineObject(kCyclicSteps), value::object(), kNow);
  const value* ready = conditionOf(st, "Ready");
  const value* stalled = conditionOf(st, "Stalled");
  ASSERT_TRUE(ready && stalled);
  EXPECT_EQ(ready->at("status").as_string(), "False");
  EXPECT_EQ(stalled->at("status").as_string(), "True");
  EXPECT_EQ(stalled->at("reason").as_string(), "Invalid");
  EXPECT_NE(stalled->at("message").as_string().find("A -> B -> A"), std::string::npos)
      << stalled->at("message").as_string();
  EXPECT_EQ(stalled->at("message").as_string(), ready->at("message").as_string());
}

TEST(PipelineStatus, FixingAPipelineClearsStalledFromThatMoment) {
  const value broken = pipelineStatus(pipelineObject(kCyclicSteps, 2), value::object(), kNow);
  const value same = pipelineStatus(pipelineObject(kCyclicSteps, 2), broken, kNow + 50);
  EXPECT_EQ(same, broken) << "nothing changed, nothing to write";
  const value fixed = pipelineStatus(pipelineObject(kValidSteps, 3), broken, kNow + 100);
  const value* stalled = conditionOf(fixed, "Stalled");
  ASSERT_TRUE(stalled);
  EXPECT_EQ(stalled->at("status").as_string(), "False");
  EXPECT_EQ(stalled->at("message").as_string(), "");
  EXPECT_EQ(stalled->at("lastTransitionTime").as_string(), pipeline::formatRfc3339(kNow + 100));
  EXPECT_EQ(fixed.at("observedGeneration").as_number().to_int64(), 3);
}

}  // namespace
}  // namespace sluice::controller
