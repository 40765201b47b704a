// Reconciles one PipelineExecution: observe (the informer caches) -> plan
// (the pure planner) -> apply (Job creates/deletes, one status write,
// events). Level-based: every call recomputes from what is observed, so a
// crash between any two writes is repaired by the next call. Job names are
// deterministic and AlreadyExists means adopt, so a second operator (leader
// election does not fence) cannot make a step run twice.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "controller/cache_index.h"
#include "controller/controller_metrics.h"
#include "controller/event_recorder.h"
#include "controller/parsed_cache.h"
#include "kube/client.h"
#include "kube/store.h"
#include "pipeline/plan_types.h"

namespace sluice::controller {

// Read-only views of the informer caches the reconcilers observe.
struct Caches {
  const kube::Store* pipelines = nullptr;
  const kube::Store* executions = nullptr;  // with the kIndexPlanPeers index (plan_peers.h)
  const kube::Store* jobs = nullptr;  // label-selected: sluice.dev/execution
  const kube::Store* pods = nullptr;  // label-selected: sluice.dev/execution
  // Hand an accepted write (the object the server returned) to the cache it
  // belongs to (Informer::assume), so the next reconcile neither conflicts
  // on a stale execution nor re-creates a Job the watch has not shown yet.
  // Optional.
  std::function<void(const web::json::value&)> assumeExecution;
  std::function<void(const web::json::value&)> assumeJob;
};

struct ReconcileOutcome {
  // Failed in a way worth retrying (API error, conflict, missing pipeline):
  // the queue requeues the key with per-key exponential backoff.
  bool retry = false;
  std::string error;
  // Come back after this long even if nothing changes.
  std::optional<std::chrono::milliseconds> requeueAfter;
};

class ExecutionReconciler {
 public:
  // statusBatchPeriod: how long a status change the planner would make
  // again from the Jobs and pods (pipeline/status_batching.h) may wait in
  // memory to be written together with the next ones; zero writes every
  // change at once.
  ExecutionReconciler(std::shared_ptr<kube::Client> client, Caches caches, EventRecorder& events,
                      ControllerMetrics& metrics, pipeline::PlanOptions options,
                      std::function<pipeline::UnixSeconds()> now,
                      std::chrono::milliseconds statusBatchPeriod = std::chrono::milliseconds(0));

  // key is "namespace/name". Never throws on anything the server or a user
  // sent; such problems end up in the execution's status.
  ReconcileOutcome reconcile(const std::string& key);

  // Writes every status change still held for batching (at shutdown, after
  // the last reconcile, so a graceful stop loses none of them).
  void writeHeldStatuses();

  // An execution the store is about to hold compacted, parsed already
  // (configureExecutionStore): its cache entries are kept from that parse,
  // so a caching Pipeline's history is not inflated and parsed again when
  // a reconcile first needs its cache index.
  void rememberSettled(const web::json::value& object, const pipeline::PipelineExecution& parsed);

 private:
  // A planned status not written yet, and the stored object it was planned
  // from: it stands in for the stored status only while that is unchanged.
  struct HeldStatus {
    kube::ObjectPtr written;  // the cache's snapshot, shared, not copied
    pipeline::ExecutionStatus status;
    std::chrono::steady_clock::time_point writeBy;
    // Their transitions' Events are posted; counted in the step metrics
    // when the status that records them is written.
    std::vector<pipeline::PlanEvent> events;
  };
  std::optional<HeldStatus> takeHeldStatus(const std::string& key, const kube::ObjectPtr& current);

  ReconcileOutcome writeStatus(const web::json::value& object, const web::json::value& status);
  void refreshAfterConflict(const std::string& ns, const std::string& name);

  std::shared_ptr<kube::Client> client_;
  Caches caches_;
  EventRecorder& events_;
  ControllerMetrics& metrics_;
  pipeline::PlanOptions options_;
  std::function<pipeline::UnixSeconds()> now_;
  ParsedCache<pipeline::PipelineExecution> parsedExecutions_;
  ParsedCache<pipeline::Pipeline> parsedPipelines_;
  // Of the other executions of a caching Pipeline, only their cache
  // entries, once per version (most are finished, compacted and never change).
  ParsedCache<std::vector<pipeline::CacheEntry>> peerCacheEntries_;
  // The entries of a Pipeline's compacted (settled, finished) executions,
  // by plan-peer index value (cache_index.h): looked at again only when one
  // of them comes or goes (Store::compacted_changes), so a reconcile walks
  // only the running ones, however long the history.
  std::shared_ptr<const pipeline::CacheIndex> settledCacheIndex(const std::string& peers);
  std::mutex settledMu_;
  SettledIndexes settled_;
  // Reads `key` from the execution store when a memo misses.
  std::function<kube::ObjectPtr()> loadExecution(const std::string& key) const;
  std::chrono::milliseconds statusBatchPeriod_;
  std::mutex heldMu_;
  std::map<std::string, HeldStatus> held_;  // by key
};

}  // namespace sluice::controller
