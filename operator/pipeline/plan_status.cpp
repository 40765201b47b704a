#include "plan_status.h"

#include <map>

namespace sluice::pipeline {

StepStatus pendingStep(const std::string& name) {
  StepStatus s;
  s.name = name;
  return s;
}

void setCondition(std::vector<StatusCondition>& conditions, const std::string& type, const std::string& status,
                  const std::string& reason, const std::string& message, UnixSeconds now, int64_t generation) {
  for (auto& c : conditions)
    if (c.type == type) {
      if (c.status != status) c.lastTransitionTime = formatRfc3339(now);
      c.status = status;
      c.reason = reason;
      c.message = message;
      c.observedGeneration = generation;
      return;
    }
  conditions.push_back({type, status, reason, message, formatRfc3339(now), generation});
}

const StatusCondition* findCondition(const std::vector<StatusCondition>& conditions, const std::string& type) {
  for (const auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

void setExecutionPhase(ExecutionStatus& st, ExecutionPhase phase, const std::string& reason,
                       const std::string& message, UnixSeconds now, int64_t generation) {
  st.phase = phase;
  std::string ready = "False", succeeded = "Unknown";
  if (phase == ExecutionPhase::Succeeded) ready = succeeded = "True";
  if (phase == ExecutionPhase::Failed || phase == ExecutionPhase::Stopped) succeeded = "False";
  setCondition(st.conditions, "Ready", ready, reason, message, now, generation);
  setCondition(st.conditions, "Succeeded", succeeded, reason, message, now, generation);
  setProgressConditions(st.conditions, phase, reason, message, now, generation);
  if (isTerminal(phase) && !st.endTime) st.endTime = formatRfc3339(now);
}

void setProgressConditions(std::vector<StatusCondition>& conditions, ExecutionPhase phase, const std::string& reason,
                           const std::string& message, UnixSeconds now, int64_t generation) {
  // kstatus reads Reconciling=True as InProgress and Stalled=True as
  // Failed; both are "abnormal-true", so they stay False otherwise rather
  // than disappear (a condition that comes and goes hides its history).
  // Stopped is Stalled too: it will not finish without someone creating a
  // new execution, and with Ready=False and nothing else kstatus would call
  // it InProgress forever.
  const bool working = !isTerminal(phase);
  const bool stalled = phase == ExecutionPhase::Failed || phase == ExecutionPhase::Stopped;
  setCondition(conditions, "Reconciling", working ? "True" : "False", reason, working ? message : "", now, generation);
  setCondition(conditions, "Stalled", stalled ? "True" : "False", reason, stalled ? message : "", now, generation);
}

namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

bool isValidationReason(const std::string& r) {
  return r == kReasonInvalidSpec || r == kReasonPipelineInvalid || r == kReasonInvalidParameters || r == kReasonInvalidSelective;
}

}  // namespace

std::string joinFieldErrors(const FieldErrors& errors) {
  std::string s;
  for (const auto& e : errors) s += (s.empty() ? "" : "; ") + e.path + ": " + e.message;
  return s;
}

std::vector<PlanEvent> transitionEvents(const ExecutionStatus& before, const ExecutionStatus& after) {
  std::vector<PlanEvent> events;
  std::map<std::string, const StepStatus*> old;
  for (const auto& s : before.steps) old[s.name] = &s;

  for (const auto& s : after.steps) {
    const auto it = old.find(s.name);
    const StepPhase was = it == old.end() ? StepPhase::Pending : it->second->phase;
    if (was == s.phase) continue;
    const std::string step = "Step " + q(s.name);
    // A step whose Job started and ended while no status recorded it
    // running (the operator was down, or busy) still started: say so first.
    const bool ranUnseen = was == StepPhase::Pending && !s.jobName.empty() && s.startTime &&
                           (s.phase == StepPhase::Succeeded || s.phase == StepPhase::Failed) &&
                           !s.reusedFromExecution && !s.cacheHitExecution;
    if (ranUnseen) events.push_back({EventType::Normal, "StepStarted", step + " started (Job " + q(s.jobName) + ")", s.name});
    switch (s.phase) {
      case StepPhase::Starting:
      case StepPhase::Executing:
        if (was == StepPhase::Pending)
          events.push_back({EventType::Normal, "StepStarted", step + " started (Job " + q(s.jobName) + ")", s.name});
        break;
      case StepPhase::Succeeded:
        if (s.reusedFromExecution)
          events.push_back({EventType::Normal, "StepReused", step + " reused from " + q(*s.reusedFromExecution), s.name});
        else if (s.cacheHitExecution)
          events.push_back({EventType::Normal, "CacheHit", step + " reused cached result of " + q(*s.cacheHitExecution), s.name});
        else if (s.conditionOutcome)
          events.push_back({EventType::Normal, "StepSucceeded", step + " evaluated to " + *s.conditionOutcome, s.name});
        else
          events.push_back({EventType::Normal, "StepSucceeded", step + " succeeded", s.name});
        break;
      case StepPhase::Failed:
        events.push_back({EventType::Warning, "StepFailed", step + " failed: " + s.message, s.name});
        break;
      default:
        break;
    }
  }

  if (!findCondition(before.conditions, "StaleReuse"))
    if (const auto* c = findCondition(after.conditions, "StaleReuse"))
      events.push_back({EventType::Warning, "StaleReuse", c->message, ""});

  if (before.phase != after.phase) {
    const auto* c = findCondition(after.conditions, "Succeeded");
    const std::string reason = c ? c->reason : "";
    switch (after.phase) {
      case ExecutionPhase::Succeeded:
        events.push_back({EventType::Normal, "ExecutionSucceeded", "Execution succeeded", ""});
        break;
      case ExecutionPhase::Failed:
        events.push_back({EventType::Warning, isValidationReason(reason) ? "ValidationFailed" : "ExecutionFailed",
                          after.failureReason, ""});
        break;
      case ExecutionPhase::Stopped:
        events.push_back({EventType::Normal, "ExecutionStopped", "Execution stopped", ""});
        break;
      default:
        break;
    }
  }
  return events;
}

std::string truncateUtf8(const std::string& text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  const std::string marker = " ... (" + std::to_string(text.size()) + " bytes in all)";
  std::size_t end = maxBytes > marker.size() ? maxBytes - marker.size() : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a sequence
  return text.substr(0, end) + marker;
}

bool acknowledgeGeneration(ExecutionStatus& st, int64_t generation, UnixSeconds now) {
  bool changed = st.observedGeneration != generation;
  st.observedGeneration = generation;
  for (auto& c : st.conditions) {
    changed = changed || c.observedGeneration != generation;
    c.observedGeneration = generation;
  }
  // An execution that finished under an operator without the Reconciling
  // and Stalled conditions gets them from the outcome it recorded, so GitOps
  // tools judge old runs like new ones.
  if (isTerminal(st.phase) && (!findCondition(st.conditions, "Reconciling") || !findCondition(st.conditions, "Stalled"))) {
    const StatusCondition* outcome = findCondition(st.conditions, "Succeeded");
    const std::string reason = outcome ? outcome->reason : toString(st.phase);
    const std::string message = outcome ? outcome->message : st.failureReason;
    setProgressConditions(st.conditions, st.phase, reason, message, now, generation);
    changed = true;
  }
  return changed;
}

void capStatusMessages(ExecutionStatus& st) {
  st.failureReason = truncateUtf8(st.failureReason, kMaxStatusMessageBytes);
  for (auto& c : st.conditions) c.message = truncateUtf8(c.message, kMaxStatusMessageBytes);
  for (auto& s : st.steps) s.message = truncateUtf8(s.message, kMaxStepMessageBytes);
}

}  // namespace sluice::pipeline
