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

}  // namespace sluice::bench
