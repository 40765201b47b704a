// The running operator: informers for Pipelines, PipelineExecutions and
// the Jobs and Pods carrying the sluice.dev/execution label (label-selected,
// so the operator never caches the whole cluster), two work queues, worker
// pools, optional leader election, and the HTTP endpoints.
#pragma once

#include <functional>

#include "controller/operator_flags.h"

namespace sluice::controller {

// Runs until waitForStop() returns (e.g. on SIGTERM), then stops taking
// work, lets in-flight reconciles finish, releases the lease and returns 0.
// Returns non-zero when it cannot start (bad config, endpoints) or when it
// loses leadership while running (the pod restarts and campaigns again).
int runOperator(const OperatorFlags& flags, const std::function<void()>& waitForStop);

}  // namespace sluice::controller
