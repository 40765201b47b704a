// Wire names of the model's enums (see model.h). One table per enum keeps
// toString and fromString from drifting apart.
#include "model.h"

#include <array>
#include <utility>

namespace sluice::pipeline {
namespace {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

constexpr NameTable<ParamType, 4> kParamTypes{{
    {ParamType::String, "String"},
    {ParamType::Integer, "Integer"},
    {ParamType::Float, "Float"},
    {ParamType::Boolean, "Boolean"},
}};

constexpr NameTable<ConditionType, 9> kConditionTypes{{
    {ConditionType::Equals, "Equals"},
    {ConditionType::NotEquals, "NotEquals"},
    {ConditionType::GreaterThan, "GreaterThan"},
    {ConditionType::GreaterThanOrEqualTo, "GreaterThanOrEqualTo"},
    {ConditionType::LessThan, "LessThan"},
    {ConditionType::LessThanOrEqualTo, "LessThanOrEqualTo"},
    {ConditionType::In, "In"},
    {ConditionType::Not, "Not"},
    {ConditionType::Or, "Or"},
}};

constexpr NameTable<ExecutionPhase, 6> kExecutionPhases{{
    {ExecutionPhase::Pending, "Pending"},
    {ExecutionPhase::Executing, "Executing"},
    {ExecutionPhase::Stopping, "Stopping"},
    {ExecutionPhase::Stopped, "Stopped"},
    {ExecutionPhase::Failed, "Failed"},
    {ExecutionPhase::Succeeded, "Succeeded"},
}};

constexpr NameTable<StepPhase, 8> kStepPhases{{
    {StepPhase::Pending, "Pending"},
    {StepPhase::Starting, "Starting"},
    {StepPhase::Executing, "Executing"},
    {StepPhase::Stopping, "Stopping"},
    {StepPhase::Stopped, "Stopped"},
    {StepPhase::Failed, "Failed"},
    {StepPhase::Succeeded, "Succeeded"},
    {StepPhase::Skipped, "Skipped"},
}};

constexpr NameTable<ParameterSource, 3> kParameterSources{{
    {ParameterSource::Override, "Override"},
    {ParameterSource::Reference, "Reference"},
    {ParameterSource::Default, "Default"},
}};

template <typename E, size_t N>
const char* nameOf(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "Unknown";  // only reachable with an out-of-range enum value
}

// Exact, case-sensitive match: the CRD enums are case-sensitive too.
template <typename E, size_t N>
std::optional<E> valueOf(const NameTable<E, N>& table, const std::string& name) {
  for (const auto& [v, n] : table) {
    if (name == n) return v;
  }
  return std::nullopt;
}

}  // namespace

const char* toString(ParamType v) { return nameOf(kParamTypes, v); }
const char* toString(ConditionType v) { return nameOf(kConditionTypes, v); }
const char* toString(ExecutionPhase v) { return nameOf(kExecutionPhases, v); }

std::string progressOf(const ExecutionStatus& st) {
  size_t done = 0;
  for (const auto& s : st.steps) {
    if (s.phase == StepPhase::Succeeded || s.phase == StepPhase::Skipped) ++done;
  }
  return std::to_string(done) + "/" + std::to_string(st.steps.size());
}
const char* toString(StepPhase v) { return nameOf(kStepPhases, v); }
const char* toString(ParameterSource v) { return nameOf(kParameterSources, v); }

std::optional<ParamType> paramTypeFromString(const std::string& s) { return valueOf(kParamTypes, s); }
std::optional<ConditionType> conditionTypeFromString(const std::string& s) {
  return valueOf(kConditionTypes, s);
}
std::optional<ExecutionPhase> executionPhaseFromString(const std::string& s) {
  return valueOf(kExecutionPhases, s);
}
std::optional<StepPhase> stepPhaseFromString(const std::string& s) { return valueOf(kStepPhases, s); }
std::optional<ParameterSource> parameterSourceFromString(const std::string& s) {
  return valueOf(kParameterSources, s);
}

}  // namespace sluice::pipeline
