// Command-line flags of sluice-operator. Pure parsing, so every flag and
// every bad value is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::controller {

struct OperatorFlags {
  std::string kubeconfig;  // empty: in-cluster config, else $KUBECONFIG / ~/.kube/config
  std::string context;
  std::vector<std::string> namespaces;  // --namespace a,b; empty: all namespaces
  int workers = 4;
  bool leaderElect = false;
  std::string leaseName = "sluice-operator";
  std::string leaseNamespace;  // empty: the pod's namespace, else "default"
  std::string metricsBindAddress = ":8080";
  std::string healthProbeBindAddress = ":8081";
  std::string logLevel = "info";
  double kubeApiQps = 50;
  int kubeApiBurst = 100;
  std::string gpuResourceName = "nvidia.com/gpu";
  // Image shipping /sluice-runner; empty runs steps unwrapped (no staging).
  std::string runnerImage;
  // How long a status change the planner recomputes from Jobs and pods may
  // wait to be written with the next ones (pipeline/status_batching.h).
  int statusBatchPeriodMs = 1000;
  bool help = false;
};

struct FlagsResult {
  OperatorFlags flags;
  std::string error;  // empty when ok; names the flag and the problem
};

// Accepts --name=value and --name value; booleans also as bare --name.
FlagsResult parseOperatorFlags(const std::vector<std::string>& args);

std::string operatorUsage();

}  // namespace sluice::controller
