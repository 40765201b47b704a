// What one API request of each kind Sluice sends costs the control plane
// (kube-apiserver + etcd CPU), measured by sending that request alone in
// batches on an otherwise idle cluster (request_bound.h turns it into a bound).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kube/client.h"
#include "request_bound.h"

namespace sluice::bench {

// CPU seconds so far of kube-apiserver and etcd.
struct ControlPlaneCpu {
  double apiserver = -1, etcd = -1;
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

}  // namespace sluice::bench
