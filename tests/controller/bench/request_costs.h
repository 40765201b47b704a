// What one API request of each kind Sluice sends costs the control plane
// (kube-apiserver + etcd CPU), measured by sending that request alone in
// batches on an otherwise idle cluster, and the bound it puts on Sluice's
// throughput against the ceiling: the ceiling sends one Job per step and
// nothing else, so every other request Sluice must send per step is CPU the
// ceiling never spends, whatever the operator itself costs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apiserver_requests.h"
#include "kube/client.h"
#include "stats.h"

namespace sluice::bench {

// CPU seconds so far of kube-apiserver and etcd.
struct ControlPlaneCpu {
  double apiserver = -1, etcd = -1;
};

struct RequestCost {
  Summary apiserverMs;  // per request, one sample per batch
  Summary etcdMs;
  double totalMs() const { return apiserverMs.median + etcdMs.median; }
};

// Keyed like apiserver_request_total rows ("POST events",
// "PUT pipelineexecutions/status", ...), plus "GET namespaces", the cheapest
// request there is, for scale. Sends `batches` x `perBatch` of each kind into
// `ns` (kinds interleaved batch by batch, so drift in the machine's load hits
// all alike). `executionStatus` is the status a real finished execution
// wrote (the status PUTs send it with one step's phase flipped each time).
// *error is set, and the map is partial, when a request fails.
std::map<std::string, RequestCost> measureRequestCosts(const std::shared_ptr<kube::Client>& client,
                                                       const std::string& ns, const web::json::value& executionStatus,
                                                       int batches, int perBatch,
                                                       const std::function<ControlPlaneCpu()>& readCpu,
                                                       std::string* error);

// Control-plane CPU per step that `requestsPerStep` spend beyond one Job
// create per step (the ceiling's only request), at `costs`. Kinds without a
// measured cost are listed in *unpriced.
double extraCpuMsPerStep(const std::map<std::string, double>& requestsPerStep,
                         const std::map<std::string, RequestCost>& costs, std::vector<std::string>* unpriced);

// The highest throughput ratio to the ceiling a controller can reach that
// spends `extraMsPerStep` more CPU per step than the ceiling's whole
// `ceilingCpuMsPerStep` (API server + etcd + harness + reference controller),
// when both saturate the same CPUs: c / (c + extra).
double throughputBound(double ceilingCpuMsPerStep, double extraMsPerStep);

}  // namespace sluice::bench
