// Which executions a plan may look at besides its own: those of the same
// Pipeline in the same namespace (DESIGN.md: nothing crosses namespaces).
// They are the source candidates of a selective run and the cache index.
// kubectl-sluice's plan preview filters a listing with this; the reconciler
// reads the index below, which holds exactly the executions this accepts
// plus the execution itself, so the preview sees what the operator will. Pure.
#pragma once

#include <string>
#include <vector>

#include <cpprest/json.h>

#include "pipeline/model.h"

namespace sluice::controller {

bool isPlanPeer(const web::json::value& other, const pipeline::PipelineExecution& execution);

// The informer store index of executions by "namespace/pipelineRef". A
// reconcile looks up its peers there instead of walking every execution of
// the namespace; the store maintains it as objects are added, updated and
// deleted. Its value is the two fields isPlanPeer compares, so its entries
// are the execution's peers and the execution itself.
inline constexpr const char* kIndexPlanPeers = "plan-peers";
// The index value of an execution object (always exactly one).
std::vector<std::string> planPeerIndexKeys(const web::json::value& object);
// The index value under which `execution`'s peers are found.
std::string planPeerIndexKey(const pipeline::PipelineExecution& execution);

}  // namespace sluice::controller
