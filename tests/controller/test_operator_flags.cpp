#include "controller/operator_flags.h"

#include <gtest/gtest.h>

namespace sluice::controller {
namespace {

TEST(OperatorFlags, DefaultsWhenNoArguments) {
  auto r = parseOperatorFlags({});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.flags.workers, 4);
  EXPECT_FALSE(r.flags.leaderElect);
  EXPECT_EQ(r.flags.gpuResourceName, "nvidia.com/gpu");
  EXPECT_TRUE(r.flags.namespaces.empty());
  EXPECT_EQ(r.flags.statusBatchPeriodMs, 1000);
}

TEST(OperatorFlags, StatusBatchPeriodInMillisecondsOrSeconds) {
  for (const auto& [arg, want] : std::vector<std::pair<std::string, int>>{
           {"--status-batch-period=0", 0}, {"--status-batch-period=250ms", 250}, {"--status-batch-period=2s", 2000},
           {"--status-batch-period=60s", 60000}}) {
    auto r = parseOperatorFlags({arg});
    ASSERT_EQ(r.error, "") << arg;
    EXPECT_EQ(r.flags.statusBatchPeriodMs, want) << arg;
  }
}

TEST(OperatorFlags, ParsesEveryFlagInBothForms) {
  auto r = parseOperatorFlags({"--kubeconfig=/k", "--namespace", "ml", "--workers=8", "--leader-elect",
                               "--lease-name", "l", "--lease-namespace=sys", "--metrics-bind-address", "127.0.0.1:9",
                               "--health-probe-bind-address=127.0.0.1:10", "--log-level=debug",
                               "--kube-api-qps", "20.5", "--kube-api-burst=40", "--gpu-resource-name=amd.com/gpu",
                               "--context=c"});
  ASSERT_EQ(r.error, "");
  const auto& f = r.flags;
  EXPECT_EQ(f.kubeconfig, "/k");
  EXPECT_EQ(f.context, "c");
  EXPECT_EQ(f.namespaces, (std::vector<std::string>{"ml"}));
  EXPECT_EQ(f.workers, 8);
  EXPECT_TRUE(f.leaderElect);
  EXPECT_EQ(f.leaseName, "l");
  EXPECT_EQ(f.leaseNamespace, "sys");
  EXPECT_EQ(f.metricsBindAddress, "127.0.0.1:9");
  EXPECT_EQ(f.healthProbeBindAddress, "127.0.0.1:10");
  EXPECT_EQ(f.logLevel, "debug");
  EXPECT_DOUBLE_EQ(f.kubeApiQps, 20.5);
  EXPECT_EQ(f.kubeApiBurst, 40);
  EXPECT_EQ(f.gpuResourceName, "amd.com/gpu");
}

TEST(OperatorFlags, NamespacesByCommaOrRepeatedFlag) {
  auto r = parseOperatorFlags({"--namespace=team-a,team-b", "--namespace", "ml"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.flags.namespaces, (std::vector<std::string>{"team-a", "team-b", "ml"}));
  auto all = parseOperatorFlags({"--namespace="});
  ASSERT_EQ(all.error, "");
  EXPECT_TRUE(all.flags.namespaces.empty()) << "an empty value means all namespaces, as before";
}

TEST(OperatorFlags, BadInputNamesTheFlagAndTheProblem) {
  struct Row {
    std::vector<std::string> args;
    std::string want;
  };
  for (const Row& row : std::vector<Row>{
           {{"--workers=0"}, "--workers=0: must be an integer from 1 to 256"},
           {{"--workers", "many"}, "--workers=many: must be an integer from 1 to 256"},
           {{"--log-level=loud"}, "--log-level=loud: must be one of debug, info, warn, error"},
           {{"--kube-api-qps=-1"}, "--kube-api-qps=-1: must be a number >= 0 (0 = unlimited)"},
           {{"--leader-elect=maybe"}, "--leader-elect: must be true or false"},
           {{"--namespace"}, "--namespace: needs a value"},
           {{"--namespace=a,,b"}, "--namespace=a,,b: \"\" is not a namespace name (lowercase letters, digits and '-', at most 63)"},
           {{"--namespace=ML"}, "--namespace=ML: \"ML\" is not a namespace name (lowercase letters, digits and '-', at most 63)"},
           {{"--namespace=a,b", "--namespace=a"}, "--namespace=a: namespace \"a\" is listed twice"},
           {{"--frobnicate"}, "unknown flag --frobnicate"},
           {{"stray"}, "unexpected argument \"stray\""},
           {{"--gpu-resource-name="}, "--gpu-resource-name: must not be empty"},
           {{"--status-batch-period=1"}, "--status-batch-period=1: must be a duration from 0 to 60s, as 500ms or 2s (0 writes every change at once)"},
           {{"--status-batch-period=61s"}, "--status-batch-period=61s: must be a duration from 0 to 60s, as 500ms or 2s (0 writes every change at once)"},
           {{"--status-batch-period=-1s"}, "--status-batch-period=-1s: must be a duration from 0 to 60s, as 500ms or 2s (0 writes every change at once)"},
           {{"--status-batch-period=1.5s"}, "--status-batch-period=1.5s: must be a duration from 0 to 60s, as 500ms or 2s (0 writes every change at once)"},
       }) {
    EXPECT_EQ(parseOperatorFlags(row.args).error, row.want) << row.args[0];
  }
}

}  // namespace
}  // namespace sluice::controller
