#include "observe.h"

#include <map>

#include "controller/json_access.h"
#include "pipeline/plan_time.h"

namespace sluice::controller {

using pipeline::ObservedJob;
using pipeline::ObservedPod;
using pipeline::PodPhase;
using web::json::value;

namespace {

std::optional<pipeline::UnixSeconds> timeAt(const value& v, std::initializer_list<const char*> path) {
  std::string s = stringAt(v, path);
  if (s.empty()) return std::nullopt;
  return pipeline::parseRfc3339(s);
}

PodPhase phaseOf(const std::string& p) {
  if (p == "Pending") return PodPhase::Pending;
  if (p == "Running") return PodPhase::Running;
  if (p == "Succeeded") return PodPhase::Succeeded;
  if (p == "Failed") return PodPhase::Failed;
  return PodPhase::Unknown;
}

// The main container's status, or null.
const value* mainContainerStatus(const value& pod) {
  const value* statuses = arrayAt(pod, {"status", "containerStatuses"});
  if (!statuses) return nullptr;
  for (const auto& cs : statuses->as_array()) {
    if (stringAt(cs, {"name"}) == kMainContainerName) return &cs;
  }
  // A pod with a single container: that one is the main container.
  return statuses->size() == 1 ? &statuses->as_array().at(0) : nullptr;
}

// The pod's DisruptionTarget condition when it is True, else nullptr.
const value* disruptionCondition(const value& pod) {
  const value* conditions = arrayAt(pod, {"status", "conditions"});
  if (!conditions) return nullptr;
  for (const auto& c : conditions->as_array())
    if (stringAt(c, {"type"}) == "DisruptionTarget" && stringAt(c, {"status"}) == "True") return &c;
  return nullptr;
}

}  // namespace

bool decodeTerminationMessage(const std::string& message, ObservedPod& pod) {
  if (message.empty()) {
    pod.errorReason = "the step reported no result (empty termination message)";
    return false;
  }
  if (message.size() > kMaxTerminationMessageBytes) {
    pod.errorReason = "termination message is larger than 4096 bytes";
    return false;
  }
  value doc;
  try {
    doc = value::parse(message);
  } catch (const std::exception&) {
    pod.errorReason = "termination message is not JSON";
    return false;
  }
  if (!doc.is_object()) {
    pod.errorReason = "termination message is not a JSON object";
    return false;
  }
  if (const value* outs = fieldAt(doc, {"outputs"})) {
    if (!outs->is_array()) {
      pod.errorReason = "termination message: outputs is not an array";
      return false;
    }
    for (const auto& o : outs->as_array()) {
      pipeline::OutputStatus s;
      s.name = stringAt(o, {"name"});
      s.uri = stringAt(o, {"uri"});
      s.sha256 = stringAt(o, {"sha256"});
      // Like a size of another type, one that is not a byte count (negative,
      // fractional, beyond int64) is left out rather than failing the step.
      if (const value* size = fieldAt(o, {"size"})) {
        if (auto n = asInt64(*size); n && *n >= 0) s.size = *n;
      }
      if (s.name.empty() || s.uri.empty()) {
        pod.errorReason = "termination message: an output lacks name or uri";
        return false;
      }
      pod.outputs.push_back(std::move(s));
    }
  }
  if (const value* props = fieldAt(doc, {"properties"})) {
    if (!props->is_array()) {
      pod.errorReason = "termination message: properties is not an array";
      return false;
    }
    for (const auto& p : props->as_array()) {
      if (stringAt(p, {"name"}).empty()) {
        pod.errorReason = "termination message: a property lacks a name";
        return false;
      }
      pod.properties.push_back({stringAt(p, {"name"}), stringAt(p, {"value"})});
    }
  }
  std::string error = stringAt(doc, {"error"});
  if (!error.empty()) {
    pod.errorReason = error;
    return false;
  }
  return true;
}

ObservedPod observePod(const value& pod, bool expectRunnerMessage) {
  ObservedPod p;
  p.name = stringAt(pod, {"metadata", "name"});
  p.phase = phaseOf(stringAt(pod, {"status", "phase"}));
  p.startTime = timeAt(pod, {"status", "startTime"});
  const value* main = mainContainerStatus(pod);
  if (main) {
    if (auto t = timeAt(*main, {"state", "terminated", "finishedAt"})) p.endTime = t;
    if (!p.startTime) p.startTime = timeAt(*main, {"state", "terminated", "startedAt"});
  }
  if (p.phase == PodPhase::Succeeded) {
    std::string message = main ? stringAt(*main, {"state", "terminated", "message"}) : "";
    if (expectRunnerMessage || !message.empty()) decodeTerminationMessage(message, p);
  } else if (p.phase == PodPhase::Failed) {
    const value* terminated = main ? fieldAt(*main, {"state", "terminated"}) : nullptr;
    std::string message = terminated ? stringAt(*terminated, {"message"}) : "";
    ObservedPod decoded;
    if (!message.empty()) decodeTerminationMessage(message, decoded);
    if (!decoded.errorReason.empty()) {
      // The runner said why (staging failure or the command's exit).
      p.errorReason = decoded.errorReason;
    } else if (terminated) {
      p.errorReason = "exit code " + std::to_string(intAt(*terminated, {"exitCode"}));
      std::string reason = stringAt(*terminated, {"reason"});
      if (!reason.empty() && reason != "Error") p.errorReason += " (" + reason + ")";
    } else {
      // Evicted, deadline exceeded, ...: the pod's own reason; else the
      // DisruptionTarget condition the pod garbage collector (node
      // deleted), the taint manager or an eviction sets on a pod it fails.
      std::string reason = stringAt(pod, {"status", "reason"});
      std::string msg = stringAt(pod, {"status", "message"});
      if (reason.empty()) {
        if (const value* disruption = disruptionCondition(pod)) {
          reason = stringAt(*disruption, {"reason"});
          msg = stringAt(*disruption, {"message"});
        }
      }
      p.errorReason = reason.empty() ? "pod failed" : reason + (msg.empty() ? "" : ": " + msg);
    }
  }
  return p;
}

std::vector<ObservedJob> observeJobs(const std::vector<value>& jobs, const std::vector<value>& pods) {
  std::map<std::string, std::vector<const value*>> podsByJob;
  for (const auto& pod : pods) {
    std::string job = stringAt(pod, {"metadata", "labels", "batch.kubernetes.io/job-name"});
    if (job.empty()) job = stringAt(pod, {"metadata", "labels", "job-name"});
    if (job.empty()) {
      if (const value* owners = arrayAt(pod, {"metadata", "ownerReferences"})) {
        for (const auto& o : owners->as_array()) {
          if (stringAt(o, {"kind"}) == "Job") job = stringAt(o, {"name"});
        }
      }
    }
    if (!job.empty()) podsByJob[job].push_back(&pod);
  }
  std::vector<ObservedJob> out;
  for (const auto& job : jobs) {
    ObservedJob j;
    j.name = stringAt(job, {"metadata", "name"});
    // The annotation holds the exact step name; the label is sanitized.
    j.step = stringAt(job, {"metadata", "annotations", "sluice.dev/step"});
    if (j.name.empty() || j.step.empty()) continue;
    j.active = intAt(job, {"status", "active"});
    j.succeeded = intAt(job, {"status", "succeeded"});
    j.failed = intAt(job, {"status", "failed"});
    j.deleting = !stringAt(job, {"metadata", "deletionTimestamp"}).empty();
    if (const value* conds = arrayAt(job, {"status", "conditions"})) {
      for (const auto& c : conds->as_array()) {
        if (stringAt(c, {"type"}) == "Failed" && stringAt(c, {"status"}) == "True") {
          j.jobFailed = true;
          j.jobFailedReason = stringAt(c, {"reason"});
          j.jobFailedMessage = stringAt(c, {"message"});
        }
      }
    }
    const bool runner = stringAt(job, {"metadata", "annotations", "sluice.dev/runner"}) != "none";
    for (const value* pod : podsByJob[j.name]) j.pods.push_back(observePod(*pod, runner));
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace sluice::controller
