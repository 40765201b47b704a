// How the operator's informer holds PipelineExecutions. A namespace keeps
// its finished executions for months, thousands of them, and each reconcile
// touches only its own execution and, for caching or selective pipelines, its
// peers. So: an index by pipeline (plan_peers.h), settled finished
// executions held compacted as deflated JSON text (kube/store.h; measured: 4 KiB of memory
// each for a 10-step run instead of 29 KiB parsed), and each execution's
// phase kept as its summary, so the executions-by-phase metric never
// parses one.
#pragma once

#include <functional>
#include <string>

#include <cpprest/json.h>

#include "kube/informer.h"
#include "pipeline/model.h"

namespace sluice::controller {

// status.phase is Succeeded, Failed or Stopped.
bool isFinishedExecution(const web::json::value& object);
// Finished, and its status acknowledges its spec (acknowledgeGeneration has
// nothing to write): no reconcile has anything to do for it until it
// changes, and a change comes as a watch event. These are compacted.
bool isSettledExecution(const web::json::value& object);
// status.phase, "Pending" until the operator has set one.
std::string executionPhase(const web::json::value& object);

// Called with each execution the store is about to hold compacted, and its
// parse (which deciding that took): what a caller keeps of it (the
// reconciler: its cache entries) then costs no second parse.
using SettledExecutionObserver =
    std::function<void(const web::json::value& object, const pipeline::PipelineExecution& parsed)>;

// Index, compaction and summary as above; before the informer starts.
void configureExecutionStore(kube::Informer& executions, SettledExecutionObserver onSettled = nullptr);

}  // namespace sluice::controller
