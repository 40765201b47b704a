// What one API request of each kind Sluice sends costs the control plane
// (kube-apiserver + etcd CPU), measured by sending that request alone in
// batches on an otherwise idle cluster (request_bound.h turns it into a bound).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kube/client.h"
#include "request_bound.h"

namespace sluice::bench {

// Keyed like apiserver_request_total rows ("POST events",
// "PUT pipelineexecutions/status", ...), plus "GET namespaces", the cheapest
// request there is, for scale. Sends `batches` x `perBatch` of each kind into
// `ns`, one at a time on one client (kinds interleaved batch by batch, so
// drift in the machine's load hits all alike), and reads the API server's
// and etcd's CPU time around each batch (readClusterCpu). Costs measured
// alone like this leave out what concurrency adds or saves (contention, GC
// shared between requests). `executionStatus` is the status a real finished
// execution wrote: every status PUT sends it with one step's phase changed
// from the last PUT's (an unchanged object would be no write at all). The
// label PATCH goes to an execution without status, as the operator's does
// (its first reconcile, with a resourceVersion precondition). On failure
// *error is set and the map is empty.
std::map<std::string, RequestCost> measureRequestCosts(const std::shared_ptr<kube::Client>& client,
                                                       const std::string& ns, const web::json::value& executionStatus,
                                                       int batches, int perBatch, std::string* error);

}  // namespace sluice::bench
