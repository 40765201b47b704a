#include "request_bound.h"

#include <algorithm>

namespace sluice::bench {

double extraCpuMsPerStep(const std::map<std::string, double>& requestsPerStep,
                         const std::map<std::string, RequestCost>& costs, std::vector<std::string>* unpriced) {
  double extra = 0;
  for (const auto& [key, perStep] : requestsPerStep) {
    // The ceiling creates one Job per step too: only Jobs beyond that count.
    const double beyondCeiling = key == "POST jobs" ? perStep - 1.0 : perStep;
    if (beyondCeiling <= 0) continue;
    auto cost = costs.find(key);
    if (cost == costs.end()) {
      if (unpriced) unpriced->push_back(key);
      continue;
    }
    extra += beyondCeiling * cost->second.totalMs();
  }
  return extra;
}

double throughputBound(double ceilingCpuMsPerStep, double extraMsPerStep) {
  if (ceilingCpuMsPerStep <= 0) return 0;
  return ceilingCpuMsPerStep / (ceilingCpuMsPerStep + std::max(0.0, extraMsPerStep));
}

RequestBounds boundsFor(const std::map<std::string, double>& requestsPerStep, int steps,
                        const std::map<std::string, RequestCost>& costs, double ceilingCpuMsPerStep,
                        std::vector<std::string>* unpriced) {
  RequestBounds b;
  if (steps <= 0 || ceilingCpuMsPerStep <= 0) return b;
  auto boundOf = [&](const std::map<std::string, double>& tally, std::vector<std::string>* missing) {
    return throughputBound(ceilingCpuMsPerStep, extraCpuMsPerStep(tally, costs, missing));
  };
  b.asSent = boundOf(requestsPerStep, unpriced);
  std::map<std::string, double> startEnd = requestsPerStep;
  startEnd["PUT pipelineexecutions/status"] = 2.0 / steps;
  b.startEndStatusOnly = boundOf(startEnd, nullptr);
  // Each step has two transitions with an Event each (started, succeeded);
  // what is left are the execution's own.
  auto events = startEnd.find("POST events");
  if (events != startEnd.end()) events->second = std::max(0.0, events->second - 2.0);
  b.withoutStepEvents = boundOf(startEnd, nullptr);
  b.stepEventsOnly = boundOf({{"POST jobs", 1.0}, {"POST events", 2.0}}, nullptr);
  return b;
}

}  // namespace sluice::bench
