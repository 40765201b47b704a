// The bound a controller's API requests put on its throughput against the
// ceiling (pure arithmetic over measured figures; request_costs.h measures).
// The ceiling sends one Job per step and nothing else, so every other request
// a controller must send per step is CPU the ceiling never spends, whatever
// the controller itself costs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stats.h"

namespace sluice::bench {

struct RequestCost {
  Summary apiserverMs;  // per request, one sample per batch
  Summary etcdMs;
  double totalMs() const { return apiserverMs.median + etcdMs.median; }
};

// Control-plane CPU per step that `requestsPerStep` (keyed like
// apiserver_request_total rows, "POST events") spend beyond one Job create
// per step (the ceiling's only request), at `costs`. Kinds without a
// measured cost are listed in *unpriced.
double extraCpuMsPerStep(const std::map<std::string, double>& requestsPerStep,
                         const std::map<std::string, RequestCost>& costs, std::vector<std::string>* unpriced);

// The highest throughput ratio to the ceiling a controller can reach that
// spends `extraMsPerStep` more CPU per step than the ceiling's whole
// `ceilingCpuMsPerStep` (API server + etcd + harness + reference controller),
// when both saturate the same CPUs: c / (c + extra).
double throughputBound(double ceilingCpuMsPerStep, double extraMsPerStep);

}  // namespace sluice::bench
