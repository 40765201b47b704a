#include "controller/observe.h"

#include <gtest/gtest.h>

#include "controller/json_access.h"

namespace sluice::controller {
namespace {

using pipeline::ObservedPod;
using pipeline::PodPhase;
using web::json::value;

value podJson(const std::string& phase, const std::string& terminatedJson, const std::string& job = "run-train-1a2b") {
  std::string s = R"({"metadata":{"name":"p1","labels":{"batch.kubernetes.io/job-name":")" + job +
                  R"("}},"status":{"phase":")" + phase + R"(","startTime":"2026-11-26T10:00:00Z")";
  if (!terminatedJson.empty()) {
    s += R"(,"containerStatuses":[{"name":"main","state":{"terminated":)" + terminatedJson + "}}]";
  }
  return value::parse(s + "}}");
}

TEST(Observe, DecodesTheRunnersTerminationMessage) {
  ObservedPod pod;
  ASSERT_TRUE(decodeTerminationMessage(
      R"({"exitCode":0,"outputs":[{"name":"model","uri":"s3://b/p/model/","size":12,"sha256":"ab"}],)"
      R"("properties":[{"name":"mse","value":"4.37"}]})",
      pod));
  ASSERT_EQ(pod.outputs.size(), 1u);
  EXPECT_EQ(pod.outputs[0].name, "model");
  EXPECT_EQ(pod.outputs[0].uri, "s3://b/p/model/");
  EXPECT_EQ(pod.outputs[0].size, 12);
  EXPECT_EQ(pod.outputs[0].sha256, "ab");
  ASSERT_EQ(pod.properties.size(), 1u);
  EXPECT_EQ(pod.properties[0].value, "4.37");
  EXPECT_EQ(pod.errorReason, "");
}

TEST(Observe, BadTerminationMessagesAreStepFailuresWithAReason) {
  struct Row {
    std::string message, want;
  };
  for (const Row& r : std::vector<Row>{
           {"", "the step reported no result (empty termination message)"},
           {std::string(4097, 'x'), "termination message is larger than 4096 bytes"},
           {"not json", "termination message is not JSON"},
           {"[1]", "termination message is not a JSON object"},
           {R"({"outputs":{}})", "termination message: outputs is not an array"},
           {R"({"outputs":[{"name":"m"}]})", "termination message: an output lacks name or uri"},
           {R"({"properties":[{"value":"1"}]})", "termination message: a property lacks a name"},
           {R"({"exitCode":121,"error":"input train: NoSuchKey"})", "input train: NoSuchKey"},
       }) {
    ObservedPod pod;
    EXPECT_FALSE(decodeTerminationMessage(r.message, pod)) << r.message.substr(0, 40);
    EXPECT_EQ(pod.errorReason, r.want) << r.message.substr(0, 40);
  }
}

TEST(Observe, SucceededPodCarriesOutputsAndTimes) {
  value msg = value::string(R"({"exitCode":0,"properties":[{"name":"mse","value":"3"}]})");
  ObservedPod p = observePod(podJson(
      "Succeeded", R"({"exitCode":0,"finishedAt":"2026-11-26T10:00:30Z","message":)" + msg.serialize() + "}"));
  EXPECT_EQ(p.phase, PodPhase::Succeeded);
  EXPECT_EQ(p.errorReason, "");
  ASSERT_EQ(p.properties.size(), 1u);
  EXPECT_EQ(p.properties[0].value, "3");
  ASSERT_TRUE(p.startTime && p.endTime);
  EXPECT_EQ(*p.endTime - *p.startTime, 30);
}

TEST(Observe, SucceededPodWithoutMessageFails) {
  ObservedPod p = observePod(podJson("Succeeded", R"({"exitCode":0})"));
  EXPECT_EQ(p.errorReason, "the step reported no result (empty termination message)");
}

TEST(Observe, FailedPodReasons) {
  EXPECT_EQ(observePod(podJson("Failed", R"({"exitCode":2,"reason":"Error"})")).errorReason, "exit code 2");
  EXPECT_EQ(observePod(podJson("Failed", R"({"exitCode":137,"reason":"OOMKilled"})")).errorReason,
            "exit code 137 (OOMKilled)");
  value msg = value::string(R"({"exitCode":122,"error":"upload of output model failed: AccessDenied"})");
  EXPECT_EQ(observePod(podJson("Failed", R"({"exitCode":122,"message":)" + msg.serialize() + "}")).errorReason,
            "upload of output model failed: AccessDenied");
  value evicted = value::parse(R"({"metadata":{"name":"p"},"status":{"phase":"Failed","reason":"DeadlineExceeded",)"
                               R"("message":"Pod was active on the node longer than the specified deadline"}})");
  EXPECT_EQ(observePod(evicted).errorReason,
            "DeadlineExceeded: Pod was active on the node longer than the specified deadline");
  // The pod garbage collector fails the pods of a deleted node with a
  // DisruptionTarget condition and no reason of the pod's own.
  value gced = value::parse(R"({"metadata":{"name":"p"},"status":{"phase":"Failed","conditions":[)"
                            R"({"type":"Ready","status":"False","reason":"PodFailed"},)"
                            R"({"type":"DisruptionTarget","status":"True","reason":"DeletionByPodGC",)"
                            R"("message":"PodGC: node no longer exists"}],)"
                            R"("containerStatuses":[{"name":"main","state":{"running":{}}}]}})");
  EXPECT_EQ(observePod(gced).errorReason, "DeletionByPodGC: PodGC: node no longer exists");
  value stale = value::parse(R"({"metadata":{"name":"p"},"status":{"phase":"Failed","conditions":[)"
                             R"({"type":"DisruptionTarget","status":"False","reason":"X","message":"y"}]}})");
  EXPECT_EQ(observePod(stale).errorReason, "pod failed");
}

TEST(Observe, GarbageFromTheServerNeverThrows) {
  for (const char* text : {"{}", "[]", "null", R"({"status":{"phase":5}})", R"({"status":{"containerStatuses":"x"}})",
                           R"({"status":{"phase":"Failed","containerStatuses":[{"name":"main","state":7}]}})"}) {
    EXPECT_NO_THROW(observePod(value::parse(text))) << text;
  }
  EXPECT_NO_THROW(observeJobs({value::parse("[]"), value::parse(R"({"metadata":1})")}, {value::parse("3")}));
}

TEST(Observe, JobsGetTheirPodsAndFailureCondition) {
  value job = value::parse(R"({"metadata":{"name":"run-train-1a2b","annotations":{"sluice.dev/step":"Train"}},)"
                           R"("status":{"active":0,"failed":3,"conditions":[{"type":"Failed","status":"True",)"
                           R"("reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}})");
  value foreign = value::parse(R"({"metadata":{"name":"other"}})");
  auto jobs = observeJobs({job, foreign}, {podJson("Failed", R"({"exitCode":1})"),
                                           podJson("Failed", R"({"exitCode":1})", "other-job")});
  ASSERT_EQ(jobs.size(), 1u) << "a Job without the sluice.dev/step annotation is not ours";
  EXPECT_EQ(jobs[0].step, "Train");
  EXPECT_EQ(jobs[0].failed, 3);
  EXPECT_TRUE(jobs[0].jobFailed);
  EXPECT_EQ(jobs[0].jobFailedReason, "BackoffLimitExceeded");
  ASSERT_EQ(jobs[0].pods.size(), 1u);
  EXPECT_EQ(jobs[0].pods[0].errorReason, "exit code 1");
}

}  // namespace
}  // namespace sluice::controller

namespace sluice::controller {
namespace {

TEST(Observe, OutputSizeOutsideInt64OrNotWholeIsLeftOut) {
  struct Row {
    const char* size;
    std::optional<int64_t> want;
  };
  for (const Row& r : std::vector<Row>{{"12", 12},
                                       {"12.0", 12},
                                       {"9223372036854775807", INT64_MAX},
                                       {"1e300", std::nullopt},
                                       {"-1e300", std::nullopt},
                                       {"9223372036854775808", std::nullopt},
                                       {"18446744073709551615", std::nullopt},
                                       {"9.3e18", std::nullopt},
                                       {"1.5", std::nullopt},
                                       {"-5", std::nullopt},
                                       {R"("12")", std::nullopt}}) {
    ObservedPod pod;
    ASSERT_TRUE(decodeTerminationMessage(
        std::string(R"({"outputs":[{"name":"m","uri":"s3://b/m","size":)") + r.size + "}]}", pod))
        << r.size;
    ASSERT_EQ(pod.outputs.size(), 1u) << r.size;
    EXPECT_EQ(pod.outputs[0].size, r.want) << r.size;
  }
}

TEST(JsonAccess, IntAtReadsOnlyWholeNumbersInInt32Range) {
  struct Row {
    const char* json;
    int want;
  };
  for (const Row& r : std::vector<Row>{{"3", 3},
                                       {"-3", -3},
                                       {"3.0", 3},
                                       {"2147483647", INT32_MAX},
                                       {"-2147483648", INT32_MIN},
                                       {"3000000000", 0},
                                       {"3e9", 0},
                                       {"-2147483649", 0},
                                       {"1e300", 0},
                                       {"-1e300", 0},
                                       {"1.5", 0},
                                       {R"("3")", 0}}) {
    EXPECT_EQ(intAt(value::parse(std::string(R"({"n":)") + r.json + "}"), {"n"}), r.want) << r.json;
  }
  EXPECT_EQ(asInt64(value::parse("-9223372036854775808")), INT64_MIN);
  EXPECT_EQ(asInt64(value::parse("-9223372036854775808.0")), INT64_MIN);
  EXPECT_EQ(asInt64(value::parse("9223372036854775808.0")), std::nullopt);
  EXPECT_EQ(asInt64(value::parse("1e300")), std::nullopt);
  EXPECT_EQ(asInt32(value::parse("3e9")), std::nullopt);
}

TEST(Observe, JobCountsBeyondInt32ReadAsZero) {
  value job = value::parse(R"({"metadata":{"name":"run-train-1a2b","annotations":{"sluice.dev/step":"Train"}},)"
                           R"("status":{"active":3000000000,"succeeded":1e300,"failed":-1e300}})");
  auto jobs = observeJobs({job}, {});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].active, 0);
  EXPECT_EQ(jobs[0].succeeded, 0);
  EXPECT_EQ(jobs[0].failed, 0);
}

TEST(Observe, StepsWithoutTheRunnerNeedNoMessage) {
  value job = value::parse(R"({"metadata":{"name":"run-train-1a2b","annotations":{"sluice.dev/step":"Train",)"
                           R"("sluice.dev/runner":"none"}},"status":{"succeeded":1}})");
  auto jobs = observeJobs({job}, {podJson("Succeeded", R"({"exitCode":0})")});
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs[0].pods.size(), 1u);
  EXPECT_EQ(jobs[0].pods[0].errorReason, "");
}

}  // namespace
}  // namespace sluice::controller
