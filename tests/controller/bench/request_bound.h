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
  // The sending client's own CPU per request (this process: the same kube
  // client the operator uses); not part of the control plane's cost.
  Summary clientMs;
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

// The bounds for one round's controller and for lighter hypothetical ones,
// 0 where not computed.
struct RequestBounds {
  double asSent = 0;              // the requests it sent
  double startEndStatusOnly = 0;  // the same, with status written only at each execution's start and end
  double withoutStepEvents = 0;   // that, and no Event for a step's start or success
  double stepEventsOnly = 0;      // one Job and one Event per step transition (two) per step, nothing else
};

// `requestsPerStep`: the controller's tally per step; `steps`: steps per
// execution (for the start + end status writes). Kinds in the tally without
// a cost go to *unpriced (once, from the as-sent set).
RequestBounds boundsFor(const std::map<std::string, double>& requestsPerStep, int steps,
                        const std::map<std::string, RequestCost>& costs, double ceilingCpuMsPerStep,
                        std::vector<std::string>* unpriced);

}  // namespace sluice::bench
