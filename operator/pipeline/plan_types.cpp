#include "plan_types.h"

namespace sluice::pipeline {

const char* toString(PodPhase p) {
  switch (p) {
    case PodPhase::Pending: return "Pending";
    case PodPhase::Running: return "Running";
    case PodPhase::Succeeded: return "Succeeded";
    case PodPhase::Failed: return "Failed";
    case PodPhase::Unknown: return "Unknown";
  }
  return "Unknown";
}

const char* toString(EventType t) { return t == EventType::Warning ? "Warning" : "Normal"; }

}  // namespace sluice::pipeline
