// Inputs and outputs of the planner (plan.h), as plain data.
//
// The controller observes the world (its informer caches), reduces it to
// these values, calls plan(), and applies the result. Nothing here talks to
// a cluster; the only library type is web::json::value for the Job manifests
// the planner hands back (they go to the API server unchanged).
#pragma once

#include <cpprest/json.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model.h"
#include "plan_time.h"

namespace sluice::pipeline {

// ---- Observed world ----

enum class PodPhase { Pending, Running, Succeeded, Failed, Unknown };

// One pod of a step's Job, with its main container's termination message
// already decoded (by the controller) into outputs/properties, or an error.
struct ObservedPod {
  std::string name;
  PodPhase phase = PodPhase::Pending;
  std::optional<UnixSeconds> startTime, endTime;
  std::vector<OutputStatus> outputs;        // as reported by sluice-runner
  std::vector<PropertyStatus> properties;   // as reported by sluice-runner
  // Why the pod failed ("exit code 2", "termination message is not JSON", ...).
  // On a Succeeded pod a non-empty errorReason makes the step fail: the
  // runner's report could not be read, so the outputs are unknown.
  std::string errorReason;
};

// A step's Job (found by the sluice.dev/step label).
struct ObservedJob {
  std::string name;
  std::string step;
  int active = 0;
  int succeeded = 0;
  int failed = 0;  // failed pods counted by the Job controller
  // Job condition Failed=True (BackoffLimitExceeded, DeadlineExceeded, ...).
  bool jobFailed = false;
  std::string jobFailedReason;   // condition reason
  std::string jobFailedMessage;  // condition message
  bool deleting = false;         // deletionTimestamp set
  std::vector<ObservedPod> pods;
};

// One succeeded step of some execution of the same Pipeline in the same
// namespace, indexed by its cache key.
struct CacheEntry {
  std::string key;        // "sha256:..."
  std::string execution;  // the execution that really produced the outputs
  std::string step;
  std::vector<OutputStatus> outputs;
  std::vector<PropertyStatus> properties;
  UnixSeconds endTime = 0;
};

// The cache index the planner searches: the entries of every other
// execution of the same Pipeline in the same namespace. Held in shared
// chunks (one per execution) so the controller hands the planner what it
// keeps between reconciles without copying each entry every time; a part
// that rarely changes (the finished executions) can be keyed once and
// shared whole, so a lookup does not walk a long history.
class CacheIndex {
 public:
  CacheIndex() = default;
  // One chunk holding these entries (tests, previews, small indexes).
  explicit CacheIndex(std::vector<CacheEntry> entries);
  void add(std::shared_ptr<const std::vector<CacheEntry>> chunk);
  // Another index's entries, shared as they are.
  void add(std::shared_ptr<const CacheIndex> part);
  // Keys this index's own chunks (call after the last add): a lookup is then
  // one hash probe for them instead of a walk.
  void keyByCacheKey();

  template <typename F>
  void forEachWithKey(const std::string& key, F&& visit) const {
    if (keyed_) {
      auto it = byKey_.find(key);
      if (it != byKey_.end())
        for (const CacheEntry* e : it->second) visit(*e);
    } else {
      for (const auto& chunk : chunks_)
        for (const CacheEntry& e : *chunk)
          if (e.key == key) visit(e);
    }
    for (const auto& part : parts_) part->forEachWithKey(key, visit);
  }
  size_t size() const;

 private:
  std::vector<std::shared_ptr<const std::vector<CacheEntry>>> chunks_;
  std::vector<std::shared_ptr<const CacheIndex>> parts_;
  bool keyed_ = false;
  // Into chunks_, which are shared and never change: copies stay valid.
  std::unordered_map<std::string, std::vector<const CacheEntry*>> byKey_;
};

struct PlanOptions {
  std::string gpuResourceName = "nvidia.com/gpu";
  // The taint GPU nodes carry; GPU steps (and only they) tolerate it.
  std::string gpuTaintKey = "nvidia.com/gpu";
  // Image that ships /sluice-runner (operator/runner/README.md). When set,
  // every step with a command runs under "sluice-runner exec --", which
  // stages inputs/outputs and writes the termination message. Empty: steps
  // run unwrapped (no staging), for tests and artifact-free clusters.
  std::string runnerImage;
};

struct PlanInput {
  // The live Pipeline; only read before the execution has a snapshot.
  // nullopt = not found (the execution stays Pending, PipelineNotFound).
  std::optional<Pipeline> pipeline;
  PipelineExecution execution;
  // Problems parsing the execution resource (field path, message); any
  // makes plan() fail it with reason InvalidSpec before anything else.
  FieldErrors executionErrors;
  // Problems parsing the live Pipeline; read, like pipeline, only before the
  // execution has a snapshot (then: PipelineInvalid).
  FieldErrors pipelineErrors;
  std::vector<ObservedJob> jobs;  // Jobs labelled with this execution
  // Every other execution of the same Pipeline in the same namespace: the
  // candidates for source resolution and the lookup for following chains of
  // selective executions to the real producer. Only read before the
  // execution has a snapshot (callers may leave it empty after).
  std::vector<PipelineExecution> otherExecutions;
  CacheIndex cacheIndex;
  // Steps whose Job the API server refused in this reconcile (422, 400),
  // with its message. The reconciler plans again with them: such a step
  // fails (JobRejected) instead of asking for the same Job forever.
  std::map<std::string, std::string> rejectedJobs;
  UnixSeconds now = 0;
  PlanOptions options;
};

// ---- Plan ----

enum class EventType { Normal, Warning };

struct PlanEvent {
  EventType type = EventType::Normal;
  // StepStarted, StepSucceeded, StepFailed, StepReused, CacheHit,
  // ExecutionSucceeded, ExecutionFailed, ExecutionStopped, ValidationFailed
  std::string reason;
  std::string message;
  // The step the event is about ("" for the execution): with the reason it
  // identifies the transition, which happens once per execution, so the
  // operator can name the Event after it and post it exactly once.
  std::string step;
  bool operator==(const PlanEvent& o) const {
    return type == o.type && reason == o.reason && message == o.message && step == o.step;
  }
};

struct JobToCreate {
  std::string name;
  std::string step;
  web::json::value manifest;  // a complete batch/v1 Job
};

struct PlanOutput {
  std::vector<JobToCreate> jobsToCreate;
  std::vector<std::string> jobsToDelete;
  ExecutionStatus status;  // the new status (write only when it differs)
  std::vector<PlanEvent> events;
};

const char* toString(PodPhase);
const char* toString(EventType);

}  // namespace sluice::pipeline
