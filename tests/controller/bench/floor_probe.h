// The floor: what one write-then-watch round trip costs on this apiserver,
// with no operator in the loop. Creates ConfigMaps one at a time and times
// each from just before the create call until a watch on the namespace
// delivers its ADDED event. Any step transition costs at least this much
// (the operator's watch sees the pod write, then its Job create goes through
// the same path to the harness's watch).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kube/client.h"

namespace sluice::bench {

struct FloorResult {
  std::vector<double> create_to_added_ms;  // the round trip
  std::vector<double> create_call_ms;      // the create call alone (response received)
  int requests = 0;                        // apiserver requests issued (creates + watches)
  std::string error;                       // non-empty when the probe could not finish
};

// `samples` timed round trips after `warmup` untimed ones.
FloorResult measureFloor(const std::shared_ptr<kube::Client>& client, const std::string& ns, int samples,
                         int warmup);

}  // namespace sluice::bench
