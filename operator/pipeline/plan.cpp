// The planner (see plan.h). Stages: start (plan_start.cpp) -> observe ->
// stop -> schedule -> complete; events are the diff of old and new status.
#include "plan.h"

#include <algorithm>
#include <map>

#include "cache_key.h"
#include "condition_eval.h"
#include "dag.h"
#include "duration.h"
#include "job_spec.h"
#include "plan_refs.h"
#include "plan_render.h"
#include "plan_start.h"
#include "plan_status.h"

namespace sluice::pipeline {

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

bool isActive(StepPhase p) {
  return p == StepPhase::Starting || p == StepPhase::Executing || p == StepPhase::Stopping;
}

bool contains(const std::vector<std::string>& xs, const std::string& x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

class Run {
 public:
  Run(const PlanInput& in, PlanOutput& out)
      : in_(in), out_(out), st_(out.status), spec_(*out.status.pipelineSpec), dag_(Dag::build(spec_)) {}

  void execute() {
    const auto order = dag_.topologicalOrder();
    if (!order) {
      fail(kReasonPipelineInvalid, "pipeline snapshot has a dependency cycle");
      return;
    }
    index();
    for (const auto& name : *order) observe(name);
    if (stopRequested()) {
      stop();
      return;
    }
    for (const auto& name : *order) schedule(name);
    complete();
  }

 private:
  const PlanInput& in_;
  PlanOutput& out_;
  ExecutionStatus& st_;
  const PipelineSpec& spec_;
  const Dag dag_;
  std::map<std::string, StepStatus*> steps_;
  std::map<std::string, const StepSpec*> specs_;
  std::map<std::string, const ObservedJob*> jobs_;  // by step, matched on the deterministic name

  // Stopping is one-way: clearing spec.stop mid-way does not resume.
  bool stopRequested() const { return in_.execution.spec.stop || st_.phase == ExecutionPhase::Stopping; }

  int64_t generation() const { return in_.execution.metadata.generation; }
  std::string now() const { return formatRfc3339(in_.now); }
  RenderScope scope() const { return {&in_.execution, &st_}; }

  std::string jobNameOf(const std::string& step) const {
    return jobName(in_.execution.metadata.name, in_.execution.metadata.uid, step);
  }

  void index() {
    // One status per snapshot step, in spec order, whatever the stored status held.
    std::map<std::string, StepStatus*> stored;
    for (auto& x : st_.steps) stored.emplace(x.name, &x);
    std::vector<StepStatus> ordered;
    for (const auto& s : spec_.steps) {
      specs_[s.name] = &s;
      auto it = stored.find(s.name);
      ordered.push_back(it != stored.end() ? std::move(*it->second) : pendingStep(s.name));
    }
    st_.steps = std::move(ordered);
    for (auto& s : st_.steps) steps_[s.name] = &s;
    for (const auto& j : in_.jobs) {
      const std::string& step = j.step;
      if (specs_.count(step) && j.name == jobNameOf(step)) jobs_[step] = &j;
    }
  }

  bool anyFailed() const {
    return std::any_of(st_.steps.begin(), st_.steps.end(), [](const StepStatus& s) { return s.phase == StepPhase::Failed; });
  }

  void stepFailed(StepStatus& s, const std::string& reason, const std::string& message) {
    s.phase = StepPhase::Failed;
    s.reason = reason;
    s.message = message;
    if (!s.endTime) s.endTime = now();
    // The first failure names the execution's failure; fail steps speak for
    // themselves, everything else says which step failed and why.
    if (st_.failureReason.empty())
      st_.failureReason = specs_[s.name]->kind == StepKind::Fail ? message : "Step " + q(s.name) + " failed: " + message;
  }

  // ---- observe: a container step's state comes from its Job and pods ----

  void observe(const std::string& name) {
    StepStatus& s = *steps_[name];
    const StepSpec& spec = *specs_[name];
    if (spec.kind != StepKind::Container) return;
    if (s.phase != StepPhase::Pending && s.phase != StepPhase::Starting && s.phase != StepPhase::Executing) return;
    const auto it = jobs_.find(name);
    if (it == jobs_.end()) {
      // The cache may not show a just-created Job yet: ask again (AlreadyExists
      // means adopt). Not when stopping: stop() deletes it by name instead.
      if (s.phase == StepPhase::Starting && !stopRequested()) recreate(name);
      if (s.phase == StepPhase::Executing) stepFailed(s, "JobDeleted", "Job " + q(s.jobName) + " disappeared");
      return;
    }
    const ObservedJob& job = *it->second;
    if (s.phase == StepPhase::Pending) {  // a Job whose creation the status does not know: adopt it
      s.jobName = job.name;
      s.startTime = now();
      s.consumedParameters = consumedParameters(spec, st_.parameters);
      s.phase = StepPhase::Starting;
    }
    const int maxAttempts = effectiveMaxAttempts(spec, spec_.defaults);
    int failedPods = 0;
    bool running = false;
    const ObservedPod* succeeded = nullptr;
    const ObservedPod* lastFailed = nullptr;
    for (const auto& p : job.pods) {
      if (p.phase == PodPhase::Succeeded && !succeeded) succeeded = &p;
      if (p.phase == PodPhase::Running) running = true;
      if (p.phase == PodPhase::Failed) {
        ++failedPods;
        if (!lastFailed || p.endTime.value_or(0) >= lastFailed->endTime.value_or(0)) lastFailed = &p;
      }
    }
    s.attemptCount = std::max({s.attemptCount, job.active + job.succeeded + job.failed,
                               static_cast<int>(job.pods.size())});
    failedPods = std::max(failedPods, job.failed);

    if (succeeded) {
      if (!succeeded->errorReason.empty()) {
        stepFailed(s, "InvalidResult", succeeded->errorReason);
        return;
      }
      succeed(s, spec, *succeeded);
      return;
    }
    if (failedPods >= maxAttempts || job.jobFailed) {
      std::string why = lastFailed && !lastFailed->errorReason.empty() ? lastFailed->errorReason : "";
      if (job.jobFailed && (why.empty() || job.jobFailedReason == "DeadlineExceeded"))
        why = job.jobFailedReason + (job.jobFailedMessage.empty() ? "" : ": " + job.jobFailedMessage);
      if (why.empty()) why = "pod failed";
      if (lastFailed && lastFailed->endTime) s.endTime = formatRfc3339(*lastFailed->endTime);
      stepFailed(s, job.jobFailed ? job.jobFailedReason : "PodFailed", why);
      return;
    }
    // A pod that failed has run too: so the phase follows from the Job and
    // its pods alone, whatever status was (or was not yet) written.
    if (running || failedPods > 0 || s.phase == StepPhase::Executing) s.phase = StepPhase::Executing;
  }

  void succeed(StepStatus& s, const StepSpec& spec, const ObservedPod& pod) {
    std::vector<PropertyStatus> props;
    for (const auto& declared : spec.properties) {
      auto it = std::find_if(pod.properties.begin(), pod.properties.end(),
                             [&](const PropertyStatus& p) { return p.name == declared.name; });
      if (it == pod.properties.end()) {
        stepFailed(s, "InvalidResult", "property " + q(declared.name) + " was not reported");
        return;
      }
      props.push_back(*it);
    }
    const PipelineExecution& x = in_.execution;
    s.outputs.clear();
    for (const auto& o : spec.outputs) {
      OutputStatus out{o.name, outputUri(spec_.artifactStore, x.metadata.namespace_, x.spec.pipelineRef,
                                         x.metadata.name, spec.name, o.name),
                       std::nullopt, ""};
      for (const auto& reported : pod.outputs)
        if (reported.name == o.name) {
          out.size = reported.size;
          out.sha256 = reported.sha256;
        }
      s.outputs.push_back(std::move(out));
    }
    s.properties = std::move(props);
    s.phase = StepPhase::Succeeded;
    s.reason.clear();
    s.message.clear();
    s.endTime = pod.endTime ? formatRfc3339(*pod.endTime) : now();
  }

  // The API server refused this step's Job earlier in this reconcile: fail
  // the step with its words; asking again would only be refused again.
  bool failIfRejected(StepStatus& s) {
    const auto it = in_.rejectedJobs.find(s.name);
    if (it == in_.rejectedJobs.end()) return false;
    if (!s.startTime) s.startTime = now();
    s.jobName.clear();  // no such Job exists
    stepFailed(s, "JobRejected", "the API server rejected Job " + q(jobNameOf(s.name)) + ": " + it->second);
    return true;
  }

  void recreate(const std::string& name) {
    if (failIfRejected(*steps_[name])) return;
    auto rendered = renderContainerStep(*specs_[name], scope(), spec_.artifactStore);
    if (auto* r = std::get_if<RenderedStep>(&rendered)) {
      auto manifest = buildJobManifest(owner(), *specs_[name], spec_.defaults, spec_.artifactStore, *r, in_.options);
      if (auto* m = std::get_if<web::json::value>(&manifest)) out_.jobsToCreate.push_back({jobNameOf(name), name, *m});
    }
  }

  JobOwner owner() const {
    const auto& x = in_.execution;
    return {x.metadata.namespace_, x.spec.pipelineRef, x.metadata.name, x.metadata.uid};
  }

  // ---- stop: delete running Jobs, wait for them to go, end Stopped ----

  void stop() {
    bool stopping = false;
    for (auto& s : st_.steps) {
      if (s.phase == StepPhase::Starting || s.phase == StepPhase::Executing) s.phase = StepPhase::Stopping;
      if (s.phase == StepPhase::Pending) {
        s.phase = StepPhase::Skipped;
        s.reason = "Stopped";
      }
      if (s.phase != StepPhase::Stopping) continue;
      const auto it = jobs_.find(s.name);
      if (it == jobs_.end()) {
        // Created but not yet in the cache: delete by name all the same
        // (NotFound is fine), or it would run on unowned by any plan.
        if (!s.jobName.empty()) out_.jobsToDelete.push_back(s.jobName);
        s.phase = StepPhase::Stopped;
        s.reason = "Stopped";
        if (!s.endTime) s.endTime = now();
        continue;
      }
      stopping = true;
      if (!it->second->deleting) out_.jobsToDelete.push_back(it->second->name);
    }
    if (stopping)
      setExecutionPhase(st_, ExecutionPhase::Stopping, "Stopping", "deleting running Jobs", in_.now, generation());
    else
      setExecutionPhase(st_, ExecutionPhase::Stopped, "Stopped", "stopped by spec.stop", in_.now, generation());
  }

  // ---- schedule: start what is ready, in topological order ----

  int running() const {
    return static_cast<int>(std::count_if(st_.steps.begin(), st_.steps.end(),
                                          [](const StepStatus& s) { return isActive(s.phase); }));
  }

  int parallelLimit() const {
    const auto& override_ = in_.execution.spec.maxParallelSteps;
    return override_ ? *override_ : spec_.maxParallelSteps;
  }

  // Why the step can never run (a dependency was skipped, or it sits on the
  // branch a condition did not take); "" when it may still run.
  std::string skipReason(const std::string& name, std::string& message) const {
    for (const auto& dep : dag_.dependencies(name)) {
      const StepStatus& d = *steps_.at(dep);
      if (d.phase == StepPhase::Skipped) {
        message = "dependency " + q(dep) + " was skipped";
        return "ConditionNotMet";
      }
      const StepSpec& ds = *specs_.at(dep);
      if (d.phase == StepPhase::Succeeded && ds.condition && d.conditionOutcome) {
        const bool taken = *d.conditionOutcome == "True";
        if ((taken && contains(ds.condition->elseSteps, name)) || (!taken && contains(ds.condition->ifSteps, name))) {
          message = "condition " + q(dep) + " was " + *d.conditionOutcome;
          return "ConditionNotMet";
        }
      }
    }
    return "";
  }

  bool ready(const std::string& name) const {
    for (const auto& dep : dag_.dependencies(name))
      if (steps_.at(dep)->phase != StepPhase::Succeeded) return false;
    return true;
  }

  void schedule(const std::string& name) {
    StepStatus& s = *steps_[name];
    if (s.phase != StepPhase::Pending) return;
    std::string message;
    const std::string reason = skipReason(name, message);
    if (!reason.empty()) {
      s.phase = StepPhase::Skipped;
      s.reason = reason;
      s.message = message;
      return;
    }
    if (!ready(name) || anyFailed()) return;  // a failure lets running steps finish but starts nothing new
    const StepSpec& spec = *specs_[name];
    switch (spec.kind) {
      case StepKind::Condition: return evaluateCondition(s, spec);
      case StepKind::Fail: return runFail(s, spec);
      case StepKind::Container: return startContainer(s, spec);
    }
  }

  void evaluateCondition(StepStatus& s, const StepSpec& spec) {
    s.startTime = now();
    s.consumedParameters = consumedParameters(spec, st_.parameters);
    const auto result = evaluateConditions(spec.condition ? spec.condition->conditions : std::vector<Condition>{},
                                           makeResolver(scope()));
    if (auto* err = std::get_if<std::string>(&result)) {
      stepFailed(s, "ConditionError", *err);
      return;
    }
    s.conditionOutcome = std::get<bool>(result) ? "True" : "False";
    s.phase = StepPhase::Succeeded;
    s.endTime = now();
  }

  void runFail(StepStatus& s, const StepSpec& spec) {
    s.startTime = now();
    s.consumedParameters = consumedParameters(spec, st_.parameters);
    auto rendered = renderString(spec.fail ? spec.fail->message : "", makeResolver(scope()));
    if (auto* e = std::get_if<ExprError>(&rendered)) {
      stepFailed(s, "RenderError", "fail.message: " + e->message);
      return;
    }
    stepFailed(s, "FailStep", std::get<std::string>(rendered));
  }

  void startContainer(StepStatus& s, const StepSpec& spec) {
    auto rendered = renderContainerStep(spec, scope(), spec_.artifactStore);
    if (auto* err = std::get_if<std::string>(&rendered)) {
      s.startTime = now();
      stepFailed(s, "RenderError", *err);
      return;
    }
    const RenderedStep& r = std::get<RenderedStep>(rendered);
    const CacheSpec& cache = effectiveCache(spec, spec_.defaults);
    if (cache.enabled) {
      CacheKeyMaterial m{r.image, r.command, r.args, r.env, {}, {}, cache.cacheVersion.value_or(""), spec.properties};
      for (const auto& i : r.inputs) m.inputs.emplace_back(i.name, i.uri);
      for (const auto& o : spec.outputs) m.outputNames.push_back(o.name);
      s.cacheKey = computeCacheKey(m);
      std::optional<int64_t> expire;
      bool usable = true;
      if (cache.expireAfter) {
        auto d = parseIsoDuration(*cache.expireAfter);
        usable = std::holds_alternative<int64_t>(d);  // an unreadable expiry never serves stale results
        if (usable) expire = std::get<int64_t>(d);
      }
      const CacheEntry* hit =
          usable ? findCacheHit(in_.cacheIndex, s.cacheKey, expire, in_.now, spec.properties) : nullptr;
      if (hit && hit->execution != in_.execution.metadata.name) {
        s.phase = StepPhase::Succeeded;
        s.reason = "CacheHit";
        s.cacheHitExecution = hit->execution;
        s.message = "cached result of execution " + q(hit->execution);
        s.outputs = hit->outputs;
        s.properties = hit->properties;
        s.startTime = s.endTime = now();
        s.consumedParameters = consumedParameters(spec, st_.parameters);
        return;
      }
    }
    const int limit = parallelLimit();
    if (limit > 0 && running() >= limit) return;
    if (failIfRejected(s)) return;
    auto manifest = buildJobManifest(owner(), spec, spec_.defaults, spec_.artifactStore, r, in_.options);
    if (auto* err = std::get_if<std::string>(&manifest)) {
      s.startTime = now();
      stepFailed(s, "InvalidJobSpec", *err);
      return;
    }
    s.phase = StepPhase::Starting;
    s.jobName = jobNameOf(spec.name);
    s.startTime = now();
    s.consumedParameters = consumedParameters(spec, st_.parameters);
    out_.jobsToCreate.push_back({s.jobName, spec.name, std::get<web::json::value>(manifest)});
  }

  // ---- complete ----

  void complete() {
    if (running() > 0) return;
    if (anyFailed()) {
      for (auto& s : st_.steps)
        if (s.phase == StepPhase::Pending) {
          s.phase = StepPhase::Skipped;
          s.reason = "ExecutionFailed";
        }
      setExecutionPhase(st_, ExecutionPhase::Failed, kReasonStepFailed, st_.failureReason, in_.now, generation());
      return;
    }
    if (std::all_of(st_.steps.begin(), st_.steps.end(), [](const StepStatus& s) { return isTerminal(s.phase); }))
      setExecutionPhase(st_, ExecutionPhase::Succeeded, "Succeeded", "all steps finished", in_.now, generation());
  }

  void fail(const char* reason, const std::string& message) {
    st_.failureReason = message;
    setExecutionPhase(st_, ExecutionPhase::Failed, reason, message, in_.now, generation());
  }
};

}  // namespace

PlanOutput plan(const PlanInput& in) {
  PlanOutput out;
  out.status = in.execution.status;
  ExecutionStatus& st = out.status;
  const int64_t gen = in.execution.metadata.generation;
  st.observedGeneration = gen;

  if (isTerminal(st.phase)) {
    acknowledgeGeneration(st, gen, in.now);
    return out;
  }

  if (!in.executionErrors.empty()) {
    // Nothing in a spec that does not parse can be trusted, stop included.
    rejectBeforeStart(st, kReasonInvalidSpec, "invalid execution: " + joinFieldErrors(in.executionErrors), in);
  } else if (!st.pipelineSpec) {
    if (in.execution.spec.stop) {
      setExecutionPhase(st, ExecutionPhase::Stopped, "Stopped", "stopped before it started", in.now, gen);
    } else if (!in.pipeline) {
      setExecutionPhase(st, ExecutionPhase::Pending, kReasonPipelineNotFound,
                        "pipeline " + q(in.execution.spec.pipelineRef) + " not found", in.now, gen);
    } else if (startExecution(in, st)) {
      Run(in, out).execute();
    }
  } else {
    Run(in, out).execute();
  }
  capStatusMessages(st);
  out.events = transitionEvents(in.execution.status, st);
  return out;
}

}  // namespace sluice::pipeline
