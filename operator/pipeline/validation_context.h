// Internal to validation: what the rules share while checking one spec.
#pragma once

#include <map>
#include <set>
#include <string>

#include "model.h"

namespace sluice::pipeline::validation {

struct Context {
  const PipelineSpec& spec;
  std::string prefix;  // "spec"
  FieldErrors& errors;
  std::set<std::string> params;
  std::map<std::string, size_t> stepIndex;  // first occurrence of each name

  void add(const std::string& path, const std::string& message) { errors.push_back({path, message}); }
  std::string stepPath(size_t i) const { return prefix + ".steps[" + std::to_string(i) + "]"; }
  const StepSpec* step(const std::string& name) const {
    auto it = stepIndex.find(name);
    return it == stepIndex.end() ? nullptr : &spec.steps[it->second];
  }
};

// References in $(...), dependsOn and inputs; outputs without a store.
void checkReferences(Context& ctx);
// Condition branches and shapes.
void checkConditions(Context& ctx);
// Dependency cycles.
void checkCycles(Context& ctx);

inline std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace sluice::pipeline::validation
