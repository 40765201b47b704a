// The step graph of a pipeline: plain data, no client (as Tekton's dag.go).
// Edges run from a dependency to its dependent. Built from dependsOn, every
// $(steps.X...) reference in the step (args, command, env, inputs, condition
// operands, fail message) and condition branches (a step listed in ifSteps /
// elseSteps depends on the condition step).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model.h"

namespace sluice::pipeline {

class Dag {
 public:
  // Builds the graph. Unknown step names in dependsOn/references/branches
  // are ignored here (the validator reports them); parse errors in
  // expressions are ignored too.
  static Dag build(const PipelineSpec& spec);

  const std::vector<std::string>& steps() const { return order_; }  // spec order
  bool has(const std::string& step) const { return deps_.count(step) != 0; }
  const std::set<std::string>& dependencies(const std::string& step) const;  // direct
  const std::set<std::string>& dependents(const std::string& step) const;    // direct

  std::set<std::string> ancestors(const std::string& step) const;    // transitive, excl. self
  std::set<std::string> descendants(const std::string& step) const;  // transitive, excl. self

  // A cycle as a path that starts and ends on the same step, e.g.
  // {"A","B","A"}; nullopt when the graph is acyclic.
  std::optional<std::vector<std::string>> findCycle() const;

  // Topological order, ties broken by spec order; nullopt when cyclic.
  std::optional<std::vector<std::string>> topologicalOrder() const;

  // Steps lying on some path from a to b (excluding a and b); empty when b
  // is not reachable from a.
  std::set<std::string> stepsBetween(const std::string& a, const std::string& b) const;

 private:
  std::vector<std::string> order_;
  std::map<std::string, std::set<std::string>> deps_;
  std::map<std::string, std::set<std::string>> dependents_;
};

}  // namespace sluice::pipeline
