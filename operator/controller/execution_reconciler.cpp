#include "execution_reconciler.h"

#include <chrono>
#include <future>
#include <set>

#include "common/log.h"
#include "controller/json_access.h"
#include "controller/cache_index.h"
#include "controller/observe.h"
#include "controller/plan_peers.h"
#include "controller/sluice_resources.h"
#include "pipeline/cache_key.h"
#include "pipeline/model_json.h"
#include "pipeline/plan.h"
#include "pipeline/plan_status.h"
#include "pipeline/status_batching.h"

namespace sluice::controller {

using web::json::value;

namespace {

// The object's status, or an empty object when it has none yet.
const value& statusOf(const value& object) {
  static const value none = value::object();
  return object.has_field("status") ? object.at("status") : none;
}

std::string stepEventMetric(const std::string& reason) {
  if (reason == "StepStarted") return "started";
  if (reason == "StepSucceeded") return "succeeded";
  if (reason == "StepFailed") return "failed";
  if (reason == "StepReused") return "reused";
  if (reason == "CacheHit") return "cache_hit";
  return "";
}

}  // namespace

ExecutionReconciler::ExecutionReconciler(std::shared_ptr<kube::Client> client, Caches caches, EventRecorder& events,
                                         ControllerMetrics& metrics, pipeline::PlanOptions options,
                                         std::function<pipeline::UnixSeconds()> now,
                                         std::chrono::milliseconds statusBatchPeriod)
    : client_(std::move(client)),
      caches_(caches),
      events_(events),
      metrics_(metrics),
      options_(std::move(options)),
      now_(std::move(now)),
      parsedExecutions_(pipeline::parsePipelineExecution,
                        [store = caches.executions](const std::string& key) { return store->resource_version(key); }),
      parsedPipelines_(pipeline::parsePipeline,
                       [store = caches.pipelines](const std::string& key) { return store->resource_version(key); }),
      peerCacheEntries_(cacheEntriesOf,
                        [store = caches.executions](const std::string& key) { return store->resource_version(key); }),
      statusBatchPeriod_(statusBatchPeriod) {}

std::optional<ExecutionReconciler::HeldStatus> ExecutionReconciler::takeHeldStatus(const std::string& key,
                                                                                   const kube::ObjectPtr& current) {
  std::lock_guard<std::mutex> lock(heldMu_);
  auto it = held_.find(key);
  if (it == held_.end()) return std::nullopt;
  HeldStatus held = std::move(it->second);
  held_.erase(it);
  // Someone else wrote the status since: plan from theirs (what the held
  // one recorded is observed again from the Jobs and pods). Mostly the very
  // same snapshot; a label or spec edit makes a new one with the same status.
  if (!current) return std::nullopt;
  if (held.written != current && statusOf(*held.written) != statusOf(*current)) return std::nullopt;
  return held;
}

ReconcileOutcome ExecutionReconciler::reconcile(const std::string& key) {
  kube::ObjectPtr object = caches_.executions->get(key);
  std::optional<HeldStatus> held = takeHeldStatus(key, object);
  if (!object) return {};  // deleted: its Jobs go with it (owner references)
  const value& writtenStatus = statusOf(*object);

  // Finished executions, most of a namespace's over time, are only checked
  // for a spec change to acknowledge: parsed for that and not memoized, so
  // the memo keeps parses only of what planning reads.
  const std::string phaseText = stringAt(*object, {"status", "phase"});
  if (phaseText == "Succeeded" || phaseText == "Failed" || phaseText == "Stopped") {
    const auto finished = pipeline::parsePipelineExecution(*object);
    if (pipeline::isTerminal(finished.value.status.phase)) {
      pipeline::ExecutionStatus acknowledged = finished.value.status;
      if (!pipeline::acknowledgeGeneration(acknowledged, finished.value.metadata.generation, now_())) return {};
      return writeStatus(*object, pipeline::toJson(acknowledged));
    }
  }
  auto parsed = parsedExecutions_.get(object);
  const pipeline::PipelineExecution& exec = parsed->value;
  const std::string& ns = exec.metadata.namespace_;
  if (pipeline::isTerminal(exec.status.phase)) {
    // Nothing to plan: skip the whole observation, but a changed spec must
    // still be acknowledged, or kstatus tools wait on it forever.
    pipeline::ExecutionStatus acknowledged = exec.status;
    if (!pipeline::acknowledgeGeneration(acknowledged, exec.metadata.generation, now_())) return {};
    return writeStatus(*object, pipeline::toJson(acknowledged));
  }
  const bool started = exec.status.pipelineSpec.has_value();

  pipeline::PlanInput in;
  in.options = options_;
  in.now = now_();
  in.executionErrors = parsed->errors;  // any: the planner fails it (InvalidSpec)

  // The live Pipeline matters only until the execution has its snapshot.
  if (kube::ObjectPtr p = started ? nullptr : caches_.pipelines->get(ns + "/" + exec.spec.pipelineRef)) {
    auto pipelineParsed = parsedPipelines_.get(p);
    in.pipeline = pipelineParsed->value;
    in.pipelineErrors = pipelineParsed->errors;  // any: the planner fails it (PipelineInvalid)
  }

  // Our Jobs carry an owner reference to this execution's UID; their pods an
  // owner reference to the Job. Owner references never cross namespaces, so
  // one that seems to (anyone may write any UID into their own Job) is not
  // ours and must not decide a step's result.
  std::vector<value> jobs, pods;
  for (const auto& j : caches_.jobs->by_owner_uid(exec.metadata.uid)) {
    if (stringAt(*j, {"metadata", "namespace"}) != ns) continue;
    jobs.push_back(*j);
    for (const auto& pod : caches_.pods->by_owner_uid(stringAt(*j, {"metadata", "uid"})))
      if (stringAt(*pod, {"metadata", "namespace"}) == ns) pods.push_back(*pod);
  }
  in.jobs = observeJobs(jobs, pods);

  // The other executions of this Pipeline: the cache index when a step
  // caches, and the source candidates of a selective run until it has
  // started. The planner reads neither otherwise, and walking every
  // execution the namespace has kept would make each reconcile cost grow
  // with history. Each peer is read once per version: for the cache index
  // only its entries are kept, the whole parse only for source candidates.
  const pipeline::PipelineSpec* spec = started ? &*exec.status.pipelineSpec : in.pipeline ? &in.pipeline->spec : nullptr;
  const bool needCacheIndex = spec && pipeline::anyStepCached(*spec);
  const bool needSources = !started && exec.spec.selectiveExecution.has_value();
  if (needCacheIndex || needSources) {
    // The index holds exactly the executions of this namespace and Pipeline
    // (isPlanPeer's other two conditions); finished ones are compacted, and
    // only a version not read before is read from the store. For the cache
    // index, the compacted ones come prebuilt (settledCacheIndex).
    const std::string peers = planPeerIndexKey(exec);
    if (needCacheIndex) {
      // The running ones first, then the settled: one settling in between
      // is then in both (harmless), never in neither.
      using Held = kube::Store::Held;
      for (const auto& [peerKey, version] : caches_.executions->versions_by_index(kIndexPlanPeers, peers, Held::Uncompacted)) {
        if (peerKey == key) continue;  // itself
        if (auto entries = peerCacheEntries_.get(peerKey, version, loadExecution(peerKey)))
          in.cacheIndex.add({entries, &entries->value});  // shared with the memo, not copied
      }
      in.cacheIndex.add(settledCacheIndex(peers));
    }
    if (needSources) {
      for (const auto& [peerKey, version] : caches_.executions->versions_by_index(kIndexPlanPeers, peers)) {
        if (peerKey == key) continue;  // itself
        if (auto parsedPeer = parsedExecutions_.get(peerKey, version, loadExecution(peerKey)))
          in.otherExecutions.push_back(parsedPeer->value);  // a broken one simply never qualifies as a source
      }
    }
  }
  in.execution = exec;
  // A status planned earlier and held back for batching is where this plan
  // starts from: its transitions are done (their Events posted), only not
  // written yet.
  if (held) in.execution.status = held->status;

  // Label the execution with its pipeline so `kubectl get plx -l
  // sluice.dev/pipeline=NAME` lists a pipeline's executions. The patch
  // returns the object with its new resourceVersion, which the status write
  // below then uses (no conflict, no extra round through the queue). That
  // is only sound when the patch applies to the very version this plan was
  // made from, so the patch carries it as a precondition: from a stale cache
  // it conflicts, instead of lending a stale plan a fresh resourceVersion
  // and overwriting newer status. It goes first (the first reconcile only):
  // a stale plan then posts no Event and creates no Job.
  value current = *object;
  if (stringAt(*object, {"metadata", "labels", kLabelPipeline}) != exec.spec.pipelineRef &&
      exec.spec.pipelineRef.size() <= 63) {
    value patch;
    patch["metadata"]["labels"][kLabelPipeline] = value::string(exec.spec.pipelineRef);
    patch["metadata"]["resourceVersion"] = value::string(stringAt(*object, {"metadata", "resourceVersion"}));
    auto r = client_->merge_patch(executionsResource(), ns, exec.metadata.name, patch);
    if (r.ok()) {
      current = r.value();
      if (caches_.assumeExecution) caches_.assumeExecution(current);
    } else if (r.error().is(kube::ErrorKind::Conflict)) {
      metrics_.apiErrors.inc({{"kind", "status_conflict"}});
      refreshAfterConflict(ns, exec.metadata.name);
      return {true, r.error().to_string(), std::nullopt};
    } else if (!r.error().is(kube::ErrorKind::NotFound)) {
      log::warn("cannot label execution", {{"execution", key}, {"error", r.error().to_string()}});
    }
  }

  // Each transition's Event is named after it and posted before the status
  // that records it: a crash between the two re-plans the same transitions,
  // whose Events exist already (see postTransition); after the status, a
  // crash would lose them. They go out concurrently (each is one API round
  // trip, and none waits for another), right after the Jobs are created:
  // the next step's Job is what a pipeline waits for, so its create request
  // does not queue at the API server behind the Events.
  InvolvedObject involved;
  involved.kind = "PipelineExecution";
  involved.namespace_ = ns;
  involved.name = exec.metadata.name;
  involved.uid = exec.metadata.uid;
  std::vector<std::future<bool>> posting;
  auto postEvents = [&](const std::vector<pipeline::PlanEvent>& events) {
    for (const auto& e : events)
      posting.push_back(std::async(std::launch::async, [this, &involved, e] {
        return events_.postTransition(involved, pipeline::toString(e.type), e.reason, e.message, e.step);
      }));
  };
  auto awaitEvents = [&] {
    for (auto& p : posting)
      if (!p.get()) metrics_.apiErrors.inc({{"kind", "create_event"}});
    posting.clear();
  };

  ReconcileOutcome outcome;
  // Jobs first, status second: a crash in between leaves Jobs whose
  // deterministic names the next reconcile adopts. A Job the server refuses
  // as invalid (a toleration or affinity the schemas let through) fails its
  // step: plan again with the refusals, so this reconcile already writes the
  // failed step, the failed execution and their events. Each pass adds a
  // refusal, so this ends. (The first pass's Events are out by then: the
  // refused step has its StepStarted before its StepFailed.)
  pipeline::PlanOutput out;
  std::set<std::string> attempted;
  for (bool refused = true, first = true; refused; first = false) {
    refused = false;
    out = pipeline::plan(in);
    // Those posted in the pass before are AlreadyExists when posted again:
    // one round trip, no second Event.
    if (!first) awaitEvents();
    for (const auto& job : out.jobsToCreate) {
      if (!attempted.insert(job.name).second) continue;  // created (or adopted) in an earlier pass
      auto r = client_->create(kube::resources::jobs(), ns, job.manifest);
      if (r.ok()) {
        if (caches_.assumeJob) caches_.assumeJob(r.value());
        metrics_.jobsCreated.inc();
        log::info("job created", {{"execution", key}, {"step", job.step}, {"job", job.name}});
      } else if (r.error().is(kube::ErrorKind::Invalid) || r.error().is(kube::ErrorKind::BadRequest)) {
        metrics_.apiErrors.inc({{"kind", "create_job_rejected"}});
        log::error("job rejected", {{"execution", key}, {"step", job.step}, {"error", r.error().to_string()}});
        in.rejectedJobs[job.step] = r.error().message;
        refused = true;
      } else if (!r.error().is(kube::ErrorKind::AlreadyExists)) {
        metrics_.apiErrors.inc({{"kind", "create_job"}});
        log::error("cannot create job", {{"execution", key}, {"step", job.step}, {"error", r.error().to_string()}});
        outcome.retry = true;
        outcome.error = r.error().to_string();
      }
    }
    postEvents(out.events);
  }
  for (const auto& name : out.jobsToDelete) {
    kube::DeleteOptions opts;
    opts.propagation = kube::PropagationPolicy::Background;
    auto r = client_->remove(kube::resources::jobs(), ns, name, opts);
    if (!r.ok() && !r.error().is(kube::ErrorKind::NotFound)) {
      metrics_.apiErrors.inc({{"kind", "delete_job"}});
      outcome.retry = true;
      outcome.error = r.error().to_string();
    }
  }

  value newStatus = pipeline::toJson(out.status);
  awaitEvents();  // before the status that records their transitions
  std::vector<pipeline::PlanEvent> unwritten = held ? std::move(held->events) : std::vector<pipeline::PlanEvent>{};
  unwritten.insert(unwritten.end(), out.events.begin(), out.events.end());
  for (const auto& e : out.events) log::info(e.message, {{"execution", key}, {"reason", e.reason}});
  auto countEvents = [&] {
    for (const auto& e : unwritten) {
      std::string m = stepEventMetric(e.reason);
      if (!m.empty()) metrics_.steps.inc({{"event", m}});
    }
  };
  if (newStatus != writtenStatus) {
    // Hold a change the planner would make again from the Jobs and pods,
    // and write it with the next ones, at the latest one batch period after
    // the first change held: short steps then cost one status write per
    // period rather than one or two per step, and the next step's Job is
    // created without waiting for the previous transition's write.
    const auto nowSteady = std::chrono::steady_clock::now();
    if (statusBatchPeriod_.count() > 0 && !outcome.retry && out.jobsToDelete.empty() && in.rejectedJobs.empty() &&
        pipeline::mayBatchStatusWrite(exec.status, out.status, out.events)) {
      const auto writeBy = held ? held->writeBy : nowSteady + statusBatchPeriod_;
      if (nowSteady < writeBy) {
        {
          std::lock_guard<std::mutex> lock(heldMu_);
          held_[key] = HeldStatus{object, out.status, writeBy, std::move(unwritten)};
        }
        outcome.requeueAfter =
            std::chrono::ceil<std::chrono::milliseconds>(writeBy - nowSteady);
        return outcome;
      }
    }
    ReconcileOutcome w = writeStatus(current, newStatus);
    if (w.retry) return w;
    countEvents();
  }
  if (out.status.phase == pipeline::ExecutionPhase::Pending && !started && !in.pipeline) {
    // GitOps may apply the execution before its Pipeline: keep trying, with
    // the queue's growing backoff.
    outcome.retry = true;
    outcome.error = "pipeline '" + exec.spec.pipelineRef + "' not found";
  }
  return outcome;
}

ReconcileOutcome ExecutionReconciler::writeStatus(const value& object, const value& status) {
  value updated = object;
  updated["status"] = status;
  const std::string ns = stringAt(object, {"metadata", "namespace"});
  auto r = client_->update_status(executionsResource(), ns, updated);
  if (r.ok()) {
    if (caches_.assumeExecution) caches_.assumeExecution(r.value());
    return {};
  }
  if (r.error().is(kube::ErrorKind::NotFound)) return {};
  metrics_.apiErrors.inc({{"kind", r.error().is(kube::ErrorKind::Conflict) ? "status_conflict" : "status"}});
  if (r.error().is(kube::ErrorKind::Conflict)) refreshAfterConflict(ns, stringAt(object, {"metadata", "name"}));
  return {true, r.error().to_string(), std::nullopt};  // the requeue recomputes from the newer object
}

std::shared_ptr<const pipeline::CacheIndex> ExecutionReconciler::settledCacheIndex(const std::string& peers) {
  // The count first: a change while building makes the next call build again.
  const uint64_t changes = caches_.executions->compacted_changes(kIndexPlanPeers, peers);
  SettledIndex last;
  {
    std::lock_guard<std::mutex> lock(settledMu_);
    auto it = settled_.find(peers);
    if (it != settled_.end()) {
      if (it->second.changes == changes) return it->second.settled.index;
      last = it->second.settled;
    }
  }
  SettledIndex next = nextSettledIndex(
      last, caches_.executions->versions_by_index(kIndexPlanPeers, peers, kube::Store::Held::Compacted),
      [this](const std::string& peerKey, const std::string& version) -> std::shared_ptr<const std::vector<pipeline::CacheEntry>> {
        auto entries = peerCacheEntries_.get(peerKey, version, loadExecution(peerKey));
        if (!entries) return nullptr;
        return {entries, &entries->value};  // shared with the memo, not copied
      });
  std::lock_guard<std::mutex> lock(settledMu_);
  settled_[peers] = SettledAt{changes, next};
  // Rebuilds are rare (an execution of a caching Pipeline settled or went):
  // the moment to let go of the indexes of Pipelines whose executions are
  // all gone.
  dropSettledWithoutExecutions(settled_, peers, [this](const std::string& other) {
    return caches_.executions->compacted_changes(kIndexPlanPeers, other);
  });
  return next.index;
}

std::function<kube::ObjectPtr()> ExecutionReconciler::loadExecution(const std::string& key) const {
  return [this, key] { return caches_.executions->get(key); };
}

void ExecutionReconciler::rememberSettled(const value& object, const pipeline::PipelineExecution& parsed) {
  auto entries = buildCacheIndex({&parsed});
  if (entries.empty()) return;  // most Pipelines cache nothing: keep nothing
  peerCacheEntries_.put(kube::object_key(object), kube::object_resource_version(object), {std::move(entries), {}});
}

void ExecutionReconciler::writeHeldStatuses() {
  std::map<std::string, HeldStatus> held;
  {
    std::lock_guard<std::mutex> lock(heldMu_);
    held.swap(held_);
  }
  for (const auto& [key, h] : held) {
    kube::ObjectPtr object = caches_.executions->get(key);
    if (!object || (object != h.written && statusOf(*object) != statusOf(*h.written))) continue;
    ReconcileOutcome w = writeStatus(*object, pipeline::toJson(h.status));
    if (w.retry) {
      log::warn("cannot write a held status at shutdown", {{"execution", key}, {"error", w.error}});
      continue;
    }
    for (const auto& e : h.events) {
      std::string m = stepEventMetric(e.reason);
      if (!m.empty()) metrics_.steps.inc({{"event", m}});
    }
  }
}

void ExecutionReconciler::refreshAfterConflict(const std::string& ns, const std::string& name) {
  // Our cache is behind the server. The watch normally brings the newer
  // version within milliseconds, but a write whose response was lost (the
  // API server killed mid-request) followed by a watch the server cannot
  // serve (its watch cache re-initializing after an etcd restart: 429 for
  // minutes) would leave the execution conflicting until the watch
  // recovers. One read fetches the current version from etcd; the cache
  // takes it only if it is newer than what it holds.
  if (!caches_.assumeExecution) return;
  auto r = client_->get(executionsResource(), ns, name);
  if (r.ok()) caches_.assumeExecution(r.value());
}

}  // namespace sluice::controller
